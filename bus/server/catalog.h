// Internal to the bus module. The catalog: the event buses, rules and targets
// created over the API (BusesService, RulesService), kept in SQLite tables of
// the daemon's Store (migration "api_catalog") and mirrored in memory. What the
// rule files declare is not here; the daemon merges both into its routing and
// decides who owns what (daemon.h).
//
// The catalog stores what it is given: names, limits, ownership and target
// values are checked by the daemon before it calls a mutator. Each mutator is
// one Store write job, on disk when it returns OK, and only then changes the
// in-memory copy, so a failed write changes nothing.
//
// Threads: thread-compatible. The daemon calls the mutators and reads state()
// under its reload mutex only. Keeps a pointer to the Store given to Open,
// which must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bus/config/config.h"
#include "targets/functions.h"
#include "targets/store.h"

namespace busbar::bus {

// An event bus created by CreateEventBus.
struct ApiBus {
  std::string name;
  std::string description;
  int64_t creation_ms = 0;  // ms since the epoch
  int64_t last_modified_ms = 0;
};

// (bus, rule name).
using RuleKey = std::pair<std::string, std::string>;

struct CatalogState {
  // When the data directory first had a catalog: the creation time of "default".
  int64_t first_use_ms = 0;
  std::map<std::string, ApiBus, std::less<>> buses;
  // Rules created by PutRule, on any bus (default, rule-file or API buses).
  // arn computed, location empty, targets in id order with kind and
  // resource_name filled.
  std::map<RuleKey, config::Rule> rules;
  // Functions created by CreateFunction, as validated (arn computed; destinations' kinds are
  // not stored, so ValidateEventInvokeConfig fills them again).
  std::map<std::string, targets::Function, std::less<>> functions;
};

// How the catalog keeps HttpParameters and functions in a text column
// (catalog_functions.cc: the proto messages, serialized and base64-encoded; functions
// through function_proto.h).
std::string EncodeHttpParameters(const config::HttpParameters& p);
config::HttpParameters DecodeHttpParameters(std::string_view text);

class Catalog {
 public:
  // Creates the tables if needed and loads them. `account` and `region` make
  // the rules' ARNs. Errors: the Store's (Unavailable, Internal).
  static absl::StatusOr<std::unique_ptr<Catalog>> Open(targets::Store* store, std::string account,
                                                       std::string region);

  const CatalogState& state() const { return state_; }

  // Each returns the Store's error (Unavailable, Internal) if the write fails.
  // REQUIRES: the preconditions stated, checked by the caller.

  // REQUIRES: no API bus named bus.name.
  absl::Status CreateBus(ApiBus bus);
  // REQUIRES: the API bus exists and no API rule is on it.
  absl::Status DeleteBus(std::string_view name);
  // Creates the rule, or replaces the fields of an existing one and keeps its
  // targets (rule.targets is ignored).
  absl::Status PutRule(config::Rule rule);
  // REQUIRES: the rule exists and has no targets.
  absl::Status DeleteRule(const RuleKey& key);
  // REQUIRES: the rule exists.
  absl::Status SetRuleState(const RuleKey& key, config::RuleState state);
  // Adds the targets, replacing those with the same ids. REQUIRES: the rule
  // exists; the targets passed config::ValidateTarget; ids distinct.
  absl::Status PutTargets(const RuleKey& key, std::vector<config::Target> targets);
  // REQUIRES: the rule exists and has every id.
  absl::Status RemoveTargets(const RuleKey& key, const std::vector<std::string>& ids);
  // Creates or replaces the function (catalog_functions.cc). REQUIRES: checked
  // by targets::ValidateFunction.
  absl::Status PutFunction(targets::Function function);
  // REQUIRES: the API function exists.
  absl::Status DeleteFunction(std::string_view name);

 private:
  Catalog(targets::Store* store, std::string account, std::string region)
      : store_(store), account_(std::move(account)), region_(std::move(region)) {}
  absl::Status Load();
  absl::Status LoadFunctions(targets::Db& db, CatalogState& state);

  targets::Store* const store_;
  const std::string account_;
  const std::string region_;
  CatalogState state_;
};

}  // namespace busbar::bus
