#include "stages/case_folder.h"

#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <utility>
#include <vector>

#include "pipeline/atomic_file.h"
#include "pipeline/hash.h"
#include "pipeline/log.h"
#include "pipeline/utf8.h"

namespace intake::stages {
namespace {

namespace fs = std::filesystem;

constexpr const char* kKeyImageName = "キー画像.png";
constexpr const char* kDicomFolder = "DICOM";
constexpr const char* kSumsName = "SHA256SUMS";
constexpr const char* kAboutName = "説明.txt";

std::string Numbered(std::size_t number, std::string_view name) {
  char prefix[24];
  std::snprintf(prefix, sizeof prefix, "%02zu_", number);
  return prefix + std::string(name);
}

// Joins the non-empty parts with '_'.
std::string Joined(std::initializer_list<std::string> parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    if (!out.empty()) out += '_';
    out += part;
  }
  return out;
}

// A hard link when allowed and possible (same file system), else a copy. Messages carry no path:
// paths of the submission are patient data.
Status LinkOrCopy(const fs::path& from, const fs::path& to, bool allow_link) {
  if (allow_link && ::link(from.c_str(), to.c_str()) == 0) return Status::Ok();
  return CopyFileContents(from, to);  // a full disk says so (copy_file: "Input/output error")
}

// One line of a sha256sum(1) file; names with a backslash or a newline are escaped the way
// sha256sum writes and reads them.
std::string SumsLine(const std::string& hash, const std::string& name) {
  if (name.find_first_of("\\\n") == std::string::npos) return hash + "  " + name + "\n";
  std::string escaped;
  for (char ch : name) {
    if (ch == '\\') {
      escaped += "\\\\";
    } else if (ch == '\n') {
      escaped += "\\n";
    } else {
      escaped += ch;
    }
  }
  return "\\" + hash + "  " + escaped + "\n";
}

class CaseFolderStage final : public Stage {
 public:
  explicit CaseFolderStage(CaseFolderOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return "case_folder"; }

  Status Run(Case& c) override {
    const auto start = std::chrono::steady_clock::now();
    if (Status filed = FileOriginal(c); !filed.ok()) {
      return Status::Fail("the original submission could not be kept in the case folder: " +
                          filed.message());
    }
    int dicom_files = 0;
    if (Status filed = FileImaging(c, dicom_files); !filed.ok()) {
      return Status::Fail("the DICOM files could not be filed in the case folder: " +
                          filed.message());
    }
    std::error_code ec;
    fs::remove(options_.case_dir / "key_images", ec);  // moved into the series folders; if empty
    Log()->info(
        "case_folder: case {}: original kept ({} files, {}), {} DICOM files filed, {:.0f} ms", c.id,
        original_file_count_, options_.link_original ? "linked where possible" : "copied",
        dicom_files,
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    return Status::Ok();
  }

 private:
  // A name as a folder entry (it came from a file name, but be safe).
  static std::string OriginalName(const std::string& name) {
    const bool plain =
        !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
    return plain ? name : std::string("submission");
  }

  // The envelopes to keep: the one submission, or each envelope of a case spanning several.
  std::vector<KeptEnvelope> EnvelopesToKeep() const {
    if (!options_.envelopes.empty()) return options_.envelopes;
    return {KeptEnvelope{1, options_.submission, options_.link_original}};
  }

  Status FileOriginal(Case& c) {
    for (const KeptEnvelope& envelope : EnvelopesToKeep()) {
      if (Status kept = FileEnvelope(c, envelope); !kept.ok()) return kept;
    }
    return Status::Ok();
  }

  // Keeps one envelope as received: the first in 11_原本/, the others in 11_原本/封筒N/.
  Status FileEnvelope(Case& c, const KeptEnvelope& envelope) {
    const int number = envelope.number;
    Envelope* record = number >= 1 && static_cast<std::size_t>(number) <= c.envelopes.size()
                           ? &c.envelopes[number - 1]
                           : nullptr;
    const std::string folder = options_.layout.original_folder() +
                               (number == 1 ? std::string() : "/封筒" + std::to_string(number));
    const fs::path dir = options_.case_dir / folder;
    const std::string name = OriginalName(record ? record->name : c.submission_name);
    original_root_[number] = dir / name;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Status::Fail(ec.message());

    submission_is_folder_[number] = fs::is_directory(envelope.submission, ec);
    // The envelope's own files are the case's files of this envelope that came from no archive
    // (unpack listed them: regular files, no links): (source, name inside the original's folder).
    std::vector<std::pair<fs::path, std::string>> files;
    for (const SourceFile& file : c.files) {
      if (!file.container_id.empty() || file.envelope != number) continue;
      // A file whose place in the copy would pass PATH_MAX (a deep folder submission) is read
      // but cannot be kept: a finding on it, and SHA256SUMS lists what was kept.
      if ((dir / KeptName(file)).native().size() >= PATH_MAX) {
        not_kept_.insert(file.id);
        c.AddFinding(FindingCode::kUnsafePath,
                     "パスが長すぎるため原本フォルダに保存できませんでした（内容は読み取って"
                     "います）: " +
                         file.relative_path,
                     file.id);
        continue;
      }
      files.emplace_back(file.path, KeptName(file));
    }

    for (const auto& [source, relative] : files) {
      const fs::path target = dir / relative;
      fs::create_directories(target.parent_path(), ec);
      if (ec) return Status::Fail(ec.message());
      const auto ready = options_.ready_copies.find(source.string());
      Status kept = ready != options_.ready_copies.end()
                        ? LinkOrCopy(ready->second, target, true)
                        : LinkOrCopy(source, target, envelope.link);
      if (!kept.ok()) return kept;
    }
    original_file_count_ += files.size();
    if (Status sums = WriteSums(dir, files); !sums.ok()) return sums;
    const std::string sha256 = record ? record->sha256 : c.submission_sha256;
    const std::string received_at = record ? record->received_at : c.received_at;
    if (Status about = WriteAbout(c, dir, name, sha256, received_at); !about.ok()) return about;
    if (number == 1) {
      c.original_copy = folder + "/" + name;
      c.original_sums = folder + "/" + kSumsName;
    }
    if (record) {
      record->original = folder + "/" + name;
      record->original_sums = folder + "/" + kSumsName;
    }
    return Status::Ok();
  }

  // SHA256SUMS: the hashes taken when the submission arrived where there are some (so the file
  // proves the copy is what was received), else the copy's own.
  Status WriteSums(const fs::path& dir,
                   const std::vector<std::pair<fs::path, std::string>>& files) {
    std::vector<std::string> hashes(files.size());
    std::vector<fs::path> to_hash;
    std::vector<std::size_t> to_hash_index;
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (auto it = options_.known_hashes.find(files[i].first.string());
          it != options_.known_hashes.end()) {
        hashes[i] = it->second;
      } else {
        to_hash.push_back(dir / files[i].second);
        to_hash_index.push_back(i);
      }
    }
    const auto computed = Sha256Files(to_hash);
    for (std::size_t k = 0; k < computed.size(); ++k) {
      if (!computed[k].ok()) return Status::Fail("a kept file could not be read back");
      hashes[to_hash_index[k]] = *computed[k];
    }
    std::string sums;
    for (std::size_t i = 0; i < files.size(); ++i) sums += SumsLine(hashes[i], files[i].second);
    return WriteFileAtomically(dir / kSumsName, sums);
  }

