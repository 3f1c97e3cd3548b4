// Registry: the read-only calls over schemas — listing schemas and versions, keyword search
// over names and field paths, export in either document type, and diffs between versions.
#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "registry/names.h"
#include "registry/registry.h"
#include "registry/registry_impl.h"

namespace busbar::registry {
namespace {

// Columns 1..7 of the schema list queries below, into a SchemaInfo without content.
SchemaInfo ReadListedSchema(const Stmt& row, std::string_view registry) {
  SchemaInfo info;
  info.registry = std::string(registry);
  info.name = std::string(row.Text(0));
  info.description = std::string(row.Text(1));
  info.last_modified_ms = row.Int(2);
  info.version = row.Int(3);
  info.type = row.Text(4) == "OpenApi3" ? DocumentType::kOpenApi3 : DocumentType::kJsonSchemaDraft4;
  info.version_created_ms = row.Int(5);
  info.version_count = row.Int(6);
  return info;
}

constexpr std::string_view kListedSchemaColumns =
    "SELECT s.name, s.description, s.modified_ms, s.latest_version, v.type, v.created_ms, "
    "(SELECT COUNT(*) FROM schema_versions c WHERE c.registry=s.registry AND c.name=s.name), "
    "v.field_paths FROM schemas s JOIN schema_versions v ON v.registry=s.registry AND "
    "v.name=s.name AND v.version=s.latest_version ";

// The title of a schema's document when it is rendered in another type.
std::string TitleFor(std::string_view name, const EventIdentity& identity) {
  return identity.detail_type.empty() ? std::string(name) : DetailTypeTitle(identity.detail_type);
}

}  // namespace

absl::StatusOr<Page<SchemaInfo>> Registry::ListSchemas(std::string_view registry,
                                                       std::string_view prefix,
                                                       std::string_view next_token, int limit) {
  absl::StatusOr<int> page_size = CheckLimit(limit);
  if (!page_size.ok()) return page_size.status();
  const std::string query = Cat(registry, "\n", prefix);
  absl::StatusOr<std::string> after = ParseToken("schemas", query, next_token);
  if (!after.ok()) return after.status();
  absl::MutexLock lock(&impl_->db_mu);
  if (absl::Status s = impl_->RequireRegistry(registry); !s.ok()) return s;
  absl::StatusOr<Stmt*> list = impl_->db->Prepare(Cat(
      kListedSchemaColumns,
      "WHERE s.registry=? AND s.name > ? AND substr(s.name, 1, ?) = ? ORDER BY s.name LIMIT ?"));
  if (!list.ok()) return list.status();
  (*list)
      ->Bind(1, registry)
      .Bind(2, *after)
      .Bind(3, static_cast<int64_t>(prefix.size()))
      .Bind(4, prefix)
      .Bind(5, *page_size + 1);
  Page<SchemaInfo> page;
  while (true) {
    absl::StatusOr<bool> row = (*list)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (page.items.size() == static_cast<size_t>(*page_size)) {
      page.next_token = MakeToken("schemas", query, page.items.back().name);
      break;
    }
    page.items.push_back(impl_->WithArn(ReadListedSchema(**list, registry)));
  }
  (*list)->Reset();
  return page;
}

absl::StatusOr<Page<SchemaInfo>> Registry::ListSchemaVersions(std::string_view registry,
                                                              std::string_view name,
                                                              std::string_view next_token,
                                                              int limit) {
  absl::StatusOr<int> page_size = CheckLimit(limit);
  if (!page_size.ok()) return page_size.status();
  const std::string query = Cat(registry, "\n", name);
  absl::StatusOr<std::string> after = ParseToken("versions", query, next_token);
  if (!after.ok()) return after.status();
  int64_t below = INT64_MAX;
  if (!after->empty() && !absl::SimpleAtoi(*after, &below)) {
    return BadRequest("next_token was not handed out by this call with these arguments");
  }
  absl::MutexLock lock(&impl_->db_mu);
  absl::StatusOr<SchemaInfo> schema = impl_->LoadSchema(registry, name);
  if (!schema.ok()) return schema.status();
  absl::StatusOr<Stmt*> list = impl_->db->Prepare(
      "SELECT version, type, created_ms FROM schema_versions WHERE registry=? AND name=? AND "
      "version < ? ORDER BY version DESC LIMIT ?");
  if (!list.ok()) return list.status();
  (*list)->Bind(1, registry).Bind(2, name).Bind(3, below).Bind(4, *page_size + 1);
  Page<SchemaInfo> page;
  while (true) {
    absl::StatusOr<bool> row = (*list)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (page.items.size() == static_cast<size_t>(*page_size)) {
      page.next_token = MakeToken("versions", query, Cat(page.items.back().version));
      break;
    }
    SchemaInfo info = *schema;
    info.version = (*list)->Int(0);
    info.type =
        (*list)->Text(1) == "OpenApi3" ? DocumentType::kOpenApi3 : DocumentType::kJsonSchemaDraft4;
    info.version_created_ms = (*list)->Int(2);
    page.items.push_back(std::move(info));
  }
  (*list)->Reset();
  return page;
}

absl::StatusOr<Page<SearchHit>> Registry::SearchSchemas(std::string_view registry,
                                                        std::string_view keywords,
                                                        std::string_view next_token, int limit) {
  absl::StatusOr<int> page_size = CheckLimit(limit);
  if (!page_size.ok()) return page_size.status();
  std::vector<std::string> words =
      absl::StrSplit(absl::AsciiStrToLower(Sv(keywords)), absl::ByAnyChar(" \t\n\r"), absl::SkipEmpty());
  if (words.empty() || words.size() > kMaxKeywords) {
    return BadRequest("keywords: ", words.size(), " keywords, expected 1 to ", kMaxKeywords);
  }
  const std::string query = Cat(registry, "\n", absl::StrJoin(words, " "));
  absl::StatusOr<std::string> after = ParseToken("search", query, next_token);
  if (!after.ok()) return after.status();
  auto matches = [&words](std::string_view text) {
    const std::string lower = absl::AsciiStrToLower(Sv(text));
    return std::any_of(words.begin(), words.end(),
                       [&lower](const std::string& w) { return absl::StrContains(Sv(lower), w); });
  };

  absl::MutexLock lock(&impl_->db_mu);
  if (absl::Status s = impl_->RequireRegistry(registry); !s.ok()) return s;
  absl::StatusOr<Stmt*> scan = impl_->db->Prepare(
      Cat(kListedSchemaColumns, "WHERE s.registry=? AND s.name > ? ORDER BY s.name"));
  if (!scan.ok()) return scan.status();
  (*scan)->Bind(1, registry).Bind(2, *after);
  Page<SearchHit> page;
  while (true) {
    absl::StatusOr<bool> row = (*scan)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    SearchHit hit;
    hit.name_matched = matches((*scan)->Text(0));
    for (absl::string_view path : absl::StrSplit(Sv((*scan)->Text(7)), '\n', absl::SkipEmpty())) {
      if (matches(std::string_view(path.data(), path.size()))) {
        hit.matched_fields.emplace_back(path);
      }
    }
    if (!hit.name_matched && hit.matched_fields.empty()) continue;
    if (page.items.size() == static_cast<size_t>(*page_size)) {
      page.next_token = MakeToken("search", query, page.items.back().schema.name);
      break;
    }
    hit.schema = impl_->WithArn(ReadListedSchema(**scan, registry));
    page.items.push_back(std::move(hit));
  }
  (*scan)->Reset();
  return page;
}

absl::StatusOr<SchemaInfo> Registry::ExportSchema(std::string_view registry, std::string_view name,
                                                  std::string_view version,
                                                  std::string_view type) {
  absl::StatusOr<DocumentType> target = ParseDocumentType(type);
  if (!target.ok()) return target.status();
  absl::StatusOr<SchemaInfo> info = DescribeSchema(registry, name, version);
  if (!info.ok()) return info.status();
  if (info->type == *target) return info;
  EventIdentity identity;
  absl::StatusOr<Node> shape = ParseDocument(info->type, info->content, &identity);
  if (!shape.ok()) return absl::InternalError(shape.status().message());
  const std::string title = TitleFor(name, identity);
  info->content = *target == DocumentType::kOpenApi3 ? ToOpenApi(*shape, title, identity)
                                                     : ToJsonSchema(*shape, title, identity);
  info->type = *target;
  return info;
}

absl::StatusOr<VersionDiff> Registry::DiffVersions(std::string_view registry,
                                                   std::string_view name,
                                                   std::string_view from_version,
                                                   std::string_view to_version) {
  if (from_version.empty()) return BadRequest("from_version is required");
  absl::StatusOr<SchemaInfo> from = DescribeSchema(registry, name, from_version);
  if (!from.ok()) return from.status();
  absl::StatusOr<SchemaInfo> to = DescribeSchema(registry, name, to_version);
  if (!to.ok()) return to.status();
  absl::StatusOr<Node> a = ParseDocument(from->type, from->content);
  if (!a.ok()) return absl::InternalError(a.status().message());
  absl::StatusOr<Node> b = ParseDocument(to->type, to->content);
  if (!b.ok()) return absl::InternalError(b.status().message());
  return VersionDiff{from->version, to->version, Diff(*a, *b)};
}

}  // namespace busbar::registry
