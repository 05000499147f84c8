#include "stages/disc_layout.h"

#include <algorithm>

namespace intake::stages {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  return out;
}

bool EndsWithAny(const std::string& name, std::initializer_list<std::string_view> suffixes) {
  return std::any_of(suffixes.begin(), suffixes.end(),
                     [&](std::string_view s) { return name.ends_with(s); });
}

bool IsIsoImage(const SourceFile& file) {
  return file.kind == FileKind::kArchive && file.mime == "application/x-iso9660-image";
}

}  // namespace

std::string DiscComponent(std::string_view component) {
  // ISO 9660 file identifiers end in ";<version>"; level-1 names without an extension keep the
  // separating dot ("DICOMDIR.;1").
  const std::size_t semicolon = component.rfind(';');
  if (semicolon != std::string_view::npos && semicolon + 1 < component.size() &&
      std::all_of(component.begin() + static_cast<std::ptrdiff_t>(semicolon) + 1, component.end(),
                  [](char ch) { return ch >= '0' && ch <= '9'; })) {
    component = component.substr(0, semicolon);
  }
  while (!component.empty() && component.back() == '.') component.remove_suffix(1);
  return Upper(component);
}

std::string_view FileName(std::string_view relative_path) {
  const std::size_t slash = relative_path.rfind('/');
  return slash == std::string_view::npos ? relative_path : relative_path.substr(slash + 1);
}

std::string_view FolderOf(std::string_view relative_path) {
  const std::size_t slash = relative_path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : relative_path.substr(0, slash);
}

bool IsDicomdirFile(const SourceFile& file) {
  return file.kind == FileKind::kDicomdir &&
         DiscComponent(FileName(file.relative_path)) == "DICOMDIR";
}

bool IsAutorunFile(const SourceFile& file) {
  return DiscComponent(FileName(file.relative_path)) == "AUTORUN.INF";
}

bool IsViewerFile(const SourceFile& file) {
  if (file.kind == FileKind::kExecutable || IsAutorunFile(file)) return true;
  const std::string name = DiscComponent(FileName(file.relative_path));
  return EndsWithAny(name, {".EXE", ".COM", ".MSI", ".DLL"});
}

bool FileTree::Contains(const SourceFile& file) const {
  if (file.container_id != container_id) return false;
  if (folder.empty()) return true;
  return file.relative_path.size() > folder.size() + 1 &&
         file.relative_path.compare(0, folder.size(), folder) == 0 &&
         file.relative_path[folder.size()] == '/';
}

std::vector<FileTree> FindDiscTrees(const Case& c) {
  std::vector<FileTree> trees;
  const auto add = [&](FileTree tree) {
    const bool known = std::any_of(trees.begin(), trees.end(), [&](const FileTree& t) {
      return t.container_id == tree.container_id && t.folder == tree.folder;
    });
    if (!known) trees.push_back(std::move(tree));
  };
  for (const SourceFile& file : c.files) {
    if (IsIsoImage(file)) {
      add(FileTree{file.id, file.relative_path});
    } else if (IsDicomdirFile(file) || IsViewerFile(file)) {
      add(FileTree{file.container_id, std::string(FolderOf(file.relative_path))});
    }
  }
  return trees;
}

bool IsOnDisc(const Case& c, const SourceFile& file, const std::vector<FileTree>& trees) {
  const SourceFile* current = &file;
  for (int depth = 0; current != nullptr && depth < 16; ++depth) {
    for (const FileTree& tree : trees) {
      if (tree.Contains(*current)) return true;
    }
    if (current->container_id.empty()) return false;
    current = c.FindFile(current->container_id);
  }
  return false;
}

}  // namespace intake::stages