  static Status WriteAbout(const Case& c, const fs::path& dir, const std::string& name,
                           const std::string& sha256, const std::string& received_at) {
    std::string about =
        "このフォルダーには、受け付けた提出物を受け付けたときのまま（変更せずに）保存しています。\n"
        "\n"
        "提出物: " +
        name +
        "\n"
        "受付日時: " +
        received_at +
        "\n"
        "受付番号: " +
        c.id +
        "\n"
        "提出物のSHA-256: " +
        sha256 + "\n";
    about +=
        "  （フォルダーで届いた提出物では、ファイルの相対パスとそれぞれのSHA-256を並べた一覧の"
        "SHA-256です）\n"
        "\n"
        "各ファイルのSHA-256は SHA256SUMS にあります。このフォルダーで\n"
        "  sha256sum -c SHA256SUMS\n"
        "を実行すると、ファイルが受付時から変わっていないことを確認できます。\n";
    return WriteFileAtomically(dir / kAboutName, about);
  }

  // The name of a file of the submission itself inside the original's folder.
  std::string KeptName(const SourceFile& file) const {
    const auto root = original_root_.find(file.envelope);
    if (root == original_root_.end()) return {};
    const auto folder = submission_is_folder_.find(file.envelope);
    const std::string name = root->second.filename().string();
    return folder != submission_is_folder_.end() && folder->second
               ? name + "/" + file.relative_path
               : name;
  }

  // Where the copy of a file of the submission itself is in the case folder; empty for files
  // unpacked from archives (they are in the work area).
  fs::path KeptCopyOf(const SourceFile& file) const {
    const auto root = original_root_.find(file.envelope);
    if (!file.container_id.empty() || root == original_root_.end() || not_kept_.count(file.id)) {
      return {};
    }
    return root->second.parent_path() / KeptName(file);
  }

