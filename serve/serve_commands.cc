#include "serve/serve_commands.h"

#include <pthread.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "audit/audit_log.h"
#include "pipeline/exit_codes.h"
#include "config/profile.h"
#include "pipeline/log.h"
#include "serve/server.h"
#include "serve/users.h"

namespace intake::serve {
namespace {

namespace fs = std::filesystem;

std::string ReadPassword() {
  const bool tty = ::isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::cerr << "password: " << std::flush;
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

// "HOST:PORT" (an IPv6 host in brackets) into its parts; false when malformed.
bool ParseListen(const std::string& listen, std::string& host, int& port) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string digits = listen.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return false;
  port = std::stoi(digits);
  return port <= 65535;
}

}  // namespace

int RunUserAdd(const UserAddArgs& args) {
  const auto role = ParseRole(args.role);
  if (!role) {
    std::cerr << "intake user add: --role must be clerk, physician or admin\n";
    return kExitUsage;
  }
  if (!ValidUserName(args.name)) {
    std::cerr << "intake user add: a user name is 1-32 characters of a-z, 0-9, '.', '_' or '-'\n";
    return kExitUsage;
  }
  if (!fs::is_directory(args.out_dir)) {
    std::cerr << "intake user add: the output folder does not exist\n";
    return kExitOutput;
  }
  const std::string password = ReadPassword();
  if (password.size() < kMinPasswordLength) {
    std::cerr << "intake user add: the password (read from stdin) must have at least "
              << kMinPasswordLength << " characters\n";
    return kExitUsage;
  }
  auto added = AddUser(args.out_dir, args.name, *role, password);
  if (!added.ok()) {
    std::cerr << "intake user add: " << added.message() << "\n";
    return kExitOutput;
  }
  auto audited = audit::AppendAuditRecord(args.out_dir, *added ? "user_added" : "user_updated", "",
                                          {{"user", args.name}, {"role", RoleName(*role)}});
  if (!audited.ok()) Log()->warn("user add: audit trail not written: {}", audited.message());
  std::cout << "user " << args.name << (*added ? " added" : " updated") << " (" << RoleName(*role)
            << ")\n";
  return kExitOk;
}

int RunServe(const ServeArgs& args) {
  ServerOptions options;
  if (!ParseListen(args.listen, options.host, options.port)) {
    std::cerr << "intake serve: --listen must be HOST:PORT, e.g. 127.0.0.1:8080\n";
    return kExitUsage;
  }
  options.secure_cookies = args.secure_cookies;
  const fs::path profile_path = args.profile.empty() ? config::DefaultProfilePath() : args.profile;
  auto profile = config::LoadProfile(profile_path);
  if (!profile.ok()) {
    std::cerr << "intake serve: " << profile.message() << "\n";
    return kExitUsage;
  }
  if (!fs::is_directory(args.out_dir)) {
    std::cerr << "intake serve: the output folder does not exist\n";
    return kExitOutput;
  }
  auto users = LoadUsers(args.out_dir);
  if (!users.ok()) {
    std::cerr << "intake serve: " << users.message() << "\n";
    return kExitOutput;
  }
  if (users->empty())
    Log()->warn("serve: no users yet; add one with `intake user add NAME --role clerk --out DIR`");

  // SIGINT and SIGTERM go to one thread that stops the server; the server's threads never see
  // them (blocked here, before they start).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  CaseStore store(args.out_dir, std::move(*profile));
  ReviewServer server(store, options);
  auto port = server.Bind();
  if (!port.ok()) {
    std::cerr << "intake serve: " << port.message() << "\n";
    return kExitCaseFailed;
  }
  Log()->info("serve: listening on http://{}:{}/ ({} users)", options.host, *port, users->size());
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    server.Stop();
  });
  server.Run();
  // Wakes the waiter when Run ended on its own. SIGTERM is blocked in every thread and taken by
  // the waiter's sigwait: it ends no thread.
  pthread_kill(waiter.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
  waiter.join();
  Log()->info("serve: stopped");
  return kExitOk;
}

}  // namespace intake::serve
