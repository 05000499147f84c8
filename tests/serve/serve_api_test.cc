// The review server's API and pages against a real ReviewServer (cpp-httplib) on a free port of
// 127.0.0.1, over an output folder of fixture cases (review_fixture.h): every decision kind, every
// refusal (401, 403, 409, 400, 429, CSRF), markup in a patient's name, path traversal, and the
// decisions surviving a case processed again.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "audit/audit_log.h"
#include "config/profile.h"
#include "serve/case_store.h"
#include "serve/server.h"
#include "serve/users.h"
#include "stages/decisions_file.h"
#include "tests/serve/review_fixture.h"

namespace intake::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using serve_test::Kind;

constexpr const char* kClerkPassword = "clerk-password-1";
constexpr const char* kDoctorPassword = "doctor-password-1";

// Every byte but unreserved ASCII percent-encoded, for a query value.
std::string Encode(const std::string& text) {
  std::string out;
  char hex[4];
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      std::snprintf(hex, sizeof hex, "%%%02X", ch);
      out += hex;
    }
  }
  return out;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ServeApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = fs::temp_directory_path() /
           ("intake-serve-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(out_);
    fs::create_directories(out_);
    auto profile = config::LoadProfile(config::DefaultProfilePath());
    ASSERT_TRUE(profile.ok()) << profile.message();
    profile_ = *profile;
    ASSERT_TRUE(AddUser(out_, "clerk1", Role::kClerk, kClerkPassword).ok());
    ASSERT_TRUE(AddUser(out_, "doctor1", Role::kPhysician, kDoctorPassword).ok());
    store_ = std::make_unique<CaseStore>(out_, profile_);
    server_ = std::make_unique<ReviewServer>(*store_, ServerOptions{"127.0.0.1", 0, false});
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok()) << port.message();
    port_ = *port;
    thread_ = std::thread([this] { server_->Run(); });
  }

  void TearDown() override {
    server_->Stop();
    if (thread_.joinable()) thread_.join();
    fs::remove_all(out_);
  }

  std::string AddCase(Kind kind, int index, serve_test::Patient patient = {}) {
    auto id =
        serve_test::WriteCase(out_, profile_, serve_test::MakeCase(profile_, index, kind, patient));
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : std::string();
  }

  httplib::Client Client(const char* user = "clerk1", const char* password = kClerkPassword) {
    httplib::Client client("127.0.0.1", port_);
    if (user != nullptr) client.set_basic_auth(user, password);
    return client;
  }

  // POST a decision as the clerk; returns the status and the parsed body.
  std::pair<int, json> Decide(const std::string& id, const json& body) {
    auto client = Client();
    auto res =
        client.Post(("/api/cases/" + id + "/decisions").c_str(), body.dump(), "application/json");
    if (!res) return {0, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }

  std::string Status(const json& report, const std::string& requirement) {
    for (const auto& r : report["requirements"])
      if (r["id"] == requirement) return r["status"];
    return "(absent)";
  }

  // Logs in through the form; returns the session cookie ("intake_session=...").
  std::string LogIn(const char* user = "clerk1", const char* password = kClerkPassword) {
    httplib::Client client("127.0.0.1", port_);
    auto res = client.Post("/login", httplib::Params{{"user", user}, {"password", password}});
    if (!res || res->status != 303) return {};
    const std::string cookie = res->get_header_value("Set-Cookie");
    return cookie.substr(0, cookie.find(';'));
  }

  fs::path out_;
  config::Profile profile_;
  std::unique_ptr<CaseStore> store_;
  std::unique_ptr<ReviewServer> server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(ServeApiTest, UsersAreKeptOwnerOnlyWithArgon2idHashes) {
  const fs::path users = UsersPath(out_);
  EXPECT_EQ(fs::status(users).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(users.parent_path()).permissions() & fs::perms::all, fs::perms::owner_all);
  const std::string text = ReadText(users);
  EXPECT_EQ(text.find(kClerkPassword), std::string::npos);
  auto loaded = LoadUsers(out_);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ(loaded->at(0).password_hash.rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(loaded->at(1).role, Role::kPhysician);
  // A reset replaces the password; the old one no longer opens the API.
  auto reset = AddUser(out_, "clerk1", Role::kClerk, "another-password-2");
  ASSERT_TRUE(reset.ok());
  EXPECT_FALSE(*reset);
  EXPECT_EQ(Client().Get("/api/cases")->status, 401);
  EXPECT_EQ(Client("clerk1", "another-password-2").Get("/api/cases")->status, 200);
  EXPECT_FALSE(AddUser(out_, "Bad Name", Role::kClerk, "whatever-123").ok());
}

TEST_F(ServeApiTest, ListsCasesWithNamesSearchAndFilters) {
  AddCase(Kind::kComplete, 1, {"山田 太郎", "ヤマダ タロウ", "1950-04-01"});
  const std::string review =
      AddCase(Kind::kNeedsReview, 2, {"佐藤 花子", "サトウ ハナコ", "1962-11-23"});
  auto client = Client();
  auto res = client.Get("/api/cases");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const json all = json::parse(res->body);
  ASSERT_EQ(all["cases"].size(), 2u);
  const json first = all["cases"][0];  // newest first
  EXPECT_EQ(first["id"], review);
  EXPECT_EQ(first["patient_name"], "佐藤 花子");
  EXPECT_EQ(first["patient_reading"], "サトウ ハナコ");
  EXPECT_EQ(first["verdict"], "needs_review");
  EXPECT_EQ(first["state"], "to_review");
  EXPECT_EQ(first["department"], "消化器内科");
  EXPECT_GT(first["days_waiting"].get<int>(), 0);
  for (const char* q : {"%E3%81%95%E3%81%A8%E3%81%86", "1962-11-23", "19621123"}) {  // さとう
    auto found = client.Get((std::string("/api/cases?q=") + q).c_str());
    ASSERT_TRUE(found);
    const json body = json::parse(found->body);
    ASSERT_EQ(body["cases"].size(), 1u) << q;
    EXPECT_EQ(body["cases"][0]["id"], review);
  }
  auto by_verdict = client.Get("/api/cases?verdict=complete");
  EXPECT_EQ(json::parse(by_verdict->body)["cases"].size(), 1u);
  auto by_id = client.Get(("/api/cases?q=" + review).c_str());
  EXPECT_EQ(json::parse(by_id->body)["cases"].size(), 1u);
}

TEST_F(ServeApiTest, RefusesWithoutCredentialsWrongPasswordAndPhysicianDecisions) {
  const std::string id = AddCase(Kind::kNeedsReview, 3);
  auto anonymous = Client(nullptr);
  auto res = anonymous.Get("/api/cases");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_TRUE(res->has_header("WWW-Authenticate"));
  EXPECT_EQ(anonymous.Get(("/api/cases/" + id).c_str())->status, 401);
  EXPECT_EQ(Client("clerk1", "wrong-password").Get("/api/cases")->status, 401);
  EXPECT_EQ(Client("nobody", "wrong-password").Get("/api/cases")->status, 401);

  auto doctor = Client("doctor1", kDoctorPassword);
  EXPECT_EQ(doctor.Get(("/api/cases/" + id).c_str())->status, 200);  // physicians read
  auto refused = doctor.Post(("/api/cases/" + id + "/decisions").c_str(),
                             R"({"requirement":"consent_form","status":"present","reason":"x"})",
                             "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_FALSE(fs::exists(out_ / id / "decisions.json"));
}

TEST_F(ServeApiTest, RateLimitsFailedLogins) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Client("clerk1", "wrong").Get("/api/cases")->status, 401);
  // Now even the right password waits.
  EXPECT_EQ(Client().Get("/api/cases")->status, 429);
  httplib::Client form("127.0.0.1", port_);
  auto res = form.Post("/login", httplib::Params{{"user", "clerk1"}, {"password", kClerkPassword}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
}

TEST_F(ServeApiTest, RateLimitsPerClientBehindAProxy) {
  // Through a proxy on the same machine: the address it forwards counts, not loopback's.
  auto from = [&](const char* address, const char* user, const char* password) {
    auto client = Client(user, password);
    client.set_default_headers({{"X-Forwarded-For", address}});
    return client.Get("/api/cases")->status;
  };
  for (int i = 0; i < 5; ++i) EXPECT_EQ(from("10.0.0.1", "nobody", "wrong"), 401);
  EXPECT_EQ(from("10.0.0.1", "clerk1", kClerkPassword), 429);
  EXPECT_EQ(from("10.0.0.2", "clerk1", kClerkPassword), 200);
}

TEST_F(ServeApiTest, RefusesCasesBeingProcessed) {
  const std::string staged = AddCase(Kind::kNeedsReview, 4);
  fs::create_directories(out_ / ".intake" / "staging" / staged);  // the watcher at work
  auto [status, body] =
      Decide(staged, {{"requirement", "consent_form"}, {"status", "present"}, {"reason", "x"}});
  EXPECT_EQ(status, 409);
  EXPECT_NE(body["error"].get<std::string>().find("being processed"), std::string::npos);
  const std::string writing = AddCase(Kind::kNeedsReview, 5);
  fs::remove(out_ / writing / "report.json");  // `intake process` before its report
  EXPECT_EQ(Client().Get(("/api/cases/" + writing).c_str())->status, 409);
  EXPECT_EQ(Decide(writing, {{"note", "n"}}).first, 409);
  const json list = json::parse(Client().Get("/api/cases")->body);
  ASSERT_EQ(list["cases"].size(), 1u);
  EXPECT_EQ(list["cases"][0]["state"], "processing");
}

TEST_F(ServeApiTest, RefusesBadBodiesWithAClearMessage) {
  const std::string id = AddCase(Kind::kNeedsReview, 6);
  auto client = Client();
  auto not_json = client.Post(("/api/cases/" + id + "/decisions").c_str(), "{", "application/json");
  EXPECT_EQ(not_json->status, 400);
  EXPECT_NE(not_json->body.find("not valid JSON"), std::string::npos);
  auto form = client.Post(("/api/cases/" + id + "/decisions").c_str(), "requirement=x",
                          "application/x-www-form-urlencoded");
  EXPECT_EQ(form->status, 400);
  const std::vector<std::pair<json, std::string>> bad{
      {json::array(), "JSON object"},
      {{{"reason", "x"}}, "must name a requirement"},
      {{{"requirement", "no_such"}, {"status", "present"}, {"reason", "x"}}, "no requirement"},
      {{{"requirement", "consent_form"}, {"status", "fine"}, {"reason", "x"}}, "\"status\""},
      {{{"requirement", "consent_form"}, {"status", "present"}}, "\"reason\""},
      {{{"requirement", "consent_form"}, {"status", "present"}, {"reason", "x"}, {"note", "y"}},
       "one decision at a time"},
      {{{"page", "p9999"}, {"document_type", "consent_form"}, {"reason", "x"}}, "no page"},
      {{{"page", "p0001"}, {"document_type", "passport"}, {"reason", "x"}}, "document_type"},
      {{{"document", "d001"}, {"split_at", "p0001"}, {"reason", "x"}}, "split_at"},
      {{{"document", "d001"}, {"merge_with", "d001"}, {"reason", "x"}}, "merge_with"},
      {{{"fact", "patient_age"}, {"value", "old"}, {"reason", "x"}}, "whole number"},
      {{{"fact", "favourite_colour"}, {"value", "red"}, {"reason", "x"}}, "unknown fact"},
      {{{"finding", 99}, {"status", "dismissed"}, {"reason", "x"}}, "\"finding\""},
      {{{"note", ""}}, "\"note\""},
      {{{"requirement", "consent_form"},
        {"status", "present"},
        {"reason", "x"},
        {"reason_code", "Bad Code"}},
       "reason_code"}};
  for (const auto& [body, words] : bad) {
    auto [status, answer] = Decide(id, body);
    EXPECT_EQ(status, 400) << body.dump();
    EXPECT_NE(answer.value("error", "").find(words), std::string::npos)
        << body.dump() << " -> " << answer.dump();
  }
  EXPECT_FALSE(fs::exists(out_ / id / "decisions.json"));
  EXPECT_EQ(Decide("no-such-case", {{"note", "n"}}).first, 404);
}

TEST_F(ServeApiTest, ConfirmingARequirementChangesTheVerdictAndIsAudited) {
  const std::string id = AddCase(Kind::kNeedsReview, 7);
  const json before = json::parse(Client().Get(("/api/cases/" + id).c_str())->body);
  EXPECT_EQ(before["verdict"], "needs_review");
  EXPECT_EQ(Status(before, "consent_form"), "needs_review");
  auto [status, body] = Decide(id, {{"requirement", "consent_form"},
                                    {"status", "present"},
                                    {"reason", "署名を確認しました"},
                                    {"reason_code", "signature_checked"}});
  ASSERT_EQ(status, 201) << body.dump();
  EXPECT_EQ(body["verdict"], "complete");
  EXPECT_EQ(body["decision"]["before"], "needs_review");
  EXPECT_EQ(body["decision"]["after"], "present");
  EXPECT_EQ(body["decision"]["user"], "clerk1");
  // On disk: decisions.json, the recomputed reports, the pipeline's report kept.
  const json decisions = json::parse(ReadText(out_ / id / "decisions.json"));
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0]["reason"], "署名を確認しました");
  const json report = json::parse(ReadText(out_ / id / "report.json"));
  EXPECT_EQ(report["verdict"], "complete");
  EXPECT_EQ(report["review"]["pipeline_verdict"], "needs_review");
  EXPECT_TRUE(report["review"]["rules_rerun"].get<bool>());
  EXPECT_EQ(json::parse(ReadText(out_ / id / "report.pipeline.json"))["verdict"], "needs_review");
  EXPECT_NE(ReadText(out_ / id / "report.html").find("完備"), std::string::npos);
  EXPECT_NE(ReadText(out_ / "index.html").find(id), std::string::npos);
  // The audit trail: who, what, before and after, the reason code; not the reason's text.
  auto records = audit::ReadCaseRecords(out_, id);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  const json d = records->front()["details"];
  EXPECT_EQ(records->front()["event"], "review_decision");
  EXPECT_EQ(d["user"], "clerk1");
  EXPECT_EQ(d["target"], "consent_form");
  EXPECT_EQ(d["before"], "needs_review");
  EXPECT_EQ(d["after"], "present");
  EXPECT_EQ(d["reason_code"], "signature_checked");
  EXPECT_EQ(d["verdict_after"], "complete");
  EXPECT_EQ(ReadText(out_ / "audit.log").find("署名"), std::string::npos);
  auto verified = audit::VerifyAuditLog(out_);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok());
}

