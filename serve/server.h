// The review server: cpp-httplib (Debian's libcpp-httplib-dev) behind this one class, serving
// the staff's pages and the JSON API over a CaseStore.
//
// Pages (/login, /cases, /cases/ID, /cases/next, /admin/users) need a session: a login form sets
// an HttpOnly, SameSite=Strict cookie (Secure when the request came through TLS,
// X-Forwarded-Proto: https, or with `secure_cookies`); every form that changes something carries
// the session's CSRF token.
// The API (/api/...) takes HTTP Basic credentials (or the session cookie with an X-CSRF-Token
// header for a change): 401 without credentials, 403 for a physician deciding, 409 for a case
// being processed, 400 for a bad body. Failed logins are limited per client address and per
// user name (5 in 5 minutes, then 429 until they age out).
//
// Every answer carries a Content-Security-Policy without inline script (the page's script is
// /static/app.js), nosniff, no-referrer and no-store. Only files a case's report names (its
// documents' PDFs, key images) are served, by case id and that exact relative path, and its
// pages' images and words (/api/cases/ID/pages/PAGE[/image]) by case and page id.
//
// Users (admins only: /admin/users, /api/users): add, change a role, reset a password, disable,
// enable, remove; each change in the audit trail (user_changed) before the users file is written.
// Sessions follow the users file: a disabled or removed user's sessions end at their next request.
#pragma once

#include <memory>
#include <string>

#include "pipeline/result.h"
#include "serve/case_store.h"

namespace intake::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;              // 0: a free port (tests)
  bool secure_cookies = false;  // mark the session cookie Secure on every answer
};

class ReviewServer {
 public:
  ReviewServer(CaseStore& store, ServerOptions options);
  ~ReviewServer();
  ReviewServer(const ReviewServer&) = delete;
  ReviewServer& operator=(const ReviewServer&) = delete;

  // Binds the listening socket; returns the port.
  Result<int> Bind();
  // Serves until Stop() (from another thread or a signal handler's thread). Call after Bind().
  void Run();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace intake::serve
