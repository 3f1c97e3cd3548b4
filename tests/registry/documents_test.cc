// Tests of registry::ToOpenApi and ToJsonSchema: golden documents for a realistic event
// (tests/testdata/registry/order_placed.*.json) and round trips through ParseDocument.
//
// To regenerate the goldens after a deliberate change of layout, run this test with
// BUSBAR_REGENERATE_GOLDEN=1 and review the diff by eye.
#include <simdjson.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "registry/schema.h"
#include "tests/registry/node_spec.h"
#include "tests/registry/random_event.h"

namespace busbar::registry {
namespace {

using testing::Describe;

const std::string kTestdata = BUSBAR_TESTDATA_DIR "/registry/";
const EventIdentity kOrderPlaced{"com.example.orders", "Order Placed"};

// The merged shape of the events in order_placed_events.json.
Node OrderPlaced() {
  const std::string text = testing::ReadFileOrDie(kTestdata + "order_placed_events.json");
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::array events;
  if (parser.parse(padded).get(events) != simdjson::SUCCESS) std::abort();
  Node merged;
  for (simdjson::dom::element event : events) {
    absl::StatusOr<Node> node = Infer(simdjson::minify(event));
    if (!node.ok()) std::abort();
    Merge(merged, *node);
  }
  return merged;
}

void ExpectGolden(const std::string& file, const std::string& actual) {
  if (std::getenv("BUSBAR_REGENERATE_GOLDEN") != nullptr) {
    std::ofstream(kTestdata + file, std::ios::binary) << actual;
  }
  EXPECT_EQ(actual, testing::ReadFileOrDie(kTestdata + file)) << file;
}

TEST(ToOpenApi, MatchesTheGoldenEventBridgeLayout) {
  ExpectGolden("order_placed.openapi.json", ToOpenApi(OrderPlaced(), "OrderPlaced", kOrderPlaced));
}

TEST(ToJsonSchema, MatchesTheGolden) {
  ExpectGolden("order_placed.jsonschema.json",
               ToJsonSchema(OrderPlaced(), "OrderPlaced", kOrderPlaced));
}

// Renders `node` in both formats and parses each back.
void ExpectRoundTrip(const Node& node, const std::string& what) {
  const EventIdentity identity{"aws.ec2", "EC2 Instance State-change Notification"};
  for (DocumentType type : {DocumentType::kOpenApi3, DocumentType::kJsonSchemaDraft4}) {
    const std::string doc = type == DocumentType::kOpenApi3 ? ToOpenApi(node, "T", identity)
                                                            : ToJsonSchema(node, "T", identity);
    EventIdentity read;
    absl::StatusOr<Node> back = ParseDocument(type, doc, &read);
    ASSERT_TRUE(back.ok()) << what << "\n" << back.status() << "\n" << doc;
    ASSERT_EQ(*back, node) << what << "\ngot      " << Describe(*back) << "\nexpected "
                           << Describe(node) << "\n"
                           << doc;
    EXPECT_EQ(read.source, identity.source);
    EXPECT_EQ(read.detail_type, identity.detail_type);
  }
}

TEST(Documents, RoundTripTheRealisticEvent) { ExpectRoundTrip(OrderPlaced(), "order placed"); }

TEST(Documents, RoundTripTheShapesOfTheInferenceTable) {
  const std::string text = testing::ReadFileOrDie(kTestdata + "infer_cases.json");
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  simdjson::dom::array cases;
  if (parser.parse(padded).get(root) || root["cases"].get(cases)) std::abort();
  int tested = 0;
  for (simdjson::dom::element c : cases) {
    simdjson::dom::array events;
    if (c["events"].get(events) || c["error"].error() == simdjson::SUCCESS) continue;
    Node merged;
    for (simdjson::dom::element e : events) {
      std::string_view raw;
      absl::StatusOr<Node> node =
          Infer(e.get(raw) == simdjson::SUCCESS ? std::string(raw) : simdjson::minify(e));
      ASSERT_TRUE(node.ok());
      Merge(merged, *node);
      ExpectRoundTrip(*node, simdjson::minify(e));
    }
    ExpectRoundTrip(merged, simdjson::minify(c));
    ++tested;
  }
  EXPECT_GT(tested, 30);
}

TEST(Documents, RoundTripRandomEventsAndTheirMerges) {
  std::mt19937 rng(99);
  Node merged;
  for (int round = 0; round < 1500; ++round) {
    const std::string json = testing::RandomValue::Make(rng).Write(rng, true);
    absl::StatusOr<Node> node = Infer(json);
    ASSERT_TRUE(node.ok());
    ExpectRoundTrip(*node, json);
    if (round % 10 == 0) merged = Node{};
    Merge(merged, *node);
    ExpectRoundTrip(merged, "merge up to " + json);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(Documents, RoundTripSpecialShapes) {
  for (
      const char* spec : {
          R"("")",
          R"("null")",
          R"("array")",
          R"("object")",
          R"("integer|null")",
          R"({"kinds":"null|object","properties":{"a":"null"}})",
          R"({"items":"null"})",
          R"({"items":"array"})",
          R"({"items":{"items":"array"}})",
          R"({"kinds":"array|null|object|string","properties":{"?x":"boolean"},"items":"object"})",
          R"({"properties":{"detail":{"kinds":"object|string","properties":{"a":"integer"}}}})",
          R"({"properties":{"detail":{"items":{"properties":{"a":{"properties":{}}}}}}})",
          R"({"properties":{"a/b~c":{"properties":{"x y":"object"}},"":"object","AWSEvent":"object"}})",
          R"({"properties":{"a":{"properties":{"a":{"properties":{"a":"object"}}}},"A":"object"}})",
          R"({"properties":{"quote\"s":"string","ctl\u0001":"number","\u00e9t\u00e9":"boolean"}})",
      }) {
    absl::StatusOr<Node> node = testing::ParseSpec(spec);
    ASSERT_TRUE(node.ok()) << spec;
    ExpectRoundTrip(*node, spec);
  }
}

TEST(Documents, RoundTripTheDeepestEvents) {
  const std::string arrays = std::string(kMaxDepth, '[') + std::string(kMaxDepth, ']');
  std::string objects;
  for (int i = 1; i < kMaxDepth; ++i) objects += R"({"k":)";
  objects += "{}" + std::string(kMaxDepth - 1, '}');
  for (const std::string& json : {arrays, objects}) {
    testing::RunOnDaemonSizedStack([&] {
      absl::StatusOr<Node> node = Infer(json);
      ASSERT_TRUE(node.ok());
      ExpectRoundTrip(*node, json.substr(0, 20));
    });
  }
}

TEST(ToOpenApi, NamesComponentsAfterPropertiesAndDetailType) {
  absl::StatusOr<Node> node = Infer(
      R"({"detail":{"state":{"code":1},"items":[{"a":1}],"grid":[[{"b":1}]]},"state":{"x":1}})");
  ASSERT_TRUE(node.ok());
  const std::string doc =
      ToOpenApi(*node, "T", {"aws.ec2", "EC2 Instance State-change Notification"});
  for (const char* name :
       {"\"AWSEvent\": {", "\"EC2InstanceStateChangeNotification\": {", "\"State\": {",
        "\"State_1\": {", "\"ItemsItem\": {", "\"GridItemItem\": {"}) {
    EXPECT_NE(doc.find(name), std::string::npos) << name << "\n" << doc;
  }
  // The detail is named first, the envelope's own "state" before the detail's (pre-order).
  EXPECT_LT(doc.find("\"EC2InstanceStateChangeNotification\": {"), doc.find("\"State\": {"));
}

TEST(ToOpenApi, RendersANonObjectEventAsItIs) {
  const std::string doc = ToOpenApi(*Infer("[1, 2]"), "T", {});
  EXPECT_NE(doc.find(R"("AWSEvent": {
        "type": "array",
        "items": {
          "type": "integer",
          "format": "int64"
        }
      })"),
            std::string::npos)
      << doc;
}

TEST(ToOpenApi, EqualNodesRenderIdenticalBytes) {
  const Node a = *Infer(R"({"b":{"y":1,"x":[1.5]},"a":"2024-01-02T03:04:05Z"})");
  const Node b = *Infer(R"({"a":"2024-01-02T03:04:05Z","b":{"x":[2.5],"y":2}})");
  EXPECT_EQ(ToOpenApi(a, "T", {}), ToOpenApi(b, "T", {}));
  EXPECT_EQ(ToJsonSchema(a, "T", {}), ToJsonSchema(b, "T", {}));
}

TEST(ToJsonSchema, LeavesOutAnEmptyIdentity) {
  const std::string doc = ToJsonSchema(*Infer("{}"), "Empty", {});
  EXPECT_EQ(doc, R"({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "Empty",
  "type": "object"
}
)");
}

TEST(JsonWriter, EscapesControlCharacters) {
  const Node node = *Infer("{\"a\\u0001\\n\\\"\\\\\\t\\u001f\\u007f\":1}");
  const std::string doc = ToJsonSchema(node, "T", {});
  EXPECT_NE(doc.find(R"("a\u0001\n\"\\\t\u001f)"), std::string::npos) << doc;
}

}  // namespace
}  // namespace busbar::registry
