// Unit tests of input shaping (targets/input.h). tests/testdata/targets/input_cases.json holds
// the table: {default_event, context, cases: [{name, spec, event?, expected | error, code?}]},
// where spec uses EventBridge's property names (Input, InputPath, InputPathsMap, InputTemplate)
// and events are JSON texts kept as strings so they reach Render exactly as written. A
// randomized test checks that JSON templates give valid JSON whatever the values hold, or no
// body at all.
#include "targets/input.h"

#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"

#ifndef BUSBAR_TESTDATA_DIR
#error "BUSBAR_TESTDATA_DIR must name the tests/testdata directory"
#endif

namespace busbar::targets {
namespace {

using ::testing::HasSubstr;

struct Case {
  std::string name;
  InputSpec spec;
  std::string event;
  std::optional<std::string> expected;
  std::optional<std::string> error;
  std::optional<std::string> code;
};

struct Table {
  std::string rule_arn, rule_name, ingestion_time;
  std::vector<Case> cases;
};

std::optional<std::string> OptionalString(simdjson::dom::object object, std::string_view key) {
  std::string_view value;
  if (object[key].get_string().get(value) != simdjson::SUCCESS) return std::nullopt;
  return std::string(value);
}

std::string String(simdjson::dom::object object, std::string_view key) {
  std::optional<std::string> value = OptionalString(object, key);
  if (!value.has_value()) ADD_FAILURE() << "missing string field " << key;
  return value.value_or("");
}

Table LoadTable() {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  simdjson::error_code error =
      parser.load(std::string(BUSBAR_TESTDATA_DIR) + "/targets/input_cases.json")
          .get_object()
          .get(root);
  EXPECT_EQ(error, simdjson::SUCCESS) << simdjson::error_message(error);
  Table table;
  if (error != simdjson::SUCCESS) return table;
  std::string default_event = String(root, "default_event");
  simdjson::dom::object context = root["context"].get_object().value_unsafe();
  table.rule_arn = String(context, "rule_arn");
  table.rule_name = String(context, "rule_name");
  table.ingestion_time = String(context, "ingestion_time");
  simdjson::dom::array cases;
  EXPECT_EQ(root["cases"].get_array().get(cases), simdjson::SUCCESS);
  for (simdjson::dom::element element : cases) {
    simdjson::dom::object object = element.get_object().value_unsafe();
    Case c;
    c.name = String(object, "name");
    simdjson::dom::object spec = object["spec"].get_object().value_unsafe();
    c.spec.input = OptionalString(spec, "Input");
    c.spec.input_path = OptionalString(spec, "InputPath");
    c.spec.input_template = OptionalString(spec, "InputTemplate");
    simdjson::dom::object map;
    if (spec["InputPathsMap"].get_object().get(map) == simdjson::SUCCESS) {
      c.spec.input_paths_map.emplace();
      for (simdjson::dom::key_value_pair entry : map) {
        (*c.spec.input_paths_map)[std::string(entry.key)] =
            std::string(entry.value.get_string().value_unsafe());
      }
    }
    c.event = OptionalString(object, "event").value_or(default_event);
    c.expected = OptionalString(object, "expected");
    c.error = OptionalString(object, "error");
    c.code = OptionalString(object, "code");
    table.cases.push_back(std::move(c));
  }
  return table;
}

absl::StatusOr<std::string> CompileAndRender(const InputSpec& spec, std::string_view event,
                                             const InputContext& context) {
  absl::StatusOr<CompiledInput> compiled = CompiledInput::Compile(spec);
  if (!compiled.ok()) return compiled.status();
  return compiled->Render(event, context);
}

std::string_view CodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case absl::StatusCode::kNotFound:
      return "NotFound";
    case absl::StatusCode::kFailedPrecondition:
      return "FailedPrecondition";
    default:
      return "other";
  }
}

TEST(InputTable, EveryCaseRendersOrFailsAsExpected) {
  Table table = LoadTable();
  ASSERT_GE(table.cases.size(), 40u);
  InputContext context{table.rule_arn, table.rule_name, table.ingestion_time};
  simdjson::dom::parser parser;
  for (const Case& c : table.cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<std::string> out = CompileAndRender(c.spec, c.event, context);
    if (c.expected.has_value()) {
      ASSERT_TRUE(out.ok()) << out.status();
      EXPECT_EQ(*out, *c.expected);
      // Every JSON or single-string template, and every InputPath, gives valid JSON.
      const std::string t = c.spec.input_template.value_or("");
      size_t first = t.find_first_not_of(" \t\r\n");
      bool json_template = first != std::string::npos &&
                           (t[first] == '{' || t[first] == '[' ||
                            (t[first] == '"' && t.find('\n', first) == std::string::npos));
      if (json_template || c.spec.input_path.has_value()) {
        simdjson::padded_string padded(*out);
        EXPECT_EQ(parser.parse(padded).error(), simdjson::SUCCESS) << *out;
      }
    } else {
      ASSERT_FALSE(out.ok()) << "rendered " << *out;
      EXPECT_THAT(std::string(out.status().message()), HasSubstr(c.error.value_or("")));
      EXPECT_EQ(CodeName(out.status().code()), c.code.value_or("InvalidArgument"));
    }
  }
}

