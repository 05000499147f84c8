// The review server's users: name, role and Argon2id password hash, kept in the output folder
// (OUT/.review/users.json, owner-only: folder 0700, file 0600) so that the users belong to the
// folder they may review.
//
// Roles: a clerk decides (review decisions), a physician reads, an admin reads and decides and
// manages users (`intake user add`). Names are short ASCII ([a-z0-9._-], 1-32) because they go
// into the audit trail, which holds no non-ASCII text.
#pragma once

#include <filesystem>
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
};

// OUT/.review: the server's files (users); owner-only.
std::filesystem::path ReviewDir(const std::filesystem::path& out_dir);
std::filesystem::path UsersPath(const std::filesystem::path& out_dir);

bool ValidUserName(std::string_view name);

// Every user of the folder; an empty list when there is no users file yet.
Result<std::vector<User>> LoadUsers(const std::filesystem::path& out_dir);

// Adds the user, or replaces the role and password of a user of that name (a reset). The file
// is replaced atomically with mode 0600 under an flock. Returns true when the user was new.
Result<bool> AddUser(const std::filesystem::path& out_dir, const std::string& name, Role role,
                     std::string_view password);

}  // namespace intake::serve
