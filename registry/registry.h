// busbar::registry — the schema registry: registries, schemas and their versions in one
// SQLite file, search and export, and discovery of the schemas of the events that flow
// through the buses.
//
// Discovery. Discover() hands accepted events to a worker thread through a bounded queue and
// returns at once; ingest never waits for the registry. The worker reads each event's
// source and detail-type and the hash of its shape (schema.h ShapeHash); a (source,
// detail-type, shape) it has seen costs only that lookup. A new shape is inferred and merged
// into the schema "<source>@<detail-type without whitespace>" of the registry
// "discovered-schemas"; when the merged schema changes, a new version is stored (OpenApi3, in
// EventBridge's discovered layout). Memory is bounded: the queue by events and bytes (past
// them events are dropped and counted: discovery is best-effort, never back-pressure), the
// shape cache and the merged schemas kept in memory by entries (evicted ones are re-read from
// the file). Discovery can be stopped per bus; the state persists.
//
// Errors carry EventBridge Schemas' error names at the start of their message, as the proto
// documents them: InvalidArgument "BadRequestException: ...", NotFound "NotFoundException:
// ...", AlreadyExists "ConflictException: ...", FailedPrecondition "ForbiddenException: ..."
// or "ConflictException: ...", ResourceExhausted "LimitExceededException: ...",
// Unavailable/Internal from SQLite.
//
// Threads: every method is thread-safe. API calls and the worker's writes are serialised on
// one connection; Discover takes a short lock on the queue only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "registry/schema.h"

namespace busbar::registry {

inline constexpr std::string_view kDiscoveredRegistry = "discovered-schemas";

struct RegistryOptions {
  std::string path;  // the SQLite file (created if missing)
  std::string account = "000000000000";
  std::string region = "us-east-1";
  // Discovery queue bounds; an event past either is dropped (stats().events_dropped).
  size_t max_pending_events = 20'000;
  size_t max_pending_bytes = 64 << 20;
  // Known (source, detail-type, shape) hashes kept; past it the older half is forgotten.
  size_t shape_cache_entries = 200'000;
  // Merged discovered schemas kept in memory; past it the least recent are re-read later.
  size_t model_cache_entries = 2'000;
  // API limits.
  size_t max_registries = 100;
  size_t max_schemas = 100'000;  // in all registries, discovered ones included
};

struct RegistryInfo {
  std::string name;
  std::string arn;
  std::string description;
};

// One version of a schema, as Describe/List/Export show it.
struct SchemaInfo {
  std::string registry;
  std::string name;
  std::string arn;
  int64_t version = 0;
  DocumentType type = DocumentType::kOpenApi3;
  std::string description;
  std::string content;  // empty in list results
  int64_t last_modified_ms = 0;
  int64_t version_created_ms = 0;
  int64_t version_count = 0;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_token;  // empty on the last page
};

struct SearchHit {
  SchemaInfo schema;  // the latest version, content empty
  bool name_matched = false;
  std::vector<std::string> matched_fields;
};

struct VersionDiff {
  int64_t from_version = 0;
  int64_t to_version = 0;
  std::vector<FieldChange> changes;
};

struct Discoverer {
  std::string bus;
  bool started = true;
};

struct RegistryStats {
  uint64_t events_received = 0;  // handed to Discover
  uint64_t events_dropped = 0;   // queue full, or past max_schemas (stopped buses: not counted)
  uint64_t events_failed = 0;    // not JSON, no source/detail-type: skipped
  uint64_t shape_hits = 0;       // known shapes
  uint64_t shapes_inferred = 0;  // new shapes merged
  uint64_t versions_written = 0;
  uint64_t worker_cpu_ns = 0;  // CPU time the discovery worker spent on its batches
  size_t shape_cache_size = 0;
  size_t model_cache_size = 0;
};

// "Order Placed" -> "OrderPlaced": the discovered schema name's detail-type part.
std::string DiscoveredSchemaName(std::string_view source, std::string_view detail_type);

// "OpenApi3" / "JSONSchemaDraft4" and back. Errors: BadRequestException naming the type.
std::string_view DocumentTypeName(DocumentType type);
absl::StatusOr<DocumentType> ParseDocumentType(std::string_view name);

// GetDiscoveredSchema: the schema 1 to 10 events give, rendered as `type`. Errors:
// BadRequestException for 0 or over 10 events, an event over 256 KiB, "events[i]: <why>".
absl::StatusOr<std::string> InferSchema(const std::vector<std::string>& events, DocumentType type);

class Registry {
 public:
  // Opens (creating, migrating) the file and starts the discovery worker. The registry
  // "discovered-schemas" always exists. Errors: the file's (Internal/Unavailable),
  // FailedPrecondition for a file written by a newer binary.
  static absl::StatusOr<std::unique_ptr<Registry>> Open(const RegistryOptions& options);
  // Processes what is queued, then stops the worker and closes the file.
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // --- Discovery ---------------------------------------------------------------------------
  struct Observed {
    std::string bus;
    std::string event;  // the whole event envelope, JSON
  };
  // Queues the events of buses whose discovery is started. Never blocks on the worker.
  void Discover(std::vector<Observed> events);
  // Waits until every event queued before the call is processed and its versions stored.
  void Flush();
  absl::Status SetDiscovery(std::string_view bus, bool started);
  // Forgets a bus's setting (its bus was deleted): a new bus of that name starts discovering.
  absl::Status ForgetDiscoverer(std::string_view bus);
  bool DiscoveryStarted(std::string_view bus) const;

