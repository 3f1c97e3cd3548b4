// Rule files' functions, connections and API destinations (bus/config/config.h):
// the model functions.yaml gives (defaults, computed ARNs and names, CodeDirectory
// resolved against the file's directory), the CloudFormation form giving the
// same, references across files, EventInvokeConfig merged into its function,
// and secrets kept out of Connection::DebugString. Their error messages are in
// rulefiles/bad/ (rule_file_test.cc runs them).
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bus/config/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bus/config/config_dump.h"
#include "tests/targets/temp_dir.h"

namespace busbar::config {
namespace {

using targets::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

const std::string kDir = std::string(BUSBAR_TESTDATA_DIR) + "/rulefiles";

Config MustLoad(const std::vector<std::string>& relative) {
  std::vector<std::string> paths;
  for (const std::string& r : relative) paths.push_back(kDir + "/" + r);
  absl::StatusOr<Config> config = LoadRuleFiles(paths, {});
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *std::move(config) : Config{};
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

TEST(RuleFileFunctions, ParsesFunctions) {
  Config c = MustLoad({"functions.yaml"});
  ASSERT_EQ(c.functions.size(), 2u);
  const targets::Function& resize = c.functions[0].value;
  EXPECT_EQ(resize.name, "resize");
  EXPECT_EQ(resize.arn, "arn:aws:lambda:us-east-1:000000000000:function:resize");
  EXPECT_THAT(resize.command, ElementsAre("./bootstrap", "--size", "128"));
  // Relative to the file's directory, lexically normal, no trailing slash.
  EXPECT_EQ(resize.code_directory, kDir + "/functions/resize");
  EXPECT_EQ(resize.handler, "index.handler");
  EXPECT_EQ(resize.description, "Makes thumbnails");
  EXPECT_THAT(resize.environment, ElementsAre(Pair("PORT", "8080"), Pair("STAGE", "prod")));
  EXPECT_EQ(resize.timeout_s, 30);
  EXPECT_EQ(resize.memory_size_mb, 512);
  EXPECT_EQ(resize.reserved_concurrent_executions, 4);
  EXPECT_EQ(resize.invoke_config.maximum_retry_attempts, 0);
  EXPECT_EQ(resize.invoke_config.maximum_event_age_in_seconds, 60);
  ASSERT_TRUE(resize.invoke_config.on_success.has_value());
  EXPECT_EQ(resize.invoke_config.on_success->kind, targets::DestinationKind::kEventBus);
  EXPECT_EQ(resize.invoke_config.on_success->resource_name, "results");
  ASSERT_TRUE(resize.invoke_config.on_failure.has_value());
  EXPECT_EQ(resize.invoke_config.on_failure->kind, targets::DestinationKind::kQueue);
  EXPECT_EQ(resize.invoke_config.on_failure->arn, "arn:aws:sqs:us-east-1:000000000000:fn-failures");
  EXPECT_EQ(resize.invoke_config.on_failure->resource_name, "fn-failures");
  EXPECT_EQ(c.functions[0].location.ToString(), kDir + "/functions.yaml:9:19");

  // Defaults; a single-string Command is one argv element.
  const targets::Function& notify = c.functions[1].value;
  EXPECT_THAT(notify.command, ElementsAre("./bootstrap"));
  EXPECT_EQ(notify.code_directory, kDir + "/functions/notify");
  EXPECT_EQ(notify.handler, "");
  EXPECT_TRUE(notify.environment.empty());
  EXPECT_EQ(notify.timeout_s, 3);
  EXPECT_EQ(notify.memory_size_mb, 128);
  EXPECT_FALSE(notify.reserved_concurrent_executions.has_value());
  EXPECT_EQ(notify.invoke_config.maximum_retry_attempts, 2);
  EXPECT_EQ(notify.invoke_config.maximum_event_age_in_seconds, 21600);
  EXPECT_FALSE(notify.invoke_config.on_success.has_value());
  ASSERT_TRUE(notify.invoke_config.on_failure.has_value());
  EXPECT_EQ(notify.invoke_config.on_failure->kind, targets::DestinationKind::kFunction);
  EXPECT_EQ(notify.invoke_config.on_failure->resource_name, "resize");
}

TEST(RuleFileFunctions, ParsesConnectionsAndApiDestinations) {
  Config c = MustLoad({"functions.yaml"});
  ASSERT_EQ(c.connections.size(), 2u);
  const targets::Connection& partner = c.connections[0].value;
  EXPECT_EQ(partner.name, "partner");
  EXPECT_EQ(partner.arn, "arn:aws:events:us-east-1:000000000000:connection/partner");
  EXPECT_EQ(partner.description, "The partner's order API");
  EXPECT_EQ(partner.authorization_type, targets::ConnectionAuthorizationType::kBasic);
  EXPECT_EQ(partner.basic.username, "busbar");
  EXPECT_EQ(partner.basic.password, "s3cret");
  EXPECT_EQ(partner.api_key, targets::ApiKeyAuthParameters{});
  const targets::ConnectionHttpParameters& http = partner.invocation_http_parameters;
  ASSERT_EQ(http.header_parameters.size(), 2u);
  EXPECT_EQ(http.header_parameters[1].key, "x-token");
  EXPECT_EQ(http.header_parameters[1].value, "t0ken");
  EXPECT_TRUE(http.header_parameters[1].is_value_secret);
  ASSERT_EQ(http.query_string_parameters.size(), 1u);
  EXPECT_EQ(http.query_string_parameters[0].value, "2");
  EXPECT_FALSE(http.query_string_parameters[0].is_value_secret);
  ASSERT_EQ(http.body_parameters.size(), 1u);
  EXPECT_EQ(http.body_parameters[0].key, "origin");
  EXPECT_EQ(c.connections[0].location.ToString(), kDir + "/functions.yaml:33:11");
  const targets::Connection& crm_auth = c.connections[1].value;
  EXPECT_EQ(crm_auth.authorization_type, targets::ConnectionAuthorizationType::kApiKey);
  EXPECT_EQ(crm_auth.api_key.name, "x-api-key");
  EXPECT_EQ(crm_auth.api_key.value, "k3y");

  ASSERT_EQ(c.api_destinations.size(), 2u);
  const targets::ApiDestination& orders = c.api_destinations[0].value;
  EXPECT_EQ(orders.name, "partner-orders");
  EXPECT_EQ(orders.arn, "arn:aws:events:us-east-1:000000000000:api-destination/partner-orders");
  EXPECT_EQ(orders.connection_name, "partner");  // the ARN's UUID suffix dropped
  EXPECT_EQ(orders.invocation_endpoint, "https://partner.example.com/orders/*/kind/*");
  EXPECT_EQ(orders.http_method, "PUT");
  EXPECT_EQ(orders.invocation_rate_limit_per_second, 20);
  EXPECT_EQ(c.api_destinations[1].value.invocation_rate_limit_per_second, 300);
  EXPECT_EQ(c.api_destinations[1].value.connection_name, "crm-auth");

  ASSERT_EQ(c.rules.size(), 1u);
  const std::vector<Target>& targets = c.rules[0].targets;
  ASSERT_EQ(targets.size(), 3u);
  EXPECT_EQ(targets[0].kind, TargetKind::kFunction);
  EXPECT_EQ(targets[0].resource_name, "resize");  // `:$LATEST` dropped
  EXPECT_FALSE(targets[0].http_parameters.has_value());
  EXPECT_EQ(targets[1].kind, TargetKind::kApiDestination);
  ASSERT_TRUE(targets[1].http_parameters.has_value());
  EXPECT_THAT(targets[1].http_parameters->path_parameter_values, ElementsAre("eu", "big"));
  EXPECT_THAT(targets[1].http_parameters->header_parameters,
              ElementsAre(Pair("x-order-kind", "big")));
  EXPECT_THAT(targets[1].http_parameters->query_string_parameters,
              ElementsAre(Pair("from", "busbar")));
  EXPECT_EQ(targets[2].resource_name, "crm");
  ASSERT_TRUE(targets[2].http_parameters.has_value());
  EXPECT_TRUE(targets[2].http_parameters->path_parameter_values.empty());
}

TEST(RuleFileFunctions, CloudFormationFormGivesTheSameModel) {
  Config simple = MustLoad({"functions.yaml"});
  Config cfn = MustLoad({"cloudformation_functions.yaml"});
  EXPECT_THAT(config::testing::Dump(simple), HasSubstr("function resize"));
  EXPECT_EQ(config::testing::Dump(cfn), config::testing::Dump(simple));
  // Without FunctionName / Name, the logical id.
  ASSERT_EQ(cfn.functions.size(), 2u);
  EXPECT_EQ(cfn.functions[1].value.name, "notify");
  EXPECT_EQ(cfn.functions[1].location.ToString(), kDir + "/cloudformation_functions.yaml:37:3");
}

TEST(RuleFileFunctions, ReferencesAndInvokeConfigsMayBeInOtherFiles) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::filesystem::create_directory(dir.path() + "/code");
  WriteFile(dir.path() + "/functions.yaml", R"(
Functions:
  - {FunctionName: f, Command: [./run], CodeDirectory: code}
Connections:
  - {Name: c, AuthorizationType: API_KEY,
     AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: k, ApiKeyValue: v}}}
)");
  WriteFile(dir.path() + "/uses.yaml", R"(
Queues: [{Name: q}]
ApiDestinations:
  - {Name: d, ConnectionArn: "arn:aws:events:us-east-1:000000000000:connection/c",
     InvocationEndpoint: "https://example.com/*", HttpMethod: GET}
Resources:
  Async:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: f
      Qualifier: $LATEST
      MaximumRetryAttempts: 1
      DestinationConfig: {OnFailure: {Destination: "arn:aws:sqs:us-east-1:000000000000:q"}}
Rules:
  - Name: r
    EventPattern: {source: [a]}
    Targets:
      - {Id: f, Arn: "arn:aws:lambda:us-east-1:000000000000:function:f"}
      - {Id: d, Arn: "arn:aws:events:us-east-1:000000000000:api-destination/d",
         HttpParameters: {PathParameterValues: [x]}}
)");
  absl::StatusOr<Config> c =
      LoadRuleFiles({dir.path() + "/uses.yaml", dir.path() + "/functions.yaml"}, {});
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->functions.size(), 1u);
  EXPECT_EQ(c->functions[0].value.code_directory, dir.path() + "/code");
  EXPECT_EQ(c->functions[0].value.invoke_config.maximum_retry_attempts, 1);
  EXPECT_EQ(c->functions[0].value.invoke_config.maximum_event_age_in_seconds, 21600);
  ASSERT_TRUE(c->functions[0].value.invoke_config.on_failure.has_value());
  EXPECT_EQ(c->functions[0].value.invoke_config.on_failure->resource_name, "q");

  // Alone, uses.yaml names what it doesn't declare.
  absl::StatusOr<Config> alone = LoadRuleFiles({dir.path() + "/uses.yaml"}, {});
  EXPECT_EQ(std::string(alone.status().message()),
            dir.path() + "/uses.yaml:4:30: API destination 'd': connection 'c' is not declared");
}

