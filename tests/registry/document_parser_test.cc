// Tests of registry::ParseDocument: the error table tests/testdata/registry/
// invalid_documents.json, and hand-written documents of both formats.
#include <simdjson.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "registry/schema.h"
#include "tests/registry/node_spec.h"

namespace busbar::registry {
namespace {

using testing::Describe;

struct InvalidDocument {
  std::string name;
  DocumentType type;
  std::string content;
  std::string error;
  bool prefix_only;
};

std::vector<InvalidDocument> LoadInvalidDocuments() {
  static const std::string text =
      testing::ReadFileOrDie(BUSBAR_TESTDATA_DIR "/registry/invalid_documents.json");
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  simdjson::dom::array cases;
  if (parser.parse(padded).get(root) || root["cases"].get(cases)) std::abort();
  std::vector<InvalidDocument> out;
  for (simdjson::dom::element c : cases) {
    InvalidDocument d;
    std::string_view name, type, raw, error;
    if (c["name"].get(name) || c["type"].get(type)) std::abort();
    d.name = std::string(name);
    d.type = type == "openapi" ? DocumentType::kOpenApi3 : DocumentType::kJsonSchemaDraft4;
    simdjson::dom::element document;
    if (c["raw"].get(raw) == simdjson::SUCCESS) {
      d.content = std::string(raw);
    } else if (c["document"].get(document) == simdjson::SUCCESS) {
      d.content = simdjson::minify(document);
    } else {
      std::abort();
    }
    d.prefix_only = c["error_prefix"].get(error) == simdjson::SUCCESS;
    if (!d.prefix_only && c["error"].get(error)) std::abort();
    d.error = std::string(error);
    out.push_back(std::move(d));
  }
  return out;
}

class InvalidDocuments : public ::testing::TestWithParam<InvalidDocument> {};

TEST_P(InvalidDocuments, AreRejectedNamingThePlace) {
  const InvalidDocument& d = GetParam();
  EventIdentity identity{"untouched", "untouched"};
  absl::StatusOr<Node> node = ParseDocument(d.type, d.content, &identity);
  ASSERT_FALSE(node.ok()) << d.content << "\nparsed as " << Describe(*node);
  EXPECT_EQ(node.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(node.status().message());
  if (d.prefix_only) {
    EXPECT_EQ(message.substr(0, d.error.size()), d.error) << message;
  } else {
    EXPECT_EQ(message, d.error) << d.content;
  }
  EXPECT_EQ(identity.source, "untouched");
}

INSTANTIATE_TEST_SUITE_P(Table, InvalidDocuments, ::testing::ValuesIn(LoadInvalidDocuments()),
                         [](const auto& info) { return info.param.name; });

void ExpectParses(DocumentType type, const std::string& doc, const char* spec) {
  absl::StatusOr<Node> node = ParseDocument(type, doc);
  ASSERT_TRUE(node.ok()) << node.status() << "\n" << doc;
  absl::StatusOr<Node> expect = testing::ParseSpec(spec);
  ASSERT_TRUE(expect.ok()) << spec;
  EXPECT_EQ(*node, *expect) << "got      " << Describe(*node) << "\nexpected " << spec;
}

std::string OpenApi(const std::string& schemas) {
  return absl::StrCat(R"({"openapi":"3.0.1","info":{"title":"T","version":"1"},)",
                      R"("paths":{},"components":{"schemas":)", schemas, "}}");
}

TEST(ParseDocument, ReadsEventBridgesOwnDocument) {
  const std::string doc = R"({
  "openapi": "3.0.0",
  "info": { "version": "1.0.0", "title": "EC2InstanceStateChangeNotification" },
  "paths": {},
  "components": {
    "schemas": {
      "AWSEvent": {
        "type": "object",
        "required": ["detail-type", "resources", "detail", "id", "source", "time", "region", "version", "account"],
        "x-amazon-events-detail-type": "EC2 Instance State-change Notification",
        "x-amazon-events-source": "aws.ec2",
        "properties": {
          "detail": { "$ref": "#/components/schemas/EC2InstanceStateChangeNotification" },
          "account": { "type": "string" },
          "detail-type": { "type": "string" },
          "id": { "type": "string" },
          "region": { "type": "string" },
          "resources": { "type": "array", "items": { "type": "string" } },
          "source": { "type": "string" },
          "time": { "type": "string", "format": "date-time" },
          "version": { "type": "string" }
        }
      },
      "EC2InstanceStateChangeNotification": {
        "type": "object",
        "required": ["instance-id", "state"],
        "properties": { "instance-id": { "type": "string" }, "state": { "type": "string" } }
      }
    }
  }
})";
  EventIdentity identity;
  absl::StatusOr<Node> node = ParseDocument(DocumentType::kOpenApi3, doc, &identity);
  ASSERT_TRUE(node.ok()) << node.status();
  EXPECT_EQ(identity.source, "aws.ec2");
  EXPECT_EQ(identity.detail_type, "EC2 Instance State-change Notification");
  EXPECT_EQ(*node, *Infer(R"({"version":"0","id":"x","detail-type":"d","source":"aws.ec2",
      "account":"1","time":"2024-01-02T03:04:05Z","region":"r","resources":["a"],
      "detail":{"instance-id":"i","state":"running"}})"));
}

TEST(ParseDocument, ChoosesAWSEventElseTheOnlyElseTheFirstByName) {
  ExpectParses(DocumentType::kOpenApi3,
               OpenApi(R"({"B":{"type":"string"},"AWSEvent":{"type":"integer"},"A":{}})"),
               R"("integer")");
  ExpectParses(DocumentType::kOpenApi3, OpenApi(R"({"Only":{"type":"boolean"}})"), R"("boolean")");
  ExpectParses(DocumentType::kOpenApi3,
               OpenApi(R"({"Zed":{"type":"string"},"Alpha":{"type":"number"}})"), R"("number")");
}

TEST(ParseDocument, ReadsTheUsualKeywordsOfHandWrittenOpenApi) {
  ExpectParses(DocumentType::kOpenApi3, OpenApi(R"({"E":{
      "description": "an order", "x-custom": {"anything": [1]},
      "properties": {
        "status": {"type": "string", "enum": ["a", "b"], "description": "state"},
        "note": {"type": "string", "nullable": false},
        "when": {"type": "string", "format": "date"},
        "n": {"anyOf": [{"type": "integer"}, {"type": "number"}]},
        "m": {"allOf": [{"$ref": "#/components/schemas/M"}], "nullable": true},
        "l": {"items": {"type": "integer", "format": "int32"}},
        "free": {}
      },
      "required": ["status", "not-a-property"]}, "M": {"properties": {"k": {"type": "boolean"}}}})"),
               R"({"properties":{"status":"string","?note":"string","?when":"string",
                   "?n":"number","?m":{"kinds":"null|object","properties":{"?k":"boolean"}},
                   "?l":{"items":"integer"},"?free":""}})");
}

