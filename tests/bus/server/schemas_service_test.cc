// SchemasService over a real daemon (api_fixture.h): events put over gRPC are discovered into
// "discovered-schemas" (asynchronously: the tests wait for the registry's worker), the API's
// calls answer with EventBridge Schemas' error names and gRPC codes, and discovery is switched
// per bus, persistently.
#include <string>

#include "bus/server/daemon.h"
#include "tests/bus/server/api_fixture.h"

namespace busbar::bus {
namespace {

using testing::ApiTest;
using testing::Rpc;
namespace v1 = ::busbar::v1;
using Stub = v1::SchemasService::Stub;

class SchemasServiceTest : public ApiTest {
 protected:
  void Put(const std::string& source, const std::string& detail_type, const std::string& detail,
           const std::string& bus = "") {
    v1::PutEventsRequest req;
    auto* e = req.add_entries();
    e->set_source(source);
    e->set_detail_type(detail_type);
    e->set_detail(detail);
    e->set_event_bus_name(bus);
    v1::PutEventsResponse resp;
    grpc::Status s = Rpc(events_.get(), &v1::EventsService::Stub::PutEvents, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(resp.failed_entry_count(), 0) << resp.DebugString();
    // Discovery runs after the answer; wait for it.
    daemon_->schema_registry().Flush();
  }

  grpc::Status Describe(const std::string& name, const std::string& version, v1::Schema* out,
                        const std::string& registry = "discovered-schemas") {
    v1::DescribeSchemaRequest req;
    req.set_registry_name(registry);
    req.set_schema_name(name);
    req.set_schema_version(version);
    v1::DescribeSchemaResponse resp;
    grpc::Status s = Rpc(schemas_.get(), &Stub::DescribeSchema, req, &resp);
    *out = resp.schema();
    return s;
  }

  grpc::Status SetDiscoverer(bool start, const std::string& bus, v1::Discoverer* out) {
    if (start) {
      v1::StartDiscovererRequest req;
      req.set_event_bus_name(bus);
      v1::StartDiscovererResponse resp;
      grpc::Status s = Rpc(schemas_.get(), &Stub::StartDiscoverer, req, &resp);
      *out = resp.discoverer();
      return s;
    }
    v1::StopDiscovererRequest req;
    req.set_event_bus_name(bus);
    v1::StopDiscovererResponse resp;
    grpc::Status s = Rpc(schemas_.get(), &Stub::StopDiscoverer, req, &resp);
    *out = resp.discoverer();
    return s;
  }
};

TEST_F(SchemasServiceTest, PutEventsAreDiscoveredWithVersionsAndDiffs) {
  Put("com.example.orders", "Order Placed", R"({"id":"o-1","total":10})");
  v1::Schema schema;
  ASSERT_RPC_OK(Describe("com.example.orders@OrderPlaced", "", &schema));
  EXPECT_EQ(schema.schema_version(), "1");
  EXPECT_EQ(schema.type(), "OpenApi3");
  EXPECT_EQ(schema.schema_arn(),
            "arn:aws:schemas:us-east-1:000000000000:schema/discovered-schemas/"
            "com.example.orders@OrderPlaced");
  EXPECT_NE(schema.content().find("\"AWSEvent\""), std::string::npos) << schema.content();
  EXPECT_GT(schema.version_created_date().seconds(), 0);

  Put("com.example.orders", "Order Placed", R"({"id":"o-2","total":10,"note":"gift"})");
  ASSERT_RPC_OK(Describe("com.example.orders@OrderPlaced", "", &schema));
  EXPECT_EQ(schema.schema_version(), "2");

  v1::DiffSchemaVersionsRequest diff_req;
  diff_req.set_registry_name("discovered-schemas");
  diff_req.set_schema_name("com.example.orders@OrderPlaced");
  diff_req.set_from_version("1");
  v1::DiffSchemaVersionsResponse diff;
  ASSERT_RPC_OK(Rpc(schemas_.get(), &Stub::DiffSchemaVersions, diff_req, &diff));
  EXPECT_EQ(diff.to_version(), "2");
  ASSERT_EQ(diff.changes_size(), 1) << diff.DebugString();
  EXPECT_EQ(diff.changes(0).kind(), "added");
  EXPECT_EQ(diff.changes(0).path(), "detail.note");
  EXPECT_EQ(diff.changes(0).new_type(), "string");

  v1::ExportSchemaRequest export_req;
  export_req.set_registry_name("discovered-schemas");
  export_req.set_schema_name("com.example.orders@OrderPlaced");
  export_req.set_type("JSONSchemaDraft4");
  v1::ExportSchemaResponse exported;
  ASSERT_RPC_OK(Rpc(schemas_.get(), &Stub::ExportSchema, export_req, &exported));
  EXPECT_NE(exported.schema().content().find("draft-04"), std::string::npos);

  v1::SearchSchemasRequest search_req;
  search_req.set_registry_name("discovered-schemas");
  search_req.set_keywords("note");
  v1::SearchSchemasResponse found;
  ASSERT_RPC_OK(Rpc(schemas_.get(), &Stub::SearchSchemas, search_req, &found));
  ASSERT_EQ(found.schemas_size(), 1);
  EXPECT_EQ(found.schemas(0).matched_fields(0), "detail.note");

  // The history survives a restart of the daemon.
  Start();
  ASSERT_RPC_OK(Describe("com.example.orders@OrderPlaced", "1", &schema));
  EXPECT_EQ(schema.schema_version(), "1");
}

TEST_F(SchemasServiceTest, ErrorsCarryTheSchemasErrorNames) {
  v1::Schema schema;
  EXPECT_RPC_ERROR(Describe("x@Y", "", &schema, "no-such-registry"), NOT_FOUND,
                   "NotFoundException: Registry no-such-registry does not exist.");
  EXPECT_RPC_ERROR(Describe("x@Y", "", &schema), NOT_FOUND, "NotFoundException: Schema x@Y");
  EXPECT_RPC_ERROR(Describe("x@Y", "v2", &schema), INVALID_ARGUMENT,
                   "BadRequestException: schema_version \"v2\" is not a version");

  v1::CreateRegistryRequest create;
  create.set_registry_name("custom");
  v1::CreateRegistryResponse created;
  ASSERT_RPC_OK(Rpc(schemas_.get(), &Stub::CreateRegistry, create, &created));
  EXPECT_EQ(created.registry().registry_arn(),
            "arn:aws:schemas:us-east-1:000000000000:registry/custom");
  EXPECT_RPC_ERROR(Rpc(schemas_.get(), &Stub::CreateRegistry, create, &created), ALREADY_EXISTS,
                   "ConflictException");

  v1::CreateSchemaRequest bad;
  bad.set_registry_name("custom");
  bad.set_schema_name("Broken");
  bad.set_type("OpenApi3");
  bad.set_content(R"({"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{}})");
  v1::CreateSchemaResponse resp;
  EXPECT_RPC_ERROR(Rpc(schemas_.get(), &Stub::CreateSchema, bad, &resp), INVALID_ARGUMENT,
                   "BadRequestException: content: OpenAPI document");
  bad.set_registry_name("discovered-schemas");
  EXPECT_RPC_ERROR(Rpc(schemas_.get(), &Stub::CreateSchema, bad, &resp), FAILED_PRECONDITION,
                   "ForbiddenException");

