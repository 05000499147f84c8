#include "dicom/dicom_reader.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string_view>
#include <system_error>
#include <utility>

#include "dcmtk/config/osconfig.h"  // must come first among the DCMTK headers
#include "dcmtk/dcmdata/dcdatset.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcmetinf.h"
#include "dcmtk/dcmdata/dcspchrs.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmdata/dcxfer.h"
#include "dcmtk/oflog/oflog.h"
#include "dicom/japanese_charset.h"
#include "dicom/tag_stream.h"

namespace intake::dicom {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// ISO 2022 escape sequence at s[i] (ESC, intermediates 0x20-0x2F, final 0x30-0x7E): its length,
// or 0. `multibyte` tells whether it designates a 94x94 set into G0 (ESC $ B, ESC $ ( D ...).
std::size_t EscapeSequenceLength(std::string_view s, std::size_t i, bool& multibyte) {
  std::size_t k = i + 1;
  while (k < s.size() && s[k] >= 0x20 && s[k] <= 0x2F) ++k;
  if (k == i + 1 || k >= s.size() || s[k] < 0x30 || s[k] > 0x7E) return 0;
  // G0 designations: ESC ( F (single byte), ESC $ F / ESC $ ( F (multi byte). ESC $ ) F and
  // ESC ) F designate G1, which only changes how 8-bit bytes are read.
  multibyte = s[i + 1] == '$' && (k == i + 2 || s[i + 2] == '(');
  return k - i + 1;
}

}  // namespace

std::string SanitizeToUtf8(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  bool in_multibyte_g0 = false;  // inside an ISO 2022 run of two-byte characters
  std::size_t i = 0;
  while (i < raw.size()) {
    const unsigned char b = static_cast<unsigned char>(raw[i]);
    if (b == 0x1B) {
      bool multibyte = false;
      const std::size_t len = EscapeSequenceLength(raw, i, multibyte);
      if (len > 0) {
        const bool designates_g0 = raw[i + 1] == '(' || (raw[i + 1] == '$' && multibyte);
        if (designates_g0) in_multibyte_g0 = multibyte;
        i += len;
        continue;
      }
      out += kReplacement;
      ++i;
      continue;
    }
    if (in_multibyte_g0 && b >= 0x21 && b <= 0x7E) {
      // One character of a two-byte set that could not be decoded here.
      out += kReplacement;
      i += (i + 1 < raw.size() && raw[i + 1] >= 0x21 && raw[i + 1] <= 0x7E) ? 2 : 1;
      continue;
    }
    if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
      ++i;  // other C0 controls (NUL padding, stray bytes) carry no text
      continue;
    }
    const std::size_t len = Utf8SequenceLength(raw, i);
    if (len == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    out.append(raw.substr(i, len));
    i += len;
  }
  return out;
}

std::string TrimDicomPadding(std::string_view value) {
  std::size_t begin = 0;
  std::size_t end = value.size();
  while (end > begin && (value[end - 1] == ' ' || value[end - 1] == '\0')) --end;
  while (begin < end && value[begin] == ' ') ++begin;
  return std::string(value.substr(begin, end - begin));
}

std::string FormatDicomDate(std::string_view value) {
  std::string v = TrimDicomPadding(value);
  std::string digits;
  if (v.size() == 8) {
    digits = v;
  } else if (v.size() == 10 && v[4] == '.' && v[7] == '.') {  // old ACR-NEMA "YYYY.MM.DD"
    digits = v.substr(0, 4) + v.substr(5, 2) + v.substr(8, 2);
  } else {
    return {};
  }
  for (char ch : digits) {
    if (ch < '0' || ch > '9') return {};
  }
  const int month = std::stoi(digits.substr(4, 2));
  const int day = std::stoi(digits.substr(6, 2));
  if (month < 1 || month > 12 || day < 1 || day > 31) return {};
  return digits.substr(0, 4) + "-" + digits.substr(4, 2) + "-" + digits.substr(6, 2);
}

void QuietDcmtkLogging() {
  static std::once_flag once;
  std::call_once(once, [] { OFLog::configure(OFLogger::OFF_LOG_LEVEL); });
}

