#include "serve/server.h"

#include <httplib.h>

#include <chrono>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "audit/audit_log.h"
#include "pipeline/log.h"
#include "serve/pages.h"
#include "serve/secrets.h"
#include "serve/users.h"

namespace intake::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kCookie = "intake_session";
constexpr auto kSessionIdle = std::chrono::hours(1);
constexpr auto kSessionMax = std::chrono::hours(10);
constexpr auto kFailureWindow = std::chrono::minutes(5);
constexpr std::size_t kMaxFailures = 5;

constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

struct Session {
  std::string user;
  Role role = Role::kPhysician;
  std::string csrf;
  Clock::time_point created;
  Clock::time_point seen;
};

// Who made a request, and how.
struct Who {
  std::string name;
  Role role = Role::kPhysician;
  std::string csrf;  // the session's; empty for Basic credentials
  bool session = false;
};

enum class Auth { kOk, kNone, kWrong, kLimited };

constexpr std::string_view kEventUserChanged = "user_changed";

// The change a user form or JSON body asks for (action add, role, password, disable, enable,
// remove); a 400 message when it is none.
Result<UserChange> UserChangeOf(const std::string& action, const std::string& name,
                                const std::string& role, const std::string& password) {
  static const std::map<std::string, UserAction> kActions{
      {"add", UserAction::kAdd},           {"role", UserAction::kRole},
      {"password", UserAction::kPassword}, {"disable", UserAction::kDisable},
      {"enable", UserAction::kEnable},     {"remove", UserAction::kRemove}};
  const auto it = kActions.find(action);
  if (it == kActions.end())
    return Result<UserChange>::Fail(
        "action must be add, role, password, disable, enable or remove");
  if (!ValidUserName(name))
    return Result<UserChange>::Fail("a user name is 1-32 characters of a-z, 0-9, '.', '_' or '-'");
  UserChange change{it->second, name, Role::kClerk, {}};
  if (change.action == UserAction::kAdd || change.action == UserAction::kRole) {
    const auto parsed = ParseRole(role);
    if (!parsed) return Result<UserChange>::Fail("role must be clerk, physician or admin");
    change.role = *parsed;
  }
  if (change.action == UserAction::kAdd || change.action == UserAction::kPassword) {
    if (password.size() < kMinPasswordLength)
      return Result<UserChange>::Fail("a password has at least " +
                                      std::to_string(kMinPasswordLength) + " characters");
    change.password = password;
  }
  return change;
}

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(2) + "\n", "application/json; charset=utf-8");
}

void SendError(httplib::Response& res, int status, const std::string& message) {
  SendJson(res, status, {{"error", message}});
}

void Redirect(httplib::Response& res, const std::string& to) {
  res.status = 303;
  res.set_header("Location", to);
}

std::string CookieValue(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  std::size_t pos = 0;
  while (pos < header.size()) {
    const std::size_t end = std::min(header.find(';', pos), header.size());
    std::string part = header.substr(pos, end - pos);
    part.erase(0, part.find_first_not_of(' '));
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return {};
}

// The client's address for the login rate limit. Behind a reverse proxy on the same machine
// every request comes from loopback: then the address the proxy names (the last entry of
// X-Forwarded-For, which the proxy appends) counts, else one client could lock everyone out.
std::string ClientAddress(const httplib::Request& req) {
  const bool local = req.remote_addr == "127.0.0.1" || req.remote_addr == "::1";
  const std::string forwarded = req.get_header_value("X-Forwarded-For");
  if (!local || forwarded.empty()) return req.remote_addr;
  std::string last =
      forwarded.substr(forwarded.rfind(',') == std::string::npos ? 0 : forwarded.rfind(',') + 1);
  last.erase(0, last.find_first_not_of(' '));
  return last.empty() ? req.remote_addr : last.substr(0, 64);
}

}  // namespace

struct ReviewServer::Impl {
  Impl(CaseStore& s, ServerOptions o) : store(s), options(std::move(o)) {}

  CaseStore& store;
  ServerOptions options;
  httplib::Server http;

  std::mutex mutex;  // guards everything below
  std::map<std::string, Session> sessions;
  std::map<std::string, std::deque<Clock::time_point>> failures;
  std::map<std::string, std::string> verified;  // KeyedDigest(name:password) -> name
  fs::file_time_type users_mtime{};
  std::vector<User> users;

  // --- users, logins and sessions ---------------------------------------------------------

