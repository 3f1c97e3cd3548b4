// The catalog of API resources; see catalog.h. One table per kind; a target's
// InputPathsMap has its own table so no value needs encoding. Rows of a rule's
// targets go with it (foreign keys, ON DELETE CASCADE), though the daemon only
// deletes rules without targets.
#include "bus/server/catalog.h"

#include <algorithm>
#include <ctime>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "bus/config/arn.h"
#include "matcher/base/env.h"
#include "targets/sqlite.h"

namespace busbar::bus {
namespace {

constexpr std::string_view kSchema[] = {
    "CREATE TABLE api_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "CREATE TABLE api_buses (name TEXT PRIMARY KEY, description TEXT NOT NULL, "
    "creation_ms INTEGER NOT NULL, last_modified_ms INTEGER NOT NULL)",
    "CREATE TABLE api_rules (bus TEXT NOT NULL, name TEXT NOT NULL, event_pattern TEXT NOT NULL, "
    "enabled INTEGER NOT NULL, description TEXT NOT NULL, PRIMARY KEY (bus, name))",
    "CREATE TABLE api_targets (bus TEXT NOT NULL, rule TEXT NOT NULL, id TEXT NOT NULL, "
    "arn TEXT NOT NULL, kind TEXT NOT NULL, resource_name TEXT NOT NULL, input TEXT, "
    "input_path TEXT, input_template TEXT, maximum_retry_attempts INTEGER NOT NULL, "
    "maximum_event_age_in_seconds INTEGER NOT NULL, dead_letter_arn TEXT, "
    "dead_letter_queue TEXT, PRIMARY KEY (bus, rule, id), "
    "FOREIGN KEY (bus, rule) REFERENCES api_rules (bus, name) ON DELETE CASCADE)",
    "CREATE TABLE api_target_paths (bus TEXT NOT NULL, rule TEXT NOT NULL, target TEXT NOT NULL, "
    "variable TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (bus, rule, target, variable), "
    "FOREIGN KEY (bus, rule, target) REFERENCES api_targets (bus, rule, id) ON DELETE CASCADE)",
    // Issue 5: API destination targets' HttpParameters, and functions created over the API
    // (both encoded by catalog_functions.cc).
    "ALTER TABLE api_targets ADD COLUMN http_parameters TEXT",
    "CREATE TABLE api_functions (name TEXT PRIMARY KEY, spec TEXT NOT NULL)",
};

std::string_view KindName(config::TargetKind kind) {
  switch (kind) {
    case config::TargetKind::kQueue:
      return "queue";
    case config::TargetKind::kFunction:
      return "function";
    case config::TargetKind::kEventBus:
      return "event-bus";
    case config::TargetKind::kApiDestination:
      return "api-destination";
  }
  return "queue";
}

config::TargetKind KindOf(std::string_view name) {
  if (name == "function") return config::TargetKind::kFunction;
  if (name == "event-bus") return config::TargetKind::kEventBus;
  if (name == "api-destination") return config::TargetKind::kApiDestination;
  return config::TargetKind::kQueue;
}

// Binds `value` or NULL.
void BindOptional(targets::Stmt& stmt, int index, const std::optional<std::string>& value) {
  if (value.has_value()) {
    stmt.Bind(index, *value);
  } else {
    stmt.BindNull(index);
  }
}

std::optional<std::string> OptionalText(const targets::Stmt& stmt, int column) {
  if (stmt.IsNull(column)) return std::nullopt;
  return std::string(stmt.Text(column));
}

absl::Status InsertTarget(targets::Db& db, const RuleKey& key, const config::Target& t) {
  auto del = db.Prepare("DELETE FROM api_targets WHERE bus = ? AND rule = ? AND id = ?");
  if (!del.ok()) return del.status();
  if (auto s = (*del)->Bind(1, key.first).Bind(2, key.second).Bind(3, t.id).Run(); !s.ok()) {
    return s;
  }
  auto insert = db.Prepare(
      "INSERT INTO api_targets (bus, rule, id, arn, kind, resource_name, input, input_path, "
      "input_template, maximum_retry_attempts, maximum_event_age_in_seconds, dead_letter_arn, "
      "dead_letter_queue) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  targets::Stmt& in = **insert;
  in.Bind(1, key.first).Bind(2, key.second).Bind(3, t.id).Bind(4, t.arn).Bind(5, KindName(t.kind));
  in.Bind(6, t.resource_name);
  BindOptional(in, 7, t.input);
  BindOptional(in, 8, t.input_path);
  if (t.input_transformer.has_value()) {
    in.Bind(9, t.input_transformer->input_template);
  } else {
    in.BindNull(9);
  }
  in.Bind(10, int64_t{t.retry_policy.maximum_retry_attempts});
  in.Bind(11, int64_t{t.retry_policy.maximum_event_age_in_seconds});
  if (t.dead_letter_config.has_value()) {
    in.Bind(12, t.dead_letter_config->arn).Bind(13, t.dead_letter_config->queue_name);
  } else {
    in.BindNull(12).BindNull(13);
  }
  if (auto s = in.Run(); !s.ok()) return s;
  if (t.http_parameters.has_value()) {
    auto http = db.Prepare(
        "UPDATE api_targets SET http_parameters = ? WHERE bus = ? AND rule = ? AND id = ?");
    if (!http.ok()) return http.status();
    (*http)->Bind(1, EncodeHttpParameters(*t.http_parameters)).Bind(2, key.first);
    if (auto s = (*http)->Bind(3, key.second).Bind(4, t.id).Run(); !s.ok()) return s;
  }
  if (!t.input_transformer.has_value()) return absl::OkStatus();
  auto path = db.Prepare(
      "INSERT INTO api_target_paths (bus, rule, target, variable, path) VALUES (?, ?, ?, ?, ?)");
  if (!path.ok()) return path.status();
  for (const auto& [variable, json_path] : t.input_transformer->input_paths_map) {
    (*path)->Reset();
    (*path)->Bind(1, key.first).Bind(2, key.second).Bind(3, t.id).Bind(4, variable);
    if (auto s = (*path)->Bind(5, json_path).Run(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

config::Rule* FindRule(CatalogState& state, const RuleKey& key) {
  auto it = state.rules.find(key);
  return it == state.rules.end() ? nullptr : &it->second;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Catalog>> Catalog::Open(targets::Store* store, std::string account,
                                                       std::string region) {
  std::unique_ptr<Catalog> catalog(new Catalog(store, std::move(account), std::move(region)));
  const int64_t now = base::Env::Default()->NowMillis();
  absl::Status s = store->Write([now](targets::Db& db) -> absl::Status {
    if (auto s = db.Migrate("api_catalog", {std::begin(kSchema), std::end(kSchema)}); !s.ok()) {
      return s;
    }
    auto first =
        db.Prepare("INSERT OR IGNORE INTO api_meta (key, value) VALUES ('first_use_ms', ?)");
    if (!first.ok()) return first.status();
    return (*first)->Bind(1, now).Run();
  });
  if (!s.ok()) return s;
  if (s = catalog->Load(); !s.ok()) return s;
  return catalog;
}

absl::Status Catalog::Load() {
  CatalogState state;
  absl::Status s = store_->Read([&](targets::Db& db) -> absl::Status {
    auto meta = db.Prepare("SELECT value FROM api_meta WHERE key = 'first_use_ms'");
    if (!meta.ok()) return meta.status();
    if (auto row = (*meta)->Step(); !row.ok()) {
      return row.status();
    } else if (*row) {
      state.first_use_ms = (*meta)->Int(0);
    }
    auto buses =
        db.Prepare("SELECT name, description, creation_ms, last_modified_ms FROM api_buses");
    if (!buses.ok()) return buses.status();
    while (true) {
      auto row = (*buses)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      targets::Stmt& b = **buses;
      ApiBus bus{std::string(b.Text(0)), std::string(b.Text(1)), b.Int(2), b.Int(3)};
      state.buses.emplace(bus.name, std::move(bus));
    }
    auto rules = db.Prepare("SELECT bus, name, event_pattern, enabled, description FROM api_rules");
    if (!rules.ok()) return rules.status();
    while (true) {
      auto row = (*rules)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      targets::Stmt& r = **rules;
      config::Rule rule;
      rule.event_bus_name = r.Text(0);
      rule.name = r.Text(1);
      rule.event_pattern = r.Text(2);
      rule.state = r.Int(3) != 0 ? config::RuleState::kEnabled : config::RuleState::kDisabled;
      rule.description = r.Text(4);
      rule.arn = config::internal::RuleArn(region_, account_, rule.event_bus_name, rule.name);
      RuleKey key{rule.event_bus_name, rule.name};
      state.rules.emplace(std::move(key), std::move(rule));
    }
    auto targets = db.Prepare(
        "SELECT bus, rule, id, arn, kind, resource_name, input, input_path, input_template, "
        "maximum_retry_attempts, maximum_event_age_in_seconds, dead_letter_arn, "
        "dead_letter_queue, http_parameters FROM api_targets ORDER BY bus, rule, id");
    if (!targets.ok()) return targets.status();
    while (true) {
      auto row = (*targets)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      targets::Stmt& t = **targets;
      config::Rule* rule = FindRule(state, {std::string(t.Text(0)), std::string(t.Text(1))});
      if (rule == nullptr) continue;  // foreign keys make this impossible
      config::Target target;
      target.id = t.Text(2);
      target.arn = t.Text(3);
      target.kind = KindOf(t.Text(4));
      target.resource_name = t.Text(5);
      target.input = OptionalText(t, 6);
      target.input_path = OptionalText(t, 7);
      if (!t.IsNull(8))
        target.input_transformer = config::InputTransformer{{}, std::string(t.Text(8))};
      target.retry_policy.maximum_retry_attempts = static_cast<int>(t.Int(9));
      target.retry_policy.maximum_event_age_in_seconds = static_cast<int>(t.Int(10));
      if (!t.IsNull(11)) {
        target.dead_letter_config =
            config::DeadLetterConfig{std::string(t.Text(11)), std::string(t.Text(12))};
      }
      if (!t.IsNull(13)) target.http_parameters = DecodeHttpParameters(t.Text(13));
      rule->targets.push_back(std::move(target));
    }
    auto paths = db.Prepare("SELECT bus, rule, target, variable, path FROM api_target_paths");
    if (!paths.ok()) return paths.status();
    while (true) {
      auto row = (*paths)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      targets::Stmt& p = **paths;
      config::Rule* rule = FindRule(state, {std::string(p.Text(0)), std::string(p.Text(1))});
      if (rule == nullptr) continue;
      for (config::Target& target : rule->targets) {
        if (target.id == p.Text(2) && target.input_transformer.has_value()) {
          target.input_transformer->input_paths_map.emplace(p.Text(3), p.Text(4));
        }
      }
    }
    return LoadFunctions(db, state);
  });
  if (!s.ok()) return s;
  state_ = std::move(state);
  return absl::OkStatus();
}

absl::Status Catalog::CreateBus(ApiBus bus) {
  absl::Status s = store_->Write([&bus](targets::Db& db) -> absl::Status {
    auto insert = db.Prepare(
        "INSERT INTO api_buses (name, description, creation_ms, last_modified_ms) "
        "VALUES (?, ?, ?, ?)");
    if (!insert.ok()) return insert.status();
    return (*insert)
        ->Bind(1, bus.name)
        .Bind(2, bus.description)
        .Bind(3, bus.creation_ms)
        .Bind(4, bus.last_modified_ms)
        .Run();
  });
  if (!s.ok()) return s;
  std::string name = bus.name;
  state_.buses.emplace(std::move(name), std::move(bus));
  return absl::OkStatus();
}

absl::Status Catalog::DeleteBus(std::string_view name) {
  absl::Status s = store_->Write([name](targets::Db& db) -> absl::Status {
    auto del = db.Prepare("DELETE FROM api_buses WHERE name = ?");
    if (!del.ok()) return del.status();
    return (*del)->Bind(1, name).Run();
  });
  if (!s.ok()) return s;
  if (auto it = state_.buses.find(name); it != state_.buses.end()) state_.buses.erase(it);
  return absl::OkStatus();
}

absl::Status Catalog::PutRule(config::Rule rule) {
  absl::Status s = store_->Write([&rule](targets::Db& db) -> absl::Status {
    auto upsert = db.Prepare(
        "INSERT INTO api_rules (bus, name, event_pattern, enabled, description) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (bus, name) DO UPDATE SET "
        "event_pattern = excluded.event_pattern, enabled = excluded.enabled, "
        "description = excluded.description");
    if (!upsert.ok()) return upsert.status();
    return (*upsert)
        ->Bind(1, rule.event_bus_name)
        .Bind(2, rule.name)
        .Bind(3, rule.event_pattern)
        .Bind(4, int64_t{rule.state == config::RuleState::kEnabled})
        .Bind(5, rule.description)
        .Run();
  });
  if (!s.ok()) return s;
  RuleKey key{rule.event_bus_name, rule.name};
  rule.arn = config::internal::RuleArn(region_, account_, rule.event_bus_name, rule.name);
  rule.location = {};
  if (config::Rule* existing = FindRule(state_, key)) {
    rule.targets = std::move(existing->targets);
    *existing = std::move(rule);
  } else {
    rule.targets.clear();
    state_.rules.emplace(std::move(key), std::move(rule));
  }
  return absl::OkStatus();
}

absl::Status Catalog::DeleteRule(const RuleKey& key) {
  absl::Status s = store_->Write([&key](targets::Db& db) -> absl::Status {
    auto del = db.Prepare("DELETE FROM api_rules WHERE bus = ? AND name = ?");
    if (!del.ok()) return del.status();
    return (*del)->Bind(1, key.first).Bind(2, key.second).Run();
  });
  if (!s.ok()) return s;
  state_.rules.erase(key);
  return absl::OkStatus();
}

absl::Status Catalog::SetRuleState(const RuleKey& key, config::RuleState state) {
  absl::Status s = store_->Write([&key, state](targets::Db& db) -> absl::Status {
    auto update = db.Prepare("UPDATE api_rules SET enabled = ? WHERE bus = ? AND name = ?");
    if (!update.ok()) return update.status();
    return (*update)
        ->Bind(1, int64_t{state == config::RuleState::kEnabled})
        .Bind(2, key.first)
        .Bind(3, key.second)
        .Run();
  });
  if (!s.ok()) return s;
  if (config::Rule* rule = FindRule(state_, key)) rule->state = state;
  return absl::OkStatus();
}

absl::Status Catalog::PutTargets(const RuleKey& key, std::vector<config::Target> targets) {
  absl::Status s = store_->Write([&key, &targets](targets::Db& db) -> absl::Status {
    for (const config::Target& t : targets) {
      if (auto s = InsertTarget(db, key, t); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  config::Rule* rule = FindRule(state_, key);
  if (rule == nullptr) return absl::OkStatus();
  for (config::Target& t : targets) {
    t.location = {};
    auto same = [&t](const config::Target& x) { return x.id == t.id; };
    if (auto it = std::find_if(rule->targets.begin(), rule->targets.end(), same);
        it != rule->targets.end()) {
      *it = std::move(t);
    } else {
      rule->targets.push_back(std::move(t));
    }
  }
  std::sort(rule->targets.begin(), rule->targets.end(),
            [](const config::Target& a, const config::Target& b) { return a.id < b.id; });
  return absl::OkStatus();
}

absl::Status Catalog::RemoveTargets(const RuleKey& key, const std::vector<std::string>& ids) {
  absl::Status s = store_->Write([&key, &ids](targets::Db& db) -> absl::Status {
    auto del = db.Prepare("DELETE FROM api_targets WHERE bus = ? AND rule = ? AND id = ?");
    if (!del.ok()) return del.status();
    for (const std::string& id : ids) {
      (*del)->Reset();
      if (auto s = (*del)->Bind(1, key.first).Bind(2, key.second).Bind(3, id).Run(); !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (config::Rule* rule = FindRule(state_, key)) {
    std::erase_if(rule->targets, [&ids](const config::Target& t) {
      return std::find(ids.begin(), ids.end(), t.id) != ids.end();
    });
  }
  return absl::OkStatus();
}

}  // namespace busbar::bus
