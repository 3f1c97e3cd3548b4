// Registry: creating, updating, describing and deleting schemas and their versions. See
// registry.h. A version's content is checked by parsing it (schema.h ParseDocument), and its
// field paths are stored beside it for search.
#include <utility>

#include "registry/names.h"
#include "registry/registry.h"
#include "registry/registry_impl.h"

namespace busbar::registry {
namespace {

absl::Status CheckContent(std::string_view content) {
  if (content.empty()) return BadRequest("content is required");
  if (content.size() > kMaxContentChars) {
    return BadRequest("content: ", content.size(), " characters, at most ", kMaxContentChars);
  }
  return absl::OkStatus();
}

// The shape of `content`, or BadRequest with the parser's reason.
absl::StatusOr<Node> ShapeOf(DocumentType type, std::string_view content) {
  absl::StatusOr<Node> shape = ParseDocument(type, content);
  if (!shape.ok()) return BadRequest("content: ", shape.status().message());
  return shape;
}

absl::Status RefuseDiscovered(std::string_view registry, std::string_view what) {
  if (registry != kDiscoveredRegistry) return absl::OkStatus();
  return Forbidden("Registry ", registry, " holds discovered schemas only; ", what,
                   " in another registry.");
}

}  // namespace

absl::StatusOr<SchemaInfo> Registry::CreateSchema(std::string_view registry, std::string_view name,
                                                  std::string_view type, std::string_view content,
                                                  std::string_view description) {
  if (absl::Status s = CheckRegistryName(registry); !s.ok()) return s;
  if (absl::Status s = CheckSchemaName(name); !s.ok()) return s;
  absl::StatusOr<DocumentType> doc_type = ParseDocumentType(type);
  if (!doc_type.ok()) return doc_type.status();
  if (absl::Status s = CheckDescription(description); !s.ok()) return s;
  if (absl::Status s = CheckContent(content); !s.ok()) return s;
  if (absl::Status s = RefuseDiscovered(registry, "create custom schemas"); !s.ok()) return s;
  absl::StatusOr<Node> shape = ShapeOf(*doc_type, content);
  if (!shape.ok()) return shape.status();

  SchemaInfo info;
  info.registry = std::string(registry);
  info.name = std::string(name);
  info.version = 1;
  info.type = *doc_type;
  info.description = std::string(description);
  info.content = std::string(content);
  info.last_modified_ms = info.version_created_ms = NowMs();
  info.version_count = 1;

  absl::MutexLock lock(&impl_->db_mu);
  if (absl::Status s = impl_->RequireRegistry(registry); !s.ok()) return s;
  absl::StatusOr<int64_t> schemas = impl_->CountSchemas();
  if (!schemas.ok()) return schemas.status();
  if (static_cast<size_t>(*schemas) >= impl_->options.max_schemas) {
    return absl::ResourceExhaustedError(Cat("LimitExceededException: ", *schemas,
                                                     " schemas exist, at most ",
                                                     impl_->options.max_schemas));
  }
  if (absl::Status s = impl_->Begin(); !s.ok()) return s;
  absl::Status s = impl_->WriteVersion(info, *shape, /*create=*/true);
  if (!s.ok()) {
    impl_->Rollback();
    if (absl::IsAlreadyExists(s)) {
      return Conflict("Schema ", name, " already exists in registry ", registry, ".");
    }
    return s;
  }
  if (s = impl_->Commit(); !s.ok()) return s;
  return impl_->WithArn(std::move(info));
}

absl::StatusOr<SchemaInfo> Registry::UpdateSchema(std::string_view registry, std::string_view name,
                                                  std::string_view type, std::string_view content,
                                                  std::optional<std::string_view> description) {
  std::optional<DocumentType> new_type;
  if (!type.empty()) {
    absl::StatusOr<DocumentType> parsed = ParseDocumentType(type);
    if (!parsed.ok()) return parsed.status();
    new_type = *parsed;
  }
  if (!content.empty()) {
    if (absl::Status s = CheckContent(content); !s.ok()) return s;
  }
  if (description) {
    if (absl::Status s = CheckDescription(*description); !s.ok()) return s;
  }
  if (absl::Status s = RefuseDiscovered(registry, "update custom schemas"); !s.ok()) return s;

  absl::MutexLock lock(&impl_->db_mu);
  absl::StatusOr<SchemaInfo> schema = impl_->LoadSchema(registry, name);
  if (!schema.ok()) return schema.status();
  absl::StatusOr<VersionRow> latest = impl_->LoadVersion(registry, name, 0);
  if (!latest.ok()) return latest.status();
  SchemaInfo info = std::move(*schema);
  if (description) info.description = std::string(*description);
  const DocumentType doc_type = new_type.value_or(latest->type);
  std::string_view doc = content.empty() ? std::string_view(latest->content) : content;
  const int64_t now = NowMs();
  if (doc_type == latest->type && doc == latest->content) {
    // Nothing to version: only the description changes.
    absl::StatusOr<Stmt*> update = impl_->db->Prepare(
        "UPDATE schemas SET description=?, modified_ms=? WHERE registry=? AND name=?");
    if (!update.ok()) return update.status();
    absl::Status s =
        (*update)->Bind(1, info.description).Bind(2, now).Bind(3, registry).Bind(4, name).Run();
    if (!s.ok()) return s;
    info.type = latest->type;
    info.content = std::move(latest->content);
    info.version_created_ms = latest->created_ms;
    info.last_modified_ms = now;
    return info;
  }
  absl::StatusOr<Node> shape = ShapeOf(doc_type, doc);
  if (!shape.ok()) return shape.status();
  absl::StatusOr<Stmt*> next = impl_->db->Prepare(
      "SELECT next_version FROM schemas WHERE registry=? AND name=?");
  if (!next.ok()) return next.status();
  absl::StatusOr<bool> row = (*next)->Bind(1, registry).Bind(2, name).Step();
  if (!row.ok()) return row.status();
  info.version = (*next)->Int(0);
  (*next)->Reset();
  info.type = doc_type;
  info.content = std::string(doc);
  info.last_modified_ms = info.version_created_ms = now;
  info.version_count += 1;
  if (absl::Status s = impl_->Begin(); !s.ok()) return s;
  if (absl::Status s = impl_->WriteVersion(info, *shape, /*create=*/false); !s.ok()) {
    impl_->Rollback();
    return s;
  }
  if (absl::Status s = impl_->Commit(); !s.ok()) return s;
  return info;
}

absl::StatusOr<SchemaInfo> Registry::DescribeSchema(std::string_view registry,
                                                    std::string_view name,
                                                    std::string_view version) {
  absl::StatusOr<int64_t> number = ParseVersion(version, "schema_version");
  if (!number.ok()) return number.status();
  absl::MutexLock lock(&impl_->db_mu);
  absl::StatusOr<SchemaInfo> info = impl_->LoadSchema(registry, name);
  if (!info.ok()) return info.status();
  absl::StatusOr<VersionRow> row = impl_->LoadVersion(registry, name, *number);
  if (!row.ok()) return row.status();
  info->version = row->version;
  info->type = row->type;
  info->content = std::move(row->content);
  info->version_created_ms = row->created_ms;
  return info;
}

absl::Status Registry::DeleteSchema(std::string_view registry, std::string_view name) {
  absl::MutexLock lock(&impl_->db_mu);
  absl::StatusOr<SchemaInfo> info = impl_->LoadSchema(registry, name);
  if (!info.ok()) return info.status();
  absl::StatusOr<Stmt*> erase =
      impl_->db->Prepare("DELETE FROM schemas WHERE registry=? AND name=?");  // versions cascade
  if (!erase.ok()) return erase.status();
  if (absl::Status s = (*erase)->Bind(1, registry).Bind(2, name).Run(); !s.ok()) return s;
  if (registry == kDiscoveredRegistry) impl_->InvalidateCaches();
  return absl::OkStatus();
}

absl::Status Registry::DeleteSchemaVersion(std::string_view registry, std::string_view name,
                                           std::string_view version) {
  if (version.empty()) return BadRequest("schema_version is required");
  absl::StatusOr<int64_t> number = ParseVersion(version, "schema_version");
  if (!number.ok()) return number.status();
  absl::MutexLock lock(&impl_->db_mu);
  absl::StatusOr<SchemaInfo> info = impl_->LoadSchema(registry, name);
  if (!info.ok()) return info.status();
  if (absl::StatusOr<VersionRow> row = impl_->LoadVersion(registry, name, *number); !row.ok()) {
    return row.status();
  }
  if (info->version_count == 1) {
    return absl::FailedPreconditionError(
        Cat("ConflictException: Version ", *number, " is the only version of schema ",
                     name, "; delete the schema instead."));
  }
  if (absl::Status s = impl_->Begin(); !s.ok()) return s;
  absl::StatusOr<Stmt*> erase = impl_->db->Prepare(
      "DELETE FROM schema_versions WHERE registry=? AND name=? AND version=?");
  absl::StatusOr<Stmt*> latest = impl_->db->Prepare(
      "UPDATE schemas SET latest_version=(SELECT MAX(version) FROM schema_versions WHERE "
      "registry=?1 AND name=?2), modified_ms=?3 WHERE registry=?1 AND name=?2");
  absl::Status s = !erase.ok()    ? erase.status()
                   : !latest.ok() ? latest.status()
                                  : (*erase)->Bind(1, registry).Bind(2, name).Bind(3, *number).Run();
  if (s.ok()) s = (*latest)->Bind(1, registry).Bind(2, name).Bind(3, NowMs()).Run();
  if (!s.ok()) {
    impl_->Rollback();
    return s;
  }
  if (s = impl_->Commit(); !s.ok()) return s;
  if (registry == kDiscoveredRegistry) impl_->InvalidateCaches();
  return absl::OkStatus();
}

}  // namespace busbar::registry
