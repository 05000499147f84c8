// The review server's HTML pages (Japanese, for intake staff): login, case list, case page,
// errors; the script and style sheet they load; and the decision a case page's form posts.
//
// Every value from a report or a request is escaped (report::HtmlEscape); the pages hold no
// inline script or style (the server's Content-Security-Policy forbids them), and use the same
// verdict and status words and colours as report.html and index.html (report/html_common.h).
// Forms work without the script; the script adds keyboard shortcuts only.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/profile.h"
#include "pipeline/result.h"
#include "serve/case_store.h"
#include "serve/users.h"

namespace intake::serve {

struct PageUserInfo {
  std::string name;
  std::string role;
  std::string csrf;  // the session's token, put into every form that changes something
  bool may_decide = false;
  bool may_manage_users = false;  // an admin: the user page is linked
};

std::string LoginPage(const std::string& message);
// `case_id`: a link back to that case (empty: to the list).
std::string ErrorPage(int status, const std::string& message, const std::string& case_id = {});
std::string CaseListPage(const std::vector<CaseRow>& rows, const CaseFilter& filter,
                         const PageUserInfo& user);
// `report`: CaseStore::Get's body (the report with "decisions"); `audit`: the case's records of
// the audit trail (audit::ReadCaseRecords). `message` "saved": a banner. `page_texts`: what was
// read from each page (CaseStore::PageTexts): each such page is shown as its image with the
// boxes of the facts' words and of the classification's keywords over it (an SVG in the image's
// pixels, so it scales with the image), the text read beside it.
std::string CasePage(const nlohmann::json& report, const std::vector<nlohmann::json>& audit,
                     const config::Profile& profile, const PageUserInfo& user,
                     const std::string& message,
                     const std::map<std::string, nlohmann::json>& page_texts = {});

// The admins' user page: every user with forms to change the role, reset the password, disable
// or enable and remove them, and a form to add one. No password is ever put into the page.
// `message`: the action just done (UserActionName), for a banner.
std::string UsersPage(const std::vector<User>& users, const PageUserInfo& user,
                      const std::string& message);

// The JSON decision (serve/review.h) a case page's form posted; 400 message on error.
Result<nlohmann::json> DecisionFromForm(const std::multimap<std::string, std::string>& params);

std::string_view AppJs();
std::string StyleCss();

}  // namespace intake::serve