TEST_F(ServeApiTest, MovingAPageOrRetypingADocumentRerunsTheRules) {
  const std::string moved = AddCase(Kind::kOtherPage, 8);
  EXPECT_EQ(json::parse(ReadText(out_ / moved / "report.json"))["verdict"], "incomplete");
  auto [s1, b1] = Decide(
      moved, {{"page", "p0008"}, {"document_type", "consent_form"}, {"reason", "同意書のページ"}});
  ASSERT_EQ(s1, 201) << b1.dump();
  EXPECT_EQ(b1["verdict"], "complete");
  EXPECT_EQ(Status(b1["report"], "consent_form"), "present");
  EXPECT_EQ(b1["decision"]["before"], "other");

  const std::string retyped = AddCase(Kind::kOtherPage, 9);
  auto [s2, b2] = Decide(
      retyped, {{"document", "d007"}, {"document_type", "consent_form"}, {"reason", "同意書"}});
  ASSERT_EQ(s2, 201) << b2.dump();
  EXPECT_EQ(b2["verdict"], "complete");
}

TEST_F(ServeApiTest, SplittingAndMergingDocuments) {
  const std::string id = AddCase(Kind::kComplete, 10);
  auto [s1, b1] = Decide(id, {{"document", "d001"}, {"split_at", "p0002"}, {"reason", "別の書類"}});
  ASSERT_EQ(s1, 201) << b1.dump();
  const json docs = b1["report"]["documents"];
  ASSERT_EQ(docs.size(), 5u);
  EXPECT_EQ(docs[0]["page_ids"], json({"p0001"}));
  EXPECT_EQ(docs[1]["page_ids"], json({"p0002"}));
  EXPECT_EQ(docs[1]["type"], "referral_letter");
  const std::string tail = docs[1]["id"];
  auto [s2, b2] = Decide(id, {{"document", "d001"}, {"merge_with", tail}, {"reason", "一通"}});
  ASSERT_EQ(s2, 201) << b2.dump();
  EXPECT_EQ(b2["report"]["documents"].size(), 4u);
  EXPECT_EQ(b2["report"]["documents"][0]["page_ids"], json({"p0001", "p0002"}));
  EXPECT_EQ(b2["verdict"], "complete");
}