namespace {

// Element walk over the first bytes of a file without preamble: true when `buf` starts with one
// or more plausible elements of group 0002 or 0008 in the given encoding.
enum class Encoding { kExplicitLittle, kImplicitLittle, kExplicitBig };

bool PlausibleElements(const unsigned char* buf, std::size_t size, Encoding enc) {
  const bool big = enc == Encoding::kExplicitBig;
  const auto u16 = [&](std::size_t at) -> std::uint32_t {
    return big ? (buf[at] << 8) | buf[at + 1] : buf[at] | (buf[at + 1] << 8);
  };
  const auto u32 = [&](std::size_t at) -> std::uint32_t {
    return big ? (std::uint32_t{buf[at]} << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) |
                     buf[at + 3]
               : buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) |
                     (std::uint32_t{buf[at + 3]} << 24);
  };
  constexpr std::uint32_t kMaxHeaderValue = 64 * 1024;
  std::size_t pos = 0;
  int complete = 0;
  std::uint32_t last_tag = 0;
  std::uint32_t first_group = 0;
  while (pos + 8 <= size) {
    const std::uint32_t group = u16(pos);
    const std::uint32_t element = u16(pos + 2);
    const std::uint32_t tag = (group << 16) | element;
    if (complete == 0) {
      if (group != 0x0002 && group != 0x0008) return false;
      first_group = group;
    } else if (tag <= last_tag || group < first_group || group > 0x7FE0) {
      return false;
    }
    last_tag = tag;
    std::uint32_t length;
    std::size_t header;
    if (enc == Encoding::kImplicitLittle) {
      length = u32(pos + 4);
      header = 8;
    } else {
      const char a = static_cast<char>(buf[pos + 4]);
      const char b = static_cast<char>(buf[pos + 5]);
      if (!IsKnownVr(a, b)) return false;
      if (HasLongLength(a, b)) {
        if (pos + 12 > size) break;
        if (buf[pos + 6] != 0 || buf[pos + 7] != 0) return false;
        length = u32(pos + 8);
        header = 12;
      } else {
        length = u16(pos + 6);
        header = 8;
      }
    }
    if (length == 0xFFFFFFFFu) break;  // undefined-length sequence: stop walking, keep verdict
    if (length > kMaxHeaderValue || length % 2 != 0) return false;
    if (element == 0x0000 && length != 4) return false;  // group length is always UL
    ++complete;
    pos += header + length;
  }
  if (enc == Encoding::kImplicitLittle) {
    // Without a VR to check, ask for two elements in a row (or one that fills the buffer).
    return complete >= 2 || (complete == 1 && pos >= size);
  }
  return complete >= 1;
}

// Values longer than this are not read by ReadHeader (none of the header values we use is).
constexpr Uint32 kMaxLoadedValue = 4096;

// The value of `key` in `item` as bytes, or "" when it is absent or longer than kMaxLoadedValue:
// such a value was left in the file by loadFile, and asking DCMTK for it would allocate the
// length the file declares (up to 4 GiB from a few bytes) before finding the file too short.
// The length field is what the file declares; getLength() would load a string value to measure it.
std::string GetString(DcmItem& item, const DcmTagKey& key) {
  DcmElement* element = nullptr;
  if (item.findAndGetElement(key, element, OFFalse).bad() || element == nullptr ||
      element->getLengthField() > kMaxLoadedValue) {
    return {};
  }
  OFString value;
  if (element->getOFStringArray(value, OFFalse).bad()) return {};
  return std::string(value.c_str(), value.length());
}

// Converts raw text values to UTF-8. Japanese character sets, ISO_IR 192 and values without a
// character set go through our own decoder (DCMTK 3.6.7 in Debian cannot convert ISO 2022 IR 87
// and passes mislabelled bytes on); other sets through DCMTK, with a best-guess reading when its
// conversion fails. The result is always valid UTF-8.
class TextDecoder {
 public:
  TextDecoder(DcmItem& dataset, std::string specific_character_set)
      : specific_character_set_(std::move(specific_character_set)) {
    if (!IsJapaneseCharacterSet(specific_character_set_)) {
      usable_ = DcmSpecificCharacterSet::isConversionAvailable() &&
                converter_.selectCharacterSet(dataset, "ISO_IR 192").good();
    }
  }