  // --- Registries --------------------------------------------------------------------------
  absl::StatusOr<Page<RegistryInfo>> ListRegistries(std::string_view prefix,
                                                    std::string_view next_token, int limit);
  absl::StatusOr<RegistryInfo> CreateRegistry(std::string_view name, std::string_view description);
  absl::StatusOr<RegistryInfo> DescribeRegistry(std::string_view name);
  absl::StatusOr<RegistryInfo> UpdateRegistry(std::string_view name, std::string_view description);
  absl::Status DeleteRegistry(std::string_view name);

  // --- Schemas (versions are the proto's decimal strings; empty = the latest) --------------
  absl::StatusOr<SchemaInfo> CreateSchema(std::string_view registry, std::string_view name,
                                          std::string_view type, std::string_view content,
                                          std::string_view description);
  // Empty type/content keep the latest's; a missing description keeps it.
  absl::StatusOr<SchemaInfo> UpdateSchema(std::string_view registry, std::string_view name,
                                          std::string_view type, std::string_view content,
                                          std::optional<std::string_view> description);
  absl::StatusOr<SchemaInfo> DescribeSchema(std::string_view registry, std::string_view name,
                                            std::string_view version);
  absl::Status DeleteSchema(std::string_view registry, std::string_view name);
  absl::Status DeleteSchemaVersion(std::string_view registry, std::string_view name,
                                   std::string_view version);
  absl::StatusOr<Page<SchemaInfo>> ListSchemas(std::string_view registry, std::string_view prefix,
                                               std::string_view next_token, int limit);
  absl::StatusOr<Page<SchemaInfo>> ListSchemaVersions(std::string_view registry,
                                                      std::string_view name,
                                                      std::string_view next_token, int limit);
  absl::StatusOr<Page<SearchHit>> SearchSchemas(std::string_view registry,
                                                std::string_view keywords,
                                                std::string_view next_token, int limit);
  absl::StatusOr<SchemaInfo> ExportSchema(std::string_view registry, std::string_view name,
                                          std::string_view version, std::string_view type);
  absl::StatusOr<VersionDiff> DiffVersions(std::string_view registry, std::string_view name,
                                           std::string_view from_version,
                                           std::string_view to_version);

  RegistryStats stats() const;

 private:
  class Impl;
  explicit Registry(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace busbar::registry
