// Internal to bus/config. Two passes over the files in order: first every
// declaration into one name table per kind (so a reference may point forward,
// or into a later file), then every reference looked up. Duplicates are found
// in the first pass, so they are reported before dangling references; then
// EventInvokeConfigs (declared function, one each) and API destination targets'
// path wildcards, which need the declarations themselves.
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

template <typename T>
absl::Status Declare(std::map<std::string, SourceLocation>& table, const std::vector<T>& items,
                     std::string_view noun) {
  for (const T& item : items) {
    auto [it, inserted] = table.emplace(item.name, item.location);
    if (!inserted) {
      return Duplicate(item.location, absl::StrCat(std::string(noun), " '", item.name, "'"),
                       it->second);
    }
  }
  return absl::OkStatus();
}

// The same for another module's model with its declaration's position.
template <typename T>
absl::Status Declare(std::map<std::string, SourceLocation>& table,
                     const std::vector<Declared<T>>& items, std::string_view noun) {
  for (const Declared<T>& item : items) {
    auto [it, inserted] = table.emplace(item.value.name, item.location);
    if (!inserted) {
      return Duplicate(item.location, absl::StrCat(std::string(noun), " '", item.value.name, "'"),
                       it->second);
    }
  }
  return absl::OkStatus();
}

absl::Status Error(const SourceLocation& where, const std::string& context, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(where.ToString(), ": ", context, ": ", std::string(what)));
}

// Every EventInvokeConfig names a declared function, at most one per function,
// and none whose function has asynchronous settings of its own.
absl::Status CheckInvokeConfigs(const std::vector<ParsedFile>& files,
                                const std::map<std::string, SourceLocation>& functions) {
  std::map<std::string, SourceLocation> own;  // functions with settings of their own
  for (const ParsedFile& file : files) {
    own.insert(file.functions_with_async_settings.begin(),
               file.functions_with_async_settings.end());
  }
  std::map<std::string, const PendingInvokeConfig*> seen;
  for (const ParsedFile& file : files) {
    for (const PendingInvokeConfig& c : file.invoke_configs) {
      const std::string fn = absl::StrCat("function '", c.function_name, "'");
      if (!functions.contains(c.function_name)) {
        return Error(c.where, c.context, absl::StrCat(fn, " is not declared"));
      }
      if (auto it = own.find(c.function_name); it != own.end()) {
        return Error(
            c.where, c.context,
            absl::StrCat(fn, " has asynchronous invocation settings where it is declared (",
                         it->second.ToString(), "); give them in one place"));
      }
      auto [it, inserted] = seen.emplace(c.function_name, &c);
      if (!inserted) {
        return Error(c.where, c.context,
                     absl::StrCat(fn, " already has an event invoke config (", it->second->context,
                                  " at ", it->second->where.ToString(), ")"));
      }
    }
  }
  return absl::OkStatus();
}

// Every API destination target has as many PathParameterValues as its
// destination's endpoint has wildcards. REQUIRES: references resolved.
absl::Status CheckHttpTargets(const std::vector<ParsedFile>& files) {
  std::map<std::string, const targets::ApiDestination*> destinations;
  for (const ParsedFile& file : files) {
    for (const auto& d : file.config.api_destinations) {
      destinations.emplace(d.value.name, &d.value);
    }
  }
  for (const ParsedFile& file : files) {
    for (const PendingHttpCheck& check : file.http_checks) {
      const Target& target = file.config.rules[check.rule].targets[check.target];
      absl::Status s = targets::ValidateHttpParameters(
          target.http_parameters.value_or(targets::HttpParameters{}),
          destinations.at(target.resource_name));
      if (!s.ok()) return Error(check.where, check.context, std::string(s.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Config> LinkConfig(std::vector<ParsedFile> files) {
  std::map<std::string, SourceLocation> buses;
  std::map<std::string, SourceLocation> queues;
  std::map<std::string, SourceLocation> functions;
  std::map<std::string, SourceLocation> connections;
  std::map<std::string, SourceLocation> destinations;
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
    absl::Status s = Declare(functions, file.config.functions, "function");
    if (s.ok()) s = Declare(connections, file.config.connections, "connection");
    if (s.ok()) s = Declare(destinations, file.config.api_destinations, "API destination");
    if (!s.ok()) return s;
  }
  for (const ParsedFile& file : files) {
    for (const Reference& ref : file.references) {
      const auto& table = ref.kind == Reference::Kind::kEventBus     ? buses
                          : ref.kind == Reference::Kind::kQueue      ? queues
                          : ref.kind == Reference::Kind::kFunction   ? functions
                          : ref.kind == Reference::Kind::kConnection ? connections
                                                                     : destinations;
      if (!table.contains(ref.name)) {
        return absl::InvalidArgumentError(absl::StrCat(ref.where.ToString(), ": ", ref.context,
                                                       ": ", ref.noun, " '", ref.name,
                                                       "' is not declared"));
      }
    }
  }
  if (absl::Status s = CheckInvokeConfigs(files, functions); !s.ok()) return s;
  if (absl::Status s = CheckHttpTargets(files); !s.ok()) return s;
  Config merged;
  for (ParsedFile& file : files) {
    for (EventBus& bus : file.config.buses) merged.buses.push_back(std::move(bus));
    for (Queue& queue : file.config.queues) merged.queues.push_back(std::move(queue));
    for (Rule& rule : file.config.rules) merged.rules.push_back(std::move(rule));
    for (auto& f : file.config.functions) merged.functions.push_back(std::move(f));
    for (auto& c : file.config.connections) merged.connections.push_back(std::move(c));
    for (auto& d : file.config.api_destinations) merged.api_destinations.push_back(std::move(d));
  }
  for (const ParsedFile& file : files) {
    for (const PendingInvokeConfig& c : file.invoke_configs) {
      for (Declared<targets::Function>& f : merged.functions) {
        if (f.value.name == c.function_name) f.value.invoke_config = c.config;
      }
    }
  }
  return merged;
}

}  // namespace busbar::config::internal
