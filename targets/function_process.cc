// Internal to targets/: spawning a handler process and watching it.
//
// The host is multi-threaded, so the process is started with posix_spawn (no fork of a
// threaded program): its own process group (so a SIGKILL to the group also ends whatever it
// started), cwd set by posix_spawn_file_actions_addchdir_np, stdin /dev/null, stdout and stderr
// onto one pipe, every other descriptor closed (addclosefrom_np), signal mask and dispositions
// reset. A pidfd tells the watcher thread when the leader exits, so one poll() covers output,
// exit and the stop request.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "targets/function_internal.h"

extern char** environ;

namespace busbar::targets::function_internal {
namespace {

void CloseIfOpen(int fd) {
  if (fd >= 0) close(fd);
}

// posix_spawn's file actions and attributes, destroyed on every path.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

absl::Status SpawnError(int error, const std::string& executable) {
  std::string message = absl::StrCat("cannot start ", executable, ": ", strerror(error));
  if (error == ENOENT || error == ENOTDIR) return absl::NotFoundError(message);
  if (error == EACCES || error == ENOEXEC || error == EPERM) {
    return absl::FailedPreconditionError(message);
  }
  return absl::InternalError(message);
}

}  // namespace

absl::StatusOr<std::unique_ptr<HandlerProcess>> HandlerProcess::Spawn(const SpawnRequest& request,
                                                                      LineFn on_line,
                                                                      ExitFn on_exit) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&setup.actions, pipe_fds[1], 2);
  posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);
  posix_spawn_file_actions_addchdir_np(&setup.actions, request.cwd.c_str());
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&setup.attr, &signals);
  sigfillset(&signals);
  posix_spawnattr_setsigdefault(&setup.attr, &signals);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                            POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_USEVFORK);

  std::vector<char*> argv;
  for (const std::string& arg : request.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& var : request.env) envp.push_back(const_cast<char*>(var.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  int error = request.search_path ? posix_spawnp(&pid, request.executable.c_str(), &setup.actions,
                                                 &setup.attr, argv.data(), envp.data())
                                  : posix_spawn(&pid, request.executable.c_str(), &setup.actions,
                                                &setup.attr, argv.data(), envp.data());
  close(pipe_fds[1]);
  if (error != 0) {
    close(pipe_fds[0]);
    return SpawnError(error, request.executable);
  }
  // syscall(): glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (pidfd < 0 || wake_fd < 0) {
    int saved = errno;
    kill(-pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    CloseIfOpen(pidfd);
    CloseIfOpen(wake_fd);
    close(pipe_fds[0]);
    return absl::InternalError(absl::StrCat("pidfd_open/eventfd: ", strerror(saved)));
  }
  fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
  return std::unique_ptr<HandlerProcess>(
      new HandlerProcess(pid, pidfd, pipe_fds[0], wake_fd, std::move(on_line), std::move(on_exit)));
}

HandlerProcess::HandlerProcess(pid_t pid, int pidfd, int output_fd, int wake_fd, LineFn on_line,
                               ExitFn on_exit)
    : pid_(pid),
      pidfd_(pidfd),
      output_fd_(output_fd),
      wake_fd_(wake_fd),
      on_line_(std::move(on_line)),
      on_exit_(std::move(on_exit)) {}

HandlerProcess::~HandlerProcess() {
  Kill();
  stopping_ = true;
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
  if (watcher_.joinable()) watcher_.join();
  if (!reaped_.exchange(true)) waitpid(pid_, nullptr, 0);
  close(pidfd_);
  close(output_fd_);
  close(wake_fd_);
}

void HandlerProcess::StartWatching() {
  watcher_ = std::thread([this] { Watch(); });
}

void HandlerProcess::Kill() {
  // The group outlives its leader only while members remain; once the leader is reaped the pid
  // could be reused, so only signal the group before that (members die with the SIGKILL below,
  // which is sent as soon as the leader's exit is seen).
  if (!reaped_.load()) kill(-pid_, SIGKILL);
}

void HandlerProcess::Watch() {
  bool exited = false;
  while (!stopping_.load()) {
    bool eof;
    {
      absl::MutexLock lock(&output_mu_);
      eof = output_eof_;
    }
    if (exited && eof) break;
    pollfd fds[3] = {{wake_fd_, POLLIN, 0},
                     {exited ? -1 : pidfd_, POLLIN, 0},
                     {eof ? -1 : output_fd_, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents != 0) break;
    if (fds[2].revents != 0) DrainOutput(false);
    if (fds[1].revents != 0 && !exited) {
      exited = true;
      // Whatever the leader started dies with it (as when Lambda's sandbox ends).
      kill(-pid_, SIGKILL);
      int status = 0;
      pid_t got = waitpid(pid_, &status, 0);
      if (got == pid_ && !reaped_.exchange(true)) {
        DrainOutput(false);
        if (!stopping_.load()) on_exit_(status);
      }
    }
  }
}

void HandlerProcess::DrainOutput(bool flush_partial) {
  absl::MutexLock lock(&output_mu_);
  char buffer[16384];
  while (!output_eof_) {
    ssize_t n = read(output_fd_, buffer, sizeof(buffer));
    if (n > 0) {
      partial_.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) output_eof_ = true;
    break;  // EAGAIN: nothing more for now
  }
  size_t start = 0;
  for (size_t newline; (newline = partial_.find('\n', start)) != std::string::npos;
       start = newline + 1) {
    std::string_view line(partial_.data() + start, newline - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    on_line_(line);
  }
  partial_.erase(0, start);
  if ((flush_partial || output_eof_) && !partial_.empty()) {
    on_line_(partial_);
    partial_.clear();
  }
}

int64_t HandlerProcess::PeakRssBytes() const {
  if (reaped_.load()) return 0;
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/status", static_cast<int>(pid_));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buffer[4096];
  ssize_t n = read(fd, buffer, sizeof(buffer) - 1);
  close(fd);
  if (n <= 0) return 0;
  buffer[n] = '\0';
  const char* hwm = strstr(buffer, "\nVmHWM:");
  return hwm == nullptr ? 0 : strtoll(hwm + 7, nullptr, 10) * 1024;
}

absl::flat_hash_map<pid_t, int64_t> SampleGroupRss(const std::vector<pid_t>& pgids) {
  absl::flat_hash_map<pid_t, int64_t> rss;
  if (pgids.empty()) return rss;
  absl::flat_hash_set<pid_t> wanted(pgids.begin(), pgids.end());
  static const int64_t page_size = sysconf(_SC_PAGESIZE);
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return rss;
  char path[300];
  char buffer[1024];
  while (dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    snprintf(path, sizeof(path), "/proc/%s/stat", entry->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, buffer, sizeof(buffer) - 1);
    close(fd);
    if (n <= 0) continue;
    buffer[n] = '\0';
    // pid (comm) state ppid pgrp … : comm may hold spaces and parentheses, so parse after the
    // last ')'. rss (pages) is field 24 overall, the 22nd after the comm.
    const char* after = strrchr(buffer, ')');
    if (after == nullptr) continue;
    // Fields after the comm: state(0) ppid(1) pgrp(2) … rss(21).
    long long field_values[22] = {0};
    int field = -1;
    for (char* cursor = const_cast<char*>(after) + 1; *cursor != '\0' && field < 21;) {
      while (*cursor == ' ') ++cursor;
      if (*cursor == '\0') break;
      char* end = cursor;
      while (*end != ' ' && *end != '\0') ++end;
      ++field;
      field_values[field] = field == 0 ? 0 : strtoll(cursor, nullptr, 10);
      cursor = end;
    }
    if (field < 21) continue;
    pid_t pgrp = static_cast<pid_t>(field_values[2]);
    if (!wanted.contains(pgrp)) continue;
    int64_t pages = field_values[21];
    rss[pgrp] += pages * page_size;
  }
  closedir(proc);
  return rss;
}

std::string DescribeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return absl::StrCat("exit status ", WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    const char* name = strsignal(WTERMSIG(wait_status));
    std::string text = name != nullptr ? name : absl::StrCat(WTERMSIG(wait_status));
    if (!text.empty()) text[0] = absl::ascii_tolower(text[0]);
    return absl::StrCat("signal: ", text);
  }
  return absl::StrCat("wait status ", wait_status);
}

}  // namespace busbar::targets::function_internal