  // The users file, reread when it changed (`intake user add` while the server runs).
  std::vector<User> Users() {
    std::error_code ec;
    const auto mtime = fs::last_write_time(UsersPath(store.out_dir()), ec);
    std::lock_guard lock(mutex);
    if (!ec && mtime != users_mtime) {
      auto loaded = LoadUsers(store.out_dir());
      if (loaded.ok()) {
        users = std::move(*loaded);
        users_mtime = mtime;
        verified.clear();
      }
    }
    return users;
  }

  bool Limited(const std::vector<std::string>& keys) {
    std::lock_guard lock(mutex);
    const auto now = Clock::now();
    for (auto it = failures.begin(); it != failures.end();) {  // forget what aged out
      auto& times = it->second;
      while (!times.empty() && now - times.front() > kFailureWindow) times.pop_front();
      it = times.empty() ? failures.erase(it) : std::next(it);
    }
    for (const auto& key : keys) {
      const auto it = failures.find(key);
      if (it != failures.end() && it->second.size() >= kMaxFailures) return true;
    }
    return false;
  }

  void Failed(const std::vector<std::string>& keys) {
    std::lock_guard lock(mutex);
    for (const auto& key : keys) failures[key].push_back(Clock::now());
  }

  // Checks a name and password, with the rate limit; on success `who` is the user.
  Auth Login(const std::string& ip, const std::string& name, const std::string& password,
             Who& who) {
    const std::vector<std::string> keys{"ip:" + ip, "user:" + name};
    if (Limited(keys)) return Auth::kLimited;
    const std::vector<User> all = Users();
    const std::string digest = KeyedDigest(name + '\0' + password);
    const auto user =
        std::find_if(all.begin(), all.end(), [&](const User& u) { return u.name == name; });
    bool ok = false;
    if (user != all.end() && !user->disabled) {
      {
        std::lock_guard lock(mutex);
        ok = verified.count(digest) > 0;
      }
      if (!ok && VerifyPassword(user->password_hash, password)) {
        ok = true;
        std::lock_guard lock(mutex);
        verified[digest] = name;
      }
    }
    if (!ok) {
      Failed(keys);
      Log()->warn("serve: failed login from {}", ip);
      return Auth::kWrong;
    }
    who = Who{user->name, user->role, "", false};
    return Auth::kOk;
  }

