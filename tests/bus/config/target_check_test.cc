// config::ValidateTarget (bus/config/config.h) and the wildcard count of
// targets::ValidateHttpParameters, the checks rule files and the API's
// PutTargets share: computed fields, where a fault is reported, queue, function
// and API destination lookups through the callbacks, HttpParameters, and the
// limits rule files can't reach (values that only the API can send).
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bus/config/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace busbar::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kQueueArn[] = "arn:aws:sqs:us-east-1:000000000000:";

Target QueueTarget(const std::string& queue) {
  Target t;
  t.id = "t";
  t.arn = kQueueArn + queue;
  return t;
}

TEST(ValidateTarget, FillsTheComputedFields) {
  Target t;
  t.id = "fn";
  t.arn = "arn:aws:lambda:us-east-1:000000000000:function:handler";
  t.dead_letter_config = DeadLetterConfig{std::string(kQueueArn) + "dlq", ""};
  ASSERT_TRUE(ValidateTarget(t, {}).ok());
  EXPECT_EQ(t.kind, TargetKind::kFunction);
  EXPECT_EQ(t.resource_name, "handler");
  EXPECT_EQ(t.dead_letter_config->queue_name, "dlq");
}

TEST(ValidateTarget, LooksQueuesUpOnlyWhenAsked) {
  TargetCheckOptions o;
  Target t = QueueTarget("missing");
  EXPECT_TRUE(ValidateTarget(t, o).ok());  // rule files: the linker resolves queues
  std::set<std::string> queues{"q"};
  o.queue_exists = [&queues](std::string_view q) { return queues.contains(std::string(q)); };
  TargetFault fault;
  absl::Status s = ValidateTarget(t, o, &fault);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "queue 'missing' does not exist");
  EXPECT_THAT(fault.path, ElementsAre("Arn"));
  t = QueueTarget("q");
  t.dead_letter_config = DeadLetterConfig{std::string(kQueueArn) + "gone", ""};
  s = ValidateTarget(t, o, &fault);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "DeadLetterConfig: queue 'gone' does not exist");
  EXPECT_THAT(fault.path, ElementsAre("DeadLetterConfig", "Arn"));
}

TEST(ValidateTarget, ReportsWhereTheFaultIs) {
  TargetFault fault;
  Target t = QueueTarget("q");
  t.input = "{}";
  t.input_transformer = InputTransformer{{}, "x"};
  EXPECT_THAT(ValidateTarget(t, {}, &fault).message(),
              HasSubstr("Input and InputTransformer are mutually exclusive"));
  EXPECT_THAT(fault.path, ElementsAre("InputTransformer"));
  EXPECT_TRUE(fault.at_key);

  t = QueueTarget("q");
  t.input_transformer = InputTransformer{{{"ok", "$.a"}, {"bad", "a"}}, "x"};
  EXPECT_EQ(ValidateTarget(t, {}, &fault).message(),
            "InputTransformer: InputPathsMap 'bad': 'a' is invalid: it must be a JSON path "
            "starting with $, at most 256 characters");
  EXPECT_THAT(fault.path, ElementsAre("InputTransformer", "InputPathsMap", "bad"));
  EXPECT_FALSE(fault.at_key);

  t = QueueTarget("q");
  t.retry_policy.maximum_event_age_in_seconds = 86401;
  EXPECT_EQ(ValidateTarget(t, {}, &fault).message(),
            "RetryPolicy: MaximumEventAgeInSeconds is 86401; it must be from 60 to 86400");
  EXPECT_THAT(fault.path, ElementsAre("RetryPolicy", "MaximumEventAgeInSeconds"));
}

TEST(ValidateTarget, LimitsOnlyTheApiCanReach) {
  Target t = QueueTarget("q");
  t.id = "";
  EXPECT_THAT(ValidateTarget(t, {}).message(), HasSubstr("Id '' is invalid"));
  t = QueueTarget("q");
  t.arn = std::string(kQueueArn) + std::string(1600, 'q');
  EXPECT_EQ(ValidateTarget(t, {}).message(), "Arn is 1635 characters; at most 1600 are allowed");
  t = QueueTarget("q");
  t.input_transformer = InputTransformer{{{std::string(257, 'v'), "$.a"}}, "x"};
  EXPECT_THAT(ValidateTarget(t, {}).message(),
              HasSubstr("it must be 1-256 characters of A-Z a-z 0-9 _ -"));
  t = QueueTarget("q");
  t.retry_policy.maximum_retry_attempts = -1;
  EXPECT_THAT(ValidateTarget(t, {}).message(), HasSubstr("MaximumRetryAttempts is -1"));
}

TEST(ValidateTarget, LooksFunctionsAndApiDestinationsUpOnlyWhenAsked) {
  Target fn;
  fn.id = "fn";
  fn.arn = "arn:aws:lambda:us-east-1:000000000000:function:gone:$LATEST";
  Target hook;
  hook.id = "hook";
  hook.arn = "arn:aws:events:us-east-1:000000000000:api-destination/gone/1234-abcd";
  TargetCheckOptions o;
  EXPECT_TRUE(ValidateTarget(fn, o).ok());
  EXPECT_TRUE(ValidateTarget(hook, o).ok());
  EXPECT_EQ(fn.resource_name, "gone");
  o.function_exists = [](std::string_view f) { return f == "there"; };
  o.api_destination_exists = [](std::string_view d) { return d == "there"; };
  TargetFault fault;
  absl::Status s = ValidateTarget(fn, o, &fault);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "function 'gone' does not exist");
  EXPECT_THAT(fault.path, ElementsAre("Arn"));
  s = ValidateTarget(hook, o, &fault);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "API destination 'gone' does not exist");
  fn.arn = "arn:aws:lambda:us-east-1:000000000000:function:there";
  EXPECT_TRUE(ValidateTarget(fn, o).ok());
}

