#include "dicom/dicomdir.h"

#include <new>
#include <string>

#include "dcmtk/config/osconfig.h"  // must come first among the DCMTK headers
#include "dcmtk/dcmdata/dcdatset.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcitem.h"
#include "dcmtk/dcmdata/dcsequen.h"
#include "dicom/dicom_reader.h"
#include "dicom/tag_stream.h"

namespace intake::dicom {
namespace {

// "IMAGES\IM000001" -> {"IMAGES", "IM000001"}; empty components (a stray trailing '\') dropped.
FileIdComponents SplitFileId(const std::string& value) {
  FileIdComponents parts;
  std::size_t start = 0;
  while (start <= value.size()) {
    const std::size_t sep = value.find('\\', start);
    std::string part = TrimDicomPadding(
        value.substr(start, sep == std::string::npos ? std::string::npos : sep - start));
    if (!part.empty()) parts.push_back(std::move(part));
    if (sep == std::string::npos) break;
    start = sep + 1;
  }
  return parts;
}

Result<std::vector<FileIdComponents>> ReadUnguarded(const std::filesystem::path& path) {
  QuietDcmtkLogging();
  if (Status depth = CheckSequenceDepth(path); !depth.ok()) {
    return Result<std::vector<FileIdComponents>>::Fail(depth.message());
  }
  DcmFileFormat file;
  if (file.loadFile(OFFilename(path.c_str())).bad()) {
    return Result<std::vector<FileIdComponents>>::Fail("the DICOMDIR could not be parsed");
  }
  DcmDataset* dataset = file.getDataset();
  DcmSequenceOfItems* records = nullptr;
  if (dataset == nullptr ||
      dataset->findAndGetSequence(DCM_DirectoryRecordSequence, records).bad() ||
      records == nullptr) {
    return Result<std::vector<FileIdComponents>>::Fail("no Directory Record Sequence");
  }
  std::vector<FileIdComponents> ids;
  for (unsigned long i = 0; i < records->card(); ++i) {
    DcmItem* record = records->getItem(i);
    if (record == nullptr) continue;
    OFString value;
    // File IDs are CS (ASCII by definition): all values, split on '\' here.
    if (record->findAndGetOFStringArray(DCM_ReferencedFileID, value).bad()) continue;
    FileIdComponents parts =
        SplitFileId(SanitizeToUtf8(std::string(value.c_str(), value.length())));
    if (!parts.empty()) ids.push_back(std::move(parts));
  }
  return ids;
}

}  // namespace

Result<std::vector<FileIdComponents>> ReadDicomdirFileIds(const std::filesystem::path& path) {
  try {
    return ReadUnguarded(path);
  } catch (const std::bad_alloc&) {
    return Result<std::vector<FileIdComponents>>::Fail("the DICOMDIR is too large to read");
  } catch (...) {
    return Result<std::vector<FileIdComponents>>::Fail("unexpected error reading a DICOMDIR");
  }
}

}  // namespace intake::dicom
