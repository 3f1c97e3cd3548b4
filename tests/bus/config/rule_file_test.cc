// Rule files (bus/config/config.h): the good samples in tests/testdata/rulefiles
// and the model they give (defaults, computed ARNs, target kinds), the JSON and
// CloudFormation forms, several files loaded together, and every error path —
// one file per error under rulefiles/bad/, whose first line states the exact
// message expected ("# expect: <file>:<line>:<column>: <reason>").
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "bus/config/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bus/config/config_dump.h"

namespace busbar::config {
namespace {

using config::testing::Dump;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

const std::string kDir = std::string(BUSBAR_TESTDATA_DIR) + "/rulefiles";
constexpr char kQueueArnPrefix[] = "arn:aws:sqs:us-east-1:000000000000:";

std::string ReadTestFile(const std::string& relative) {
  std::ifstream in(kDir + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in) << relative;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Config MustParse(const std::string& text, const LoadOptions& opts = {}) {
  absl::StatusOr<Config> config = ParseRuleFile(text, "test.yaml", opts);
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *std::move(config) : Config{};
}

// A good file loaded with good_targets.yaml, which declares what its function
// and API destination targets name.
Config MustLoadWithTargets(const std::string& relative) {
  absl::StatusOr<Config> config =
      LoadRuleFiles({kDir + "/" + relative, kDir + "/good_targets.yaml"}, {});
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *std::move(config) : Config{};
}

// The message of the error `text` gives, or "OK".
std::string ErrorOf(const std::string& text, const LoadOptions& opts = {}) {
  absl::StatusOr<Config> config = ParseRuleFile(text, "test.yaml", opts);
  if (config.ok()) return "OK";
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(config.status().message());
}

TEST(RuleFile, ParsesGoodYaml) {
  Config c = MustLoadWithTargets("good.yaml");

  ASSERT_EQ(c.buses.size(), 2u);
  EXPECT_EQ(c.buses[0].name, "orders");
  EXPECT_EQ(c.buses[0].arn, "arn:aws:events:us-east-1:000000000000:event-bus/orders");
  EXPECT_EQ(c.buses[1].name, "audit.v2");

  ASSERT_EQ(c.queues.size(), 3u);
  const Queue& events = c.queues[0];
  EXPECT_EQ(events.name, "order-events");
  EXPECT_EQ(events.arn, std::string(kQueueArnPrefix) + "order-events");
  EXPECT_EQ(events.visibility_timeout_s, 45);
  EXPECT_EQ(events.message_retention_period_s, 86400);
  EXPECT_EQ(events.receive_wait_time_s, 20);
  ASSERT_TRUE(events.redrive_policy.has_value());
  EXPECT_EQ(events.redrive_policy->dead_letter_target_arn,
            std::string(kQueueArnPrefix) + "order-dlq");
  EXPECT_EQ(events.redrive_policy->dead_letter_queue_name, "order-dlq");
  EXPECT_EQ(events.redrive_policy->max_receive_count, 5);
  EXPECT_EQ(events.location.ToString(), kDir + "/good.yaml:7:11");
  // RedrivePolicy given as SQS's JSON string, maxReceiveCount as a string.
  ASSERT_TRUE(c.queues[2].redrive_policy.has_value());
  EXPECT_EQ(c.queues[2].redrive_policy->dead_letter_queue_name, "order-dlq");
  EXPECT_EQ(c.queues[2].redrive_policy->max_receive_count, 3);

  ASSERT_EQ(c.rules.size(), 3u);
  const Rule& big = c.rules[0];
  EXPECT_EQ(big.name, "big-orders");
  EXPECT_EQ(big.event_bus_name, "orders");
  EXPECT_EQ(big.arn, "arn:aws:events:us-east-1:000000000000:rule/orders/big-orders");
  EXPECT_EQ(big.state, RuleState::kEnabled);
  EXPECT_EQ(big.description, "Orders over 1000");
  EXPECT_EQ(big.event_pattern,
            R"({"source":["shop"],"detail":{"total":[{"numeric":[">",1000]}]}})");
  EXPECT_EQ(big.location.ToString(), kDir + "/good.yaml:18:11");
  ASSERT_EQ(big.targets.size(), 4u);

  const Target& q1 = big.targets[0];
  EXPECT_EQ(q1.id, "q1");
  EXPECT_EQ(q1.kind, TargetKind::kQueue);
  EXPECT_EQ(q1.resource_name, "order-events");
  EXPECT_EQ(q1.retry_policy.maximum_retry_attempts, 3);
  EXPECT_EQ(q1.retry_policy.maximum_event_age_in_seconds, 3600);
  ASSERT_TRUE(q1.dead_letter_config.has_value());
  EXPECT_EQ(q1.dead_letter_config->queue_name, "order-dlq");
  EXPECT_FALSE(q1.input || q1.input_path || q1.input_transformer);

  const Target& fn = big.targets[1];
  EXPECT_EQ(fn.kind, TargetKind::kFunction);
  EXPECT_EQ(fn.resource_name, "notify");
  EXPECT_EQ(fn.input_path, "$.detail");

  EXPECT_EQ(big.targets[2].kind, TargetKind::kEventBus);
  EXPECT_EQ(big.targets[2].resource_name, "audit.v2");

  const Target& hook = big.targets[3];
  EXPECT_EQ(hook.kind, TargetKind::kApiDestination);
  EXPECT_EQ(hook.resource_name, "crm");
  ASSERT_TRUE(hook.input_transformer.has_value());
  EXPECT_THAT(hook.input_transformer->input_paths_map,
              ElementsAre(Pair("id", "$.detail.id"), Pair("total", "$.detail.total")));
  EXPECT_EQ(hook.input_transformer->input_template, R"({"order": <id>, "total": <total>})");

  // Same name on another bus (given by ARN); a pattern given as JSON text is minified.
  const Rule& audit = c.rules[1];
  EXPECT_EQ(audit.name, "big-orders");
  EXPECT_EQ(audit.event_bus_name, "audit.v2");
  EXPECT_EQ(audit.arn, "arn:aws:events:us-east-1:000000000000:rule/audit.v2/big-orders");
  EXPECT_EQ(audit.state, RuleState::kDisabled);
  EXPECT_EQ(audit.event_pattern, R"({"source":["shop"],"detail-type":[{"prefix":"Order"}]})");
  ASSERT_EQ(audit.targets.size(), 1u);
  EXPECT_EQ(audit.targets[0].input, R"({"kind": "order", "n": 1})");

  // A pattern written as YAML: plain scalars become JSON numbers, booleans and null.
  const Rule& yaml = c.rules[2];
  EXPECT_EQ(yaml.event_pattern,
            R"({"source":["shop","true"],"detail":{"paid":[true],"code":[null,7,-1.5e3],)"
            R"("note":[{"exists":false}]}})");
  ASSERT_EQ(yaml.targets.size(), 1u);
  EXPECT_EQ(yaml.targets[0].input, R"({"fixed":[1,"two",false]})");
}

TEST(RuleFile, JsonFileGivesTheSameConfigAsYaml) {
  Config yaml = MustLoadWithTargets("good.yaml");
  Config json = MustLoadWithTargets("good.json");
  EXPECT_FALSE(Dump(yaml).empty());
  EXPECT_EQ(Dump(json), Dump(yaml));
}

TEST(RuleFile, DefaultsAndComputedArns) {
  Config c = MustParse(R"(
Queues:
  - Name: q
Rules:
  - Name: r
    EventPattern: {"source": ["a"]}
    Targets:
      - Id: t
        Arn: arn:aws:sqs:us-east-1:000000000000:q
)");
  ASSERT_EQ(c.queues.size(), 1u);
  const Queue& q = c.queues[0];
  EXPECT_EQ(q.visibility_timeout_s, 30);
  EXPECT_EQ(q.message_retention_period_s, 345600);
  EXPECT_EQ(q.receive_wait_time_s, 0);
  EXPECT_FALSE(q.redrive_policy.has_value());
  EXPECT_EQ(q.arn, "arn:aws:sqs:us-east-1:000000000000:q");
  ASSERT_EQ(c.rules.size(), 1u);
  const Rule& r = c.rules[0];
  EXPECT_EQ(r.event_bus_name, "default");
  EXPECT_EQ(r.arn, "arn:aws:events:us-east-1:000000000000:rule/r");
  EXPECT_EQ(r.state, RuleState::kEnabled);
  EXPECT_EQ(r.description, "");
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].retry_policy.maximum_retry_attempts, 185);
  EXPECT_EQ(r.targets[0].retry_policy.maximum_event_age_in_seconds, 86400);
  EXPECT_FALSE(r.targets[0].dead_letter_config.has_value());
  EXPECT_THAT(c.buses, IsEmpty());  // `default` is implicit
}

TEST(RuleFile, AccountAndRegionComeFromOptions) {
  LoadOptions opts;
  opts.account_id = "123456789012";
  opts.region = "eu-west-1";
  Config c = MustParse(R"(
EventBuses: [{Name: b}]
Queues: [{Name: q}]
Rules:
  - {Name: r, EventBusName: b, EventPattern: {"source": ["a"]},
     Targets: [{Id: t, Arn: "arn:aws:sqs:eu-west-1:123456789012:q"}]}
)",
                       opts);
  EXPECT_EQ(c.buses[0].arn, "arn:aws:events:eu-west-1:123456789012:event-bus/b");
  EXPECT_EQ(c.queues[0].arn, "arn:aws:sqs:eu-west-1:123456789012:q");
  EXPECT_EQ(c.rules[0].arn, "arn:aws:events:eu-west-1:123456789012:rule/b/r");
  // The default account's ARNs are now in another account.
  EXPECT_EQ(ErrorOf(R"(
Queues: [{Name: q}]
Rules:
  - {Name: r, EventPattern: {"source": ["a"]},
     Targets: [{Id: t, Arn: "arn:aws:sqs:eu-west-1:000000000000:q"}]}
)",
                    opts),
            "test.yaml:5:29: target 't' of rule 'r': Arn 'arn:aws:sqs:eu-west-1:000000000000:q' "
            "is in account '000000000000', not '123456789012'");
}