  v1::GetDiscoveredSchemaRequest infer;
  v1::GetDiscoveredSchemaResponse inferred;
  EXPECT_RPC_ERROR(Rpc(schemas_.get(), &Stub::GetDiscoveredSchema, infer, &inferred),
                   INVALID_ARGUMENT, "events: 0 events, expected 1 to 10");
  infer.add_events(R"({"a":1})");
  infer.set_type("Yaml");
  EXPECT_RPC_ERROR(Rpc(schemas_.get(), &Stub::GetDiscoveredSchema, infer, &inferred),
                   INVALID_ARGUMENT, "type \"Yaml\"");
  infer.set_type("");
  ASSERT_RPC_OK(Rpc(schemas_.get(), &Stub::GetDiscoveredSchema, infer, &inferred));
  EXPECT_NE(inferred.content().find("\"openapi\""), std::string::npos);
}

TEST_F(SchemasServiceTest, DiscoveryIsSwitchedPerBusAndPersists) {
  v1::Discoverer d;
  EXPECT_RPC_ERROR(SetDiscoverer(false, "nope", &d), NOT_FOUND,
                   "NotFoundException: Event bus nope does not exist.");
  EXPECT_RPC_ERROR(SetDiscoverer(false, "bad name!", &d), INVALID_ARGUMENT,
                   "BadRequestException: event_bus_name");
  ASSERT_RPC_OK(SetDiscoverer(false, "orders", &d));
  EXPECT_EQ(d.state(), "STOPPED");
  EXPECT_EQ(d.source_arn(), "arn:aws:events:us-east-1:000000000000:event-bus/orders");

  Put("shop", "Quiet", R"({"a":1})", "orders");
  Put("shop", "Loud", R"({"a":1})");
  v1::Schema schema;
  EXPECT_RPC_ERROR(Describe("shop@Quiet", "", &schema), NOT_FOUND, "NotFoundException");
  ASSERT_RPC_OK(Describe("shop@Loud", "", &schema));

  Start();  // the setting persists
  v1::ListDiscoverersResponse list;
  ASSERT_RPC_OK(Rpc(schemas_.get(), &Stub::ListDiscoverers, v1::ListDiscoverersRequest(), &list));
  ASSERT_EQ(list.discoverers_size(), 2) << list.DebugString();
  EXPECT_EQ(list.discoverers(0).event_bus_name(), "default");
  EXPECT_EQ(list.discoverers(0).state(), "STARTED");
  EXPECT_EQ(list.discoverers(1).event_bus_name(), "orders");
  EXPECT_EQ(list.discoverers(1).state(), "STOPPED");

  ASSERT_RPC_OK(SetDiscoverer(true, "orders", &d));
  Put("shop", "Quiet", R"({"a":1})", "orders");
  ASSERT_RPC_OK(Describe("shop@Quiet", "", &schema));
}

TEST_F(SchemasServiceTest, ADeletedBusForgetsItsDiscoverer) {
  ASSERT_RPC_OK(CreateBus("temp"));
  v1::Discoverer d;
  ASSERT_RPC_OK(SetDiscoverer(false, "temp", &d));
  ASSERT_RPC_OK(DeleteBus("temp"));
  ASSERT_RPC_OK(CreateBus("temp"));
  Put("shop", "Fresh", R"({"a":1})", "temp");
  v1::Schema schema;
  ASSERT_RPC_OK(Describe("shop@Fresh", "", &schema));
}

}  // namespace
}  // namespace busbar::bus
