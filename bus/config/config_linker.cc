// Internal to bus/config. Two passes over the files in order: first every
// declaration into one name table per kind (so a reference may point forward,
// or into a later file), then every reference looked up. Duplicates are found
// in the first pass, so they are reported before dangling references.
#include "bus/config/config_linker.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace busbar::config::internal {
namespace {

absl::Status Duplicate(const SourceLocation& second, std::string_view what,
                       const SourceLocation& first) {
  return absl::InvalidArgumentError(absl::StrCat(second.ToString(), ": duplicate ",
                                                 std::string(what), " (first declared at ",
                                                 first.ToString(), ")"));
}

}  // namespace

absl::StatusOr<Config> LinkConfig(std::vector<ParsedFile> files) {
  std::map<std::string, SourceLocation> buses;
  std::map<std::string, SourceLocation> queues;
  std::map<std::pair<std::string, std::string>, SourceLocation> rules;  // (bus, name)
  for (const ParsedFile& file : files) {
    for (const EventBus& bus : file.config.buses) {
      auto [it, inserted] = buses.emplace(bus.name, bus.location);
      if (!inserted) {
        return Duplicate(bus.location, absl::StrCat("event bus '", bus.name, "'"), it->second);
      }
    }
    for (const Queue& queue : file.config.queues) {
      auto [it, inserted] = queues.emplace(queue.name, queue.location);
      if (!inserted) {
        return Duplicate(queue.location, absl::StrCat("queue '", queue.name, "'"), it->second);
      }
    }
    for (const Rule& rule : file.config.rules) {
      auto [it, inserted] = rules.emplace(std::pair(rule.event_bus_name, rule.name), rule.location);
      if (!inserted) {
        return Duplicate(
            rule.location,
            absl::StrCat("rule '", rule.name, "' on event bus '", rule.event_bus_name, "'"),
            it->second);
      }
    }
  }
  for (const ParsedFile& file : files) {
    for (const Reference& ref : file.references) {
      const auto& table = ref.kind == Reference::Kind::kEventBus ? buses : queues;
      if (!table.contains(ref.name)) {
        return absl::InvalidArgumentError(absl::StrCat(ref.where.ToString(), ": ", ref.context,
                                                       ": ", ref.noun, " '", ref.name,
                                                       "' is not declared"));
      }
    }
  }
  Config merged;
  for (ParsedFile& file : files) {
    for (EventBus& bus : file.config.buses) merged.buses.push_back(std::move(bus));
    for (Queue& queue : file.config.queues) merged.queues.push_back(std::move(queue));
    for (Rule& rule : file.config.rules) merged.rules.push_back(std::move(rule));
  }
  return merged;
}

}  // namespace busbar::config::internal