TEST(InputCompile, CopiesShareTheCompiledForm) {
  InputSpec spec;
  spec.input_paths_map = std::map<std::string, std::string>{{"s", "$.s"}};
  spec.input_template = R"({"s": <s>})";
  absl::StatusOr<CompiledInput> compiled = CompiledInput::Compile(spec);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  CompiledInput copy = *compiled;
  InputContext context{"arn", "name", "2024-01-01T00:00:00Z"};
  EXPECT_EQ(*copy.Render(R"({"s": 1})", context), R"({"s":1})");
  EXPECT_EQ(*compiled->Render(R"({"s": "x"})", context), R"({"s":"x"})");
}

// Random string values full of characters that need escaping, put into a JSON template bare and
// inside strings: the output must parse and give the value back, or (a value holding a quote,
// a backslash or a control character inside a string: EventBridge inserts it unescaped) Render
// must refuse with FailedPrecondition. Never broken JSON.
TEST(InputRandomized, JsonTemplatesStayValidJsonForAnyStringValue) {
  InputSpec spec;
  spec.input_paths_map = std::map<std::string, std::string>{{"v", "$.detail.v"}};
  spec.input_template = R"({"bare": <v>, "quoted": "<v>", "mixed": "a<v>b<v>c"})";
  absl::StatusOr<CompiledInput> compiled = CompiledInput::Compile(spec);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  InputSpec bare_spec;
  bare_spec.input_paths_map = spec.input_paths_map;
  bare_spec.input_template = R"({"bare": <v>, "list": [<v>, 1]})";
  absl::StatusOr<CompiledInput> bare = CompiledInput::Compile(bare_spec);
  ASSERT_TRUE(bare.ok()) << bare.status();
  const std::vector<std::string> alphabet = {"\"",
                                             "\\",
                                             "\n",
                                             "\t",
                                             "\x01",
                                             "\x1f",
                                             "<",
                                             ">",
                                             "<v>",
                                             "a",
                                             " ",
                                             "\xC3\xA9",
                                             "\xF0\x9F\x98\x80",
                                             "/",
                                             "'",
                                             "{",
                                             "}"};
  std::mt19937 random(12345);
  simdjson::dom::parser parser;
  InputContext context{"arn", "name", "2024-01-01T00:00:00Z"};
  int refused = 0, rendered = 0;
  for (int round = 0; round < 500; ++round) {
    std::string value;
    for (int n = random() % 12; n > 0; --n) value += alphabet[random() % alphabet.size()];
    // The event carries the value as a JSON string; build it with the library's own escaping.
    std::string escaped;
    bool needs_escaping = false;
    for (unsigned char ch : value) {
      if (ch == '"' || ch == '\\') {
        needs_escaping = true;
        escaped += '\\';
        escaped += static_cast<char>(ch);
      } else if (ch < 0x20) {
        needs_escaping = true;
        static constexpr char kHex[] = "0123456789abcdef";
        escaped += "\\u00";
        escaped += kHex[ch >> 4];
        escaped += kHex[ch & 0xF];
      } else {
        escaped += static_cast<char>(ch);
      }
    }
    std::string event = R"({"detail": {"v": ")" + escaped + R"("}})";

    // Bare, the value always goes in as its JSON string.
    absl::StatusOr<std::string> bare_out = bare->Render(event, context);
    ASSERT_TRUE(bare_out.ok()) << bare_out.status();
    simdjson::padded_string bare_padded(*bare_out);
    simdjson::dom::element bare_root;
    ASSERT_EQ(parser.parse(bare_padded).get(bare_root), simdjson::SUCCESS) << *bare_out;
    EXPECT_EQ(std::string(bare_root["bare"].get_string().value_unsafe()), value);
    EXPECT_EQ(std::string(bare_root["list"].at(0).get_string().value_unsafe()), value);

    absl::StatusOr<std::string> out = compiled->Render(event, context);
    if (needs_escaping) {
      ASSERT_FALSE(out.ok()) << "rendered " << *out;
      EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition) << out.status();
      EXPECT_THAT(std::string(out.status().message()),
                  HasSubstr("InputTemplate produced invalid JSON: the value of <v> holds"));
      ++refused;
      continue;
    }
    ASSERT_TRUE(out.ok()) << out.status();
    ++rendered;
    simdjson::padded_string padded(*out);
    simdjson::dom::element root;
    ASSERT_EQ(parser.parse(padded).get(root), simdjson::SUCCESS) << *out;
    EXPECT_EQ(std::string(root["bare"].get_string().value_unsafe()), value);
    EXPECT_EQ(std::string(root["quoted"].get_string().value_unsafe()), value);
    EXPECT_EQ(std::string(root["mixed"].get_string().value_unsafe()),
              "a" + value + "b" + value + "c");
  }
  // Both outcomes were exercised.
  EXPECT_GT(refused, 50);
  EXPECT_GT(rendered, 50);
}

}  // namespace
}  // namespace busbar::targets