  Auth BasicAuth(const httplib::Request& req, Who& who) {
    const std::string header = req.get_header_value("Authorization");
    if (header.empty()) return Auth::kNone;
    if (header.rfind("Basic ", 0) != 0) return Auth::kWrong;
    const auto decoded = DecodeBase64(header.substr(6));
    const std::size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) return Auth::kWrong;
    return Login(ClientAddress(req), decoded->substr(0, colon), decoded->substr(colon + 1), who);
  }

  // The session's user as the users file has them now: a disabled or removed user's sessions
  // end, a changed role counts at once.
  std::optional<Who> SessionUser(const httplib::Request& req) {
    const std::string token = CookieValue(req, kCookie);
    if (token.empty()) return std::nullopt;
    const std::vector<User> all = Users();
    std::lock_guard lock(mutex);
    const auto it = sessions.find(token);
    if (it == sessions.end()) return std::nullopt;
    const auto now = Clock::now();
    if (now - it->second.seen > kSessionIdle || now - it->second.created > kSessionMax) {
      sessions.erase(it);
      return std::nullopt;
    }
    const auto user = std::find_if(all.begin(), all.end(),
                                   [&](const User& u) { return u.name == it->second.user; });
    if (user == all.end() || user->disabled) {
      sessions.erase(it);
      return std::nullopt;
    }
    it->second.seen = now;
    it->second.role = user->role;
    return Who{it->second.user, it->second.role, it->second.csrf, true};
  }

  std::string NewSession(const Who& who) {
    const std::string token = RandomToken();
    std::lock_guard lock(mutex);
    const auto now = Clock::now();
    std::erase_if(sessions, [&](const auto& entry) {
      return now - entry.second.seen > kSessionIdle || now - entry.second.created > kSessionMax;
    });
    sessions[token] = Session{who.name, who.role, RandomToken(), now, now};
    return token;
  }

  bool Secure(const httplib::Request& req) const {
    return options.secure_cookies || req.get_header_value("X-Forwarded-Proto") == "https";
  }

  void SetCookie(const httplib::Request& req, httplib::Response& res, const std::string& value,
                 bool clear) {
    std::string cookie = std::string(kCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict";
    if (clear) cookie += "; Max-Age=0";
    if (Secure(req)) cookie += "; Secure";
    res.set_header("Set-Cookie", cookie);
  }

  // --- the API --------------------------------------------------------------------------

  // Who may use the API: Basic credentials, else the session. Sends the refusal itself.
  std::optional<Who> ApiUser(const httplib::Request& req, httplib::Response& res) {
    Who who;
    switch (BasicAuth(req, who)) {
      case Auth::kOk:
        return who;
      case Auth::kLimited:
        SendError(res, 429, "too many failed logins; try again in a few minutes");
        return std::nullopt;
      case Auth::kWrong:
        res.set_header("WWW-Authenticate", "Basic realm=\"intake\", charset=\"UTF-8\"");
        SendError(res, 401, "wrong user name or password");
        return std::nullopt;
      case Auth::kNone:
        break;
    }
    if (auto session = SessionUser(req)) return session;
    res.set_header("WWW-Authenticate", "Basic realm=\"intake\", charset=\"UTF-8\"");
    SendError(res, 401, "log in: HTTP Basic credentials or a session");
    return std::nullopt;
  }

  CaseFilter FilterOf(const httplib::Request& req) const {
    return CaseFilter{req.get_param_value("q"), req.get_param_value("verdict"),
                      req.get_param_value("state")};
  }

  void ApiCases(const httplib::Request& req, httplib::Response& res) {
    if (!ApiUser(req, res)) return;
    const CaseFilter filter = FilterOf(req);
    json cases = json::array();
    for (const auto& row : store.List())
      if (Matches(row, filter)) cases.push_back(RowJson(row));
    SendJson(res, 200, {{"cases", cases}});
  }

  void ApiCase(const httplib::Request& req, httplib::Response& res) {
    if (!ApiUser(req, res)) return;
    const Answer a = store.Get(req.matches[1]);
    if (a.status != 200) return SendError(res, a.status, a.message);
    SendJson(res, 200, a.body);
  }

  void ApiDecide(const httplib::Request& req, httplib::Response& res) {
    const auto who = ApiUser(req, res);
    if (!who) return;
    if (who->session && !SameSecret(req.get_header_value("X-CSRF-Token"), who->csrf))
      return SendError(res, 403, "the X-CSRF-Token header is missing or wrong");
    if (!MayDecide(who->role))
      return SendError(res, 403, "a " + std::string(RoleName(who->role)) + " may not decide");
    // A JSON body only: a cross-site form cannot send one without the server's consent (CORS).
    if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0)
      return SendError(res, 400, "the body must be JSON (Content-Type: application/json)");
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded()) return SendError(res, 400, "the body is not valid JSON");
    Answer a = store.Decide(req.matches[1], body, who->name);
    if (a.status != 200) return SendError(res, a.status, a.message);
    const json decision = a.body["decisions"].back();
    SendJson(res, 201,
             {{"decision", decision}, {"verdict", a.body["verdict"]}, {"report", a.body}});
  }

  // --- pages ----------------------------------------------------------------------------

  std::optional<Who> PageUser(const httplib::Request& req, httplib::Response& res) {
    auto who = SessionUser(req);
    if (!who) Redirect(res, "/login");
    return who;
  }

  void SendPage(httplib::Response& res, int status, const std::string& html) {
    res.status = status;
    res.set_content(html, "text/html; charset=utf-8");
  }

  void LoginForm(const httplib::Request&, httplib::Response& res) {
    SendPage(res, 200, LoginPage(""));
  }

  void LoginPost(const httplib::Request& req, httplib::Response& res) {
    Who who;
    const Auth a = Login(ClientAddress(req), req.get_param_value("user"),
                         req.get_param_value("password"), who);
    if (a == Auth::kLimited)
      return SendPage(res, 429, LoginPage("ログインの失敗が続いたため、数分お待ちください。"));
    if (a != Auth::kOk)
      return SendPage(res, 401, LoginPage("ユーザー名またはパスワードが違います。"));
    SetCookie(req, res, NewSession(who), false);
    Redirect(res, "/cases");
  }

  void Logout(const httplib::Request& req, httplib::Response& res) {
    const auto who = PageUser(req, res);
    if (!who) return;
    if (!SameSecret(req.get_param_value("csrf"), who->csrf))
      return SendPage(res, 403, ErrorPage(403, "CSRF token missing or wrong"));
    {
      std::lock_guard lock(mutex);
      sessions.erase(CookieValue(req, kCookie));
    }
    SetCookie(req, res, "", true);
    Redirect(res, "/login");
  }

  void CasesPage(const httplib::Request& req, httplib::Response& res) {
    const auto who = PageUser(req, res);
    if (!who) return;
    const CaseFilter filter = FilterOf(req);
    std::vector<CaseRow> rows;
    for (auto& row : store.List())
      if (Matches(row, filter)) rows.push_back(std::move(row));
    SendPage(res, 200, CaseListPage(rows, filter, Info(*who)));
  }

  void NextCase(const httplib::Request& req, httplib::Response& res) {
    if (!PageUser(req, res)) return;
    const auto next = NextToReview(store.List(), req.get_param_value("after"));
    Redirect(res, next ? "/cases/" + *next : "/cases?state=to_review");
  }

  void CasePage(const httplib::Request& req, httplib::Response& res) {
    const auto who = PageUser(req, res);
    if (!who) return;
    const Answer a = store.Get(req.matches[1]);
    if (a.status != 200) return SendPage(res, a.status, ErrorPage(a.status, a.message));
    auto audit = audit::ReadCaseRecords(store.out_dir(), req.matches[1].str());
    SendPage(res, 200,
             serve::CasePage(a.body, audit.ok() ? *audit : std::vector<json>{}, store.profile(),
                             Info(*who), req.get_param_value("msg"),
                             store.PageTexts(req.matches[1], a.body)));
  }

  // A page's image or the JSON of what was read from it: behind a login (Basic or the session),
  // by case id and page id only (400 for a page id that is none), files of the case folder only.
  void ApiPageFile(const httplib::Request& req, httplib::Response& res) {
    if (!ApiUser(req, res)) return;
    const std::string page_id = req.matches[2];
    if (!ValidPageId(page_id)) return SendError(res, 400, "a page id is p and 4-9 digits");
    const bool image = req.matches[3].length() > 0;
    const auto file = store.PageFile(req.matches[1], page_id, image);
    if (!file) return SendError(res, 404, "no such page image or text");
    std::ifstream in(*file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string ext = file->extension().string();
    res.set_content(bytes.str(), !image          ? "application/json; charset=utf-8"
                                 : ext == ".png" ? "image/png"
                                                 : "image/jpeg");
  }

  void DecidePost(const httplib::Request& req, httplib::Response& res) {
    const auto who = PageUser(req, res);
    if (!who) return;
    if (!SameSecret(req.get_param_value("csrf"), who->csrf))
      return SendPage(res, 403, ErrorPage(403, "CSRF token missing or wrong"));
    if (!MayDecide(who->role))
      return SendPage(res, 403, ErrorPage(403, "physicians read; clerks decide"));
    const std::string id = req.matches[1];
    auto body = DecisionFromForm(req.params);
    if (!body.ok()) return SendPage(res, 400, ErrorPage(400, body.message(), id));
    const Answer a = store.Decide(id, *body, who->name);
    if (a.status != 200) return SendPage(res, a.status, ErrorPage(a.status, a.message, id));
    // Back to the item decided on; the anchor is an element id of the page (no header injection).
    std::string anchor = req.get_param_value("anchor");
    if (anchor.size() > 80 ||
        anchor.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != std::string::npos)
      anchor.clear();
    Redirect(res, "/cases/" + id + "?msg=saved" + (anchor.empty() ? "" : "#" + anchor));
  }

  void CaseFileGet(const httplib::Request& req, httplib::Response& res) {
    if (!PageUser(req, res)) return;
    const auto file = store.CaseFile(req.matches[1], req.get_param_value("path"));
    if (!file) return SendPage(res, 404, ErrorPage(404, "no such file of this case"));
    std::ifstream in(*file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string ext = file->extension().string();
    const char* type = ext == ".pdf"   ? "application/pdf"
                       : ext == ".png" ? "image/png"
                       : ext == ".jpg" ? "image/jpeg"
                                       : "application/octet-stream";
    res.set_header("Content-Disposition", "inline");
    res.set_content(bytes.str(), type);
  }

  static PageUserInfo Info(const Who& who) {
    return PageUserInfo{who.name, std::string(RoleName(who.role)), who.csrf, MayDecide(who.role),
                        who.role == Role::kAdmin};
  }

  // --- users (admins only) ----------------------------------------------------------------

  // Applies an admin's change to the users, recorded in the audit trail first (who, which user,
  // what; never a password). An admin cannot take their own role away, disable or remove
  // themselves (the folder would be left without anyone to undo it).
  UserChangeOutcome ApplyUserChange(const Who& who, const UserChange& change) {
    const bool own = change.name == who.name;
    if (own && change.action != UserAction::kPassword && change.action != UserAction::kAdd)
      return {400, "an admin cannot change their own role, disable or remove themselves", who.role};
    UserChangeOutcome done = ChangeUsers(store.out_dir(), change, [&](Role before) {
      json details = {{"by", who.name},
                      {"user", change.name},
                      {"action", std::string(UserActionName(change.action))}};
      if (change.action == UserAction::kAdd || change.action == UserAction::kRole)
        details["role"] = std::string(RoleName(change.role));
      if (change.action == UserAction::kRole)
        details["role_before"] = std::string(RoleName(before));
      auto audited = audit::AppendAuditRecord(store.out_dir(), kEventUserChanged, "", details);
      if (!audited.ok()) {
        Log()->error("serve: user change not recorded in the audit trail: {}", audited.message());
        return Status::Fail("the audit trail could not be written; nothing was changed");
      }
      Log()->info("serve: user {} {} by {}", change.name, UserActionName(change.action), who.name);
      return Status::Ok();
    });
    std::lock_guard lock(mutex);
    users_mtime = {};  // read again at once, even within the file time's granularity
    return done;
  }

  static json UsersJson(const std::vector<User>& users) {
    json list = json::array();
    for (const User& u : users)
      list.push_back({{"name", u.name},
                      {"role", std::string(RoleName(u.role))},
                      {"disabled", u.disabled},
                      {"created_at", u.created_at}});
    return {{"users", list}};
  }

  void ApiUsers(const httplib::Request& req, httplib::Response& res) {
    const auto who = ApiUser(req, res);
    if (!who) return;
    if (who->role != Role::kAdmin) return SendError(res, 403, "only an admin manages users");
    SendJson(res, 200, UsersJson(Users()));
  }

  void ApiUserChange(const httplib::Request& req, httplib::Response& res) {
    const auto who = ApiUser(req, res);
    if (!who) return;
    if (who->session && !SameSecret(req.get_header_value("X-CSRF-Token"), who->csrf))
      return SendError(res, 403, "the X-CSRF-Token header is missing or wrong");
    if (who->role != Role::kAdmin) return SendError(res, 403, "only an admin manages users");
    if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0)
      return SendError(res, 400, "the body must be JSON (Content-Type: application/json)");
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return SendError(res, 400, "the body is not a JSON object");
    const auto text = [&](const char* key) {
      return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : "";
    };
    auto change = UserChangeOf(text("action"), text("name"), text("role"), text("password"));
    if (!change.ok()) return SendError(res, 400, change.message());
    const UserChangeOutcome done = ApplyUserChange(*who, *change);
    if (done.status != 200) return SendError(res, done.status, done.message);
    SendJson(res, change->action == UserAction::kAdd ? 201 : 200,
             {{"action", std::string(UserActionName(change->action))},
              {"user", change->name},
              {"users", UsersJson(Users())["users"]}});
  }

  void UsersPageGet(const httplib::Request& req, httplib::Response& res) {
    const auto who = PageUser(req, res);
    if (!who) return;
    if (who->role != Role::kAdmin)
      return SendPage(res, 403, ErrorPage(403, "only an admin manages users"));
    SendPage(res, 200, UsersPage(Users(), Info(*who), req.get_param_value("msg")));
  }

  void UsersPagePost(const httplib::Request& req, httplib::Response& res) {
    const auto who = SessionUser(req);
    if (!who) return SendPage(res, 401, ErrorPage(401, "log in first"));
    if (!SameSecret(req.get_param_value("csrf"), who->csrf))
      return SendPage(res, 403, ErrorPage(403, "CSRF token missing or wrong"));
    if (who->role != Role::kAdmin)
      return SendPage(res, 403, ErrorPage(403, "only an admin manages users"));
    auto change = UserChangeOf(req.get_param_value("action"), req.get_param_value("name"),
                               req.get_param_value("role"), req.get_param_value("password"));
    if (!change.ok()) return SendPage(res, 400, ErrorPage(400, change.message()));
    const UserChangeOutcome done = ApplyUserChange(*who, *change);
    if (done.status != 200) return SendPage(res, done.status, ErrorPage(done.status, done.message));
    Redirect(res, "/admin/users?msg=" + std::string(UserActionName(change->action)));
  }

  void Routes() {
    using Req = const httplib::Request&;
    using Res = httplib::Response&;
    http.Get("/api/cases", [this](Req q, Res s) { ApiCases(q, s); });
    http.Get(R"(/api/cases/([A-Za-z0-9_-]{1,64}))", [this](Req q, Res s) { ApiCase(q, s); });
    http.Post(R"(/api/cases/([A-Za-z0-9_-]{1,64})/decisions)",
              [this](Req q, Res s) { ApiDecide(q, s); });
    http.Get(R"(/api/cases/([A-Za-z0-9_-]{1,64})/pages/([^/]{1,64}?)(/image)?)",
             [this](Req q, Res s) { ApiPageFile(q, s); });
    http.Get("/", [this](Req q, Res s) { Redirect(s, SessionUser(q) ? "/cases" : "/login"); });
    http.Get("/login", [this](Req q, Res s) { LoginForm(q, s); });
    http.Post("/login", [this](Req q, Res s) { LoginPost(q, s); });
    http.Post("/logout", [this](Req q, Res s) { Logout(q, s); });
    http.Get("/cases", [this](Req q, Res s) { CasesPage(q, s); });
    http.Get("/cases/next", [this](Req q, Res s) { NextCase(q, s); });
    http.Get(R"(/cases/([A-Za-z0-9_-]{1,64}))", [this](Req q, Res s) { CasePage(q, s); });
    http.Post(R"(/cases/([A-Za-z0-9_-]{1,64})/decide)", [this](Req q, Res s) { DecidePost(q, s); });
    http.Get(R"(/cases/([A-Za-z0-9_-]{1,64})/file)", [this](Req q, Res s) { CaseFileGet(q, s); });
    http.Get("/api/users", [this](Req q, Res s) { ApiUsers(q, s); });
    http.Post("/api/users", [this](Req q, Res s) { ApiUserChange(q, s); });
    http.Get("/admin/users", [this](Req q, Res s) { UsersPageGet(q, s); });
    http.Post("/admin/users", [this](Req q, Res s) { UsersPagePost(q, s); });
    http.Get("/static/app.js", [](Req, Res s) {
      s.set_content(std::string(AppJs()), "text/javascript; charset=utf-8");
    });
    http.Get("/static/style.css",
             [](Req, Res s) { s.set_content(StyleCss(), "text/css; charset=utf-8"); });
  }

  void Hooks() {
    http.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Security-Policy", kCsp);
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Referrer-Policy", "no-referrer");
      res.set_header("X-Frame-Options", "DENY");
      res.set_header("Cache-Control", "no-store");
    });
    http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      if (req.path.rfind("/api/", 0) == 0) return SendError(res, res.status, "not found");
      res.set_content(ErrorPage(res.status, "not found"), "text/html; charset=utf-8");
    });
    // An exception escaping a handler (a library edge): 500, never a crash, nothing of it logged
    // (its text could quote a request).
    http.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          Log()->error("serve: a request failed inside a handler");
          SendError(res, 500, "internal error");
        });
    http.set_payload_max_length(256 * 1024);
    http.new_task_queue = [] { return new httplib::ThreadPool(4); };
  }
};

ReviewServer::ReviewServer(CaseStore& store, ServerOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {
  impl_->Routes();
  impl_->Hooks();
}

ReviewServer::~ReviewServer() = default;

Result<int> ReviewServer::Bind() {
  const std::string& host = impl_->options.host;
  if (impl_->options.port == 0) {
    const int port = impl_->http.bind_to_any_port(host);
    if (port <= 0) return Result<int>::Fail("cannot listen on " + host);
    return port;
  }
  if (!impl_->http.bind_to_port(host, impl_->options.port))
    return Result<int>::Fail("cannot listen on " + host + ":" +
                             std::to_string(impl_->options.port));
  return impl_->options.port;
}

void ReviewServer::Run() { impl_->http.listen_after_bind(); }

void ReviewServer::Stop() { impl_->http.stop(); }

}  // namespace intake::serve
