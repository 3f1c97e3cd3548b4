// Integration tests of the schema registry on real SQLite files in a temp directory:
// registries and custom schemas with their errors, version history built by discovery from
// evolving events, persistence across reopening, per-bus discovery, search, export and diff.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "registry/registry.h"
#include "tests/targets/temp_dir.h"

namespace busbar::registry {
namespace {

using targets::testing::TempDir;

bool Contains(const absl::Status& s, const std::string& text) {
  return std::string(s.message()).find(text) != std::string::npos;
}

// An event envelope as the daemon builds it.
std::string Event(const std::string& source, const std::string& detail_type,
                  const std::string& detail) {
  return absl::StrCat(R"({"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718",)",
                      R"("detail-type":")", detail_type, R"(","source":")", source,
                      R"(","account":"111122223333","time":"2024-05-01T12:00:00Z",)",
                      R"("region":"us-east-1","resources":[],"detail":)", detail, "}");
}

constexpr char kCustomOpenApi[] = R"({
  "openapi": "3.0.0",
  "info": {"title": "Order", "version": "1.0.0"},
  "paths": {},
  "components": {"schemas": {"Order": {
    "type": "object", "required": ["id"],
    "properties": {"id": {"type": "string"}, "total": {"type": "number", "format": "double"}}
  }}}
})";

constexpr char kCustomOpenApiV2[] = R"({
  "openapi": "3.0.0",
  "info": {"title": "Order", "version": "2.0.0"},
  "paths": {},
  "components": {"schemas": {"Order": {
    "type": "object", "required": ["id"],
    "properties": {"id": {"type": "string"}, "currency": {"type": "string"}}
  }}}
})";

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    RegistryOptions options;
    options.path = dir_.path() + "/registry.db";
    options.account = "111122223333";
    options.region = "eu-west-1";
    options.max_registries = 5;
    auto r = Registry::Open(options);
    ASSERT_TRUE(r.ok()) << r.status();
    registry_ = std::move(*r);
  }

  void Reopen() {
    registry_.reset();
    Open();
  }

  void Discover(const std::string& bus, const std::vector<std::string>& events) {
    std::vector<Registry::Observed> observed;
    for (const std::string& e : events) observed.push_back({bus, e});
    registry_->Discover(std::move(observed));
    registry_->Flush();
  }

  SchemaInfo Describe(const std::string& name, const std::string& version = "") {
    auto s = registry_->DescribeSchema(kDiscoveredRegistryName, name, version);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : SchemaInfo{};
  }

  static constexpr char kDiscoveredRegistryName[] = "discovered-schemas";
  TempDir dir_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryTest, DiscoveredRegistryAlwaysExistsAndCannotBeDeleted) {
  auto list = registry_->ListRegistries("", "", 0);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].name, "discovered-schemas");
  EXPECT_EQ(list->items[0].arn, "arn:aws:schemas:eu-west-1:111122223333:registry/discovered-schemas");
  absl::Status s = registry_->DeleteRegistry("discovered-schemas");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(s, "ForbiddenException")) << s;
}

TEST_F(RegistryTest, RegistriesAreCreatedDescribedUpdatedListedAndDeleted) {
  ASSERT_TRUE(registry_->CreateRegistry("orders", "Order events").ok());
  ASSERT_TRUE(registry_->CreateRegistry("billing", "").ok());
  auto again = registry_->CreateRegistry("orders", "");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(Contains(again.status(), "ConflictException: Registry orders already exists"));

  auto described = registry_->DescribeRegistry("orders");
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->description, "Order events");
  ASSERT_TRUE(registry_->UpdateRegistry("orders", "All order events").ok());
  EXPECT_EQ(registry_->DescribeRegistry("orders")->description, "All order events");

  // Pages of one, in name order, then by prefix.
  auto first = registry_->ListRegistries("", "", 1);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 1u);
  EXPECT_EQ(first->items[0].name, "billing");
  auto second = registry_->ListRegistries("", first->next_token, 1);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->items[0].name, "discovered-schemas");
  auto foreign = registry_->ListRegistries("o", first->next_token, 1);
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kInvalidArgument);
  auto prefixed = registry_->ListRegistries("or", "", 0);
  ASSERT_EQ(prefixed->items.size(), 1u);
  EXPECT_EQ(prefixed->items[0].name, "orders");

  EXPECT_TRUE(registry_->DeleteRegistry("billing").ok());
  EXPECT_EQ(registry_->DescribeRegistry("billing").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(registry_->DeleteRegistry("billing").code(), absl::StatusCode::kNotFound);
}