TEST(RuleFile, RejectsBadOptions) {
  LoadOptions opts;
  opts.account_id = "12345";
  EXPECT_EQ(ParseRuleFile("", "x.yaml", opts).status().code(), absl::StatusCode::kInvalidArgument);
  opts = LoadOptions();
  opts.region = "US East";
  EXPECT_EQ(ParseRuleFile("", "x.yaml", opts).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RuleFile, CloudFormationForm) {
  Config c = MustParse(ReadTestFile("cloudformation.yaml"));
  ASSERT_EQ(c.buses.size(), 1u);
  EXPECT_EQ(c.buses[0].name, "orders");
  ASSERT_EQ(c.queues.size(), 2u);
  EXPECT_EQ(c.queues[0].name, "order-events");
  EXPECT_EQ(c.queues[0].visibility_timeout_s, 60);
  ASSERT_TRUE(c.queues[0].redrive_policy.has_value());
  EXPECT_EQ(c.queues[0].redrive_policy->dead_letter_queue_name, "OrderDlq");
  EXPECT_EQ(c.queues[1].name, "OrderDlq");  // no QueueName: the logical id
  EXPECT_EQ(c.queues[1].location.ToString(), "test.yaml:18:3");
  ASSERT_EQ(c.rules.size(), 2u);
  EXPECT_EQ(c.rules[0].name, "big-orders");
  EXPECT_EQ(c.rules[0].event_bus_name, "orders");
  EXPECT_EQ(c.rules[0].event_pattern,
            R"({"source":["shop"],"detail":{"total":[{"numeric":[">",1000]}]}})");
  ASSERT_EQ(c.rules[0].targets.size(), 1u);
  EXPECT_EQ(c.rules[0].targets[0].resource_name, "order-events");
  EXPECT_EQ(c.rules[1].name, "CatchAll");
  EXPECT_EQ(c.rules[1].state, RuleState::kDisabled);
  EXPECT_EQ(c.rules[1].arn, "arn:aws:events:us-east-1:000000000000:rule/CatchAll");
}

TEST(RuleFile, ExampleIsValid) {
  Config c = MustParse(ReadTestFile("example.yaml"));
  EXPECT_EQ(c.buses.size(), 1u);
  EXPECT_EQ(c.queues.size(), 3u);
  EXPECT_EQ(c.rules.size(), 2u);
}

TEST(RuleFile, EmptyFileDeclaresNothing) {
  for (const char* text : {"", "# only a comment\n", "\n\n", "{}"}) {
    Config c = MustParse(text);
    EXPECT_TRUE(c.buses.empty() && c.queues.empty() && c.rules.empty()) << text;
  }
  Config c = MustParse("Rules:\nQueues: []\nResources:\n");
  EXPECT_TRUE(c.rules.empty() && c.queues.empty());
}

TEST(RuleFile, NumbersMayBeQuoted) {
  Config c = MustParse(
      "Queues: [{Name: q, VisibilityTimeout: \"0\", ReceiveMessageWaitTimeSeconds: '20'}]");
  ASSERT_EQ(c.queues.size(), 1u);
  EXPECT_EQ(c.queues[0].visibility_timeout_s, 0);
  EXPECT_EQ(c.queues[0].receive_wait_time_s, 20);
}

TEST(RuleFile, JsonSurrogatePairEscapesAreAccepted) {
  // YAML has no surrogate pairs; JSON files may still use them.
  Config c = MustParse(
      R"({"Rules": [{"Name": "r", "EventPattern": {"source": ["\ud83d\ude00 \\ud83d"]}}]})");
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_EQ(c.rules[0].event_pattern, "{\"source\":[\"\xF0\x9F\x98\x80 \\\\ud83d\"]}");
}

TEST(RuleFile, EventPatternLimitsFollowMatcherOptions) {
  const std::string text = R"(Rules: [{Name: r, EventPattern: {"source": [{"regexp": "^a+$"}]}}])";
  EXPECT_EQ(ErrorOf(text), "OK");
  LoadOptions strict;
  strict.matcher.allow_regexp = false;
  EXPECT_THAT(ErrorOf(text, strict),
              HasSubstr("test.yaml:1:33: rule 'r': Event pattern is not valid. Reason: "));
}

// Errors in JSON files are reported at their line and column too.
TEST(RuleFileErrors, JsonPositions) {
  EXPECT_EQ(
      ErrorOf("{\n  \"Queues\": [\n    {\"Name\": \"q\", \"VisibilityTimeout\": 99999}\n  ]\n}\n"),
      "test.yaml:3:40: queue 'q': VisibilityTimeout is 99999; it must be from 0 to 43200");
  EXPECT_EQ(ErrorOf("{\n  \"Rules\": [\n    {\"Name\": \"r\", \"EventPatern\": {}}\n  ]\n}\n"),
            "test.yaml:3:19: rule 'r': unknown property 'EventPatern'");
  EXPECT_EQ(ErrorOf("{\n  \"Queues\": [\n    {\"Name\": \"q\"\n  ]\n}\n"),
            "test.yaml:4:3: syntax error: illegal flow end");
}

TEST(RuleFileErrors, DescriptionLimit) {
  auto rule = [](const std::string& description) {
    return "Rules: [{Name: r, EventPattern: {source: [a]}, Description: \"" + description + "\"}]";
  };
  EXPECT_EQ(ErrorOf(rule(std::string(512, 'd'))), "OK");
  EXPECT_EQ(ErrorOf(rule(std::string(513, 'd'))),
            "test.yaml:1:61: rule 'r': Description is 513 characters; at most 512 are allowed");
}

TEST(RuleFileErrors, InputLimits) {
  auto target = [](const std::string& extra) {
    return "Queues: [{Name: q}]\nRules:\n  - Name: r\n    EventPattern: {\"source\": [\"a\"]}\n"
           "    Targets:\n      - Id: t\n        Arn: arn:aws:sqs:us-east-1:000000000000:q\n" +
           extra;
  };
  // InputTemplate: 1 to 8192 characters (not bytes).
  std::string tmpl;
  for (int i = 0; i < 8192; ++i) tmpl += "\xC3\xA9";  // é
  EXPECT_EQ(ErrorOf(target("        InputTransformer: {InputTemplate: \"" + tmpl + "\"}\n")), "OK");
  EXPECT_EQ(ErrorOf(target("        InputTransformer: {InputTemplate: \"" + tmpl + "x\"}\n")),
            "test.yaml:8:43: target 't' of rule 'r': InputTransformer: InputTemplate is 8193 "
            "characters; it must be 1 to 8192");
  EXPECT_EQ(ErrorOf(target("        InputTransformer: {InputTemplate: \"\"}\n")),
            "test.yaml:8:43: target 't' of rule 'r': InputTransformer: InputTemplate is 0 "
            "characters; it must be 1 to 8192");
  // InputPathsMap: at most 100 entries.
  auto paths_map = [](int n) {
    std::string map =
        "        InputTransformer:\n          InputTemplate: x\n          InputPathsMap:\n";
    for (int i = 0; i < n; ++i) map += "            v" + std::to_string(i) + ": $.detail\n";
    return map;
  };
  EXPECT_EQ(ErrorOf(target(paths_map(100))), "OK");
  EXPECT_EQ(ErrorOf(target(paths_map(101))),
            "test.yaml:111:13: target 't' of rule 'r': InputTransformer: InputPathsMap has 101 "
            "entries; at most 100 are allowed");
  // Input: JSON text of at most 8192 characters.
  std::string input = "\"" + std::string(8190, 'i') + "\"";
  EXPECT_EQ(ErrorOf(target("        Input: '" + input + "'\n")), "OK");
  EXPECT_EQ(ErrorOf(target("        Input: '" + input + " '\n")),
            "test.yaml:8:16: target 't' of rule 'r': Input is 8193 characters; at most 8192 are "
            "allowed");
}

TEST(RuleFileErrors, IntrinsicFunctions) {
  EXPECT_EQ(ErrorOf("Queues: [{Name: q, VisibilityTimeout: {Ref: Timeout}}]"),
            "test.yaml:1:39: queue 'q': VisibilityTimeout: intrinsic function 'Ref' is not "
            "supported; write the value itself");
  EXPECT_EQ(ErrorOf("Rules: [{Name: r, EventPattern: {Fn::Sub: x}}]"),
            "test.yaml:1:33: rule 'r': EventPattern: intrinsic function 'Fn::Sub' is not "
            "supported; write the value itself");
  // In a pattern, `Ref` is just a field name.
  Config c = MustParse("Rules: [{Name: r, EventPattern: {Ref: [x]}}]");
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_EQ(c.rules[0].event_pattern, R"({"Ref":["x"]})");
}

TEST(RuleFileErrors, AliasExpansionIsBounded) {
  // Ten levels of ten aliases: 10^10 nodes once expanded.
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 10; ++i) {
    std::string prev = absl::StrCat("*a", i - 1);
    absl::StrAppend(&text, "a", i, ": &a", i, " [");
    for (int k = 0; k < 10; ++k) {
      if (k > 0) text += ", ";
      text += prev;
    }
    text += "]\n";
  }
  EXPECT_THAT(ErrorOf(text), HasSubstr("document too large (more than 1000000 nodes)"));
}

