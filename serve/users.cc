#include "serve/users.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pipeline/atomic_file.h"
#include "serve/clock.h"
#include "serve/secrets.h"

namespace intake::serve {

namespace fs = std::filesystem;
using nlohmann::json;

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kClerk:
      return "clerk";
    case Role::kPhysician:
      return "physician";
    case Role::kAdmin:
      return "admin";
  }
  return "physician";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kClerk, Role::kPhysician, Role::kAdmin}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

bool MayDecide(Role role) { return role == Role::kClerk || role == Role::kAdmin; }

fs::path ReviewDir(const fs::path& out_dir) { return out_dir / ".review"; }
fs::path UsersPath(const fs::path& out_dir) { return ReviewDir(out_dir) / "users.json"; }

bool ValidUserName(std::string_view name) {
  return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
           ch == '-';
  });
}

Result<std::vector<User>> LoadUsers(const fs::path& out_dir) {
  std::vector<User> users;
  std::ifstream in(UsersPath(out_dir), std::ios::binary);
  if (!in) return users;
  std::stringstream bytes;
  bytes << in.rdbuf();
  const json doc = json::parse(bytes.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("users") ||
      !doc["users"].is_array()) {
    return Result<std::vector<User>>::Fail("the users file is not readable (OUT/.review)");
  }
  for (const auto& u : doc["users"]) {
    if (!u.is_object()) continue;
    User user;
    user.name = u.value("name", "");
    user.password_hash = u.value("password_hash", "");
    user.created_at = u.value("created_at", "");
    const auto role = ParseRole(u.value("role", ""));
    if (!ValidUserName(user.name) || !role || user.password_hash.empty()) continue;
    user.role = *role;
    users.push_back(std::move(user));
  }
  return users;
}

Result<bool> AddUser(const fs::path& out_dir, const std::string& name, Role role,
                     std::string_view password) {
  if (!ValidUserName(name)) {
    return Result<bool>::Fail("a user name is 1-32 characters of a-z, 0-9, '.', '_' or '-'");
  }
  const fs::path dir = ReviewDir(out_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || ::chmod(dir.c_str(), 0700) != 0) {
    return Result<bool>::Fail("cannot create the review folder in the output folder");
  }
  auto lock = FileLock::Acquire(dir / "users.lock");
  if (!lock.ok()) return Result<bool>::Fail(lock.message());
  auto users = LoadUsers(out_dir);
  if (!users.ok()) return Result<bool>::Fail(users.message());
  auto hash = HashPassword(password);
  if (!hash.ok()) return Result<bool>::Fail(hash.message());
  auto it =
      std::find_if(users->begin(), users->end(), [&](const User& u) { return u.name == name; });
  const bool added = it == users->end();
  if (added) {
    users->push_back(User{name, role, *hash, NowIso()});
  } else {
    it->role = role;
    it->password_hash = *hash;
  }
  json list = json::array();
  for (const auto& u : *users) {
    list.push_back({{"name", u.name},
                    {"role", RoleName(u.role)},
                    {"password_hash", u.password_hash},
                    {"created_at", u.created_at}});
  }
  const json doc = {{"schema", "intake.users/1"}, {"users", list}};
  // The temp file is made with the process umask: tighten it before it holds the hashes.
  const mode_t old_mask = ::umask(0077);
  Status s = WriteFileAtomically(UsersPath(out_dir), doc.dump(2) + "\n");
  ::umask(old_mask);
  if (!s.ok()) return Result<bool>::Fail(s.message());
  if (::chmod(UsersPath(out_dir).c_str(), 0600) != 0) {
    return Result<bool>::Fail("cannot make the users file owner-only");
  }
  return added;
}

}  // namespace intake::serve