Target HookTarget() {
  Target t;
  t.id = "hook";
  t.arn = "arn:aws:events:us-east-1:000000000000:api-destination/d";
  t.http_parameters = HttpParameters{};
  return t;
}

TEST(ValidateTarget, HttpParametersOnlyOnApiDestinations) {
  Target t = QueueTarget("q");
  t.http_parameters = HttpParameters{};
  TargetFault fault;
  EXPECT_EQ(ValidateTarget(t, {}, &fault).message(),
            "HttpParameters is only supported for API destination targets");
  EXPECT_THAT(fault.path, ElementsAre("HttpParameters"));
  EXPECT_TRUE(fault.at_key);
  t = HookTarget();
  EXPECT_TRUE(ValidateTarget(t, {}).ok());
  t.http_parameters->header_parameters = {{"Host", "evil.example"}};
  EXPECT_EQ(ValidateTarget(t, {}, &fault).message(),
            "HttpParameters: HeaderParameters key 'Host' is a header the HTTP client sets; it "
            "cannot be set here");
}

TEST(ValidateTarget, HttpParametersLimits) {
  TargetFault fault;
  Target t = HookTarget();
  t.http_parameters->path_parameter_values.assign(101, "v");
  EXPECT_EQ(ValidateTarget(t, {}, &fault).message(),
            "HttpParameters: PathParameterValues has 101 values; at most 100 are allowed");
  EXPECT_EQ(fault.entry, 100);
  t = HookTarget();
  t.http_parameters->path_parameter_values = {"ok", std::string(513, 'v')};
  EXPECT_THAT(ValidateTarget(t, {}, &fault).message(),
              HasSubstr("PathParameterValues #2 is invalid"));
  EXPECT_THAT(fault.path, ElementsAre("HttpParameters", "PathParameterValues", "1"));
  t = HookTarget();
  for (int i = 0; i < 100; ++i)
    t.http_parameters->header_parameters.emplace(absl::StrCat("h", i), "v");
  EXPECT_TRUE(ValidateTarget(t, {}).ok());
  t.http_parameters->header_parameters["h100"] = "v";
  EXPECT_EQ(ValidateTarget(t, {}, &fault).message(),
            "HttpParameters: HeaderParameters has 101 entries; at most 100 are allowed");
  t = HookTarget();
  t.http_parameters->header_parameters[std::string(513, 'k')] = "v";
  EXPECT_THAT(ValidateTarget(t, {}, &fault).message(),
              HasSubstr("it must be 1-512 characters of an HTTP header name"));
  EXPECT_TRUE(fault.at_key);
  t = HookTarget();
  t.http_parameters->header_parameters["k"] = std::string(513, 'v');
  EXPECT_EQ(ValidateTarget(t, {}, &fault).message(),
            "HttpParameters: HeaderParameters 'k': the value must be at most 512 characters of "
            "printable ASCII");
  EXPECT_FALSE(fault.at_key);
  t = HookTarget();
  t.http_parameters->header_parameters["k"] = "a\r\nX-Injected: 1";
  EXPECT_FALSE(ValidateTarget(t, {}).ok());
  t = HookTarget();
  t.http_parameters->query_string_parameters["q\x01"] = "v";
  EXPECT_THAT(ValidateTarget(t, {}, &fault).message(),
              HasSubstr("QueryStringParameters key 'q\\x01' is invalid"));
  t = HookTarget();
  t.http_parameters->query_string_parameters["q w"] = "caf\xC3\xA9 au lait";  // allowed
  EXPECT_TRUE(ValidateTarget(t, {}).ok());
}

// The wildcard count needs the destination: the linker and PutTargets check it with
// targets::ValidateHttpParameters, the check the daemon's routing makes too. Only the
// endpoint's path has wildcards.
TEST(HttpParametersWithTheirDestination, CountWildcardsOfThePath) {
  targets::ApiDestination d;
  d.name = "d";
  d.invocation_endpoint = "https://example.com/*/orders/*?all=*";
  Target t = HookTarget();
  t.http_parameters->path_parameter_values = {"eu", "big"};
  EXPECT_TRUE(targets::ValidateHttpParameters(*t.http_parameters, &d).ok());
  t.http_parameters->path_parameter_values.pop_back();
  EXPECT_EQ(targets::ValidateHttpParameters(*t.http_parameters, &d).message(),
            "HttpParameters: 1 PathParameterValues for the 2 '*' wildcards in the endpoint of API "
            "destination 'd'; give one value for each");
  EXPECT_TRUE(ValidateTarget(t, {}).ok());  // without the destination, the count is not known
  EXPECT_FALSE(targets::ValidateHttpParameters({}, &d).ok());  // no HttpParameters at all
  d.invocation_endpoint = "https://example.com/orders";
  EXPECT_TRUE(targets::ValidateHttpParameters({}, &d).ok());
}

}  // namespace
}  // namespace busbar::config