TEST(RuleFileErrors, DeepNestingIsRejected) {
  auto deep = [](int n) {
    return "Rules: [{Name: r, EventPattern: {detail: " + std::string(n, '[') + std::string(n, ']') +
           "}}]";
  };
  // Ours: 256 levels. The 254th '[' (column 41 + 254) is the 257th level.
  EXPECT_EQ(ErrorOf(deep(300)), "test.yaml:1:295: nesting deeper than 256 levels");
  // yaml-cpp's own guard stops deeper documents before they reach ours.
  EXPECT_THAT(ErrorOf(deep(5000)), ::testing::EndsWith(": syntax error: nesting too deep"));
}

TEST(LoadRuleFiles, MergesFilesAndResolvesReferencesAcrossThem) {
  absl::StatusOr<Config> c =
      LoadRuleFiles({kDir + "/multi/resources.yaml", kDir + "/multi/rules.yaml"}, {});
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->queues.size(), 2u);
  EXPECT_EQ(c->queues[0].name, "order-events");
  EXPECT_EQ(c->queues[0].location.file, kDir + "/multi/resources.yaml");
  EXPECT_EQ(c->queues[1].name, "order-dlq");
  EXPECT_EQ(c->queues[1].location.file, kDir + "/multi/rules.yaml");
  ASSERT_EQ(c->rules.size(), 1u);
  EXPECT_EQ(c->rules[0].arn, "arn:aws:events:us-east-1:000000000000:rule/orders/all-orders");
  EXPECT_EQ(c->rules[0].location.ToString(), kDir + "/multi/rules.yaml:6:11");

  // Alone, each file refers to what only the other declares.
  absl::StatusOr<Config> alone = LoadRuleFiles({kDir + "/multi/rules.yaml"}, {});
  EXPECT_EQ(alone.status().message(),
            kDir + "/multi/rules.yaml:7:19: rule 'all-orders': event bus 'orders' is not declared");
}