TEST(RuleFileFunctions, CodeDirectoryIsRelativeToTheRuleFile) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::filesystem::create_directories(dir.path() + "/rules/fn");
  const std::string text = "Functions: [{FunctionName: f, Command: x, CodeDirectory: ../rules/fn}]";
  WriteFile(dir.path() + "/rules/a.yaml", text);
  absl::StatusOr<Config> c = LoadRuleFiles({dir.path() + "/rules/a.yaml"}, {});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->functions[0].value.code_directory, dir.path() + "/rules/fn");

  // The same text one directory up names a directory that isn't there.
  WriteFile(dir.path() + "/b.yaml", text);
  c = LoadRuleFiles({dir.path() + "/b.yaml"}, {});
  EXPECT_EQ(std::string(c.status().message()),
            dir.path() + "/b.yaml:1:58: function 'f': CodeDirectory '" +
                std::filesystem::path(dir.path()).parent_path().string() +
                "/rules/fn' does not exist");
}

TEST(RuleFileFunctions, CodeDirectoryOfAFileNamedWithoutADirectory) {
  // Relative to the working directory, as the file itself is.
  absl::StatusOr<Config> c =
      ParseRuleFile("Functions: [{FunctionName: f, Command: x, CodeDirectory: .}]", "a.yaml", {});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->functions[0].value.code_directory, std::filesystem::current_path().string());
}

