// Tests of registry::FieldPaths, Diff and ChangeKindName.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/schema.h"

namespace busbar::registry {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Node Shape(std::vector<const char*> events) {
  Node merged;
  for (const char* e : events) {
    absl::StatusOr<Node> node = Infer(e);
    EXPECT_TRUE(node.ok()) << e;
    if (node.ok()) Merge(merged, *node);
  }
  return merged;
}

// "kind path old->new required:old->new", one string per change.
std::vector<std::string> Changes(const Node& from, const Node& to) {
  std::vector<std::string> out;
  for (const FieldChange& c : Diff(from, to)) {
    out.push_back(absl::StrCat(std::string(ChangeKindName(c.kind)), " ", c.path, " ", c.old_type,
                               "->", c.new_type, " ", c.old_required, "->", c.new_required));
  }
  return out;
}

TEST(FieldPaths, ListsEveryFieldDottedWithArrayItemsAsBrackets) {
  const Node node =
      Shape({R"({"source":"s","detail":{"items":[{"sku":"a","n":1}],"grid":[[{"x":1}]]}})"});
  EXPECT_THAT(FieldPaths(node),
              ElementsAre("detail", "detail.grid", "detail.grid[][].x", "detail.items",
                          "detail.items[].n", "detail.items[].sku", "source"));
}

TEST(FieldPaths, TopLevelArraysAndScalarsHaveNoFieldOfTheirOwn) {
  EXPECT_THAT(FieldPaths(Shape({R"([{"a":1}])"})), ElementsAre("[].a"));
  EXPECT_THAT(FieldPaths(Shape({"1"})), IsEmpty());
  EXPECT_THAT(FieldPaths(Shape({"{}"})), IsEmpty());
}

TEST(Diff, EqualShapesHaveNoChanges) {
  const Node a = Shape({R"({"a":1,"b":{"c":[1]}})"});
  EXPECT_THAT(Diff(a, a), IsEmpty());
}

TEST(Diff, ReportsAddedAndRemovedFieldsWithTheirTypes) {
  EXPECT_THAT(Changes(Shape({R"({"a":1,"gone":"x"})"}), Shape({R"({"a":1,"new":true})"})),
              ElementsAre("removed gone string-> 1->0", "added new ->boolean 0->1"));
}

TEST(Diff, AnAddedOrRemovedObjectReportsOnlyItsOwnPath) {
  EXPECT_THAT(Changes(Shape({R"({"a":1})"}), Shape({R"({"a":1,"o":{"x":{"y":1},"l":[{"z":1}]}})"})),
              ElementsAre("added o ->object 0->1"));
  EXPECT_THAT(Changes(Shape({R"({"a":1,"o":{"x":{"y":1}},"o-b":2})"}), Shape({R"({"a":1})"})),
              ElementsAre("removed o object-> 1->0", "removed o-b integer-> 1->0"));
}

TEST(Diff, ReportsTypeChangesIncludingDateTime) {
  EXPECT_THAT(
      Changes(Shape({R"({"n":1,"t":"2024-01-02T03:04:05Z","s":"x"})"}),
              Shape({R"({"n":1.5,"t":"2024-01-02T03:04:05Z","s":"x"})",
                     R"({"n":2,"t":"soon","s":null})"})),
      ElementsAre("type-changed n integer->number 1->1", "type-changed s string->null|string 1->1",
                  "type-changed t string(date-time)->string 1->1"));
}

TEST(Diff, ReportsRequiredChanges) {
  EXPECT_THAT(Changes(Shape({R"({"a":1,"b":2})"}), Shape({R"({"a":1,"b":2})", R"({"a":1})"})),
              ElementsAre("required-changed b integer->integer 1->0"));
  EXPECT_THAT(Changes(Shape({R"({"a":1,"b":2})", R"({"a":1})"}), Shape({R"({"a":1,"b":"x"})"})),
              ElementsAre("type-changed b integer->string 0->1",
                          "required-changed b integer->string 0->1"));
}

TEST(Diff, LooksInsideArrayItems) {
  EXPECT_THAT(
      Changes(Shape({R"({"l":[{"a":1}]})"}), Shape({R"({"l":[{"a":1},{"b":1}]})"})),
      ElementsAre("required-changed l[].a integer->integer 1->0", "added l[].b ->integer 0->0"));
}

TEST(Diff, ObjectBecomingAScalarDropsItsFields) {
  EXPECT_THAT(Changes(Shape({R"({"o":{"x":1}})"}), Shape({R"({"o":"flat"})"})),
              ElementsAre("type-changed o object->string 1->1", "removed o.x integer-> 1->0"));
}

TEST(ChangeKindName, NamesEveryKind) {
  EXPECT_EQ(ChangeKindName(FieldChange::Kind::kAdded), "added");
  EXPECT_EQ(ChangeKindName(FieldChange::Kind::kRemoved), "removed");
  EXPECT_EQ(ChangeKindName(FieldChange::Kind::kTypeChanged), "type-changed");
  EXPECT_EQ(ChangeKindName(FieldChange::Kind::kRequiredChanged), "required-changed");
}

}  // namespace
}  // namespace busbar::registry
