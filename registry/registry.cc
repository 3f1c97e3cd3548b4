// Registry: opening the file (migrations), the discoverers' settings, registries, and the
// helpers the schema calls share. See registry.h; the schema calls are in schemas.cc and
// queries.cc, discovery in discovery.cc.
#include "registry/registry.h"

#include <utility>

#include "registry/names.h"
#include "registry/registry_impl.h"

namespace busbar::registry {
namespace {

// Version 1: registries, schemas, their versions (with the field paths search reads) and the
// buses whose discovery is stopped.
constexpr std::string_view kMigrationV1 = R"sql(
CREATE TABLE registries(
  name TEXT PRIMARY KEY,
  description TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  modified_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE schemas(
  registry TEXT NOT NULL REFERENCES registries(name),
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  modified_ms INTEGER NOT NULL,
  latest_version INTEGER NOT NULL,  -- the newest version that exists
  next_version INTEGER NOT NULL,    -- never reused, even after DeleteSchemaVersion
  PRIMARY KEY(registry, name)
) WITHOUT ROWID;
CREATE TABLE schema_versions(
  registry TEXT NOT NULL,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  content TEXT NOT NULL,
  field_paths TEXT NOT NULL,  -- FieldPaths of the content, one per line
  created_ms INTEGER NOT NULL,
  PRIMARY KEY(registry, name, version),
  FOREIGN KEY(registry, name) REFERENCES schemas(registry, name) ON DELETE CASCADE
);
CREATE TABLE stopped_discoverers(bus TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT INTO registries VALUES('discovered-schemas',
  'Schemas discovered from the events put on the buses', 0, 0);
)sql";

}  // namespace

Registry::Registry(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Registry::~Registry() { impl_->StopWorker(); }

absl::StatusOr<std::unique_ptr<Registry>> Registry::Open(const RegistryOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  targets::DbOptions db_options;
  db_options.synchronous = targets::DbOptions::Sync::kFull;
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(options.path, db_options);
  if (!db.ok()) return db.status();
  {
    absl::MutexLock lock(&impl->db_mu);
    impl->db = std::move(*db);
    if (absl::Status s = impl->Begin(); !s.ok()) return s;
    if (absl::Status s = impl->db->Migrate("registry", {kMigrationV1}); !s.ok()) {
      impl->Rollback();
      return s;
    }
    if (absl::Status s = impl->Commit(); !s.ok()) return s;
    absl::StatusOr<Stmt*> stopped = impl->db->Prepare("SELECT bus FROM stopped_discoverers");
    if (!stopped.ok()) return stopped.status();
    absl::MutexLock d(&impl->discoverer_mu);
    while (true) {
      absl::StatusOr<bool> row = (*stopped)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      impl->stopped_buses.insert(std::string((*stopped)->Text(0)));
    }
  }
  impl->StartWorker();
  return std::unique_ptr<Registry>(new Registry(std::move(impl)));
}

// --- Helpers shared by the API files ---------------------------------------------------------

absl::Status Registry::Impl::Begin() { return db->Exec("BEGIN IMMEDIATE"); }

absl::Status Registry::Impl::Commit() {
  absl::Status s = db->Exec("COMMIT");
  if (!s.ok()) Rollback();
  return s;
}

void Registry::Impl::Rollback() {
  db->ResetBusyStatements();
  (void)db->Exec("ROLLBACK");
}

absl::Status Registry::Impl::RequireRegistry(std::string_view registry) {
  if (absl::Status s = CheckRegistryName(registry); !s.ok()) return s;
  absl::StatusOr<Stmt*> get = db->Prepare("SELECT 1 FROM registries WHERE name=?");
  if (!get.ok()) return get.status();
  absl::StatusOr<bool> row = (*get)->Bind(1, registry).Step();
  if (!row.ok()) return row.status();
  (*get)->Reset();
  if (!*row) return NotFound("Registry ", registry, " does not exist.");
  return absl::OkStatus();
}

SchemaInfo Registry::Impl::WithArn(SchemaInfo info) const {
  info.arn = SchemaArn(options.region, options.account, info.registry, info.name);
  return info;
}

absl::StatusOr<SchemaInfo> Registry::Impl::LoadSchema(std::string_view registry,
                                                      std::string_view name) {
  if (absl::Status s = RequireRegistry(registry); !s.ok()) return s;
  if (absl::Status s = CheckSchemaName(name); !s.ok()) return s;
  absl::StatusOr<Stmt*> get = db->Prepare(
      "SELECT description, modified_ms, latest_version, (SELECT COUNT(*) FROM schema_versions v "
      "WHERE v.registry=s.registry AND v.name=s.name) FROM schemas s WHERE registry=? AND name=?");
  if (!get.ok()) return get.status();
  absl::StatusOr<bool> row = (*get)->Bind(1, registry).Bind(2, name).Step();
  if (!row.ok()) return row.status();
  if (!*row) return NotFound("Schema ", name, " does not exist in registry ", registry, ".");
  SchemaInfo info;
  info.registry = std::string(registry);
  info.name = std::string(name);
  info.description = std::string((*get)->Text(0));
  info.last_modified_ms = (*get)->Int(1);
  info.version = (*get)->Int(2);
  info.version_count = (*get)->Int(3);
  (*get)->Reset();
  return WithArn(std::move(info));
}

absl::StatusOr<VersionRow> Registry::Impl::LoadVersion(std::string_view registry,
                                                       std::string_view name, int64_t version) {
  absl::StatusOr<Stmt*> get = db->Prepare(
      "SELECT version, type, content, created_ms FROM schema_versions "
      "WHERE registry=? AND name=? AND (version=? OR (?=0 AND version=(SELECT latest_version "
      "FROM schemas WHERE registry=?1 AND name=?2)))");
  if (!get.ok()) return get.status();
  absl::StatusOr<bool> row =
      (*get)->Bind(1, registry).Bind(2, name).Bind(3, version).Bind(4, version).Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return NotFound("Version ", version, " of schema ", name, " does not exist in registry ",
                    registry, ".");
  }
  VersionRow v;
  v.version = (*get)->Int(0);
  absl::StatusOr<DocumentType> type = ParseDocumentType((*get)->Text(1));
  if (!type.ok()) return absl::InternalError(type.status().message());
  v.type = *type;
  v.content = std::string((*get)->Text(2));
  v.created_ms = (*get)->Int(3);
  (*get)->Reset();
  return v;
}

absl::Status Registry::Impl::WriteVersion(const SchemaInfo& info, const Node& shape, bool create) {
  if (create) {
    absl::StatusOr<Stmt*> insert = db->Prepare(
        "INSERT INTO schemas(registry, name, description, created_ms, modified_ms, "
        "latest_version, next_version) VALUES(?, ?, ?, ?, ?, 0, 1)");
    if (!insert.ok()) return insert.status();
    (*insert)
        ->Bind(1, info.registry)
        .Bind(2, info.name)
        .Bind(3, info.description)
        .Bind(4, info.version_created_ms)
        .Bind(5, info.version_created_ms);
    if (absl::Status s = (*insert)->Run(); !s.ok()) return s;
  }
  std::string paths;
  for (const std::string& path : FieldPaths(shape)) absl::StrAppend(&paths, path, "\n");
  absl::StatusOr<Stmt*> version = db->Prepare(
      "INSERT INTO schema_versions(registry, name, version, type, content, field_paths, "
      "created_ms) VALUES(?, ?, ?, ?, ?, ?, ?)");
  if (!version.ok()) return version.status();
  (*version)
      ->Bind(1, info.registry)
      .Bind(2, info.name)
      .Bind(3, info.version)
      .Bind(4, DocumentTypeName(info.type))
      .Bind(5, info.content)
      .Bind(6, paths)
      .Bind(7, info.version_created_ms);
  if (absl::Status s = (*version)->Run(); !s.ok()) return s;
  absl::StatusOr<Stmt*> update = db->Prepare(
      "UPDATE schemas SET latest_version=?, next_version=?+1, modified_ms=?, description=? "
      "WHERE registry=? AND name=?");
  if (!update.ok()) return update.status();
  return (*update)
      ->Bind(1, info.version)
      .Bind(2, info.version)
      .Bind(3, info.version_created_ms)
      .Bind(4, info.description)
      .Bind(5, info.registry)
      .Bind(6, info.name)
      .Run();
}

absl::StatusOr<int64_t> Registry::Impl::CountSchemas() {
  absl::StatusOr<Stmt*> count = db->Prepare("SELECT COUNT(*) FROM schemas");
  if (!count.ok()) return count.status();
  absl::StatusOr<bool> row = (*count)->Step();
  if (!row.ok()) return row.status();
  int64_t n = (*count)->Int(0);
  (*count)->Reset();
  return n;
}

// --- Discoverers -----------------------------------------------------------------------------

absl::Status Registry::SetDiscovery(std::string_view bus, bool started) {
  absl::MutexLock lock(&impl_->db_mu);
  absl::StatusOr<Stmt*> change =
      impl_->db->Prepare(started ? "DELETE FROM stopped_discoverers WHERE bus=?"
                                 : "INSERT OR IGNORE INTO stopped_discoverers(bus) VALUES(?)");
  if (!change.ok()) return change.status();
  if (absl::Status s = (*change)->Bind(1, bus).Run(); !s.ok()) return s;
  absl::MutexLock d(&impl_->discoverer_mu);
  if (started) {
    impl_->stopped_buses.erase(Sv(bus));
  } else {
    impl_->stopped_buses.insert(std::string(bus));
  }
  return absl::OkStatus();
}

absl::Status Registry::ForgetDiscoverer(std::string_view bus) { return SetDiscovery(bus, true); }

bool Registry::DiscoveryStarted(std::string_view bus) const {
  absl::ReaderMutexLock d(&impl_->discoverer_mu);
  return !impl_->stopped_buses.contains(Sv(bus));
}

// --- Registries ------------------------------------------------------------------------------

absl::StatusOr<RegistryInfo> Registry::CreateRegistry(std::string_view name,
                                                      std::string_view description) {
  if (absl::Status s = CheckRegistryName(name); !s.ok()) return s;
  if (absl::Status s = CheckDescription(description); !s.ok()) return s;
  absl::MutexLock lock(&impl_->db_mu);
  Db& db = *impl_->db;
  absl::StatusOr<Stmt*> count = db.Prepare("SELECT COUNT(*) FROM registries");
  if (!count.ok()) return count.status();
  absl::StatusOr<bool> row = (*count)->Step();
  if (!row.ok()) return row.status();
  const int64_t registries = (*count)->Int(0);
  (*count)->Reset();
  if (static_cast<size_t>(registries) >= impl_->options.max_registries) {
    return absl::ResourceExhaustedError(Cat("LimitExceededException: ", registries,
                                            " registries exist, at most ",
                                            impl_->options.max_registries));
  }
  absl::StatusOr<Stmt*> insert = db.Prepare(
      "INSERT INTO registries(name, description, created_ms, modified_ms) VALUES(?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  const int64_t now = NowMs();
  absl::Status s = (*insert)->Bind(1, name).Bind(2, description).Bind(3, now).Bind(4, now).Run();
  if (absl::IsAlreadyExists(s)) return Conflict("Registry ", name, " already exists.");
  if (!s.ok()) return s;
  return RegistryInfo{std::string(name),
                      RegistryArn(impl_->options.region, impl_->options.account, name),
                      std::string(description)};
}

absl::StatusOr<RegistryInfo> Registry::DescribeRegistry(std::string_view name) {
  absl::MutexLock lock(&impl_->db_mu);
  if (absl::Status s = impl_->RequireRegistry(name); !s.ok()) return s;
  absl::StatusOr<Stmt*> get = impl_->db->Prepare("SELECT description FROM registries WHERE name=?");
  if (!get.ok()) return get.status();
  absl::StatusOr<bool> row = (*get)->Bind(1, name).Step();
  if (!row.ok()) return row.status();
  RegistryInfo info{std::string(name),
                    RegistryArn(impl_->options.region, impl_->options.account, name),
                    std::string((*get)->Text(0))};
  (*get)->Reset();
  return info;
}

absl::StatusOr<RegistryInfo> Registry::UpdateRegistry(std::string_view name,
                                                      std::string_view description) {
  if (absl::Status s = CheckDescription(description); !s.ok()) return s;
  {
    absl::MutexLock lock(&impl_->db_mu);
    if (absl::Status s = impl_->RequireRegistry(name); !s.ok()) return s;
    absl::StatusOr<Stmt*> update =
        impl_->db->Prepare("UPDATE registries SET description=?, modified_ms=? WHERE name=?");
    if (!update.ok()) return update.status();
    if (absl::Status s = (*update)->Bind(1, description).Bind(2, NowMs()).Bind(3, name).Run();
        !s.ok()) {
      return s;
    }
  }
  return DescribeRegistry(name);
}

absl::Status Registry::DeleteRegistry(std::string_view name) {
  absl::MutexLock lock(&impl_->db_mu);
  if (absl::Status s = impl_->RequireRegistry(name); !s.ok()) return s;
  if (name == kDiscoveredRegistry) {
    return Forbidden("Registry ", name, " belongs to schema discovery and cannot be deleted.");
  }
  absl::StatusOr<Stmt*> any = impl_->db->Prepare("SELECT COUNT(*) FROM schemas WHERE registry=?");
  if (!any.ok()) return any.status();
  absl::StatusOr<bool> row = (*any)->Bind(1, name).Step();
  if (!row.ok()) return row.status();
  const int64_t schemas = (*any)->Int(0);
  (*any)->Reset();
  if (schemas > 0) {
    return absl::FailedPreconditionError(Cat("ConflictException: Registry ", name, " still has ",
                                             schemas, " schemas; delete them first."));
  }
  absl::StatusOr<Stmt*> erase = impl_->db->Prepare("DELETE FROM registries WHERE name=?");
  if (!erase.ok()) return erase.status();
  return (*erase)->Bind(1, name).Run();
}

absl::StatusOr<Page<RegistryInfo>> Registry::ListRegistries(std::string_view prefix,
                                                            std::string_view next_token,
                                                            int limit) {
  absl::StatusOr<int> page_size = CheckLimit(limit);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::string> after = ParseToken("registries", prefix, next_token);
  if (!after.ok()) return after.status();
  absl::MutexLock lock(&impl_->db_mu);
  absl::StatusOr<Stmt*> list = impl_->db->Prepare(
      "SELECT name, description FROM registries WHERE name > ? AND substr(name, 1, ?) = ? "
      "ORDER BY name LIMIT ?");
  if (!list.ok()) return list.status();
  (*list)
      ->Bind(1, *after)
      .Bind(2, static_cast<int64_t>(prefix.size()))
      .Bind(3, prefix)
      .Bind(4, *page_size + 1);
  Page<RegistryInfo> page;
  while (true) {
    absl::StatusOr<bool> row = (*list)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (page.items.size() == static_cast<size_t>(*page_size)) {
      page.next_token = MakeToken("registries", prefix, page.items.back().name);
      break;
    }
    std::string name((*list)->Text(0));
    page.items.push_back({name, RegistryArn(impl_->options.region, impl_->options.account, name),
                          std::string((*list)->Text(1))});
  }
  (*list)->Reset();
  return page;
}

RegistryStats Registry::stats() const {
  RegistryStats s;
  s.events_received = impl_->events_received.load();
  s.events_dropped = impl_->events_dropped.load();
  s.events_failed = impl_->events_failed.load();
  s.shape_hits = impl_->shape_hits.load();
  s.shapes_inferred = impl_->shapes_inferred.load();
  s.versions_written = impl_->versions_written.load();
  s.worker_cpu_ns = impl_->worker_cpu_ns.load();
  s.shape_cache_size = impl_->shape_cache_size.load();
  s.model_cache_size = impl_->model_cache_size.load();
  return s;
}

}  // namespace busbar::registry
