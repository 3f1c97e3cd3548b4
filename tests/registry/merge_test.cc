// Tests of registry::Merge beyond the inference table: the rules stated in schema.h, one each.
#include "gtest/gtest.h"
#include "registry/schema.h"
#include "tests/registry/node_spec.h"

namespace busbar::registry {
namespace {

using testing::Describe;

Node Spec(const char* spec) {
  absl::StatusOr<Node> node = testing::ParseSpec(spec);
  EXPECT_TRUE(node.ok()) << node.status();
  return node.ok() ? *node : Node{};
}

void ExpectMerge(const char* into, const char* from, const char* expect) {
  Node merged = Spec(into);
  Merge(merged, Spec(from));
  EXPECT_EQ(merged, Spec(expect)) << into << " + " << from << "\ngot      " << Describe(merged)
                                  << "\nexpected " << expect;
}

TEST(Merge, UnitesKinds) {
  ExpectMerge(R"("integer")", R"("null")", R"("integer|null")");
  ExpectMerge(R"("boolean|string")", R"("array")", R"("array|boolean|string")");
  ExpectMerge(R"("string")", R"("")", R"("string")");
  ExpectMerge(R"("")", R"("object")", R"("object")");
}

TEST(Merge, IntegerAndNumberBecomeNumber) {
  ExpectMerge(R"("integer")", R"("number")", R"("number")");
  ExpectMerge(R"("number|null")", R"("integer")", R"("null|number")");
  ExpectMerge(R"("integer|string")", R"("number")", R"("number|string")");
}

TEST(Merge, DateTimeHoldsOnlyIfBothSidesWithStringsHadIt) {
  ExpectMerge(R"x("string(date-time)")x", R"x("string(date-time)")x", R"x("string(date-time)")x");
  ExpectMerge(R"x("string(date-time)")x", R"("string")", R"("string")");
  ExpectMerge(R"("string")", R"x("string(date-time)")x", R"("string")");
  ExpectMerge(R"x("string(date-time)")x", R"("null")", R"x("null|string(date-time)")x");
  ExpectMerge(R"("integer")", R"x("string(date-time)")x", R"x("integer|string(date-time)")x");
}

TEST(Merge, PropertiesStayRequiredOnlyIfBothSidesRequiredThem) {
  ExpectMerge(R"({"properties":{"a":"integer","b":"string"}})",
              R"({"properties":{"a":"integer","c":"null"}})",
              R"({"properties":{"a":"integer","?b":"string","?c":"null"}})");
  ExpectMerge(R"({"properties":{"?a":"integer"}})", R"({"properties":{"a":"integer"}})",
              R"({"properties":{"?a":"integer"}})");
  ExpectMerge(R"("object")", R"({"properties":{"a":"integer"}})",
              R"({"properties":{"?a":"integer"}})");
}

TEST(Merge, ASideWithoutObjectsSaysNothingOfProperties) {
  ExpectMerge(R"({"properties":{"a":"integer"}})", R"("string|null")",
              R"({"kinds":"null|object|string","properties":{"a":"integer"}})");
  ExpectMerge(R"("null")", R"({"properties":{"a":"integer","?b":"null"}})",
              R"({"kinds":"null|object","properties":{"a":"integer","?b":"null"}})");
}

TEST(Merge, ItemsMerge) {
  ExpectMerge(R"({"items":{"properties":{"a":"integer"}}})",
              R"({"items":{"properties":{"a":"number","b":"null"}}})",
              R"({"items":{"properties":{"a":"number","?b":"null"}}})");
  ExpectMerge(R"("array")", R"({"items":"string"})", R"({"items":"string"})");
  ExpectMerge(R"({"items":"string"})", R"("array")", R"({"items":"string"})");
  ExpectMerge(R"("integer")", R"({"items":"string"})",
              R"({"kinds":"array|integer","items":"string"})");
}

TEST(Merge, IsIdempotentAndSafeWithItself) {
  Node n = Spec(
      R"({"kinds":"object|array|integer","properties":{"?a":{"items":"null"}},"items":"string"})");
  const Node copy = n;
  Merge(n, n);
  EXPECT_EQ(n, copy);
  Merge(n, copy);
  EXPECT_EQ(n, copy);
}

TEST(Merge, ClearsFieldsTheFromSideMakesMeaningful) {
  // Stale fields of a side without that kind must not leak into the merge.
  Node into{kInteger,
            true,
            {Property{"stale", true, Node{kNull, false, {}, {}}}},
            {Node{kBoolean, false, {}, {}}}};
  Merge(into, Node{kObject | kArray | kString, false, {}, {}});
  EXPECT_EQ(into, Spec(R"({"kinds":"array|integer|object|string"})"));
  EXPECT_TRUE(into.properties.empty());
  EXPECT_TRUE(into.items.empty());
  EXPECT_FALSE(into.date_time);
}

}  // namespace
}  // namespace busbar::registry
