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
    user.disabled = u.value("disabled", false);
    const auto role = ParseRole(u.value("role", ""));
    if (!ValidUserName(user.name) || !role || user.password_hash.empty()) continue;
    user.role = *role;
    users.push_back(std::move(user));
  }
  return users;
}

namespace {

// Writes the users file (mode 0600); the caller holds its lock.
Status SaveUsers(const fs::path& out_dir, const std::vector<User>& users) {
  json list = json::array();
  for (const auto& u : users) {
    json entry = {{"name", u.name},
                  {"role", RoleName(u.role)},
                  {"password_hash", u.password_hash},
                  {"created_at", u.created_at}};
    if (u.disabled) entry["disabled"] = true;
    list.push_back(std::move(entry));
  }
  const json doc = {{"schema", "intake.users/1"}, {"users", list}};
  // The temp file is made with the process umask: tighten it before it holds the hashes.
  const mode_t old_mask = ::umask(0077);
  Status s = WriteFileAtomically(UsersPath(out_dir), doc.dump(2) + "\n");
  ::umask(old_mask);
  if (!s.ok()) return s;
  if (::chmod(UsersPath(out_dir).c_str(), 0600) != 0) {
    return Status::Fail("cannot make the users file owner-only");
  }
  return Status::Ok();
}

// Runs `edit` on the users under the users file's lock and, when it returns 200 and `record`
// agrees, saves them.
template <typename Edit>
UserChangeOutcome EditUsers(const fs::path& out_dir, Edit edit,
                            const std::function<Status(Role)>& record = {}) {
  const fs::path dir = ReviewDir(out_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || ::chmod(dir.c_str(), 0700) != 0) {
    return {500, "cannot create the review folder in the output folder", Role::kClerk};
  }
  auto lock = FileLock::Acquire(dir / "users.lock");
  if (!lock.ok()) return {500, lock.message(), Role::kClerk};
  auto users = LoadUsers(out_dir);
  if (!users.ok()) return {500, users.message(), Role::kClerk};
  UserChangeOutcome outcome = edit(*users);
  if (outcome.status != 200) return outcome;
  if (record) {
    if (Status recorded = record(outcome.role_before); !recorded.ok()) {
      return {500, recorded.message(), outcome.role_before};
    }
  }
  if (Status saved = SaveUsers(out_dir, *users); !saved.ok()) {
    return {500, saved.message(), outcome.role_before};
  }
  return outcome;
}

Result<std::string> CheckedHash(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return Result<std::string>::Fail("a password has at least " +
                                     std::to_string(kMinPasswordLength) + " characters");
  }
  return HashPassword(password);
}

// Applies a change to an existing user `u`.
UserChangeOutcome ChangeExisting(std::vector<User>& users, std::vector<User>::iterator u,
                                 const UserChange& change) {
  UserChangeOutcome outcome{200, {}, u->role};
  switch (change.action) {
    case UserAction::kAdd:
      return {400, "a user of that name exists", u->role};
    case UserAction::kRole:
      u->role = change.role;
      break;
    case UserAction::kPassword: {
      auto hash = CheckedHash(change.password);
      if (!hash.ok()) return {400, hash.message(), u->role};
      u->password_hash = *hash;
      break;
    }
    case UserAction::kDisable:
      u->disabled = true;
      break;
    case UserAction::kEnable:
      u->disabled = false;
      break;
    case UserAction::kRemove:
      users.erase(u);
      break;
  }
  return outcome;
}

}  // namespace

std::string_view UserActionName(UserAction action) {
  switch (action) {
    case UserAction::kAdd:
      return "added";
    case UserAction::kRole:
      return "role_changed";
    case UserAction::kPassword:
      return "password_reset";
    case UserAction::kDisable:
      return "disabled";
    case UserAction::kEnable:
      return "enabled";
    case UserAction::kRemove:
      return "removed";
  }
  return "changed";
}

Result<bool> AddUser(const fs::path& out_dir, const std::string& name, Role role,
                     std::string_view password) {
  if (!ValidUserName(name)) {
    return Result<bool>::Fail("a user name is 1-32 characters of a-z, 0-9, '.', '_' or '-'");
  }
  auto hash = HashPassword(password);
  if (!hash.ok()) return Result<bool>::Fail(hash.message());
  bool added = false;
  const UserChangeOutcome outcome = EditUsers(out_dir, [&](std::vector<User>& users) {
    auto it =
        std::find_if(users.begin(), users.end(), [&](const User& u) { return u.name == name; });
    added = it == users.end();
    if (added) {
      users.push_back(User{name, role, *hash, NowIso()});
      return UserChangeOutcome{200, {}, role};
    }
    const UserChangeOutcome before{200, {}, it->role};
    it->role = role;
    it->password_hash = *hash;
    it->disabled = false;
    return before;
  });
  if (outcome.status != 200) return Result<bool>::Fail(outcome.message);
  return added;
}

UserChangeOutcome ChangeUsers(const fs::path& out_dir, const UserChange& change,
                              const std::function<Status(Role before)>& record) {
  if (!ValidUserName(change.name)) {
    return {400, "a user name is 1-32 characters of a-z, 0-9, '.', '_' or '-'", change.role};
  }
  return EditUsers(
      out_dir,
      [&](std::vector<User>& users) {
        auto it = std::find_if(users.begin(), users.end(),
                               [&](const User& u) { return u.name == change.name; });
        if (it != users.end()) return ChangeExisting(users, it, change);
        if (change.action != UserAction::kAdd)
          return UserChangeOutcome{400, "no such user", change.role};
        auto hash = CheckedHash(change.password);
        if (!hash.ok()) return UserChangeOutcome{400, hash.message(), change.role};
        users.push_back(User{change.name, change.role, *hash, NowIso()});
        return UserChangeOutcome{200, {}, change.role};
      },
      record);
}

}  // namespace intake::serve