  std::string Decode(const std::string& raw, const char* delimiters, ValueKind kind) {
    if (raw.empty()) return raw;
    if (auto decoded = DecodeJapanese(raw, specific_character_set_, kind)) {
      return SanitizeToUtf8(*decoded);
    }
    if (usable_) {
      OFString converted;
      if (converter_.convertString(raw.c_str(), raw.size(), converted, delimiters).good()) {
        std::string sanitized =
            SanitizeToUtf8(std::string_view(converted.c_str(), converted.length()));
        if (sanitized.find(kReplacement) == std::string::npos) return sanitized;
      }
    }
    return SanitizeToUtf8(DecodeUnlabelled(raw, kind));
  }

 private:
  std::string specific_character_set_;
  DcmSpecificCharacterSet converter_;
  bool usable_ = false;
};

// First value of a multi-valued string, split after decoding (a Shift_JIS trail byte may be
// 0x5C, so splitting the raw bytes would cut characters in half).
std::string FirstValue(const std::string& decoded) {
  return TrimDicomPadding(std::string_view(decoded).substr(0, decoded.find('\\')));
}

// Drops empty trailing components and component groups ("Wang^XiaoDong=王^小東=" ->
// "Wang^XiaoDong=王^小東", "^^^^" -> "").
std::string NormalizePersonName(const std::string& name) {
  std::vector<std::string> groups;
  std::size_t start = 0;
  while (true) {
    const std::size_t eq = name.find('=', start);
    std::string group = name.substr(start, eq == std::string::npos ? eq : eq - start);
    while (!group.empty() && (group.back() == '^' || group.back() == ' ')) group.pop_back();
    groups.push_back(std::move(group));
    if (eq == std::string::npos) break;
    start = eq + 1;
  }
  while (!groups.empty() && groups.back().empty()) groups.pop_back();
  std::string out;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (i > 0) out += '=';
    out += groups[i];
  }
  return out;
}

// An IS value ("12", " -3 ") as an integer, or nullopt.
std::optional<int> ParseInteger(const std::string& value) {
  const std::string v = TrimDicomPadding(value);
  if (v.empty() || v.size() > 9) return std::nullopt;
  std::size_t i = (v[0] == '-' || v[0] == '+') ? 1 : 0;
  if (i == v.size()) return std::nullopt;
  for (std::size_t k = i; k < v.size(); ++k) {
    if (v[k] < '0' || v[k] > '9') return std::nullopt;
  }
  return std::stoi(v);
}

// True when the dataset names the instance (or, for a DICOMDIR, holds its records).
bool HasIdentity(DcmItem& dataset) {
  return !GetString(dataset, DCM_SOPInstanceUID).empty() ||
         (!GetString(dataset, DCM_StudyInstanceUID).empty() &&
          !GetString(dataset, DCM_SeriesInstanceUID).empty());
}

std::string SizeText(std::uintmax_t size) { return "(size: " + std::to_string(size) + " bytes)"; }

// The checks before DCMTK parses the file (size, dictionary, nesting depth); its size when they
// pass.
Result<std::uintmax_t> CheckBeforeParsing(const std::filesystem::path& path) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return Result<std::uintmax_t>::Fail("DICOM file could not be opened");
  if (size == 0) return Result<std::uintmax_t>::Fail("not a DICOM file " + SizeText(size));
  if (!dcmDataDict.isDictionaryLoaded()) {
    return Result<std::uintmax_t>::Fail("DCMTK data dictionary is not loaded");
  }
  if (Status depth = CheckSequenceDepth(path); !depth.ok()) {
    return Result<std::uintmax_t>::Fail(depth.message() + " " + SizeText(size));
  }
  return size;
}

// The file meta information: transfer syntax, and whether the file is a DICOMDIR. The media
// storage UIDs stand in for the dataset's when it has none (`media_class`, `media_instance`).
void ReadMetaInformation(DcmMetaInfo* meta, DcmDataset& dataset, DicomHeader& h,
                         std::string& media_class, std::string& media_instance) {
  if (meta != nullptr) {
    media_class = TrimDicomPadding(GetString(*meta, DCM_MediaStorageSOPClassUID));
    media_instance = TrimDicomPadding(GetString(*meta, DCM_MediaStorageSOPInstanceUID));
    h.transfer_syntax_uid = TrimDicomPadding(GetString(*meta, DCM_TransferSyntaxUID));
  }
  if (h.transfer_syntax_uid.empty()) {
    const DcmXfer xfer(dataset.getOriginalXfer());
    if (xfer.getXfer() != EXS_Unknown) h.transfer_syntax_uid = xfer.getXferID();
  }
  h.is_dicomdir = media_class == UID_MediaStorageDirectoryStorage ||
                  dataset.tagExists(DCM_DirectoryRecordSequence);
}