TEST_F(ServeApiTest, CorrectingAFactChangesWhatIsRequired) {
  const std::string id = AddCase(Kind::kIncomplete, 11);
  const json before = json::parse(ReadText(out_ / id / "report.json"));
  EXPECT_EQ(before["verdict"], "incomplete");
  EXPECT_EQ(Status(before, "consent_form"), "missing");
  auto [status, body] = Decide(
      id,
      {{"fact", "attendance"}, {"value", "patient_only"}, {"reason", "本人が受診と電話で確認"}});
  ASSERT_EQ(status, 201) << body.dump();
  EXPECT_EQ(Status(body["report"], "consent_form"), "not_required");
  EXPECT_EQ(body["verdict"], "complete");
  EXPECT_EQ(body["report"]["facts"]["attendance"]["value"], "patient_only");
  // The value stays in the case folder: the audit trail says only that it was corrected.
  EXPECT_EQ(ReadText(out_ / "audit.log").find("patient_only"), std::string::npos);
}

TEST_F(ServeApiTest, CheckingAFindingAndAddingANote) {
  const std::string id = AddCase(Kind::kMismatch, 12);
  EXPECT_EQ(json::parse(ReadText(out_ / id / "report.json"))["verdict"], "needs_review");
  auto [s1, b1] = Decide(id, {{"finding", 0}, {"status", "dismissed"}, {"reason", "同一人物"}});
  ASSERT_EQ(s1, 201) << b1.dump();
  EXPECT_EQ(b1["verdict"], "complete");
  EXPECT_EQ(b1["decision"]["code"], "PATIENT_MISMATCH");
  auto [s2, b2] = Decide(id, {{"finding", 0}, {"status", "confirmed"}, {"reason", "別人"}});
  ASSERT_EQ(s2, 201);
  EXPECT_EQ(b2["verdict"], "needs_review");
  EXPECT_EQ(b2["decision"]["before"], "dismissed");
  auto [s3, b3] = Decide(id, {{"note", "患者さんに電話で確認予定"}});
  ASSERT_EQ(s3, 201);
  EXPECT_EQ(b3["verdict"], "needs_review");
  EXPECT_EQ(b3["report"]["decisions"].size(), 3u);
  EXPECT_EQ(b3["report"]["review"]["decisions"], 3);
}

