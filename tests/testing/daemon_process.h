// Test and benchmark helper (header-only): runs `busbar serve` as a child
// process on a free loopback port, with a rule file that sends every event of
// one source to the queue "q". Thread-compatible; call from one thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace busbar::testing {

// A loopback TCP port that was free a moment ago.
inline int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A rule file: queue "q" and rule "all" sending every event of `source` to it.
inline std::string OneQueueRuleFile(const std::string& source) {
  return "Queues:\n  - Name: q\nRules:\n  - Name: all\n    EventPattern: {\"source\": [\"" +
         source +
         "\"]}\n    Targets:\n      - Id: q\n        Arn: arn:aws:sqs:us-east-1:000000000000:q\n";
}

// Forks and execs `binary serve --listen … --data-dir … --config rules extra…`,
// its stderr appended to `log` (kept when empty). Returns the child's pid.
inline pid_t StartServe(const std::string& binary, const std::string& listen,
                        const std::string& data_dir, const std::string& rules,
                        const std::vector<std::string>& extra = {}, const std::string& log = "") {
  std::vector<std::string> args{binary,       "serve",  "--listen", listen,
                                "--data-dir", data_dir, "--config", rules};
  args.insert(args.end(), extra.begin(), extra.end());
  pid_t pid = fork();
  if (pid == 0) {
    if (!log.empty()) {
      if (FILE* f = std::fopen(log.c_str(), "a")) dup2(fileno(f), 2);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace busbar::testing