// UIDs, code strings, numbers and dates: ASCII by definition, sanitized only.
void ReadAsciiValues(DcmDataset& dataset, const std::string& media_class,
                     const std::string& media_instance, DicomHeader& h) {
  const auto ascii = [&](const DcmTagKey& key) {
    return FirstValue(SanitizeToUtf8(GetString(dataset, key)));
  };
  h.sop_class_uid = ascii(DCM_SOPClassUID);
  if (h.sop_class_uid.empty()) h.sop_class_uid = SanitizeToUtf8(media_class);
  h.sop_instance_uid = ascii(DCM_SOPInstanceUID);
  if (h.sop_instance_uid.empty()) h.sop_instance_uid = SanitizeToUtf8(media_instance);
  h.study_uid = ascii(DCM_StudyInstanceUID);
  h.series_uid = ascii(DCM_SeriesInstanceUID);
  h.modality = ascii(DCM_Modality);
  h.patient_sex = ascii(DCM_PatientSex);
  h.body_part = ascii(DCM_BodyPartExamined);
  h.specific_character_set =
      TrimDicomPadding(SanitizeToUtf8(GetString(dataset, DCM_SpecificCharacterSet)));
  h.lossy_image_compression = ascii(DCM_LossyImageCompression);
  h.series_number = ParseInteger(ascii(DCM_SeriesNumber));
  h.instance_number = ParseInteger(ascii(DCM_InstanceNumber));
  if (auto frames = ParseInteger(ascii(DCM_NumberOfFrames)); frames && *frames > 0) {
    h.number_of_frames = *frames;
  }
  h.has_pixel_data = dataset.tagExists(DCM_PixelData) || dataset.tagExists(DCM_FloatPixelData) ||
                     dataset.tagExists(DCM_DoubleFloatPixelData);
  h.patient_birth_date = FormatDicomDate(GetString(dataset, DCM_PatientBirthDate));
  h.study_date = FormatDicomDate(GetString(dataset, DCM_StudyDate));
  h.series_date = FormatDicomDate(GetString(dataset, DCM_SeriesDate));
}

// Names and descriptions, decoded from the dataset's character set.
void ReadTextValues(DcmDataset& dataset, DicomHeader& h) {
  TextDecoder text(dataset, GetString(dataset, DCM_SpecificCharacterSet));
  const auto text_value = [&](const DcmTagKey& key) {
    return FirstValue(text.Decode(GetString(dataset, key), "\\", ValueKind::kText));
  };
  h.patient_name = NormalizePersonName(
      FirstValue(text.Decode(GetString(dataset, DCM_PatientName), "\\^=", ValueKind::kPersonName)));
  h.patient_id = text_value(DCM_PatientID);
  h.study_description = text_value(DCM_StudyDescription);
  h.series_description = text_value(DCM_SeriesDescription);
  h.institution_name = text_value(DCM_InstitutionName);
}