TEST_F(ServeApiTest, DecisionsSurviveTheCaseBeingProcessedAgain) {
  const std::string id = AddCase(Kind::kNeedsReview, 13);
  ASSERT_EQ(
      Decide(id, {{"requirement", "consent_form"}, {"status", "present"}, {"reason", "ok"}}).first,
      201);
  // What CaseProcessor does: carry decisions.json, make the folder anew, write the pipeline's
  // report (stages/decisions_file.h).
  auto carried = stages::TakeDecisions(out_, id);
  ASSERT_TRUE(carried.ok());
  ASSERT_TRUE(carried->bytes.has_value());
  fs::remove_all(out_ / id);
  fs::create_directories(out_ / id);
  ASSERT_TRUE(stages::PutDecisions(std::move(*carried), out_ / id).ok());
  AddCase(Kind::kNeedsReview, 13);
  EXPECT_EQ(json::parse(ReadText(out_ / id / "report.json"))["verdict"], "needs_review");
  // The list and the case see the decision applied again, and the report on disk says so.
  const json list = json::parse(Client().Get("/api/cases")->body);
  EXPECT_EQ(list["cases"][0]["verdict"], "complete");
  const json report = json::parse(Client().Get(("/api/cases/" + id).c_str())->body);
  EXPECT_EQ(report["verdict"], "complete");
  EXPECT_EQ(report["decisions"].size(), 1u);
  EXPECT_EQ(json::parse(ReadText(out_ / id / "report.json"))["verdict"], "complete");
}

