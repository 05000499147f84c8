#include "filetype/mime_type.h"

#include <magic.h>

namespace intake::filetype {
namespace {

// libmagic cookies are not thread-safe: one per thread, loaded on first use.
magic_t ThreadMagic() {
  struct Cookie {
    magic_t m = nullptr;
    ~Cookie() {
      if (m) magic_close(m);
    }
  };
  thread_local Cookie cookie;
  if (!cookie.m) {
    cookie.m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
    if (cookie.m && magic_load(cookie.m, nullptr) != 0) {
      magic_close(cookie.m);
      cookie.m = nullptr;
    }
  }
  return cookie.m;
}

}  // namespace

std::string MimeTypeOf(const std::filesystem::path& path) {
  magic_t m = ThreadMagic();
  if (m == nullptr) return {};
  const char* mime = magic_file(m, path.c_str());
  return mime != nullptr ? mime : "";
}

}  // namespace intake::filetype
