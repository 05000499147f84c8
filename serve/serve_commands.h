// `intake serve` and `intake user add`: the review server's two commands (their CLI options are
// parsed in app/main.cc). Each returns the process exit code (pipeline/exit_codes.h).
#pragma once

#include <filesystem>
#include <string>

namespace intake::serve {

struct ServeArgs {
  std::filesystem::path out_dir;
  std::string listen = "127.0.0.1:8080";  // HOST:PORT
  std::filesystem::path profile;          // empty: the shipped default profile
  bool secure_cookies = false;
};

struct UserAddArgs {
  std::string name;
  std::string role;
  std::filesystem::path out_dir;
};

// Serves until SIGINT or SIGTERM: 0. 1 cannot listen, 2 bad options or profile, 3 the output
// folder is missing or its users file unreadable.
int RunServe(const ServeArgs& args);
// Reads the password from stdin (one line; no echo on a terminal). 0 added or updated, 2 bad
// name, role or a password under 8 characters, 3 the users file cannot be written.
int RunUserAdd(const UserAddArgs& args);

}  // namespace intake::serve
