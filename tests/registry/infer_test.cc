// Tests of registry::Infer, ShapeHash, IsRfc3339DateTime and KindName; the table of shapes is
// tests/testdata/registry/infer_cases.json.
#include <simdjson.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/schema.h"
#include "registry/schema_internal.h"
#include "tests/registry/node_spec.h"
#include "tests/registry/random_event.h"

#ifndef BUSBAR_TESTDATA_DIR
#error "BUSBAR_TESTDATA_DIR must name the tests/testdata directory"
#endif

namespace busbar::registry {
namespace {

using testing::Describe;
using ::testing::HasSubstr;
using testing::ParseSpec;

struct InferCase {
  std::string name;
  std::vector<std::string> events;
  std::string expect;  // spec JSON, or empty when `error` is set
  std::string error;
};

std::vector<InferCase> LoadCases() {
  static const std::string text =
      testing::ReadFileOrDie(BUSBAR_TESTDATA_DIR "/registry/infer_cases.json");
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  simdjson::dom::array all;
  if (parser.parse(padded).get(root) || root["cases"].get(all)) std::abort();
  std::vector<InferCase> cases;
  for (simdjson::dom::element c : all) {
    InferCase k;
    std::string_view name, error;
    simdjson::dom::array events;
    if (c["name"].get(name) || c["events"].get(events)) std::abort();
    k.name = std::string(name);
    for (simdjson::dom::element e : events) {
      std::string_view raw;
      k.events.push_back(e.get(raw) == simdjson::SUCCESS ? std::string(raw) : simdjson::minify(e));
    }
    if (c["error"].get(error) == simdjson::SUCCESS) {
      k.error = std::string(error);
    } else {
      simdjson::dom::element expect;
      if (c["expect"].get(expect)) std::abort();
      k.expect = simdjson::minify(expect);
    }
    cases.push_back(std::move(k));
  }
  return cases;
}

class InferTable : public ::testing::TestWithParam<InferCase> {};

TEST_P(InferTable, InfersAndMergesTheExpectedShape) {
  const InferCase& c = GetParam();
  Node merged;
  for (size_t i = 0; i < c.events.size(); ++i) {
    absl::StatusOr<Node> node = Infer(c.events[i]);
    absl::StatusOr<uint64_t> hash = ShapeHash(c.events[i]);
    if (!c.error.empty()) {
      ASSERT_FALSE(node.ok()) << c.events[i];
      EXPECT_THAT(std::string(node.status().message()), HasSubstr(c.error));
      ASSERT_FALSE(hash.ok());
      EXPECT_EQ(hash.status(), node.status());
      return;
    }
    ASSERT_TRUE(node.ok()) << c.events[i] << ": " << node.status();
    ASSERT_TRUE(hash.ok()) << hash.status();
    EXPECT_EQ(*hash, internal::HashNode(*node)) << c.events[i];
    if (i == 0) {
      merged = *node;
    } else {
      Merge(merged, *node);
    }
  }
  absl::StatusOr<Node> expect = ParseSpec(c.expect);
  ASSERT_TRUE(expect.ok()) << expect.status();
  EXPECT_EQ(merged, *expect) << "got      " << Describe(merged) << "\nexpected "
                             << Describe(*expect);
}

INSTANTIATE_TEST_SUITE_P(Cases, InferTable, ::testing::ValuesIn(LoadCases()),
                         [](const auto& info) { return info.param.name; });

// --- Random events: the hash against the inferred shape --------------------------------------

TEST(ShapeHash, AgreesWithInferOnRandomEvents) {
  std::mt19937 rng(20240506);
  int mixed_arrays = 0;
  for (int round = 0; round < 3000; ++round) {
    const testing::RandomValue v = testing::RandomValue::Make(rng);
    const std::string a = v.Write(rng, false), b = v.Write(rng, true);
    absl::StatusOr<Node> na = Infer(a), nb = Infer(b);
    ASSERT_TRUE(na.ok() && nb.ok()) << a << "\n" << b;
    ASSERT_EQ(*na, *nb) << a << "\n" << b;
    absl::StatusOr<uint64_t> ha = ShapeHash(a), hb = ShapeHash(b);
    ASSERT_TRUE(ha.ok() && hb.ok());
    ASSERT_EQ(*ha, internal::HashNode(*na)) << a;
    ASSERT_EQ(*ha, *hb) << a << "\n" << b;
    mixed_arrays += a.find("[{") != std::string::npos;
  }
  EXPECT_GT(mixed_arrays, 20);
}

TEST(ShapeHash, DiffersWhenTheShapeDiffers) {
  std::mt19937 rng(7);
  std::vector<std::pair<Node, uint64_t>> seen;
  int compared = 0;
  for (int round = 0; round < 1500; ++round) {
    const std::string json = testing::RandomValue::Make(rng).Write(rng, true);
    absl::StatusOr<Node> node = Infer(json);
    absl::StatusOr<uint64_t> hash = ShapeHash(json);
    ASSERT_TRUE(node.ok() && hash.ok());
    for (const auto& [other, other_hash] : seen) {
      ++compared;
      ASSERT_EQ(other == *node, other_hash == *hash) << json << "\n" << Describe(other);
    }
    if (seen.size() < 300) seen.emplace_back(*node, *hash);
  }
  EXPECT_GT(compared, 100000);
}

TEST(ShapeHash, IgnoresPropertyOrderAndItemOrderAndRepeats) {
  const uint64_t a =
      *ShapeHash(R"({"a":1,"b":{"x":"s","y":[1,2]},"c":[{"k":1},{"k":2,"j":true}]})");
  EXPECT_EQ(a, *ShapeHash(R"({"c":[{"j":false,"k":2},{"k":1}],"b":{"y":[3],"x":"t"},"a":9})"));
  EXPECT_EQ(
      a, *ShapeHash(
             R"({"c":[{"k":1},{"k":7},{"j":false,"k":2},{"k":1}],"b":{"y":[5,5],"x":""},"a":0})"));
}

TEST(ShapeHash, ChangesWithAFieldsType) {
  const uint64_t base = *ShapeHash(R"({"a":1,"b":"s","t":"2024-01-02T03:04:05Z"})");
  EXPECT_NE(base, *ShapeHash(R"({"a":1.5,"b":"s","t":"2024-01-02T03:04:05Z"})"));
  EXPECT_NE(base, *ShapeHash(R"({"a":1,"b":null,"t":"2024-01-02T03:04:05Z"})"));
  EXPECT_NE(base, *ShapeHash(R"({"a":1,"b":"s","t":"yesterday"})"));
  EXPECT_NE(base, *ShapeHash(R"({"a":1,"b":"s","u":"2024-01-02T03:04:05Z"})"));
  EXPECT_NE(base, *ShapeHash(R"({"a":1,"b":"s"})"));
  EXPECT_NE(*ShapeHash(R"([{"a":1},{"a":1,"b":1}])"), *ShapeHash(R"([{"a":1,"b":1}])"));
  EXPECT_NE(*ShapeHash("[]"), *ShapeHash("[[]]"));
  EXPECT_NE(*ShapeHash("{}"), *ShapeHash("[]"));
}

TEST(ShapeHash, RepeatedKeysHashAsInferMergesThem) {
  const std::string json = R"({"a":1,"b":[{"x":1,"x":"s"}],"a":null})";
  EXPECT_EQ(*ShapeHash(json), internal::HashNode(*Infer(json)));
  EXPECT_EQ(*ShapeHash(json), *ShapeHash(R"({"b":[{"x":"t","x":2}],"a":null,"a":3})"));
}

// --- Limits and errors -----------------------------------------------------------------------

std::string NestedArrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string NestedObjects(int depth) {
  std::string out;
  for (int i = 1; i < depth; ++i) out += R"({"k":)";
  return out + "{}" + std::string(depth - 1, '}');
}

TEST(Infer, AcceptsNestingUpToTheLimit) {
  for (const std::string& json : {NestedArrays(kMaxDepth), NestedObjects(kMaxDepth)}) {
    testing::RunOnDaemonSizedStack([&] {
      absl::StatusOr<Node> node = Infer(json);
      ASSERT_TRUE(node.ok()) << node.status();
      int depth = 0;
      for (const Node* n = &*node; n != nullptr; ++depth) {
        n = !n->items.empty()        ? &n->items[0]
            : !n->properties.empty() ? &n->properties[0].schema
                                     : nullptr;
      }
      EXPECT_EQ(depth, kMaxDepth);
      absl::StatusOr<uint64_t> hash = ShapeHash(json);
      ASSERT_TRUE(hash.ok());
      EXPECT_EQ(*hash, internal::HashNode(*node));
    });
  }
}

TEST(Infer, RejectsNestingBeyondTheLimit) {
  for (const std::string& json : {NestedArrays(kMaxDepth + 1), NestedObjects(kMaxDepth + 1)}) {
    EXPECT_EQ(Infer(json).status().message(), "event nests deeper than 4096");
    EXPECT_EQ(ShapeHash(json).status().message(), "event nests deeper than 4096");
  }
}

TEST(Infer, RejectsInvalidUtf8) {
  const absl::StatusOr<Node> node = Infer("{\"a\":\"\xff\"}");
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(node.status().message()), HasSubstr("event is not valid JSON: "));
}

TEST(Infer, LargeInputsUseTheirOwnParser) {
  std::string json = "[";
  while (json.size() < (size_t{5} << 20)) json += R"({"a":1,"b":"xxxxxxxxxxxxxxxxxxxxxxxx"},)";
  json += "{\"a\":2}]";
  absl::StatusOr<Node> node = Infer(json);
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(
      Describe(*node),
      R"({"kinds":"array","items":{"kinds":"object","properties":{"a":"integer","?b":"string"}}})");
  EXPECT_EQ(*ShapeHash(json), internal::HashNode(*node));
  EXPECT_TRUE(Infer("[1]").ok());  // the thread's own parser still works
}

// --- Date-times and kind names ---------------------------------------------------------------

TEST(IsRfc3339DateTime, AcceptsTheRfcForms) {
  for (const char* s : {"2024-01-02T03:04:05Z", "2024-01-02t03:04:05z", "2024-01-02T03:04:05.1Z",
                        "2024-01-02T03:04:05.123456789-07:00", "2024-12-31T23:59:60+14:00",
                        "2000-02-29T00:00:00Z", "0001-01-01T00:00:00+00:00"}) {
    EXPECT_TRUE(IsRfc3339DateTime(s)) << s;
  }
}

TEST(IsRfc3339DateTime, RejectsEverythingElse) {
  for (const char* s : {"",
                        "2024-01-02",
                        "2024-01-02T03:04:05",
                        "2024-01-02 03:04:05Z",
                        "2024-01-02T03:04Z",
                        "2024-13-02T03:04:05Z",
                        "2024-00-02T03:04:05Z",
                        "2024-04-31T03:04:05Z",
                        "1900-02-29T00:00:00Z",
                        "2024-01-02T24:00:00Z",
                        "2024-01-02T03:60:05Z",
                        "2024-01-02T03:04:61Z",
                        "2024-01-02T03:04:05.Z",
                        "2024-01-02T03:04:05+0100",
                        "2024-01-02T03:04:05+01:00x",
                        "2024-01-02T03:04:05Zz",
                        "2024-01-02T03:04:05+24:00",
                        "24-01-02T03:04:05Z",
                        "2024-1-02T03:04:05Z",
                        "２０２４-01-02T03:04:05Z"}) {
    EXPECT_FALSE(IsRfc3339DateTime(s)) << s;
  }
}

TEST(KindName, NamesKindsAlphabetically) {
  EXPECT_EQ(KindName(Node{}), "");
  EXPECT_EQ(KindName(Node{kString, true, {}, {}}), "string(date-time)");
  EXPECT_EQ(KindName(Node{kString, false, {}, {}}), "string");
  EXPECT_EQ(KindName(Node{kInteger | kNull, false, {}, {}}), "integer|null");
  EXPECT_EQ(KindName(Node{kNumber | kString, false, {}, {}}), "number|string");
  EXPECT_EQ(KindName(Node{kObject, false, {}, {}}), "object");
  EXPECT_EQ(KindName(Node{kArray | kBoolean | kNull | kString, true, {}, {}}),
            "array|boolean|null|string(date-time)");
}

TEST(NodeEquality, IgnoresFieldsTheKindsMakeMeaningless) {
  Node a{kInteger, true, {Property{"x", true, Node{kNull, false, {}, {}}}}, {Node{}}};
  Node b{kInteger, false, {}, {}};
  EXPECT_EQ(a, b);
  EXPECT_EQ(internal::HashNode(a), internal::HashNode(b));
  a.kinds = b.kinds = kString;
  EXPECT_NE(a, b);
}

TEST(ShapeHash, ReadsTheEventsIdentityInTheSameParse) {
  const std::string event =
      R"({"source":"shop","detail-type":"Order Placed","detail":{"id":1,"at":"2024-01-02T03:04:05Z"}})";
  EventIdentity identity;
  auto with_identity = ShapeHash(event, identity);
  ASSERT_TRUE(with_identity.ok()) << with_identity.status();
  EXPECT_EQ(*with_identity, *ShapeHash(event));
  EXPECT_EQ(identity.source, "shop");
  EXPECT_EQ(identity.detail_type, "Order Placed");

  EventIdentity unused;
  auto no_type = ShapeHash(R"({"source":"shop","detail":{}})", unused);
  EXPECT_EQ(no_type.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(no_type.status().message()), HasSubstr("detail-type"));
  auto not_string = ShapeHash(R"({"source":1,"detail-type":"x"})", unused);
  EXPECT_THAT(std::string(not_string.status().message()), HasSubstr("source"));
  EXPECT_FALSE(ShapeHash("[1]", unused).ok());
  EXPECT_FALSE(ShapeHash("{", unused).ok());
}

}  // namespace
}  // namespace busbar::registry