Result<DicomHeader> ReadHeaderUnguarded(const std::filesystem::path& path) {
  QuietDcmtkLogging();
  const auto size = CheckBeforeParsing(path);
  if (!size.ok()) return size.error();

  // Every element is parsed, but values longer than kMaxLoadedValue are skipped (a seek), not
  // read: Pixel Data costs nothing, and a file cut inside it fails here instead of later.
  DcmFileFormat file;
  const OFCondition loaded = file.loadFile(OFFilename(path.c_str()), EXS_Unknown, EGL_noChange,
                                           kMaxLoadedValue, ERM_autoDetect);
  DcmDataset* dataset = file.getDataset();
  if (dataset == nullptr) return Result<DicomHeader>::Fail("not a DICOM file " + SizeText(*size));
  // The elements read before the error stay in the dataset: a file cut after its header still
  // has one, if its identifying UIDs came through.
  const bool truncated = loaded.bad();
  if (truncated && !HasIdentity(*dataset)) {
    if (dataset->card() == 0 || !LooksLikeDicom(path)) {
      return Result<DicomHeader>::Fail("not a DICOM file " + SizeText(*size));
    }
    return Result<DicomHeader>::Fail("unreadable DICOM header (DCMTK error " +
                                     std::to_string(loaded.module()) + "." +
                                     std::to_string(loaded.code()) + ") " + SizeText(*size));
  }

  DicomHeader h;
  h.truncated = truncated;
  std::string media_class;
  std::string media_instance;
  ReadMetaInformation(file.getMetaInfo(), *dataset, h, media_class, media_instance);
  ReadAsciiValues(*dataset, media_class, media_instance, h);
  if (!h.is_dicomdir && h.sop_instance_uid.empty() &&
      (h.study_uid.empty() || h.series_uid.empty())) {
    return Result<DicomHeader>::Fail("not a DICOM file " + SizeText(*size));
  }
  ReadTextValues(*dataset, h);
  return h;
}

}  // namespace

Status ExtractEncapsulatedPdf(const std::filesystem::path& dicom_file,
                              const std::filesystem::path& out) {
  QuietDcmtkLogging();
  try {
    if (Status depth = CheckSequenceDepth(dicom_file); !depth.ok()) return depth;
    DcmFileFormat file;
    if (file.loadFile(OFFilename(dicom_file.c_str())).bad()) {
      return Status::Fail("the DICOM file could not be read");
    }
    DcmDataset* dataset = file.getDataset();
    if (dataset == nullptr) return Status::Fail("the DICOM file has no data set");
    const std::string sop_class = TrimDicomPadding(GetString(*dataset, DCM_SOPClassUID));
    if (sop_class != kEncapsulatedPdfSopClass) {
      return Status::Fail("not an Encapsulated PDF instance");
    }
    const Uint8* bytes = nullptr;
    unsigned long length = 0;
    if (dataset->findAndGetUint8Array(DCM_EncapsulatedDocument, bytes, &length).bad() ||
        bytes == nullptr || length == 0) {
      return Status::Fail("no Encapsulated Document value");
    }
    Uint32 declared = 0;
    if (dataset->findAndGetUint32(DCM_EncapsulatedDocumentLength, declared).good() &&
        declared > 0 && declared <= length) {
      length = declared;
    } else if (length % 2 == 0 && bytes[length - 1] == 0) {
      --length;  // the pad byte that makes the value's length even
    }
    std::ofstream stream(out, std::ios::binary | std::ios::trunc);
    stream.write(reinterpret_cast<const char*>(bytes), static_cast<std::streamsize>(length));
    stream.close();
    if (!stream) return Status::Fail("the extracted document could not be written");
    return Status::Ok();
  } catch (const std::bad_alloc&) {
    return Status::Fail("the encapsulated document is too large to read");
  }
}

bool LooksLikeDicom(const std::filesystem::path& path) {
  std::array<unsigned char, 256> buf{};
  std::size_t size = 0;
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    in.read(reinterpret_cast<char*>(buf.data()), buf.size());
    size = static_cast<std::size_t>(in.gcount());
  } catch (...) {
    return false;
  }
  if (size >= 132 && std::memcmp(buf.data() + 128, "DICM", 4) == 0) return true;
  return PlausibleElements(buf.data(), size, Encoding::kExplicitLittle) ||
         PlausibleElements(buf.data(), size, Encoding::kImplicitLittle) ||
         PlausibleElements(buf.data(), size, Encoding::kExplicitBig);
}

Result<DicomHeader> ReadHeader(const std::filesystem::path& path) {
  try {
    return ReadHeaderUnguarded(path);
  } catch (const std::bad_alloc&) {
    return Result<DicomHeader>::Fail("DICOM header too large to read");
  } catch (...) {
    return Result<DicomHeader>::Fail("unexpected error while reading a DICOM header");
  }
}

std::string LibraryVersion() { return std::string("DCMTK ") + OFFIS_DCMTK_VERSION_STRING; }

}  // namespace intake::dicom
