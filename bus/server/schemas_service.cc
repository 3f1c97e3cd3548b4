// busbar.v1.SchemasService (proto/busbar/v1/schemas.proto) over the daemon's schema registry
// (registry/registry.h) and its per-bus discovery switch (daemon_api.cc). A thin translation:
// the registry already words its errors as the proto documents them.
#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bus/server/api_common.h"
#include "bus/server/interfaces.h"
#include "bus/server/options.h"
#include "bus/server/services.h"
#include "busbar/v1/schemas.grpc.pb.h"
#include "registry/registry.h"

namespace busbar::bus {
namespace {

namespace v1 = ::busbar::v1;
using registry::Registry;

void SetTime(int64_t ms, google::protobuf::Timestamp* out) {
  out->set_seconds(api::Seconds(ms));
  out->set_nanos(api::Nanos(ms));
}

void FillRegistry(const registry::RegistryInfo& r, v1::Registry* out) {
  out->set_registry_name(r.name);
  out->set_registry_arn(r.arn);
  out->set_description(r.description);
}

void FillSchema(const registry::SchemaInfo& s, v1::Schema* out) {
  out->set_schema_name(s.name);
  out->set_schema_arn(s.arn);
  out->set_registry_name(s.registry);
  out->set_schema_version(absl::StrCat(s.version));
  out->set_type(std::string(registry::DocumentTypeName(s.type)));
  out->set_description(s.description);
  out->set_content(s.content);
  SetTime(s.last_modified_ms, out->mutable_last_modified());
  SetTime(s.version_created_ms, out->mutable_version_created_date());
  out->set_version_count(s.version_count);
}

void FillDiscoverer(const registry::Discoverer& d, const DaemonOptions& o, v1::Discoverer* out) {
  out->set_event_bus_name(d.bus);
  out->set_source_arn(
      absl::StrCat("arn:aws:events:", o.region, ":", o.account, ":event-bus/", d.bus));
  out->set_state(d.started ? "STARTED" : "STOPPED");
}

class SchemasService final : public v1::SchemasService::Service {
 public:
  SchemasService(DiscoveryApi* api, const DaemonOptions* options)
      : d_(api), options_(*options), r_(&api->schema_registry()) {}

  grpc::Status ListRegistries(grpc::ServerContext*, const v1::ListRegistriesRequest* req,
                              v1::ListRegistriesResponse* resp) override {
    auto page = r_->ListRegistries(req->registry_name_prefix(), req->next_token(), req->limit());
    if (!page.ok()) return ToGrpc(page.status());
    for (const auto& r : page->items) FillRegistry(r, resp->add_registries());
    resp->set_next_token(page->next_token);
    return grpc::Status::OK;
  }

  grpc::Status CreateRegistry(grpc::ServerContext*, const v1::CreateRegistryRequest* req,
                              v1::CreateRegistryResponse* resp) override {
    return Answer(r_->CreateRegistry(req->registry_name(), req->description()), resp);
  }

  grpc::Status DescribeRegistry(grpc::ServerContext*, const v1::DescribeRegistryRequest* req,
                                v1::DescribeRegistryResponse* resp) override {
    return Answer(r_->DescribeRegistry(req->registry_name()), resp);
  }

  grpc::Status UpdateRegistry(grpc::ServerContext*, const v1::UpdateRegistryRequest* req,
                              v1::UpdateRegistryResponse* resp) override {
    return Answer(r_->UpdateRegistry(req->registry_name(), req->description()), resp);
  }

  grpc::Status DeleteRegistry(grpc::ServerContext*, const v1::DeleteRegistryRequest* req,
                              v1::DeleteRegistryResponse*) override {
    return ToGrpc(r_->DeleteRegistry(req->registry_name()));
  }

  grpc::Status CreateSchema(grpc::ServerContext*, const v1::CreateSchemaRequest* req,
                            v1::CreateSchemaResponse* resp) override {
    return Answer(r_->CreateSchema(req->registry_name(), req->schema_name(), req->type(),
                                   req->content(), req->description()),
                  resp);
  }

  grpc::Status UpdateSchema(grpc::ServerContext*, const v1::UpdateSchemaRequest* req,
                            v1::UpdateSchemaResponse* resp) override {
    std::optional<std::string_view> description;
    if (req->has_description()) description = req->description();
    return Answer(r_->UpdateSchema(req->registry_name(), req->schema_name(), req->type(),
                                   req->content(), description),
                  resp);
  }

  grpc::Status DescribeSchema(grpc::ServerContext*, const v1::DescribeSchemaRequest* req,
                              v1::DescribeSchemaResponse* resp) override {
    return Answer(
        r_->DescribeSchema(req->registry_name(), req->schema_name(), req->schema_version()), resp);
  }

  grpc::Status DeleteSchema(grpc::ServerContext*, const v1::DeleteSchemaRequest* req,
                            v1::DeleteSchemaResponse*) override {
    return ToGrpc(r_->DeleteSchema(req->registry_name(), req->schema_name()));
  }

  grpc::Status DeleteSchemaVersion(grpc::ServerContext*, const v1::DeleteSchemaVersionRequest* req,
                                   v1::DeleteSchemaVersionResponse*) override {
    return ToGrpc(
        r_->DeleteSchemaVersion(req->registry_name(), req->schema_name(), req->schema_version()));
  }