TEST(RuleFileFunctions, ConnectionDebugStringKeepsSecretsOut) {
  Config c = MustLoad({"functions.yaml"});
  ASSERT_EQ(c.connections.size(), 2u);
  const std::string basic = c.connections[0].value.DebugString();
  EXPECT_THAT(basic, HasSubstr("Connection{name=partner authorization_type=BASIC "
                               "username=busbar password=***"));
  const std::string api_key = c.connections[1].value.DebugString();
  EXPECT_THAT(api_key, HasSubstr("Connection{name=crm-auth authorization_type=API_KEY "
                                 "api_key_name=x-api-key api_key_value=***"));
  for (const std::string& text : {basic, api_key}) {
    for (const char* secret : {"s3cret", "k3y", "t0ken"}) {
      EXPECT_THAT(text, Not(HasSubstr(secret)));
    }
  }
}

TEST(RuleFileFunctions, ErrorMessagesDoNotQuoteSecrets) {
  // A value that is wrong is described, not shown.
  absl::StatusOr<Config> c = ParseRuleFile(R"(
Connections:
  - Name: c
    AuthorizationType: API_KEY
    AuthParameters:
      ApiKeyAuthParameters: {ApiKeyName: k, ApiKeyValue: "s3cret\u00e9"}
)",
                                           "test.yaml", {});
  EXPECT_EQ(std::string(c.status().message()),
            "test.yaml:6:58: connection 'c': AuthParameters: ApiKeyAuthParameters: ApiKeyValue "
            "is invalid: it must be printable ASCII");
}

}  // namespace
}  // namespace busbar::config
