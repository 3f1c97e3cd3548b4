// config::ValidateFunction and ValidateEventInvokeConfig (bus/config/config.h),
// and targets::ValidateConnection and ValidateApiDestination (the HTTP targets
// module's, which rule files call), as the daemon's API will call them:
// computed fields, existence callbacks (NotFound), where a fault is, and the
// limits rule files reach only with effort.
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "bus/config/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/targets/temp_dir.h"

namespace busbar::config {
namespace {

using targets::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

Function ValidFunction(const std::string& dir) {
  Function f;
  f.name = "f";
  f.command = {"./bootstrap"};
  f.code_directory = dir;
  return f;
}

TEST(ValidateFunction, FillsArnAndNormalisesCodeDirectory) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  Function f = ValidFunction(dir.path() + "/./x/../");
  std::filesystem::create_directory(dir.path() + "/x");
  ASSERT_TRUE(ValidateFunction(f, {}).ok());
  EXPECT_EQ(f.code_directory, dir.path());
  EXPECT_EQ(f.arn, "arn:aws:lambda:us-east-1:000000000000:function:f");
  FunctionCheckOptions o;
  o.region = "eu-west-1";
  o.account_id = "123456789012";
  ASSERT_TRUE(ValidateFunction(f, o).ok());
  EXPECT_EQ(f.arn, "arn:aws:lambda:eu-west-1:123456789012:function:f");
}

TEST(ValidateFunction, CodeDirectoryMustBeAbsoluteAndADirectory) {
  PropertyFault fault;
  Function f = ValidFunction("relative/dir");
  EXPECT_EQ(ValidateFunction(f, {}, &fault).message(),
            "CodeDirectory 'relative/dir' must be an absolute path");
  EXPECT_THAT(fault.path, ElementsAre("CodeDirectory"));
  f = ValidFunction("/proc/self/status");
  EXPECT_EQ(ValidateFunction(f, {}).message(),
            "CodeDirectory '/proc/self/status' is not a directory");
}

TEST(ValidateFunction, Limits) {
  PropertyFault fault;
  Function f = ValidFunction("/");
  f.command.assign(65, "x");
  EXPECT_EQ(ValidateFunction(f, {}, &fault).message(),
            "Command has 65 elements; it must have 1 to 64");
  EXPECT_EQ(fault.entry, 64);
  f = ValidFunction("/");
  f.command = {"./run", std::string("a\0b", 3)};
  EXPECT_EQ(ValidateFunction(f, {}, &fault).message(),
            "Command element #2 is invalid: at most 4096 characters, no NUL");
  EXPECT_THAT(fault.path, ElementsAre("Command", "1"));
  f = ValidFunction("/");
  f.name = std::string(65, 'f');
  EXPECT_THAT(ValidateFunction(f, {}).message(), HasSubstr("FunctionName"));
  f = ValidFunction("/");
  f.timeout_s = 0;
  EXPECT_EQ(ValidateFunction(f, {}).message(), "Timeout is 0; it must be from 1 to 900");
  f = ValidFunction("/");
  f.memory_size_mb = 10241;
  EXPECT_EQ(ValidateFunction(f, {}).message(), "MemorySize is 10241; it must be from 128 to 10240");
  f = ValidFunction("/");
  f.reserved_concurrent_executions = -1;
  EXPECT_EQ(ValidateFunction(f, {}).message(),
            "ReservedConcurrentExecutions is -1; it must be from 0 to 1000");
  for (const char* reserved :
       {"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_RUNTIME_API", "_HANDLER",
        "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "AWS_EXECUTION_ENV", "_X_AMZN_TRACE_ID",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
    f = ValidFunction("/");
    f.environment[reserved] = "x";
    EXPECT_THAT(ValidateFunction(f, {}, &fault).message(), HasSubstr("is reserved")) << reserved;
    EXPECT_THAT(fault.path, ElementsAre("Environment", "Variables", reserved));
    EXPECT_TRUE(fault.at_key);
  }
  f = ValidFunction("/");
  f.environment["TZ"] = "Europe/Paris";  // Lambda lets a function set TZ
  EXPECT_TRUE(ValidateFunction(f, {}).ok());
  f = ValidFunction("/");
  f.environment["A"] = "x";  // at least two characters
  EXPECT_THAT(ValidateFunction(f, {}).message(), HasSubstr("key 'A' is invalid"));
  f = ValidFunction("/");
  f.environment["KEY"] = std::string(4093, 'v');  // 3 + 4093 = 4096 bytes
  EXPECT_TRUE(ValidateFunction(f, {}).ok());
  f.environment["KEY"] += "v";
  EXPECT_EQ(ValidateFunction(f, {}).message(),
            "Environment: Variables are 4097 bytes; at most 4096 are allowed");
}

TEST(ValidateEventInvokeConfig, DestinationsAndCallbacks) {
  EventInvokeConfig c;
  c.on_success = FunctionDestination{"arn:aws:events:us-east-1:000000000000:event-bus/default",
                                     TargetKind::kQueue, ""};
  c.on_failure =
      FunctionDestination{"arn:aws:sqs:us-east-1:000000000000:gone", TargetKind::kQueue, ""};
  FunctionCheckOptions o;
  ASSERT_TRUE(ValidateEventInvokeConfig(c, o).ok());
  EXPECT_EQ(c.on_success->kind, TargetKind::kEventBus);
  EXPECT_EQ(c.on_failure->kind, TargetKind::kQueue);
  o.queue_exists = [](std::string_view) { return false; };
  o.event_bus_exists = [](std::string_view) { return false; };  // `default` isn't asked
  o.function_exists = [](std::string_view) { return false; };
  PropertyFault fault;
  absl::Status s = ValidateEventInvokeConfig(c, o, &fault);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "DestinationConfig: OnFailure: queue 'gone' does not exist");
  EXPECT_THAT(fault.path, ElementsAre("DestinationConfig", "OnFailure", "Destination"));
  c.on_failure = FunctionDestination{"arn:aws:lambda:us-east-1:000000000000:function:g",
                                     TargetKind::kQueue, ""};
  EXPECT_EQ(ValidateEventInvokeConfig(c, o).message(),
            "DestinationConfig: OnFailure: function 'g' does not exist");
  c.on_failure =
      FunctionDestination{"arn:aws:sqs:eu-west-1:000000000000:q", TargetKind::kQueue, ""};
  EXPECT_THAT(ValidateEventInvokeConfig(c, o).message(),
              HasSubstr("DestinationConfig: OnFailure: Destination "
                        "'arn:aws:sqs:eu-west-1:000000000000:q' is in region 'eu-west-1'"));
  c.on_failure.reset();
  c.maximum_retry_attempts = 3;
  EXPECT_EQ(ValidateEventInvokeConfig(c, o).message(),
            "MaximumRetryAttempts is 3; it must be from 0 to 2");
}

// Connections and API destinations are the HTTP targets module's model, checked by its
// validators (targets/http_target.h) for rule files and the API alike.
targets::Connection BasicConnection() {
  targets::Connection c;
  c.name = "c";
  c.basic = {"user", "pa55word"};
  return c;
}

TEST(ValidateConnection, ChecksCredentialsWithoutShowingThem) {
  PropertyFault fault;
  targets::Connection c = BasicConnection();
  ASSERT_TRUE(targets::ValidateConnection(c).ok());
  c.api_key.value = "stray";
  EXPECT_EQ(targets::ValidateConnection(c, &fault).message(),
            "AuthParameters: ApiKeyAuthParameters is not allowed with AuthorizationType BASIC");
  EXPECT_TRUE(fault.at_key);
  c = BasicConnection();
  c.basic.password = std::string(513, 'p');
  absl::Status s = targets::ValidateConnection(c, &fault);
  EXPECT_EQ(s.message(),
            "AuthParameters: BasicAuthParameters: Password is 513 characters; it must be 1 to 512");
  EXPECT_THAT(fault.path, ElementsAre("AuthParameters", "BasicAuthParameters", "Password"));
  c = BasicConnection();
  c.authorization_type = targets::ConnectionAuthorizationType::kApiKey;
  EXPECT_THAT(targets::ValidateConnection(c).message(),
              HasSubstr("BasicAuthParameters is not allowed with AuthorizationType API_KEY"));
  c.basic = {};
  c.api_key = {"x-api-key", "secret\nvalue"};
  s = targets::ValidateConnection(c);
  EXPECT_EQ(s.message(),
            "AuthParameters: ApiKeyAuthParameters: ApiKeyValue is invalid: it must be printable "
            "ASCII");
  c = BasicConnection();
  c.invocation_http_parameters.header_parameters.assign(101, {"k", "v", false});
  EXPECT_THAT(targets::ValidateConnection(c, &fault).message(),
              HasSubstr("HeaderParameters has 101 entries; at most 100 are allowed"));
  EXPECT_EQ(fault.entry, 100);
  c = BasicConnection();
  c.invocation_http_parameters.header_parameters = {{"k", "top\r\nsecret", true}};
  s = targets::ValidateConnection(c, &fault);
  EXPECT_THAT(s.message(), HasSubstr("HeaderParameters #1: Value is invalid"));
  EXPECT_THAT(s.message(), Not(HasSubstr("secret")));
  EXPECT_THAT(fault.path, ElementsAre("AuthParameters", "InvocationHttpParameters",
                                      "HeaderParameters", "0", "Value"));
  // Headers the HTTP client sets are refused here, as the HTTP deliverer would refuse them.
  for (const char* header : {"Host", "content-length", "User-Agent", "Connection"}) {
    c = BasicConnection();
    c.invocation_http_parameters.header_parameters = {{header, "v", false}};
    EXPECT_THAT(targets::ValidateConnection(c).message(),
                HasSubstr("is a header the HTTP client sets"))
        << header;
  }
}

targets::ApiDestination ValidDestination() {
  targets::ApiDestination d;
  d.name = "d";
  d.connection_name = "c";
  d.invocation_endpoint = "https://example.com:8443/orders/*?x=1";
  d.http_method = "DELETE";
  return d;
}

// What needs the account and region is the reader's: the ConnectionArn (its UUID dropped) and
// the ARNs; whether the connection is declared is the linker's.
TEST(ValidateApiDestination, FillsComputedFieldsAndLooksConnectionsUp) {
  const std::string connection =
      "Connections: [{Name: c, AuthorizationType: BASIC, AuthParameters: "
      "{BasicAuthParameters: {Username: u, Password: p}}}]\n";
  absl::StatusOr<Config> c =
      ParseRuleFile(connection +
                        "ApiDestinations: [{Name: d, ConnectionArn: "
                        "'arn:aws:events:us-east-1:000000000000:connection/c/5b6c-7d8e', "
                        "InvocationEndpoint: 'https://example.com/*', HttpMethod: DELETE}]\n",
                    "a.yaml", {});
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->api_destinations.size(), 1u);
  const targets::ApiDestination& d = c->api_destinations[0].value;
  EXPECT_EQ(d.connection_name, "c");
  EXPECT_EQ(d.arn, "arn:aws:events:us-east-1:000000000000:api-destination/d");
  EXPECT_EQ(c->connections[0].value.arn, "arn:aws:events:us-east-1:000000000000:connection/c");
  EXPECT_EQ(c->api_destinations[0].location.ToString(), "a.yaml:2:26");
  EXPECT_TRUE(targets::ValidateApiDestination(d).ok());
  c = ParseRuleFile(
      "ApiDestinations: [{Name: d, ConnectionArn: "
      "'arn:aws:events:us-east-1:000000000000:connection/other', "
      "InvocationEndpoint: 'https://example.com/', HttpMethod: POST}]\n",
      "a.yaml", {});
  EXPECT_EQ(c.status().message(),
            "a.yaml:1:44: API destination 'd': connection 'other' is not "
            "declared");
}

