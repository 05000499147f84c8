// Fuzz target: the DICOM header reader (DCMTK, stopping before pixel data) on arbitrary bytes.
#include <cstddef>
#include <cstdint>

#include "dicom/dicom_reader.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const auto path = intake::fuzz::WriteInput("file.dcm", data, size);
  (void)intake::dicom::LooksLikeDicom(path);
  (void)intake::dicom::ReadHeader(path);
  return 0;
}
