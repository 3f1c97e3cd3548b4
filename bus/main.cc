// The `busbar` executable: finds the command named by the first argument and
// runs it. The commands live in bus/match/ (match, test-pattern), bus/server/serve.cc
// (serve) and bus/cli/ (the client commands); see bus/cli/commands.h.
#include <cstdio>
#include <string_view>

#include "bus/cli/commands.h"

#ifndef BUSBAR_VERSION
#define BUSBAR_VERSION "unknown"
#endif

namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(const busbar::cli::Args& args);
  void (*print_help)(std::FILE* out);
};

constexpr Command kCommands[] = {
    {"match", "match JSON events, one per line, against a file of event patterns",
     busbar::cli::RunMatch, busbar::cli::PrintMatchHelp},
    {"test-pattern", "test one event pattern against one event (like TestEventPattern)",
     busbar::cli::RunTestPattern, busbar::cli::PrintTestPatternHelp},
#ifdef BUSBAR_WITH_DAEMON
    {"serve", "run the event bus daemon (gRPC) in the foreground", busbar::cli::RunServe,
     busbar::cli::PrintServeHelp},
    {"put-events", "send events to a running daemon", busbar::cli::RunPutEvents,
     busbar::cli::PrintPutEventsHelp},
    {"queues", "create, list and configure queues; send, receive and delete messages",
     busbar::cli::RunQueues, busbar::cli::PrintQueuesHelp},
    {"rules", "put, delete, enable, disable, list or describe rules, and their targets",
     busbar::cli::RunRules, busbar::cli::PrintRulesHelp},
    {"buses", "create, delete, describe or list event buses", busbar::cli::RunBuses,
     busbar::cli::PrintBusesHelp},
    {"schemas", "discovered and custom event schemas: list, describe, search, export, diff",
     busbar::cli::RunSchemas, busbar::cli::PrintSchemasHelp},
    {"functions", "Lambda-style functions: list, invoke, logs, create, update, delete",
     busbar::cli::RunFunctions, busbar::cli::PrintFunctionsHelp},
#endif  // BUSBAR_WITH_DAEMON
};

const Command* FindCommand(std::string_view name) {
  for (const Command& command : kCommands) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

void PrintUsage(std::FILE* out) {
  std::fputs(
      "busbar: an event bus with Amazon EventBridge's event patterns.\n"
      "\n"
      "Usage: busbar COMMAND [ARGS...]\n"
      "\n"
      "Commands:\n",
      out);
  for (const Command& command : kCommands) {
    std::fprintf(out, "  %-14.*s %.*s\n", static_cast<int>(command.name.size()),
                 command.name.data(), static_cast<int>(command.summary.size()),
                 command.summary.data());
  }
  std::fputs(
      "  help [COMMAND] show this help, or a command's options\n"
      "  version        print the version\n"
      "\n"
      "Exit status: 0 on success, 1 for a negative answer (no match, malformed\n"
      "events), 2 for bad usage, unreadable files or invalid patterns.\n",
      out);
}

int Help(const busbar::cli::Args& args) {
  if (args.empty()) {
    PrintUsage(stdout);
    return 0;
  }
  if (args.size() > 1) {
    std::fputs("busbar help: takes at most one COMMAND\n", stderr);
    return busbar::cli::kExitUsage;
  }
  const Command* command = FindCommand(args[0]);
  if (command == nullptr) {
    std::fprintf(stderr, "busbar help: no such command '%.*s'\n\n",
                 static_cast<int>(args[0].size()), args[0].data());
    PrintUsage(stderr);
    return busbar::cli::kExitUsage;
  }
  command->print_help(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return busbar::cli::kExitUsage;
  }
  const std::string_view name = argv[1];
  const busbar::cli::Args args(argv + 2, argv + argc);
  if (name == "help" || name == "--help" || name == "-h") return Help(args);
  if (name == "version" || name == "--version") {
    std::printf("busbar %s\n", BUSBAR_VERSION);
    return 0;
  }
  if (const Command* command = FindCommand(name)) return command->run(args);
  std::fprintf(stderr, "busbar: unknown command '%s'\n\n", argv[1]);
  PrintUsage(stderr);
  return busbar::cli::kExitUsage;
}
