// intake-e2e-forward-discs OUT: the submissions of the PACS forwarding test (forward_orthanc.sh).
//
//   OUT/disc/      a CT disc: 8 uncompressed slices and 4 stored as JPEG Lossless, for one
//                  patient with a Japanese name (ISO_IR 192), each series under its DICOMDIR
//   OUT/j2k_disc/  an MR disc of 3 slices stored as JPEG 2000 (lossless, OpenJPEG)
// The images are the synthetic phantom of dicom/synthetic_series; nobody's data.
#include <cstdio>
#include <filesystem>

#include "dicom/synthetic_series.h"

namespace {

intake::dicom::SyntheticSeriesSpec Spec(const char* seed, int slices, const char* compression) {
  intake::dicom::SyntheticSeriesSpec spec;
  spec.patient_name = "ヤマダ^タロウ=山田^太郎=やまだ^たろう";
  spec.patient_id = "DISC-0042";
  spec.patient_birth_date = "19560312";
  spec.patient_sex = "M";
  spec.study_date = "20261015";
  spec.study_description = "腹部CT";
  spec.series_description = compression[0] ? "腹部 圧縮" : "腹部単純";
  spec.slices = slices;
  spec.rows = 64;
  spec.columns = 64;
  spec.uid_seed = seed;
  spec.compression = compression;
  return spec;
}

bool Write(const std::filesystem::path& root, const intake::dicom::SyntheticSeriesSpec& spec) {
  auto written = intake::dicom::WriteSyntheticDisc(root, spec);
  if (!written.ok())
    std::fprintf(stderr, "intake-e2e-forward-discs: %s\n", written.message().c_str());
  return written.ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: intake-e2e-forward-discs OUT\n");
    return 2;
  }
  const std::filesystem::path out = argv[1];
  auto j2k = Spec("forward-j2k", 3, "jpeg2000");
  j2k.modality = "MR";
  j2k.body_part = "HEAD";
  j2k.series_description = "頭部 JPEG2000";
  const bool ok = Write(out / "disc" / "CT1", Spec("forward-plain", 8, "")) &&
                  Write(out / "disc" / "CT2", Spec("forward-jpeg", 4, "jpeg-lossless")) &&
                  Write(out / "j2k_disc", j2k);
  return ok ? 0 : 1;
}