TEST_F(ServeApiTest, PagesNeedASessionAndChangesNeedTheCsrfToken) {
  const std::string id = AddCase(Kind::kNeedsReview, 14);
  httplib::Client anonymous("127.0.0.1", port_);
  auto redirected = anonymous.Get("/cases");
  EXPECT_EQ(redirected->status, 303);
  EXPECT_EQ(redirected->get_header_value("Location"), "/login");
  EXPECT_EQ(LogIn("clerk1", "wrong-password"), "");

  const std::string cookie = LogIn();
  ASSERT_FALSE(cookie.empty());
  httplib::Client browser("127.0.0.1", port_);
  browser.set_default_headers({{"Cookie", cookie}});
  auto page = browser.Get(("/cases/" + id).c_str());
  ASSERT_EQ(page->status, 200);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(page->body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
  const std::string csrf = m[1];
  const httplib::Params decision{{"requirement", "consent_form"},
                                 {"status", "present"},
                                 {"reason", "確認"},
                                 {"anchor", "req-consent_form"}};
  auto missing = browser.Post(("/cases/" + id + "/decide").c_str(), decision);
  EXPECT_EQ(missing->status, 403);
  auto api_missing = browser.Post(("/api/cases/" + id + "/decisions").c_str(), R"({"note":"n"})",
                                  "application/json");
  EXPECT_EQ(api_missing->status, 403);
  EXPECT_NE(api_missing->body.find("CSRF"), std::string::npos);
  EXPECT_FALSE(fs::exists(out_ / id / "decisions.json"));

  httplib::Params with_token = decision;
  with_token.emplace("csrf", csrf);
  auto saved = browser.Post(("/cases/" + id + "/decide").c_str(), with_token);
  EXPECT_EQ(saved->status, 303);
  EXPECT_EQ(json::parse(ReadText(out_ / id / "report.json"))["verdict"], "complete");
  auto api_ok =
      browser.Post(("/api/cases/" + id + "/decisions").c_str(),
                   httplib::Headers{{"X-CSRF-Token", csrf}}, R"({"note":"n"})", "application/json");
  EXPECT_EQ(api_ok->status, 201);

  // The session cookie's attributes.
  httplib::Client login("127.0.0.1", port_);
  auto res = login.Post("/login", httplib::Headers{{"X-Forwarded-Proto", "https"}},
                        httplib::Params{{"user", "clerk1"}, {"password", kClerkPassword}});
  const std::string set_cookie = res->get_header_value("Set-Cookie");
  for (const char* attribute : {"HttpOnly", "SameSite=Strict", "Secure", "Path=/"})
    EXPECT_NE(set_cookie.find(attribute), std::string::npos) << attribute;
}

TEST_F(ServeApiTest, PhysiciansReadPagesWithoutDecisionForms) {
  const std::string id = AddCase(Kind::kNeedsReview, 17);
  httplib::Client browser("127.0.0.1", port_);
  browser.set_default_headers({{"Cookie", LogIn("doctor1", kDoctorPassword)}});
  auto page = browser.Get(("/cases/" + id).c_str());
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("要確認"), std::string::npos);
  EXPECT_EQ(page->body.find("/decide"), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(page->body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
  auto refused = browser.Post(("/cases/" + id + "/decide").c_str(),
                              httplib::Params{{"csrf", m[1]}, {"note", "n"}});
  EXPECT_EQ(refused->status, 403);
  EXPECT_FALSE(fs::exists(out_ / id / "decisions.json"));
}

TEST_F(ServeApiTest, MarkupInAPatientNameIsShownAsText) {
  const std::string id = AddCase(
      Kind::kNeedsReview, 15,
      {"<script>alert('x')</script><img src=x onerror=alert(1)>", "<b>ヤマダ</b>", "1950-04-01"});
  httplib::Client browser("127.0.0.1", port_);
  browser.set_default_headers({{"Cookie", LogIn()}});
  for (const std::string& path : {std::string("/cases"), "/cases/" + id}) {
    auto page = browser.Get(path.c_str());
    ASSERT_EQ(page->status, 200) << path;
    EXPECT_EQ(page->body.find("<script>alert"), std::string::npos) << path;
    EXPECT_EQ(page->body.find("<img src=x"), std::string::npos) << path;
    EXPECT_EQ(page->body.find("<b>ヤマダ"), std::string::npos) << path;
    EXPECT_NE(page->body.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos)
        << path;
    const std::string csp = page->get_header_value("Content-Security-Policy");
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  }
}

TEST_F(ServeApiTest, NoPathTraversalThroughCaseIdsOrFileNames) {
  const std::string id = AddCase(Kind::kComplete, 16);
  std::ofstream(out_ / id / "01_紹介状.pdf") << "%PDF-1.4 fixture";
  httplib::Client browser("127.0.0.1", port_);
  browser.set_default_headers({{"Cookie", LogIn()}});
  auto client = Client();
  for (const char* path : {"/api/cases/..%2F..%2Fetc", "/api/cases/../../etc/passwd",
                           "/api/cases/.review", "/api/cases/%2e%2e"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_TRUE(res->status == 404 || res->status == 400) << path << " " << res->status;
    EXPECT_EQ(res->body.find("argon2id"), std::string::npos) << path;
  }
  for (const std::string rel : {"../.review/users.json", "../../etc/passwd", "report.json",
                                "/etc/passwd", "01_紹介状.pdf"}) {
    auto res = browser.Get(("/cases/" + id + "/file?path=" + Encode(rel)).c_str());
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << rel;  // not a file the report names
  }
  // A document's PDF the report names is served, as a PDF.
  json report = json::parse(ReadText(out_ / id / "report.json"));
  report["documents"][0]["pdf"] = "01_紹介状/01_紹介状.pdf";
  std::ofstream(out_ / id / "report.json") << report.dump();
  fs::create_directories(out_ / id / "01_紹介状");
  std::ofstream(out_ / id / "01_紹介状" / "01_紹介状.pdf") << "%PDF-1.4 fixture";
  auto pdf =
      browser.Get(("/cases/" + id + "/file?path=" + Encode("01_紹介状/01_紹介状.pdf")).c_str());
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->status, 200);
  EXPECT_EQ(pdf->get_header_value("Content-Type"), "application/pdf");
  EXPECT_EQ(pdf->body, "%PDF-1.4 fixture");
  // ... but not to a user without a session.
  httplib::Client anonymous("127.0.0.1", port_);
  EXPECT_EQ(
      anonymous.Get(("/cases/" + id + "/file?path=" + Encode("01_紹介状/01_紹介状.pdf")).c_str())
          ->status,
      303);
}

// --- users, managed by an admin ---------------------------------------------------------------

constexpr const char* kAdminPassword = "admin-password-1";

int PostUsers(httplib::Client& client, const json& body, const httplib::Headers& headers = {}) {
  auto res = client.Post("/api/users", headers, body.dump(), "application/json");
  return res ? res->status : 0;
}

int GetCases(httplib::Client client) {
  auto res = client.Get("/api/cases");
  return res ? res->status : 0;
}

std::optional<User> FindUser(const fs::path& out, const std::string& name) {
  auto users = LoadUsers(out);
  if (!users.ok()) return std::nullopt;
  for (const User& u : *users)
    if (u.name == name) return u;
  return std::nullopt;
}

TEST_F(ServeApiTest, AnAdminAddsChangesResetsDisablesAndRemovesUsers) {
  ASSERT_TRUE(AddUser(out_, "admin1", Role::kAdmin, kAdminPassword).ok());
  auto admin = Client("admin1", kAdminPassword);
  EXPECT_EQ(PostUsers(admin, {{"action", "add"},
                              {"name", "new1"},
                              {"role", "physician"},
                              {"password", "new-password-1"}}),
            201);
  EXPECT_EQ(GetCases(Client("new1", "new-password-1")), 200);
  ASSERT_TRUE(FindUser(out_, "new1"));
  EXPECT_EQ(FindUser(out_, "new1")->role, Role::kPhysician);

  EXPECT_EQ(PostUsers(admin, {{"action", "role"}, {"name", "new1"}, {"role", "clerk"}}), 200);
  EXPECT_EQ(FindUser(out_, "new1")->role, Role::kClerk);

  EXPECT_EQ(
      PostUsers(admin, {{"action", "password"}, {"name", "new1"}, {"password", "other-pass-2"}}),
      200);
  EXPECT_EQ(GetCases(Client("new1", "new-password-1")), 401);
  EXPECT_EQ(GetCases(Client("new1", "other-pass-2")), 200);

  EXPECT_EQ(PostUsers(admin, {{"action", "disable"}, {"name", "new1"}}), 200);
  EXPECT_TRUE(FindUser(out_, "new1")->disabled);
  EXPECT_EQ(GetCases(Client("new1", "other-pass-2")), 401);
  EXPECT_EQ(PostUsers(admin, {{"action", "enable"}, {"name", "new1"}}), 200);
  EXPECT_EQ(GetCases(Client("new1", "other-pass-2")), 200);

  EXPECT_EQ(PostUsers(admin, {{"action", "remove"}, {"name", "new1"}}), 200);
  EXPECT_FALSE(FindUser(out_, "new1"));
  EXPECT_EQ(GetCases(Client("new1", "other-pass-2")), 401);

  auto list = admin.Get("/api/users");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200);
  EXPECT_EQ(list->body.find("argon2"), std::string::npos);  // no hashes handed out

  // Every change in the audit trail: who, which user, what; never a password.
  const std::string log = ReadText(audit::AuditLogPath(out_));
  for (const char* password : {"new-password-1", "other-pass-2"})
    EXPECT_EQ(log.find(password), std::string::npos);
  std::vector<std::string> actions;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    const json record = json::parse(line, nullptr, false);
    if (record.is_discarded() || record.value("event", "") != "user_changed") continue;
    EXPECT_EQ(record["details"]["by"], "admin1");
    EXPECT_EQ(record["details"]["user"], "new1");
    EXPECT_FALSE(record.value("time", "").empty());
    actions.push_back(record["details"]["action"]);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"added", "role_changed", "password_reset",
                                               "disabled", "enabled", "removed"}));
  auto verified = audit::VerifyAuditLog(out_);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok());
}

