// targets::ValidateFunction and ValidateEventInvokeConfig (targets/functions.h): the one check
// of a function, which rule files, FunctionsService and the function host all call. Computed
// fields, existence callbacks (NotFound), where a fault is (base::PropertyFault), and the
// limits. Pure apart from reading the filesystem for CodeDirectory.
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "targets/functions.h"
#include "tests/targets/temp_dir.h"

namespace busbar::targets {
namespace {

using ::busbar::targets::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

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
  base::PropertyFault fault;
  Function f = ValidFunction("relative/dir");
  EXPECT_EQ(ValidateFunction(f, {}, &fault).message(),
            "CodeDirectory 'relative/dir' must be an absolute path");
  EXPECT_THAT(fault.path, ElementsAre("CodeDirectory"));
  f = ValidFunction("/proc/self/status");
  EXPECT_EQ(ValidateFunction(f, {}).message(),
            "CodeDirectory '/proc/self/status' is not a directory");
}

TEST(ValidateFunction, Limits) {
  base::PropertyFault fault;
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
                                     DestinationKind::kQueue, ""};
  c.on_failure =
      FunctionDestination{"arn:aws:sqs:us-east-1:000000000000:gone", DestinationKind::kQueue, ""};
  FunctionCheckOptions o;
  ASSERT_TRUE(ValidateEventInvokeConfig(c, o).ok());
  EXPECT_EQ(c.on_success->kind, DestinationKind::kEventBus);
  EXPECT_EQ(c.on_failure->kind, DestinationKind::kQueue);
  o.queue_exists = [](std::string_view) { return false; };
  o.event_bus_exists = [](std::string_view) { return false; };  // `default` isn't asked
  o.function_exists = [](std::string_view) { return false; };
  base::PropertyFault fault;
  absl::Status s = ValidateEventInvokeConfig(c, o, &fault);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "DestinationConfig: OnFailure: queue 'gone' does not exist");
  EXPECT_THAT(fault.path, ElementsAre("DestinationConfig", "OnFailure", "Destination"));
  c.on_failure = FunctionDestination{"arn:aws:lambda:us-east-1:000000000000:function:g",
                                     DestinationKind::kQueue, ""};
  EXPECT_EQ(ValidateEventInvokeConfig(c, o).message(),
            "DestinationConfig: OnFailure: function 'g' does not exist");
  c.on_failure =
      FunctionDestination{"arn:aws:sqs:eu-west-1:000000000000:q", DestinationKind::kQueue, ""};
  EXPECT_THAT(ValidateEventInvokeConfig(c, o).message(),
              HasSubstr("DestinationConfig: OnFailure: Destination "
                        "'arn:aws:sqs:eu-west-1:000000000000:q' is in region 'eu-west-1'"));
  c.on_failure.reset();
  c.maximum_retry_attempts = 3;
  EXPECT_EQ(ValidateEventInvokeConfig(c, o).message(),
            "MaximumRetryAttempts is 3; it must be from 0 to 2");
}

struct BadFunction {
  std::string label;
  std::function<void(Function&)> change;
  std::string message;
};

TEST(ValidateFunction, RejectsBadFunctionsNamingTheProperty) {
  const std::vector<BadFunction> cases = {
      {"empty name", [](Function& f) { f.name = ""; }, "FunctionName '' is invalid"},
      {"long name", [](Function& f) { f.name = std::string(65, 'a'); }, "FunctionName"},
      {"bad name", [](Function& f) { f.name = "a b"; }, "FunctionName 'a b' is invalid"},
      {"no command", [](Function& f) { f.command.clear(); },
       "Command has 0 elements; it must have 1 to 64"},
      {"empty argv0", [](Function& f) { f.command = {""}; },
       "Command: the program (the first element) is empty"},
      {"relative dir", [](Function& f) { f.code_directory = "code"; },
       "CodeDirectory 'code' must be an absolute path"},
      {"handler NUL", [](Function& f) { f.handler = std::string("a\0b", 3); },
       "Handler contains a NUL character"},
      {"long description", [](Function& f) { f.description = std::string(257, 'd'); },
       "Description is 257 characters; at most 256 are allowed"},
      {"timeout 0", [](Function& f) { f.timeout_s = 0; }, "Timeout is 0; it must be from 1 to 900"},
      {"timeout 901", [](Function& f) { f.timeout_s = 901; },
       "Timeout is 901; it must be from 1 to 900"},
      {"memory 64", [](Function& f) { f.memory_size_mb = 64; },
       "MemorySize is 64; it must be from 128 to 10240"},
      {"memory 10241", [](Function& f) { f.memory_size_mb = 10241; },
       "MemorySize is 10241; it must be from 128 to 10240"},
      {"negative concurrency", [](Function& f) { f.reserved_concurrent_executions = -1; },
       "ReservedConcurrentExecutions is -1"},
      {"reserved variable", [](Function& f) { f.environment["AWS_REGION"] = "x"; },
       "Environment: Variables: 'AWS_REGION' is reserved"},
      {"runtime api variable", [](Function& f) { f.environment["AWS_LAMBDA_RUNTIME_API"] = "x"; },
       "Environment: Variables: 'AWS_LAMBDA_RUNTIME_API' is reserved"},
      {"any AWS_LAMBDA_ variable", [](Function& f) { f.environment["AWS_LAMBDA_OWN"] = "x"; },
       "Environment: Variables: 'AWS_LAMBDA_OWN' is reserved"},
      {"bad variable name", [](Function& f) { f.environment["1X"] = "x"; },
       "Environment: Variables: key '1X' is invalid"},
      {"variables too big", [](Function& f) { f.environment["BIG"] = std::string(5000, 'x'); },
       "Environment: Variables are 5003 bytes"},
      {"retries", [](Function& f) { f.invoke_config.maximum_retry_attempts = 3; },
       "MaximumRetryAttempts is 3; it must be from 0 to 2"},
  };
  Function good;
  good.name = "good-name_1";
  good.command = {"python3", "runtime.py"};
  good.code_directory = "/";
  EXPECT_TRUE(ValidateFunction(good, {}).ok());
  for (const BadFunction& bad : cases) {
    Function f = good;
    bad.change(f);
    absl::Status status = ValidateFunction(f, {});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad.label;
    EXPECT_THAT(std::string(status.message()), HasSubstr(bad.message)) << bad.label;
  }
  // The ARN is computed, whatever the caller put there.
  good.arn = "arn:aws:sqs:us-east-1:1:function:f";
  ASSERT_TRUE(ValidateFunction(good, {}).ok());
  EXPECT_EQ(good.arn, "arn:aws:lambda:us-east-1:000000000000:function:good-name_1");
}

}  // namespace
}  // namespace busbar::targets