TEST_F(RegistryTest, RegistryArgumentsAreChecked) {
  auto bad = registry_->CreateRegistry("has space", "");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(bad.status(), "BadRequestException: registry_name")) << bad.status();
  EXPECT_TRUE(Contains(registry_->CreateRegistry(std::string(65, 'a'), "").status(),
                       "65 characters, at most 64"));
  EXPECT_TRUE(Contains(registry_->CreateRegistry("x", std::string(257, 'd')).status(),
                       "description: 257 characters, at most 256"));
  EXPECT_TRUE(Contains(registry_->ListRegistries("", "", 101).status(), "limit: 101"));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(registry_->CreateRegistry(absl::StrCat("r", i), "").ok());
  auto over = registry_->CreateRegistry("r9", "");
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(Contains(over.status(), "LimitExceededException")) << over.status();
}

TEST_F(RegistryTest, CustomSchemasKeepAVersionPerContentChange) {
  ASSERT_TRUE(registry_->CreateRegistry("orders", "").ok());
  auto v1 = registry_->CreateSchema("orders", "Order", "OpenApi3", kCustomOpenApi, "orders");
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->arn, "arn:aws:schemas:eu-west-1:111122223333:schema/orders/Order");

  // Same content: no new version; a description alone changes no version either.
  auto same = registry_->UpdateSchema("orders", "Order", "", kCustomOpenApi, std::nullopt);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->version, 1);
  auto described = registry_->UpdateSchema("orders", "Order", "", "", "Order placed");
  ASSERT_TRUE(described.ok()) << described.status();
  EXPECT_EQ(described->version, 1);
  EXPECT_EQ(described->description, "Order placed");

  auto v2 = registry_->UpdateSchema("orders", "Order", "", kCustomOpenApiV2, std::nullopt);
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(v2->version_count, 2);

  EXPECT_EQ(registry_->DescribeSchema("orders", "Order", "1")->content, kCustomOpenApi);
  EXPECT_EQ(registry_->DescribeSchema("orders", "Order", "")->content, kCustomOpenApiV2);
  auto versions = registry_->ListSchemaVersions("orders", "Order", "", 0);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->items.size(), 2u);
  EXPECT_EQ(versions->items[0].version, 2);  // newest first
  EXPECT_EQ(versions->items[1].version, 1);

  auto diff = registry_->DiffVersions("orders", "Order", "1", "2");
  ASSERT_TRUE(diff.ok()) << diff.status();
  std::vector<std::pair<std::string, std::string>> changes;
  for (const FieldChange& c : diff->changes) {
    changes.emplace_back(std::string(ChangeKindName(c.kind)), c.path);
  }
  EXPECT_EQ(changes, (std::vector<std::pair<std::string, std::string>>{
                         {"added", "currency"}, {"removed", "total"}}));

  // Export in the other type, then as it is.
  auto json_schema = registry_->ExportSchema("orders", "Order", "1", "JSONSchemaDraft4");
  ASSERT_TRUE(json_schema.ok()) << json_schema.status();
  EXPECT_NE(json_schema->content.find("draft-04"), std::string::npos);
  EXPECT_NE(json_schema->content.find("\"total\""), std::string::npos);
  EXPECT_EQ(registry_->ExportSchema("orders", "Order", "2", "OpenApi3")->content, kCustomOpenApiV2);

  // Versions are deleted one at a time, but not the last one.
  ASSERT_TRUE(registry_->DeleteSchemaVersion("orders", "Order", "2").ok());
  EXPECT_EQ(registry_->DescribeSchema("orders", "Order", "")->version, 1);
  absl::Status last = registry_->DeleteSchemaVersion("orders", "Order", "1");
  EXPECT_EQ(last.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(last, "only version")) << last;
  // A deleted version's number is not reused.
  EXPECT_EQ(registry_->UpdateSchema("orders", "Order", "", kCustomOpenApiV2, std::nullopt)->version,
            3);

  EXPECT_EQ(registry_->DeleteRegistry("orders").code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(registry_->DeleteSchema("orders", "Order").ok());
  EXPECT_EQ(registry_->DescribeSchema("orders", "Order", "").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(registry_->DeleteRegistry("orders").ok());
}

TEST_F(RegistryTest, SchemaErrorsNameTheArgument) {
  ASSERT_TRUE(registry_->CreateRegistry("orders", "").ok());
  auto unknown_registry = registry_->CreateSchema("nope", "A", "OpenApi3", kCustomOpenApi, "");
  EXPECT_EQ(unknown_registry.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Contains(unknown_registry.status(), "NotFoundException: Registry nope does not exist"));

  auto bad_type = registry_->CreateSchema("orders", "A", "Avro", kCustomOpenApi, "");
  EXPECT_TRUE(Contains(bad_type.status(), "type \"Avro\" is not")) << bad_type.status();

  auto not_json = registry_->CreateSchema("orders", "A", "OpenApi3", "{", "");
  EXPECT_EQ(not_json.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(not_json.status(), "BadRequestException: content:")) << not_json.status();

  auto not_openapi = registry_->CreateSchema("orders", "A", "OpenApi3", R"({"type":"object"})", "");
  EXPECT_EQ(not_openapi.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(not_openapi.status(), "openapi")) << not_openapi.status();

  auto bad_property = registry_->CreateSchema(
      "orders", "A", "JSONSchemaDraft4",
      R"({"$schema":"http://json-schema.org/draft-04/schema#","type":"object","properties":{"id":{"type":"text"}}})",
      "");
  EXPECT_EQ(bad_property.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(bad_property.status(), "/properties/id")) << bad_property.status();

  auto too_big = registry_->CreateSchema("orders", "A", "OpenApi3", std::string(100'001, ' '), "");
  EXPECT_TRUE(Contains(too_big.status(), "100001 characters, at most 100000"));

  ASSERT_TRUE(registry_->CreateSchema("orders", "A", "OpenApi3", kCustomOpenApi, "").ok());
  EXPECT_EQ(registry_->CreateSchema("orders", "A", "OpenApi3", kCustomOpenApi, "").status().code(),
            absl::StatusCode::kAlreadyExists);
  for (const char* version : {"abc", "0", "01", "-1", "1.5"}) {
    auto bad = registry_->DescribeSchema("orders", "A", version);
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << version;
    EXPECT_TRUE(Contains(bad.status(), "is not a version")) << bad.status();
  }
  auto missing = registry_->DescribeSchema("orders", "A", "7");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Contains(missing.status(), "Version 7 of schema A")) << missing.status();
  EXPECT_EQ(registry_->DescribeSchema("orders", "B", "").status().code(),
            absl::StatusCode::kNotFound);

  auto in_discovered =
      registry_->CreateSchema("discovered-schemas", "A", "OpenApi3", kCustomOpenApi, "");
  EXPECT_EQ(in_discovered.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(in_discovered.status(), "ForbiddenException")) << in_discovered.status();
}

TEST_F(RegistryTest, DiscoveryKeepsAVersionPerChangeOfTheMergedSchema) {
  const std::string name = "com.example.orders@OrderPlaced";
  Discover("default", {Event("com.example.orders", "Order Placed", R"({"id":"o-1","total":12})")});
  SchemaInfo v1 = Describe(name);
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v1.type, DocumentType::kOpenApi3);
  EXPECT_NE(v1.content.find("\"x-amazon-events-source\": \"com.example.orders\""),
            std::string::npos)
      << v1.content;
  EXPECT_NE(v1.content.find("\"x-amazon-events-detail-type\": \"Order Placed\""),
            std::string::npos);
  EXPECT_NE(v1.content.find("\"OrderPlaced\""), std::string::npos);

  // The same shape again, with other values: no new version.
  Discover("default", {Event("com.example.orders", "Order Placed", R"({"id":"o-2","total":99})")});
  EXPECT_EQ(Describe(name).version, 1);
  EXPECT_GE(registry_->stats().shape_hits, 1u);

  // A new optional field: version 2, with "coupon" optional and "id" still required.
  Discover("default", {Event("com.example.orders", "Order Placed",
                             R"({"id":"o-3","total":5,"coupon":"SPRING"})")});
  SchemaInfo v2 = Describe(name);
  EXPECT_EQ(v2.version, 2);
  auto shape2 = ParseDocument(DocumentType::kOpenApi3, v2.content);
  ASSERT_TRUE(shape2.ok()) << shape2.status();

  // total becomes a number with a fraction: the type widens, version 3.
  Discover("default",
           {Event("com.example.orders", "Order Placed", R"({"id":"o-4","total":5.5})")});
  SchemaInfo v3 = Describe(name);
  EXPECT_EQ(v3.version, 3);
  EXPECT_EQ(v3.version_count, 3);

  auto diff = registry_->DiffVersions("discovered-schemas", name, "1", "");
  ASSERT_TRUE(diff.ok()) << diff.status();
  EXPECT_EQ(diff->from_version, 1);
  EXPECT_EQ(diff->to_version, 3);
  bool coupon_added = false, total_widened = false;
  for (const FieldChange& c : diff->changes) {
    if (c.path == "detail.coupon" && c.kind == FieldChange::Kind::kAdded) coupon_added = true;
    if (c.path == "detail.total" && c.kind == FieldChange::Kind::kTypeChanged) {
      EXPECT_EQ(c.old_type, "integer");
      EXPECT_EQ(c.new_type, "number");
      total_widened = true;
    }
  }
  EXPECT_TRUE(coupon_added);
  EXPECT_TRUE(total_widened);

  // Another detail-type is another schema.
  Discover("default", {Event("com.example.orders", "Order Shipped", R"({"id":"o-1"})")});
  auto list = registry_->ListSchemas("discovered-schemas", "com.example.orders@", "", 0);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->items.size(), 2u);
  EXPECT_EQ(list->items[0].name, "com.example.orders@OrderPlaced");
  EXPECT_EQ(list->items[0].version, 3);
  EXPECT_EQ(list->items[1].name, "com.example.orders@OrderShipped");
  EXPECT_EQ(registry_->stats().versions_written, 4u);
}

