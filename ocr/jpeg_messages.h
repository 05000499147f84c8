// libjpeg's own messages, kept off stderr for every decoder in the process.
//
// libjpeg prints its warnings ("Corrupt JPEG data: 3 extraneous bytes before marker 0xd9") to
// stderr through the error manager jpeg_std_error() fills in, unless the caller replaces its
// output_message. Our own decoder (ocr/jpeg_gray.h) does; Poppler's DCTStream, which decodes the
// JPEG images of a PDF page Poppler draws, and Leptonica's JPEG reader do not, and Poppler offers
// no hook for it (its error callback never sees them). So this library defines jpeg_std_error
// itself: the program's definition is the one every shared library binds to. It calls libjpeg's
// own and points output_message at a counter: the messages are counted per thread, never printed
// (a line of raw text would break `--log-format json`).
#pragma once

namespace intake::ocr {

// libjpeg messages the decoders on this thread have reported since it started (warnings about
// corrupt data: lost pixels). Compare before and after a decode.
int LibjpegMessageCount();

}  // namespace intake::ocr