TEST_F(ServeApiTest, UserChangesAreRefusedToOthersAndForBadBodies) {
  ASSERT_TRUE(AddUser(out_, "admin1", Role::kAdmin, kAdminPassword).ok());
  const std::string before = ReadText(UsersPath(out_));
  const json add = {
      {"action", "add"}, {"name", "x1"}, {"role", "clerk"}, {"password", "x-password-1"}};
  auto anonymous = Client(nullptr);
  EXPECT_EQ(PostUsers(anonymous, add), 401);
  EXPECT_EQ(anonymous.Get("/api/users")->status, 401);
  auto clerk = Client();
  EXPECT_EQ(PostUsers(clerk, add), 403);
  EXPECT_EQ(clerk.Get("/api/users")->status, 403);
  auto doctor = Client("doctor1", kDoctorPassword);
  EXPECT_EQ(PostUsers(doctor, add), 403);

  // An admin's session without the CSRF header.
  const std::string cookie = LogIn("admin1", kAdminPassword);
  ASSERT_FALSE(cookie.empty());
  auto session = Client(nullptr);
  EXPECT_EQ(PostUsers(session, add, {{"Cookie", cookie}}), 403);

  auto admin = Client("admin1", kAdminPassword);
  auto not_json = admin.Post("/api/users", "action=add", "application/x-www-form-urlencoded");
  EXPECT_EQ(not_json->status, 400);
  EXPECT_EQ(admin.Post("/api/users", "{nope", "application/json")->status, 400);
  for (const json& bad :
       {json{{"action", "promote"}, {"name", "x1"}},
        json{{"action", "add"}, {"name", "X Y"}, {"role", "clerk"}, {"password", "x-password-1"}},
        json{{"action", "add"}, {"name", "x1"}, {"role", "boss"}, {"password", "x-password-1"}},
        json{{"action", "add"}, {"name", "x1"}, {"role", "clerk"}, {"password", "short"}},
        json{
            {"action", "add"}, {"name", "clerk1"}, {"role", "clerk"}, {"password", "x-password-1"}},
        json{{"action", "role"}, {"name", "nobody"}, {"role", "clerk"}},
        json{{"action", "disable"}, {"name", "admin1"}}}) {
    auto res = admin.Post("/api/users", bad.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << bad.dump();
    EXPECT_EQ(res->body.find("x-password-1"), std::string::npos);  // never echoed
  }
  EXPECT_EQ(ReadText(UsersPath(out_)), before);
}

TEST_F(ServeApiTest, TheUserPageIsForAdminsWithTheCsrfToken) {
  ASSERT_TRUE(AddUser(out_, "admin1", Role::kAdmin, kAdminPassword).ok());
  httplib::Client client("127.0.0.1", port_);
  const httplib::Params add{
      {"action", "add"}, {"name", "x1"}, {"role", "clerk"}, {"password", "x-password-1"}};
  EXPECT_EQ(client.Post("/admin/users", add)->status, 401);  // no session
  EXPECT_EQ(client.Get("/admin/users")->status, 303);        // to the login form

  const std::string clerk = LogIn();
  auto clerk_page = client.Get("/admin/users", {{"Cookie", clerk}});
  EXPECT_EQ(clerk_page->status, 403);
  auto cases = client.Get("/cases", {{"Cookie", clerk}});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(cases->body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
  httplib::Params with_clerk_token = add;
  with_clerk_token.emplace("csrf", m[1]);
  EXPECT_EQ(client.Post("/admin/users", {{"Cookie", clerk}}, with_clerk_token)->status, 403);

  const std::string admin = LogIn("admin1", kAdminPassword);
  auto page = client.Get("/admin/users", {{"Cookie", admin}});
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("id=\"user-clerk1\""), std::string::npos);
  EXPECT_EQ(page->body.find("argon2"), std::string::npos);
  EXPECT_EQ(client.Post("/admin/users", {{"Cookie", admin}}, add)->status, 403);  // no token
  ASSERT_TRUE(std::regex_search(page->body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
  httplib::Params with_token = add;
  with_token.emplace("csrf", m[1]);
  auto added = client.Post("/admin/users", {{"Cookie", admin}}, with_token);
  EXPECT_EQ(added->status, 303);
  EXPECT_EQ(added->get_header_value("Location"), "/admin/users?msg=added");
  auto after = client.Get("/admin/users?msg=added", {{"Cookie", admin}});
  EXPECT_NE(after->body.find("id=\"user-x1\""), std::string::npos);
  EXPECT_EQ(after->body.find("x-password-1"), std::string::npos);
  httplib::Params bad = with_token;
  bad.erase("name");
  bad.emplace("name", "../x");
  EXPECT_EQ(client.Post("/admin/users", {{"Cookie", admin}}, bad)->status, 400);

  // A removed user's session ends at once.
  const std::string x1 = LogIn("x1", "x-password-1");
  ASSERT_FALSE(x1.empty());
  EXPECT_EQ(client.Get("/cases", {{"Cookie", x1}})->status, 200);
  httplib::Params remove{{"action", "remove"}, {"name", "x1"}, {"csrf", m[1]}};
  EXPECT_EQ(client.Post("/admin/users", {{"Cookie", admin}}, remove)->status, 303);
  EXPECT_EQ(client.Get("/cases", {{"Cookie", x1}})->status, 303);
}

}  // namespace
}  // namespace intake::serve
