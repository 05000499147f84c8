// The review server's users: name, role and Argon2id password hash, kept in the output folder
// (OUT/.review/users.json, owner-only: folder 0700, file 0600) so that the users belong to the
// folder they may review.
//
// Roles: a clerk decides (review decisions), a physician reads, an admin reads and decides and
// manages users (`intake user add`, or the server's user page: ChangeUsers). Names are short
// ASCII ([a-z0-9._-], 1-32) because they go into the audit trail, which holds no non-ASCII text.
// A disabled user stays in the file (and in the audit trail's history) but cannot log in.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/result.h"

namespace intake::serve {

enum class Role { kClerk, kPhysician, kAdmin };
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);
// Clerks and admins decide; physicians read.
bool MayDecide(Role role);

struct User {
  std::string name;
  Role role = Role::kClerk;
  std::string password_hash;  // "$argon2id$..."
  std::string created_at;     // ISO 8601
  bool disabled = false;      // may not log in
};

inline constexpr std::size_t kMinPasswordLength = 8;

// OUT/.review: the server's files (users); owner-only.
std::filesystem::path ReviewDir(const std::filesystem::path& out_dir);
std::filesystem::path UsersPath(const std::filesystem::path& out_dir);

bool ValidUserName(std::string_view name);

// Every user of the folder; an empty list when there is no users file yet.
Result<std::vector<User>> LoadUsers(const std::filesystem::path& out_dir);

// Adds the user, or replaces the role and password of a user of that name (a reset, which also
// enables a disabled user). The file is replaced atomically with mode 0600 under an flock.
// Returns true when the user was new.
Result<bool> AddUser(const std::filesystem::path& out_dir, const std::string& name, Role role,
                     std::string_view password);

// What an admin does to a user on the server's user page.
enum class UserAction { kAdd, kRole, kPassword, kDisable, kEnable, kRemove };
// added, role_changed, password_reset, disabled, enabled, removed (the audit trail's words).
std::string_view UserActionName(UserAction action);

struct UserChange {
  UserAction action = UserAction::kAdd;
  std::string name;
  Role role = Role::kClerk;  // kAdd, kRole
  std::string password;      // kAdd, kPassword
};

// What came of a change: 200, or 400 when the request was wrong (a bad name, role or short
// password, a user that exists or does not), 500 when the users file could not be written; the
// message is English and never holds the password. `role_before`: the user's role before it.
struct UserChangeOutcome {
  int status = 200;
  std::string message;
  Role role_before = Role::kClerk;
};

// Applies one change to the users file under its lock, written as AddUser writes it. `record`
// is called once the change is known to be valid, before the file is written, with the user's
// role before it: when it fails (the audit trail could not be written), nothing is changed (500).
UserChangeOutcome ChangeUsers(const std::filesystem::path& out_dir, const UserChange& change,
                              const std::function<Status(Role before)>& record);

}  // namespace intake::serve