  grpc::Status ListSchemas(grpc::ServerContext*, const v1::ListSchemasRequest* req,
                           v1::ListSchemasResponse* resp) override {
    auto page = r_->ListSchemas(req->registry_name(), req->schema_name_prefix(), req->next_token(),
                                req->limit());
    if (!page.ok()) return ToGrpc(page.status());
    for (const auto& s : page->items) FillSchema(s, resp->add_schemas());
    resp->set_next_token(page->next_token);
    return grpc::Status::OK;
  }

  grpc::Status ListSchemaVersions(grpc::ServerContext*, const v1::ListSchemaVersionsRequest* req,
                                  v1::ListSchemaVersionsResponse* resp) override {
    auto page = r_->ListSchemaVersions(req->registry_name(), req->schema_name(), req->next_token(),
                                       req->limit());
    if (!page.ok()) return ToGrpc(page.status());
    for (const auto& s : page->items) FillSchema(s, resp->add_schema_versions());
    resp->set_next_token(page->next_token);
    return grpc::Status::OK;
  }

  grpc::Status SearchSchemas(grpc::ServerContext*, const v1::SearchSchemasRequest* req,
                             v1::SearchSchemasResponse* resp) override {
    auto page =
        r_->SearchSchemas(req->registry_name(), req->keywords(), req->next_token(), req->limit());
    if (!page.ok()) return ToGrpc(page.status());
    for (const auto& hit : page->items) {
      v1::SearchSchemaSummary* out = resp->add_schemas();
      FillSchema(hit.schema, out->mutable_schema());
      out->set_name_matched(hit.name_matched);
      for (const std::string& field : hit.matched_fields) out->add_matched_fields(field);
    }
    resp->set_next_token(page->next_token);
    return grpc::Status::OK;
  }

  grpc::Status ExportSchema(grpc::ServerContext*, const v1::ExportSchemaRequest* req,
                            v1::ExportSchemaResponse* resp) override {
    return Answer(r_->ExportSchema(req->registry_name(), req->schema_name(), req->schema_version(),
                                   req->type()),
                  resp);
  }

  grpc::Status GetDiscoveredSchema(grpc::ServerContext*, const v1::GetDiscoveredSchemaRequest* req,
                                   v1::GetDiscoveredSchemaResponse* resp) override {
    auto type = registry::ParseDocumentType(req->type().empty() ? "OpenApi3" : req->type());
    if (!type.ok()) return ToGrpc(type.status());
    std::vector<std::string> events(req->events().begin(), req->events().end());
    auto content = registry::InferSchema(events, *type);
    if (!content.ok()) return ToGrpc(content.status());
    resp->set_content(std::move(*content));
    return grpc::Status::OK;
  }

  grpc::Status DiffSchemaVersions(grpc::ServerContext*, const v1::DiffSchemaVersionsRequest* req,
                                  v1::DiffSchemaVersionsResponse* resp) override {
    auto diff = r_->DiffVersions(req->registry_name(), req->schema_name(), req->from_version(),
                                 req->to_version());
    if (!diff.ok()) return ToGrpc(diff.status());
    resp->set_from_version(absl::StrCat(diff->from_version));
    resp->set_to_version(absl::StrCat(diff->to_version));
    for (const registry::FieldChange& c : diff->changes) {
      v1::FieldChange* out = resp->add_changes();
      out->set_kind(std::string(registry::ChangeKindName(c.kind)));
      out->set_path(c.path);
      out->set_old_type(c.old_type);
      out->set_new_type(c.new_type);
      out->set_old_required(c.old_required);
      out->set_new_required(c.new_required);
    }
    return grpc::Status::OK;
  }

  grpc::Status ListDiscoverers(grpc::ServerContext*, const v1::ListDiscoverersRequest*,
                               v1::ListDiscoverersResponse* resp) override {
    for (const registry::Discoverer& d : d_->ListDiscoverers()) {
      FillDiscoverer(d, options_, resp->add_discoverers());
    }
    return grpc::Status::OK;
  }

  grpc::Status StartDiscoverer(grpc::ServerContext*, const v1::StartDiscovererRequest* req,
                               v1::StartDiscovererResponse* resp) override {
    return SetDiscovery(req->event_bus_name(), true, resp->mutable_discoverer());
  }

  grpc::Status StopDiscoverer(grpc::ServerContext*, const v1::StopDiscovererRequest* req,
                              v1::StopDiscovererResponse* resp) override {
    return SetDiscovery(req->event_bus_name(), false, resp->mutable_discoverer());
  }

 private:
  template <typename Response>
  static grpc::Status Answer(const absl::StatusOr<registry::RegistryInfo>& r, Response* resp) {
    if (!r.ok()) return ToGrpc(r.status());
    FillRegistry(*r, resp->mutable_registry());
    return grpc::Status::OK;
  }

  template <typename Response>
  static grpc::Status Answer(const absl::StatusOr<registry::SchemaInfo>& s, Response* resp) {
    if (!s.ok()) return ToGrpc(s.status());
    FillSchema(*s, resp->mutable_schema());
    return grpc::Status::OK;
  }

  grpc::Status SetDiscovery(const std::string& bus, bool started, v1::Discoverer* out) {
    auto d = d_->SetDiscovery(bus, started);
    if (!d.ok()) return ToGrpc(d.status());
    FillDiscoverer(*d, options_, out);
    return grpc::Status::OK;
  }

  DiscoveryApi* const d_;
  const DaemonOptions& options_;
  Registry* r_;
};

}  // namespace

std::unique_ptr<grpc::Service> MakeSchemasService(DiscoveryApi* api, const DaemonOptions* options) {
  return std::make_unique<SchemasService>(api, options);
}

}  // namespace busbar::bus