TEST_F(RegistryTest, DiscoveredSchemasSurviveReopeningAndKeepMerging) {
  const std::string name = "app@Signup";
  Discover("default", {Event("app", "Signup", R"({"user":{"id":1,"email":"a@b.c"}})"),
                       Event("app", "Signup", R"({"user":{"id":2}})")});
  SchemaInfo before = Describe(name);
  Reopen();
  SchemaInfo after = Describe(name);
  EXPECT_EQ(after.version, before.version);
  EXPECT_EQ(after.content, before.content);

  // After reopening, a known shape changes nothing and a new field merges into what is stored:
  // "email" stays optional, "id" stays required.
  Discover("default", {Event("app", "Signup", R"({"user":{"id":3}})")});
  EXPECT_EQ(Describe(name).version, before.version);
  Discover("default", {Event("app", "Signup", R"({"user":{"id":4,"plan":"pro"}})")});
  SchemaInfo merged = Describe(name);
  EXPECT_EQ(merged.version, before.version + 1);
  auto diff = registry_->DiffVersions("discovered-schemas", name, absl::StrCat(before.version), "");
  ASSERT_TRUE(diff.ok());
  ASSERT_EQ(diff->changes.size(), 1u) << merged.content;
  EXPECT_EQ(diff->changes[0].path, "detail.user.plan");
  EXPECT_EQ(diff->changes[0].kind, FieldChange::Kind::kAdded);
  EXPECT_FALSE(diff->changes[0].new_required);
}

