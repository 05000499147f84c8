#include "samples/generator/sample_writer.h"

#include <cstdio>
#include <string>
#include <system_error>
#include <vector>

#include "dicom/synthetic_series.h"
#include "samples/generator/content.h"
#include "samples/generator/degrade.h"
#include "samples/generator/package.h"
#include "samples/generator/render.h"

namespace intake::samplegen {
namespace {

namespace fs = std::filesystem;

// FNV-1a: a stable seed per file, whatever the order of the files in the sample.
std::uint32_t Fnv1a(const std::string& text, std::uint32_t basis) {
  std::uint32_t hash = 2166136261u ^ basis;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

std::string DicomDate(const Date& d) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d%02d%02d", d.year, d.month, d.day);
  return buffer;
}

// "山田　太郎" -> "山田^太郎" (DICOM person name components).
std::string DicomName(const std::string& name) {
  const std::string space = "　";
  std::string out = name;
  if (const auto pos = out.find(space); pos != std::string::npos)
    out.replace(pos, space.size(), "^");
  return out;
}

class Writer {
 public:
  Writer(const SampleSpec& spec, const WriterOptions& options) : spec_(spec), options_(options) {}

  Status WriteFile(const FileSpec& file, const fs::path& dest, const fs::path& staging) {
    std::error_code ec;
    fs::create_directories(dest.parent_path(), ec);
    if (ec) return Status::Fail("cannot create " + dest.parent_path().string());
    switch (file.format) {
      case FileFormat::kPdfText: {
        auto documents = Documents(file);
        if (!documents.ok()) return documents.status();
        return WriteTextPdf(dest, *documents);
      }
      case FileFormat::kPdfScan:
      case FileFormat::kTiffScan: {
        auto pages = ScannedPages(file);
        if (!pages.ok()) return pages.status();
        return file.format == FileFormat::kPdfScan
                   ? WriteScanPdf(dest, *pages)
                   : WriteScanTiff(dest, *pages, TiffCompression::kG4);
      }
      case FileFormat::kDicomDisc:
        return WriteDisc(dest);
      case FileFormat::kZip:
        return WriteZipFile(file, dest, staging);
    }
    return Status::Fail("unknown format");
  }

 private:
  Result<std::vector<DocumentContent>> Documents(const FileSpec& file) {
    std::vector<DocumentContent> documents;
    for (const std::string& type : file.documents) {
      auto document = MakeDocument(spec_, type);
      if (!document.ok()) return Error{document.message()};
      if (Status s = CheckAgainstProfile(*document, options_.profile); !s.ok()) {
        return Error{"content check: " + s.message()};
      }
      documents.push_back(std::move(*document));
    }
    return documents;
  }

  Result<std::vector<GreyImage>> ScannedPages(const FileSpec& file) {
    auto documents = Documents(file);
    if (!documents.ok()) return Error{documents.message()};
    const std::uint32_t file_seed = Fnv1a(file.path, spec_.seed);
    std::vector<GreyImage> pages;
    for (const DocumentContent& document : *documents) {
      for (const PageContent& page : document.pages) {
        const std::uint32_t seed = file_seed + 7919u * static_cast<std::uint32_t>(pages.size());
        auto clean = RenderPageGrey(page, file.dpi);
        if (!clean.ok()) return Error{document.type + ": " + clean.message()};
        auto scanned = DegradeLikeScan(*clean, ScanOptionsFromSeed(seed), seed);
        if (!scanned.ok()) return Error{scanned.message()};
        pages.push_back(std::move(*scanned));
      }
    }
    return pages;
  }

  Status WriteDisc(const fs::path& dest) {
    dicom::SyntheticSeriesSpec series;
    series.patient_name = DicomName(spec_.patient.kana) + "=" + DicomName(spec_.patient.name);
    series.patient_id = spec_.patient_id;
    series.patient_birth_date = DicomDate(spec_.patient.birth_date);
    series.patient_sex = spec_.patient.sex == "男" ? "M" : "F";
    series.study_date = DicomDate(spec_.dicom.study_date);
    series.study_description = spec_.dicom.study_description;
    series.series_description = spec_.dicom.series_description;
    series.modality = spec_.dicom.modality;
    series.body_part = spec_.dicom.body_part;
    series.slices = spec_.dicom.slices;
    series.uid_seed = "intake-samples/" + spec_.name;
    auto written = dicom::WriteSyntheticDisc(dest, series);
    if (!written.ok()) return Status::Fail("DICOM disc: " + written.message());
    return Status::Ok();
  }

  Status WriteZipFile(const FileSpec& file, const fs::path& dest, const fs::path& staging) {
    const fs::path folder = staging / ("zip-" + std::to_string(zip_count_++));
    std::vector<ZipEntry> entries;
    for (const FileSpec& inner : file.contents) {
      if (inner.format == FileFormat::kDicomDisc || inner.format == FileFormat::kZip) {
        return Status::Fail("zip contents: only pdf_text, pdf_scan and tiff_scan files");
      }
      const fs::path source = folder / fs::path(inner.path);
      if (Status s = WriteFile(inner, source, staging); !s.ok()) return s;
      entries.push_back({inner.path, source});
    }
    return WriteZip(dest, entries);
  }

  const SampleSpec& spec_;
  const WriterOptions& options_;
  int zip_count_ = 0;
};

}  // namespace

Status WriteSample(const SampleSpec& spec, const fs::path& out_dir, const WriterOptions& options) {
  const fs::path submission = out_dir / "submission";
  const fs::path staging = out_dir / ".staging";
  std::error_code ec;
  fs::remove_all(submission, ec);
  fs::remove_all(staging, ec);
  fs::create_directories(submission, ec);
  if (ec) return Status::Fail("cannot create " + submission.string());

  Writer writer(spec, options);
  for (const FileSpec& file : spec.files) {
    if (Status s = writer.WriteFile(file, submission / fs::path(file.path), staging); !s.ok()) {
      return Status::Fail(file.path + ": " + s.message());
    }
  }
  fs::remove_all(staging, ec);
  if (!fs::exists(submission / fs::path(spec.submission))) {
    return Status::Fail("submission '" + spec.submission + "' was not written");
  }
  return Status::Ok();
}

}  // namespace intake::samplegen
