#include "dicom/synthetic_series.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <system_error>

#include "dcmtk/config/osconfig.h"  // must come first among the DCMTK headers
#include "dcmtk/dcmdata/dcddirif.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcdicdir.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcmetinf.h"
#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmjpeg/djrplol.h"
#include "dicom/codecs.h"
#include "dicom/dicom_reader.h"
#include "pipeline/hash.h"

namespace intake::dicom {
namespace {

using PathList = std::vector<std::filesystem::path>;

constexpr double kPixelSpacingMm = 0.8;
constexpr double kSliceThicknessMm = 5.0;
constexpr int kHuOffset = 1024;  // stored value = HU + 1024 (rescale intercept -1024)

// "2.25.<decimal>" from the first 128 bits of SHA-256(seed + "|" + what): the same seed always
// gives the same UIDs, another seed other UIDs.
std::string UidFromSeed(const std::string& seed, const std::string& what) {
  const std::string hex = Sha256Hex(seed + "|" + what).substr(0, 32);
  std::vector<int> digits;  // the 128-bit number, base 16, most significant first
  for (char ch : hex) digits.push_back(ch <= '9' ? ch - '0' : ch - 'a' + 10);
  std::string decimal;
  while (!digits.empty()) {
    std::vector<int> quotient;
    int remainder = 0;
    for (int d : digits) {
      const int value = remainder * 16 + d;
      if (!quotient.empty() || value / 10 != 0) quotient.push_back(value / 10);
      remainder = value % 10;
    }
    decimal.insert(decimal.begin(), static_cast<char>('0' + remainder));
    digits = std::move(quotient);
  }
  return "2.25." + decimal;
}

std::string Decimal(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", value);
  return buf;
}

// Hounsfield units of the phantom at pixel (x, y) of slice z: air, an elliptic "body" of soft
// tissue, a "spine" of bone and an "organ" that is a sphere cut by the slices.
int PhantomHu(int x, int y, int z, const SyntheticSeriesSpec& spec) {
  const double cx = spec.columns / 2.0;
  const double cy = spec.rows / 2.0;
  const double bx = (x - cx) / (0.42 * spec.columns);
  const double by = (y - cy) / (0.32 * spec.rows);
  if (bx * bx + by * by > 1.0) return -1000;
  const double sx = x - cx;
  const double sy = y - (cy + 0.22 * spec.rows);
  const double spine_r = 0.06 * std::min(spec.rows, spec.columns);
  if (sx * sx + sy * sy < spine_r * spine_r) return 700;
  const double zc = (spec.slices - 1) / 2.0;
  const double zr = std::max(1.0, spec.slices / 2.0);
  const double dz = (z - zc) / zr;
  const double organ_r =
      0.16 * std::min(spec.rows, spec.columns) * std::sqrt(std::max(0.0, 1 - dz * dz));
  const double ox = x - (cx - 0.15 * spec.columns);
  const double oy = y - (cy - 0.05 * spec.rows);
  if (ox * ox + oy * oy < organ_r * organ_r) return 150;
  return 40;
}

std::string SopClassFor(const std::string& modality) {
  if (modality == "CT") return UID_CTImageStorage;
  if (modality == "MR") return UID_MRImageStorage;
  return UID_SecondaryCaptureImageStorage;
}

Status Check(const OFCondition& cond, const char* what) {
  if (cond.good()) return Status::Ok();
  return Status::Fail(std::string("synthetic DICOM: ") + what + " failed (DCMTK error " +
                      std::to_string(cond.module()) + "." + std::to_string(cond.code()) + ")");
}

// Stores the native pixels of `ds` as `spec.compression` asks; returns the transfer syntax.
Result<E_TransferSyntax> Compress(DcmDataset& ds, const std::vector<Uint16>& pixels,
                                  const SyntheticSeriesSpec& spec) {
  if (spec.compression.empty()) return EXS_LittleEndianExplicit;
  RegisterDcmtkCodecs();
  (void)ds.putAndInsertString(DCM_LossyImageCompression, "00");
  if (spec.compression == "jpeg-lossless") {
    const DJ_RPLossless params;
    if (Status s = Check(ds.chooseRepresentation(EXS_JPEGProcess14SV1, &params), "JPEG encoding");
        !s.ok()) {
      return Error{s.message()};
    }
    return EXS_JPEGProcess14SV1;
  }
  if (spec.compression != "jpeg2000") {
    return Result<E_TransferSyntax>::Fail("synthetic DICOM: unknown compression");
  }
  auto codestream = EncodeJpeg2000Lossless(pixels, spec.rows, spec.columns, 12);
  RETURN_IF_ERROR(codestream);
  auto* sequence = new DcmPixelSequence(DCM_PixelSequenceTag);
  sequence->insert(new DcmPixelItem(DCM_PixelItemTag));  // empty Basic Offset Table
  DcmOffsetList offsets;
  if (codestream->size() % 2 != 0) codestream->push_back(0);
  if (Status s = Check(sequence->storeCompressedFrame(offsets, codestream->data(),
                                                      static_cast<Uint32>(codestream->size()), 0),
                       "JPEG 2000 frame");
      !s.ok()) {
    delete sequence;
    return Error{s.message()};
  }
  auto* pixel_data = new DcmPixelData(DCM_PixelData);
  pixel_data->putOriginalRepresentation(EXS_JPEG2000LosslessOnly, nullptr, sequence);
  if (Status s = Check(ds.insert(pixel_data, /*replaceOld=*/true), "JPEG 2000 pixel data");
      !s.ok()) {
    delete pixel_data;
    return Error{s.message()};
  }
  return EXS_JPEG2000LosslessOnly;
}

// The UIDs of one synthetic image's study, series and frame of reference.
struct ImageUids {
  const std::string& study;
  const std::string& series;
  const std::string& frame;
};

// Patient, study, series and image-plane attributes of image `index` (0-based).
Status PutImageAttributes(DcmDataset& ds, const SyntheticSeriesSpec& spec, int index,
                          const ImageUids& uids) {
  const std::string instance = std::to_string(index + 1);
  const double z = -index * kSliceThicknessMm;
  const double origin_x = -spec.columns * kPixelSpacingMm / 2.0;
  const double origin_y = -spec.rows * kPixelSpacingMm / 2.0;
  const std::pair<DcmTagKey, std::string> strings[] = {
      {DCM_SpecificCharacterSet, "ISO_IR 192"},
      {DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL"},
      {DCM_SOPClassUID, SopClassFor(spec.modality)},
      {DCM_SOPInstanceUID, UidFromSeed(spec.uid_seed, "image/" + instance)},
      {DCM_StudyDate, spec.study_date},
      {DCM_SeriesDate, spec.study_date},
      {DCM_ContentDate, spec.study_date},
      {DCM_StudyTime, "090000"},
      {DCM_SeriesTime, "090500"},
      {DCM_ContentTime, "090500"},
      {DCM_AccessionNumber, ""},
      {DCM_Modality, spec.modality},
      {DCM_Manufacturer, "intake sample generator"},
      {DCM_ReferringPhysicianName, ""},
      {DCM_StudyDescription, spec.study_description},
      {DCM_SeriesDescription, spec.series_description},
      {DCM_PatientName, spec.patient_name},
      {DCM_PatientID, spec.patient_id},
      {DCM_PatientBirthDate, spec.patient_birth_date},
      {DCM_PatientSex, spec.patient_sex},
      {DCM_BodyPartExamined, spec.body_part},
      {DCM_SliceThickness, Decimal(kSliceThicknessMm)},
      {DCM_PatientPosition, "HFS"},
      {DCM_StudyInstanceUID, uids.study},
      {DCM_SeriesInstanceUID, uids.series},
      {DCM_StudyID, "1"},
      {DCM_SeriesNumber, "1"},
      {DCM_AcquisitionNumber, "1"},
      {DCM_InstanceNumber, instance},
      {DCM_ImagePositionPatient, Decimal(origin_x) + "\\" + Decimal(origin_y) + "\\" + Decimal(z)},
      {DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0"},
      {DCM_FrameOfReferenceUID, uids.frame},
      {DCM_PositionReferenceIndicator, ""},
      {DCM_SliceLocation, Decimal(z)},
  };
  for (const auto& [key, value] : strings) {
    RETURN_IF_ERROR(Check(ds.putAndInsertString(key, value.c_str()), "putAndInsertString"));
  }
  return Status::Ok();
}

// The image pixel module (12 bits stored in 16, one sample), the window, and what the modality
// adds (CT: KVP and the rescale to Hounsfield units; secondary capture: the conversion type).
Status PutPixelAttributes(DcmDataset& ds, const SyntheticSeriesSpec& spec) {
  const bool ct = spec.modality == "CT";
  const std::string spacing = Decimal(kPixelSpacingMm) + "\\" + Decimal(kPixelSpacingMm);
  std::vector<std::pair<DcmTagKey, std::string>> strings = {
      {DCM_PhotometricInterpretation, "MONOCHROME2"},
      {DCM_PixelSpacing, spacing},
      {DCM_WindowCenter, ct ? "40" : std::to_string(40 + kHuOffset)},
      {DCM_WindowWidth, "400"},
  };
  if (ct) {
    strings.insert(strings.end(),
                   {{DCM_KVP, "120"}, {DCM_RescaleIntercept, "-1024"}, {DCM_RescaleSlope, "1"}});
  } else if (SopClassFor(spec.modality) == UID_SecondaryCaptureImageStorage) {
    strings.emplace_back(DCM_ConversionType, "WSD");
  }
  for (const auto& [key, value] : strings) {
    RETURN_IF_ERROR(Check(ds.putAndInsertString(key, value.c_str()), "putAndInsertString"));
  }
  const std::pair<DcmTagKey, Uint16> shorts[] = {
      {DCM_SamplesPerPixel, 1},
      {DCM_Rows, static_cast<Uint16>(spec.rows)},
      {DCM_Columns, static_cast<Uint16>(spec.columns)},
      {DCM_BitsAllocated, 16},
      {DCM_BitsStored, 12},
      {DCM_HighBit, 11},
      {DCM_PixelRepresentation, 0},
  };
  for (const auto& [key, value] : shorts) {
    RETURN_IF_ERROR(Check(ds.putAndInsertUint16(key, value), "putAndInsertUint16"));
  }
  return Status::Ok();
}

// The phantom's slice `index`, stored values (Hounsfield units + kHuOffset), row by row.
std::vector<Uint16> PhantomPixels(const SyntheticSeriesSpec& spec, int index) {
  std::vector<Uint16> pixels(static_cast<std::size_t>(spec.rows) * spec.columns);
  for (int y = 0; y < spec.rows; ++y) {
    for (int x = 0; x < spec.columns; ++x) {
      pixels[static_cast<std::size_t>(y) * spec.columns + x] =
          static_cast<Uint16>(PhantomHu(x, y, index, spec) + kHuOffset);
    }
  }
  return pixels;
}

Status WriteImage(const std::filesystem::path& path, const SyntheticSeriesSpec& spec, int index,
                  const std::string& study_uid, const std::string& series_uid,
                  const std::string& frame_uid) {
  DcmFileFormat file;
  DcmDataset& ds = *file.getDataset();
  RETURN_IF_ERROR(PutImageAttributes(ds, spec, index, {study_uid, series_uid, frame_uid}));
  RETURN_IF_ERROR(PutPixelAttributes(ds, spec));
  std::vector<Uint16> pixels = PhantomPixels(spec, index);
  RETURN_IF_ERROR(Check(ds.putAndInsertUint16Array(DCM_PixelData, pixels.data(),
                                                   static_cast<unsigned long>(pixels.size())),
                        "pixel data"));
  auto xfer = Compress(ds, pixels, spec);
  RETURN_IF_ERROR(xfer);
  return Check(file.saveFile(OFFilename(path.c_str()), *xfer, EET_ExplicitLength, EGL_recalcGL,
                             EPD_noChange, 0, 0, EWM_fileformat),
               "saving an image");
}

// DicomDirInterface gives the DICOMDIR a random SOP Instance UID; replace it by one derived from
// the seed so that the same spec gives byte-identical discs.
Status WriteDicomdir(const std::filesystem::path& root, const PathList& images,
                     const std::string& seed, const std::string& compression) {
  // The general purpose CD profile allows uncompressed images only; DVD profiles allow more.
  const DicomDirInterface::E_ApplicationProfile profile =
      compression == "jpeg-lossless" ? DicomDirInterface::AP_GeneralPurposeDVDJPEG
      : compression == "jpeg2000"    ? DicomDirInterface::AP_GeneralPurposeDVDJPEG2000
                                     : DicomDirInterface::AP_GeneralPurpose;
  const std::filesystem::path dicomdir = root / "DICOMDIR";
  {
    DicomDirInterface ddir;
    ddir.disableBackupMode();
    ddir.enableInventMode(OFTrue);
    if (Status s =
            Check(ddir.createNewDicomDir(profile, OFFilename(dicomdir.c_str()), "INTAKE_SAMPLE"),
                  "creating the DICOMDIR");
        !s.ok()) {
      return s;
    }
    for (const auto& image : images) {
      const std::string file_id = std::filesystem::relative(image, root).generic_string();
      if (Status s = Check(ddir.addDicomFile(OFFilename(file_id.c_str()), OFFilename(root.c_str())),
                           "adding a file to the DICOMDIR");
          !s.ok()) {
        return s;
      }
    }
    if (Status s = Check(ddir.writeDicomDir(), "writing the DICOMDIR"); !s.ok()) return s;
  }
  DcmDicomDir written(OFFilename(dicomdir.c_str()));
  if (Status s = Check(written.error(), "reading the DICOMDIR back"); !s.ok()) return s;
  DcmMetaInfo* meta = written.getDirFileFormat().getMetaInfo();
  if (meta == nullptr) return Status::Fail("synthetic DICOM: DICOMDIR without meta header");
  if (Status s = Check(meta->putAndInsertString(DCM_MediaStorageSOPInstanceUID,
                                                UidFromSeed(seed, "dicomdir").c_str()),
                       "setting the DICOMDIR UID");
      !s.ok()) {
    return s;
  }
  return Check(written.write(), "rewriting the DICOMDIR");
}

}  // namespace

Status WriteSyntheticEncapsulatedPdf(const std::filesystem::path& out,
                                     const std::filesystem::path& pdf,
                                     const SyntheticSeriesSpec& spec) {
  QuietDcmtkLogging();
  try {
    std::ifstream in(pdf, std::ios::binary);
    if (!in) return Status::Fail("synthetic DICOM: the PDF cannot be read");
    std::vector<Uint8> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
    if (bytes.empty()) return Status::Fail("synthetic DICOM: the PDF is empty");
    const auto length = static_cast<Uint32>(bytes.size());
    if (bytes.size() % 2 != 0) bytes.push_back(0);  // OB values have an even length

    DcmFileFormat file;
    DcmDataset* ds = file.getDataset();
    const std::pair<DcmTagKey, std::string> strings[] = {
        {DCM_SpecificCharacterSet, "ISO_IR 192"},
        {DCM_SOPClassUID, UID_EncapsulatedPDFStorage},
        {DCM_SOPInstanceUID, UidFromSeed(spec.uid_seed, "pdf/instance")},
        {DCM_StudyDate, spec.study_date},
        {DCM_ContentDate, spec.study_date},
        {DCM_StudyTime, "090000"},
        {DCM_ContentTime, "100000"},
        {DCM_AcquisitionDateTime, spec.study_date + "100000"},
        {DCM_AccessionNumber, ""},
        {DCM_Modality, "DOC"},
        {DCM_ConversionType, "WSD"},
        {DCM_Manufacturer, "intake sample generator"},
        {DCM_ReferringPhysicianName, ""},
        {DCM_StudyDescription, spec.study_description},
        {DCM_SeriesDescription, "報告書"},
        {DCM_PatientName, spec.patient_name},
        {DCM_PatientID, spec.patient_id},
        {DCM_PatientBirthDate, spec.patient_birth_date},
        {DCM_PatientSex, spec.patient_sex},
        {DCM_StudyInstanceUID, UidFromSeed(spec.uid_seed, "study")},
        {DCM_SeriesInstanceUID, UidFromSeed(spec.uid_seed, "pdf/series")},
        {DCM_StudyID, "1"},
        {DCM_SeriesNumber, "900"},
        {DCM_InstanceNumber, "1"},
        {DCM_BurnedInAnnotation, "YES"},
        {DCM_DocumentTitle, "画像診断報告書"},
        {DCM_MIMETypeOfEncapsulatedDocument, "application/pdf"},
    };
    for (const auto& [key, value] : strings) {
      if (Status s = Check(ds->putAndInsertString(key, value.c_str()), "putAndInsertString");
          !s.ok()) {
        return s;
      }
    }
    if (Status s = Check(ds->putAndInsertUint32(DCM_EncapsulatedDocumentLength, length),
                         "document length");
        !s.ok()) {
      return s;
    }
    if (Status s = Check(ds->putAndInsertUint8Array(DCM_EncapsulatedDocument, bytes.data(),
                                                    static_cast<unsigned long>(bytes.size())),
                         "encapsulated document");
        !s.ok()) {
      return s;
    }
    return Check(
        file.saveFile(OFFilename(out.c_str()), EXS_LittleEndianExplicit, EET_ExplicitLength,
                      EGL_recalcGL, EPD_noChange, 0, 0, EWM_fileformat),
        "saving the encapsulated PDF");
  } catch (const std::exception&) {
    return Status::Fail("synthetic DICOM: unexpected error while writing");
  }
}

Result<PathList> WriteSyntheticDisc(const std::filesystem::path& root,
                                    const SyntheticSeriesSpec& spec) {
  QuietDcmtkLogging();
  if (spec.slices < 1 || spec.slices > 1000 || spec.rows < 16 || spec.rows > 2048 ||
      spec.columns < 16 || spec.columns > 2048) {
    return Result<PathList>::Fail("synthetic DICOM: slices 1..1000, rows/columns 16..2048");
  }
  if (spec.modality.empty()) return Result<PathList>::Fail("synthetic DICOM: no modality");
  try {
    std::error_code ec;
    std::filesystem::create_directories(root / "IMAGES", ec);
    if (ec) return Result<PathList>::Fail("synthetic DICOM: cannot create the output folder");

    const std::string study_uid = UidFromSeed(spec.uid_seed, "study");
    const std::string series_uid = UidFromSeed(spec.uid_seed, "series");
    const std::string frame_uid = UidFromSeed(spec.uid_seed, "frame");
    PathList images;
    for (int i = 0; i < spec.slices; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "IM%06d", i + 1);
      const std::filesystem::path path = root / "IMAGES" / name;
      if (Status s = WriteImage(path, spec, i, study_uid, series_uid, frame_uid); !s.ok()) {
        return Error{s.message()};
      }
      images.push_back(path);
    }
    if (Status s = WriteDicomdir(root, images, spec.uid_seed, spec.compression); !s.ok())
      return Error{s.message()};
    return images;
  } catch (const std::exception&) {
    return Result<PathList>::Fail("synthetic DICOM: unexpected error while writing");
  }
}

}  // namespace intake::dicom
