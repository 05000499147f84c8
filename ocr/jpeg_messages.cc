#include "ocr/jpeg_messages.h"

#include <dlfcn.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>

// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

namespace intake::ocr {
namespace {

thread_local int t_messages = 0;

void CountMessage(j_common_ptr /*cinfo*/) { ++t_messages; }

using StdErrorFunction = jpeg_error_mgr* (*)(jpeg_error_mgr*);

// libjpeg's own jpeg_std_error: the next definition after the program's.
StdErrorFunction LibjpegStdError() {
  static const auto real = reinterpret_cast<StdErrorFunction>(dlsym(RTLD_NEXT, "jpeg_std_error"));
  return real;
}

}  // namespace

int LibjpegMessageCount() { return t_messages; }

}  // namespace intake::ocr

// Every caller in the process (Poppler, Leptonica, our decoder) gets libjpeg's error manager
// with its messages counted instead of printed; a caller that sets its own output_message
// afterwards (ours, libtiff's) keeps it.
extern "C" jpeg_error_mgr* jpeg_std_error(jpeg_error_mgr* err) {
  const intake::ocr::StdErrorFunction real = intake::ocr::LibjpegStdError();
  if (real == nullptr) std::abort();  // libjpeg is linked: cannot happen
  jpeg_error_mgr* manager = real(err);
  manager->output_message = &intake::ocr::CountMessage;
  return manager;
}