TEST_F(RegistryTest, DiscoveryStopsPerBusAndTheSettingPersists) {
  ASSERT_TRUE(registry_->SetDiscovery("quiet", false).ok());
  EXPECT_FALSE(registry_->DiscoveryStarted("quiet"));
  EXPECT_TRUE(registry_->DiscoveryStarted("default"));
  Discover("quiet", {Event("app", "Hidden", R"({"a":1})")});
  Discover("default", {Event("app", "Seen", R"({"a":1})")});
  EXPECT_EQ(registry_->DescribeSchema("discovered-schemas", "app@Hidden", "").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Describe("app@Seen").version, 1);

  Reopen();
  EXPECT_FALSE(registry_->DiscoveryStarted("quiet"));
  ASSERT_TRUE(registry_->SetDiscovery("quiet", true).ok());
  Discover("quiet", {Event("app", "Hidden", R"({"a":1})")});
  EXPECT_EQ(Describe("app@Hidden").version, 1);
}

TEST_F(RegistryTest, DeletedDiscoveredSchemaIsDiscoveredAgain) {
  Discover("default", {Event("app", "Tick", R"({"n":1})")});
  ASSERT_EQ(Describe("app@Tick").version, 1);
  ASSERT_TRUE(registry_->DeleteSchema("discovered-schemas", "app@Tick").ok());
  Discover("default", {Event("app", "Tick", R"({"n":2})")});
  EXPECT_EQ(Describe("app@Tick").version, 1);
}