TEST(LoadRuleFiles, RejectsDuplicatesAcrossFiles) {
  absl::StatusOr<Config> c =
      LoadRuleFiles({kDir + "/dup/first.yaml", kDir + "/dup/second_queue.yaml"}, {});
  EXPECT_EQ(c.status().message(), kDir +
                                      "/dup/second_queue.yaml:3:11: duplicate queue "
                                      "'order-events' (first declared at " +
                                      kDir + "/dup/first.yaml:2:11)");
  c = LoadRuleFiles({kDir + "/dup/first.yaml", kDir + "/dup/second_rule.yaml"}, {});
  EXPECT_EQ(c.status().message(), kDir +
                                      "/dup/second_rule.yaml:5:13: duplicate rule 'r' on "
                                      "event bus 'default' (first declared at " +
                                      kDir + "/dup/first.yaml:4:11)");
  // The same file twice declares everything twice.
  c = LoadRuleFiles({kDir + "/good.yaml", kDir + "/good.yaml"}, {});
  EXPECT_THAT(c.status().message(), HasSubstr("duplicate event bus 'orders'"));
}

TEST(LoadRuleFiles, MissingFile) {
  absl::StatusOr<Config> c = LoadRuleFiles({kDir + "/good.yaml", kDir + "/no-such.yaml"}, {});
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(c.status().message(), kDir + "/no-such.yaml: cannot open: No such file or directory");
  c = LoadRuleFiles({kDir}, {});  // a directory
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(c.status().message(), kDir + ": cannot read: Is a directory");
}

TEST(LoadRuleFiles, NoFilesIsAnEmptyConfig) {
  absl::StatusOr<Config> c = LoadRuleFiles({}, {});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->rules.empty());
}

// One test per file in rulefiles/bad/.
class BadRuleFile : public ::testing::TestWithParam<std::string> {};

std::vector<std::string> BadFiles() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kDir + "/bad")) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST_P(BadRuleFile, ReportsTheExpectedError) {
  const std::string& name = GetParam();
  std::string text = ReadTestFile("bad/" + name);
  const std::string kPrefix = "# expect: ";
  ASSERT_EQ(text.rfind(kPrefix, 0), 0u) << name << " must start with '" << kPrefix << "'";
  std::string expected = text.substr(kPrefix.size(), text.find('\n') - kPrefix.size());
  absl::StatusOr<Config> config = ParseRuleFile(text, name, {});
  ASSERT_FALSE(config.ok()) << name << " was accepted";
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(config.status().message()), expected);
}

INSTANTIATE_TEST_SUITE_P(RuleFileErrors, BadRuleFile, ::testing::ValuesIn(BadFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.rfind('.'));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace busbar::config