TEST(ValidateApiDestination, Limits) {
  for (const std::string& bad :
       {std::string("example.com/x"), std::string("https://"), std::string("https://a b/"),
        std::string("https://user:pw@example.com/"), std::string("http://:80/"),
        std::string("http://127.0.0.1:99999/x"), std::string("http://127.0.0.1:0/x"),
        std::string("http://127.0.0.1:http/x"), std::string("ftp://example.com/"),
        "https://example.com/" + std::string(2030, 'x')}) {
    targets::ApiDestination d = ValidDestination();
    d.invocation_endpoint = bad;
    PropertyFault fault;
    EXPECT_THAT(targets::ValidateApiDestination(d, &fault).message(),
                HasSubstr("InvocationEndpoint"))
        << bad;
    EXPECT_THAT(fault.path, ElementsAre("InvocationEndpoint")) << bad;
  }
  targets::ApiDestination d = ValidDestination();
  d.invocation_endpoint = "http://127.0.0.1:9000";
  EXPECT_TRUE(targets::ValidateApiDestination(d).ok());
  d.invocation_rate_limit_per_second = 0;
  EXPECT_EQ(targets::ValidateApiDestination(d).message(),
            "InvocationRateLimitPerSecond is 0; it must be from 1 to 300");
  d = ValidDestination();
  d.connection_name = "";
  EXPECT_THAT(targets::ValidateApiDestination(d).message(),
              HasSubstr("ConnectionArn: connection name '' is invalid"));
  d = ValidDestination();
  d.description = std::string(513, 'd');
  EXPECT_EQ(targets::ValidateApiDestination(d).message(),
            "Description is 513 characters; at most 512 are allowed");
}

}  // namespace
}  // namespace busbar::config