TEST(ParseDocument, ReadsHandWrittenJsonSchema) {
  ExpectParses(DocumentType::kJsonSchemaDraft4, R"({
      "$schema": "http://json-schema.org/draft-04/schema#",
      "definitions": {"Item": {"type": "object", "required": ["sku"],
                               "properties": {"sku": {"type": "string"}}}},
      "type": "object",
      "properties": {
        "items": {"type": "array", "items": {"$ref": "#/definitions/Item"}},
        "pair": {"type": "array", "items": [{"type": "integer"}, {"type": "string"}]},
        "maybe": {"type": ["integer", "null"]},
        "at": {"type": ["string", "null"], "format": "date-time"},
        "any": {"properties": {"x": {"type": "null"}}}
      }})",
               R"x({"properties":{"?items":{"items":{"properties":{"sku":"string"}}},
                   "?pair":{"items":"integer|string"},"?maybe":"integer|null",
                   "?at":"null|string(date-time)","?any":{"properties":{"?x":"null"}}}})x");
  ExpectParses(DocumentType::kJsonSchemaDraft4, R"({"type": "string"})", R"("string")");
}

TEST(ParseDocument, LeavesTheIdentityAloneWhenTheDocumentHasNone) {
  EventIdentity identity{"keep", "keep"};
  ASSERT_TRUE(
      ParseDocument(DocumentType::kJsonSchemaDraft4, R"({"type":"object"})", &identity).ok());
  EXPECT_EQ(identity.source, "keep");
  ASSERT_TRUE(ParseDocument(DocumentType::kJsonSchemaDraft4,
                            R"({"x-amazon-events-source":"s","x-amazon-events-detail-type":"d"})",
                            &identity)
                  .ok());
  EXPECT_EQ(identity.source, "s");
  EXPECT_EQ(identity.detail_type, "d");
}

TEST(ParseDocument, RejectsAnExponentialExpansion) {
  // C0 refers to C1 twice, C1 to C2 twice, ...: 2^40 schemas.
  std::string schemas = "{";
  for (int i = 0; i < 40; ++i) {
    absl::StrAppend(&schemas, i ? "," : "", "\"C", i,
                    "\":{\"properties\":{\"a\":{\"$ref\":", "\"#/components/schemas/C", i + 1,
                    "\"},\"b\":{\"$ref\":", "\"#/components/schemas/C", i + 1, "\"}}}");
  }
  schemas += R"(,"C40":{"type":"string"}})";
  absl::StatusOr<Node> node = ParseDocument(DocumentType::kOpenApi3, OpenApi(schemas));
  ASSERT_FALSE(node.ok());
  EXPECT_NE(node.status().message().find("expands to more than 1048576 schemas"), std::string::npos)
      << node.status();
}

TEST(ParseDocument, RejectsARefChainDeeperThanTheLimit) {
  std::string schemas = "{";
  for (int i = 0; i <= kMaxDepth + 2; ++i) {
    absl::StrAppend(&schemas, i ? "," : "", "\"C", i,
                    "\":{\"properties\":{\"a\":{\"$ref\":", "\"#/components/schemas/C", i + 1,
                    "\"}}}");
  }
  absl::StrAppend(&schemas, ",\"C", kMaxDepth + 3, "\":{}}");
  absl::StatusOr<Node> node;
  testing::RunOnDaemonSizedStack(
      [&] { node = ParseDocument(DocumentType::kOpenApi3, OpenApi(schemas)); });
  ASSERT_FALSE(node.ok());
  EXPECT_NE(node.status().message().find(": nests deeper than 4096"), std::string::npos)
      << node.status();
}

TEST(ParseDocument, RejectsADocumentNestedTooDeepForTheParser) {
  std::string doc;
  for (int i = 0; i < 5 * kMaxDepth; ++i) doc += R"({"items":)";
  doc += "{}" + std::string(5 * kMaxDepth, '}');
  absl::StatusOr<Node> node = ParseDocument(DocumentType::kJsonSchemaDraft4, doc);
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().message().substr(0, 27), "content is not valid JSON: ");
}

}  // namespace
}  // namespace busbar::registry