TEST_F(RegistryTest, EventsThatAreNotEnvelopesAreCountedAndSkipped) {
  Discover("default", {"not json", R"({"source":"a"})", Event("app", "Ok", R"({"a":1})")});
  EXPECT_EQ(registry_->stats().events_failed, 2u);
  EXPECT_EQ(Describe("app@Ok").version, 1);
}

TEST_F(RegistryTest, SearchFindsNamesAndFieldPaths) {
  Discover("default", {Event("shop", "Order Placed", R"({"order":{"sku":"x","qty":1}})"),
                       Event("shop", "Refund", R"({"amount":3})"),
                       Event("crm", "Signup", R"({"email":"e"})")});
  auto by_field = registry_->SearchSchemas("discovered-schemas", "SKU", "", 0);
  ASSERT_TRUE(by_field.ok()) << by_field.status();
  ASSERT_EQ(by_field->items.size(), 1u);
  EXPECT_EQ(by_field->items[0].schema.name, "shop@OrderPlaced");
  EXPECT_FALSE(by_field->items[0].name_matched);
  EXPECT_EQ(by_field->items[0].matched_fields, std::vector<std::string>{"detail.order.sku"});

  auto two = registry_->SearchSchemas("discovered-schemas", "refund email", "", 1);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->items.size(), 1u);
  EXPECT_EQ(two->items[0].schema.name, "crm@Signup");
  auto rest = registry_->SearchSchemas("discovered-schemas", "refund email", two->next_token, 1);
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].schema.name, "shop@Refund");
  EXPECT_TRUE(rest->items[0].name_matched);
  EXPECT_TRUE(rest->next_token.empty());

  EXPECT_EQ(registry_->SearchSchemas("discovered-schemas", "  ", "", 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry_->SearchSchemas("nope", "a", "", 0).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(InferSchemaTest, InfersFromOneToTenEventsAndNamesTheBadOne) {
  std::vector<std::string> events = {Event("app", "Ping", R"({"a":1})"),
                                     Event("app", "Ping", R"({"a":1,"b":true})")};
  auto openapi = InferSchema(events, DocumentType::kOpenApi3);
  ASSERT_TRUE(openapi.ok()) << openapi.status();
  EXPECT_NE(openapi->find("\"x-amazon-events-detail-type\": \"Ping\""), std::string::npos);
  auto shape = ParseDocument(DocumentType::kOpenApi3, *openapi);
  ASSERT_TRUE(shape.ok()) << shape.status();
  auto json_schema = InferSchema(events, DocumentType::kJsonSchemaDraft4);
  ASSERT_TRUE(json_schema.ok());
  EXPECT_NE(json_schema->find("draft-04"), std::string::npos);

  EXPECT_TRUE(Contains(InferSchema({}, DocumentType::kOpenApi3).status(), "0 events"));
  EXPECT_TRUE(Contains(InferSchema(std::vector<std::string>(11, "{}"), DocumentType::kOpenApi3)
                           .status(),
                       "11 events"));
  auto bad = InferSchema({"{}", "{nope"}, DocumentType::kOpenApi3);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(bad.status(), "BadRequestException: events[1]: ")) << bad.status();
}

TEST(DiscoveredSchemaNameTest, DropsWhitespaceAndKeepsTheRest) {
  EXPECT_EQ(DiscoveredSchemaName("aws.ec2", "EC2 Instance State-change Notification"),
            "aws.ec2@EC2InstanceState-changeNotification");
  EXPECT_EQ(DiscoveredSchemaName("a/b", "x\ty"), "a_b@xy");
}

}  // namespace
}  // namespace busbar::registry
