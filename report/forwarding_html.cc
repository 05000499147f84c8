#include "report/forwarding_html.h"

#include "report/html_common.h"

namespace intake::report {

namespace {

std::string Count(const nlohmann::json& run, const char* key) {
  return std::to_string(run.value(key, 0));
}

std::string RunRow(const nlohmann::json& run) {
  const bool complete = run.value("complete", false);
  std::string out = "<tr><td>" + HtmlEscape(run.value("destination", "")) + "</td><td>" +
                    JaDateTime(run.value("finished_at", "")) + "</td><td>" +
                    (complete ? "<span class=\"badge badge-present\">転送済</span>"
                              : "<span class=\"badge badge-missing\">未完了</span>") +
                    "</td><td>" + Count(run, "instances") + "</td><td>" + Count(run, "stored") +
                    "</td><td>" + Count(run, "already_there") + "</td><td>" + Count(run, "failed") +
                    "</td><td>";
  out += run.value("reconciled", false)
             ? "院内IDに置換（元のIDは Original Attributes Sequence に保存）"
             : "ディスクのIDのまま";
  if (run.value("decompressed", 0) > 0) {
    out += "。" + Count(run, "decompressed") + "件は非圧縮に展開して送信";
  }
  if (run.contains("problem") && run["problem"].is_string()) {
    out += "。" + HtmlEscape(run["problem"].get<std::string>());
  }
  return out + "</td></tr>\n";
}

}  // namespace

std::string ForwardingSectionHtml(const nlohmann::json& forwarding) {
  std::string out = "<section id=\"forwarding\">\n<h2>PACS転送</h2>\n";
  if (!forwarding.is_array() || forwarding.empty()) {
    return out + "<p class=\"empty\">PACSへの転送はまだありません。</p>\n</section>\n";
  }
  out +=
      "<table>\n<thead><tr><th>転送先（AE@ホスト:ポート）</th><th>日時</th><th>状態</th>"
      "<th>インスタンス</th><th>今回送信</th><th>送信済み</th><th>失敗</th><th>備考</th></tr>"
      "</thead>\n<tbody>\n";
  for (const auto& run : forwarding) out += RunRow(run);
  return out + "</tbody>\n</table>\n</section>\n";
}

std::string WithForwardingSection(std::string_view html, std::string_view section) {
  std::string out(html);
  constexpr std::string_view kOpen = "<section id=\"forwarding\">";
  constexpr std::string_view kClose = "</section>\n";
  if (const auto start = out.find(kOpen); start != std::string::npos) {
    const auto end = out.find(kClose, start);
    if (end != std::string::npos) {
      out.replace(start, end + kClose.size() - start, section);
      return out;
    }
  }
  auto at = out.find("<section id=\"imaging\">");
  if (at == std::string::npos) at = out.rfind("</body>");
  if (at == std::string::npos) at = out.size();
  out.insert(at, section);
  return out;
}

}  // namespace intake::report
