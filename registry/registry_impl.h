// Internal to busbar::registry: Registry's state, shared by registry.cc (opening, registries),
// schemas.cc (schemas and versions), queries.cc (lists, search, export, diff) and discovery.cc
// (the worker).
//
// Locks: db_mu guards the connection (API calls and the worker's write batches take turns);
// queue_mu guards the discovery queue; discoverer_mu the set of stopped buses. Order: db_mu
// before discoverer_mu (SetDiscovery); queue_mu is never held with another. The worker's
// caches are touched by the worker thread only.
#pragma once

#include <atomic>
#include <deque>
#include <list>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "registry/registry.h"
#include "targets/sqlite.h"

namespace busbar::registry {

using targets::Db;
using targets::Stmt;

// A schema version's row.
struct VersionRow {
  int64_t version = 0;
  DocumentType type = DocumentType::kOpenApi3;
  std::string content;
  int64_t created_ms = 0;
};

class Registry::Impl {
 public:
  explicit Impl(RegistryOptions o) : options(std::move(o)) {}

  // --- shared by the API files (REQUIRES db_mu) ---
  absl::Status RequireRegistry(std::string_view registry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu);
  // The schema's row as a SchemaInfo without version fields; NotFound naming registry/schema.
  absl::StatusOr<SchemaInfo> LoadSchema(std::string_view registry, std::string_view name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu);
  // `version` 0 = the latest. NotFound when it does not exist.
  absl::StatusOr<VersionRow> LoadVersion(std::string_view registry, std::string_view name,
                                         int64_t version) ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu);
  // Adds version `info.version` (content, type) to the schema (creating the schema row when
  // `create`), updating its latest version and modification time.
  absl::Status WriteVersion(const SchemaInfo& info, const Node& shape, bool create)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu);
  absl::StatusOr<int64_t> CountSchemas() ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu);
  absl::Status Begin() ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu);
  absl::Status Commit() ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu);
  void Rollback() ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu);
  SchemaInfo WithArn(SchemaInfo info) const;

  // --- discovery (discovery.cc) ---
  void StartWorker();
  void StopWorker();
  void WorkerLoop();
  // Processes one batch of events on the worker thread.
  void ProcessBatch(std::deque<Observed>& batch);
  // Drops the worker's caches at its next batch (a discovered schema was deleted).
  void InvalidateCaches() { cache_generation.fetch_add(1); }

  const RegistryOptions options;

  mutable absl::Mutex db_mu;
  std::unique_ptr<Db> db ABSL_GUARDED_BY(db_mu);

  mutable absl::Mutex discoverer_mu;
  absl::flat_hash_set<std::string> stopped_buses ABSL_GUARDED_BY(discoverer_mu);

  absl::Mutex queue_mu;
  std::deque<Observed> queue ABSL_GUARDED_BY(queue_mu);
  size_t queue_bytes ABSL_GUARDED_BY(queue_mu) = 0;
  uint64_t queued_total ABSL_GUARDED_BY(queue_mu) = 0;     // events ever queued
  uint64_t processed_total ABSL_GUARDED_BY(queue_mu) = 0;  // of those, processed and stored
  bool stopping ABSL_GUARDED_BY(queue_mu) = false;
  std::thread worker;

  std::atomic<uint64_t> cache_generation{0};
  std::atomic<uint64_t> events_received{0}, events_dropped{0}, events_failed{0}, shape_hits{0},
      shapes_inferred{0}, versions_written{0}, worker_cpu_ns{0}, shape_cache_size{0},
      model_cache_size{0};

  // --- worker-only state ---
  struct Model {
    Node shape;
    EventIdentity identity;
    bool dirty = false;
    std::list<std::string>::iterator lru;  // position in model_lru
  };
  uint64_t seen_generation = 0;
  // Two generations of known shape keys: lookups check both; when `shapes_new` fills to half
  // the bound, `shapes_old` is dropped and `shapes_new` becomes it.
  absl::flat_hash_set<uint64_t> shapes_new, shapes_old;
  absl::flat_hash_map<std::string, Model> models;
  std::list<std::string> model_lru;  // most recent first
};

}  // namespace busbar::registry
