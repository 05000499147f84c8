// No folder includes a folder that includes it back: dependencies between the source folders point
// one way (CMakeLists.txt: pipeline <- adapters <- stages <- casework <- watch <- app). Reads the
// `#include "folder/..."` lines of every .h and .cc under each top-level folder of the source
// tree (tests/ and build trees left out) and fails on any cycle, naming its folders and one
// include line of each step.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace intake {
namespace {

namespace fs = std::filesystem;

// from -> to -> one include line that makes the edge ("watch/watcher.h:67").
using FolderGraph = std::map<std::string, std::map<std::string, std::string>>;

bool IsSourceFolder(const fs::directory_entry& entry) {
  const std::string name = entry.path().filename().string();
  if (!entry.is_directory() || name.empty() || name[0] == '.' || name == "tests") return false;
  std::error_code ec;
  // A build tree inside the source tree (build/, build-asan/...).
  return !fs::exists(entry.path() / "CMakeCache.txt", ec) && name.rfind("build", 0) != 0;
}

FolderGraph ReadFolderGraph(const fs::path& root) {
  std::set<std::string> folders;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (IsSourceFolder(entry)) folders.insert(entry.path().filename().string());
  }
  static const std::regex kInclude(R"(^\s*#\s*include\s*"([A-Za-z0-9_]+)/)");
  FolderGraph graph;
  for (const std::string& folder : folders) {
    graph[folder];
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".h" && ext != ".cc")) continue;
      std::ifstream in(entry.path());
      std::string line;
      for (int number = 1; std::getline(in, line); ++number) {
        std::smatch m;
        if (!std::regex_search(line, m, kInclude)) continue;
        const std::string to = m[1];
        if (to == folder || folders.count(to) == 0) continue;  // itself, or a library's folder
        graph[folder].emplace(
            to, fs::relative(entry.path(), root).generic_string() + ":" + std::to_string(number));
      }
    }
  }
  return graph;
}

// The first cycle found, as its folders in order with the first repeated at the end; empty when
// there is none.
std::vector<std::string> FindCycle(const FolderGraph& graph) {
  std::map<std::string, int> state;  // 0 unseen, 1 on the path, 2 done
  std::vector<std::string> path;
  std::vector<std::string> cycle;
  const auto visit = [&](const auto& self, const std::string& folder) -> bool {
    state[folder] = 1;
    path.push_back(folder);
    if (auto it = graph.find(folder); it != graph.end()) {
      for (const auto& [to, where] : it->second) {
        if (state[to] == 1) {
          cycle.assign(std::find(path.begin(), path.end(), to), path.end());
          cycle.push_back(to);
          return true;
        }
        if (state[to] == 0 && self(self, to)) return true;
      }
    }
    path.pop_back();
    state[folder] = 2;
    return false;
  };
  for (const auto& [folder, edges] : graph) {
    if (state[folder] == 0 && visit(visit, folder)) return cycle;
  }
  return {};
}

std::string Describe(const FolderGraph& graph, const std::vector<std::string>& cycle) {
  std::string out;
  for (std::size_t i = 0; i + 1 < cycle.size(); ++i) {
    out += cycle[i] + "/ -> " + cycle[i + 1] + "/ (" + graph.at(cycle[i]).at(cycle[i + 1]) + ")\n";
  }
  return out;
}

TEST(FolderCycles, FindsACycleInAMadeUpGraph) {
  const FolderGraph graph = {{"app", {{"watch", "app/main.cc:1"}}},
                             {"watch", {{"pipeline", "watch/a.h:2"}, {"app", "watch/b.h:3"}}},
                             {"pipeline", {}}};
  const std::vector<std::string> cycle = FindCycle(graph);
  EXPECT_EQ(cycle, (std::vector<std::string>{"app", "watch", "app"}));
  EXPECT_EQ(Describe(graph, cycle),
            "app/ -> watch/ (app/main.cc:1)\nwatch/ -> app/ (watch/b.h:3)\n");
  EXPECT_TRUE(FindCycle({{"app", {{"watch", ""}}}, {"watch", {{"pipeline", ""}}}}).empty());
}

TEST(FolderCycles, NoFolderIncludesAFolderThatIncludesIt) {
  const FolderGraph graph = ReadFolderGraph(INTAKE_SOURCE_DIR);
  // The graph was read: the edges every build has are there.
  ASSERT_TRUE(graph.count("stages") && graph.at("stages").count("pipeline"));
  ASSERT_TRUE(graph.count("app") && graph.at("app").count("watch"));
  const std::vector<std::string> cycle = FindCycle(graph);
  EXPECT_TRUE(cycle.empty()) << "folders that include each other:\n" << Describe(graph, cycle);
}

}  // namespace
}  // namespace intake