  Status FileImaging(Case& c, int& filed) {
    std::error_code ec;
    std::size_t patient_number = 0;
    for (DicomPatient& p : c.dicom_patients) {
      const std::string patient_folder =
          Joined({"患者" + std::to_string(++patient_number), SafeName(p.patient_id)});
      std::size_t study_number = 0;
      for (DicomStudy& st : p.studies) {
        std::string modalities = st.modalities;
        std::replace(modalities.begin(), modalities.end(), '\\', '+');
        std::string date = st.date;
        std::erase(date, '-');
        const std::string study_folder =
            Joined({"検査" + std::to_string(++study_number), SafeName(date), SafeName(modalities),
                    SafeName(st.description)});
        std::size_t series_number = 0;
        for (DicomSeries& s : st.series) {
          const std::string relative = options_.layout.imaging_folder() + "/" + patient_folder +
                                       "/" + study_folder + "/" +
                                       Joined({"シリーズ" + std::to_string(++series_number),
                                               SafeName(s.modality), SafeName(s.description)});
          const fs::path dir = options_.case_dir / relative;
          fs::create_directories(dir / kDicomFolder, ec);
          if (ec) return Status::Fail(ec.message());
          if (!s.key_image.empty()) {
            fs::rename(options_.case_dir / s.key_image, dir / kKeyImageName, ec);
            if (ec) return Status::Fail(ec.message());
            s.key_image = relative + "/" + kKeyImageName;
          }
          if (Status linked = FileSeries(c, s, dir / kDicomFolder, filed); !linked.ok()) {
            return linked;
          }
          s.folder = relative;
        }
      }
    }
    return Status::Ok();
  }

  // The series' files under their own names (made safe; a clash gets the file id appended).
  Status FileSeries(const Case& c, const DicomSeries& s, const fs::path& dir, int& filed) {
    std::set<std::string> ids;
    std::set<std::string> names;
    for (const std::string& id : s.file_ids) {
      const SourceFile* file = c.FindFile(id);
      if (file == nullptr || !ids.insert(id).second) continue;
      std::string name = SafeName(fs::path(file->relative_path).filename().string(), 80);
      if (name.empty()) name = id;
      if (!names.insert(name).second) {
        name += "_" + id;
        names.insert(name);
      }
      const fs::path kept = KeptCopyOf(*file);
      // Files of the case folder or the work area are ours: a link shares their bytes.
      Status linked = kept.empty() ? LinkOrCopy(file->path, dir / name, true)
                                   : LinkOrCopy(kept, dir / name, true);
      if (!linked.ok()) return linked;
      ++filed;
    }
    return Status::Ok();
  }

  CaseFolderOptions options_;
  std::map<int, fs::path> original_root_;  // by envelope number
  std::set<std::string> not_kept_;  // ids of files of the submission too deep to keep
  std::map<int, bool> submission_is_folder_;  // by envelope number
  std::size_t original_file_count_ = 0;
};

}  // namespace

CaseFolderLayout::CaseFolderLayout()
    : other_(Numbered(1, "その他")),
      imaging_(Numbered(2, "画像")),
      original_(Numbered(3, "原本")) {}

CaseFolderLayout::CaseFolderLayout(const config::Profile& profile) {
  std::map<std::string, std::string> numbered;  // folder name → numbered folder name
  std::size_t next = 1;
  for (const auto& t : profile.document_types) {
    const std::string name = t.folder.empty() ? SafeName(t.label, 60) : t.folder;
    auto [it, added] = numbered.try_emplace(name);
    if (added) it->second = Numbered(next++, name);
    types_[t.id] = TypeEntry{it->second, t.label};
  }
  imaging_ = Numbered(next++, "画像");
  other_ = Numbered(next++, "その他");
  original_ = Numbered(next++, "原本");
}

const std::string& CaseFolderLayout::DocumentFolder(std::string_view type) const {
  const auto it = types_.find(type);
  return it == types_.end() ? other_ : it->second.folder;
}

std::string CaseFolderLayout::DocumentFileName(std::size_t index, std::string_view type) const {
  const auto it = types_.find(type);
  std::string label = it == types_.end() ? kOtherTypeLabel : SafeName(it->second.label, 80);
  if (label.empty()) label = kOtherTypeLabel;
  return Numbered(index + 1, label) + ".pdf";
}

std::string SafeName(std::string_view text, std::size_t max_bytes) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char32_t cp = 0;
    if (const std::size_t len = InvisibleControlAt(text, i, cp); len > 0) {
      i += len - 1;  // a bidi override or zero-width character would disguise the name
      continue;
    }
    const char ch = text[i];
    const auto byte = static_cast<unsigned char>(ch);
    const bool refused = byte < 0x20 || byte == 0x7f ||
                         std::string_view("/\\:*?\"<>|").find(ch) != std::string_view::npos;
    out += refused ? '_' : ch;
  }
  auto trimmed = [](char ch) { return ch == ' ' || ch == '.' || ch == '_'; };
  while (!out.empty() && trimmed(out.front())) out.erase(out.begin());
  if (out.size() > max_bytes) {
    std::size_t cut = max_bytes;
    // Back to the start of a UTF-8 character.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  while (!out.empty() && trimmed(out.back())) out.pop_back();
  return out;
}

std::unique_ptr<Stage> MakeCaseFolderStage(CaseFolderOptions options) {
  return std::make_unique<CaseFolderStage>(std::move(options));
}

}  // namespace intake::stages
