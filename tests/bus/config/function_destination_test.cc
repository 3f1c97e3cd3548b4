// DestinationConfig ARNs are read twice on purpose: by bus/config/arn.h (every target ARN) and
// by targets::ValidateEventInvokeConfig (targets/ cannot include bus/). This test holds the two
// readers to one answer on a table of ARNs: the same kind and name when both accept, the same
// words when they refuse, and "not a destination" for the forms Lambda's destinations don't
// take (API destinations and other services).
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bus/config/arn.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "targets/functions.h"

namespace busbar::config {
namespace {

constexpr std::string_view kAccount = "000000000000";
constexpr std::string_view kRegion = "us-east-1";

const char* const kArns[] = {
    "arn:aws:sqs:us-east-1:000000000000:orders",
    "arn:aws:sqs:us-east-1:000000000000:a-b_C9",
    "arn:aws:sqs:us-east-1:000000000000:bad.name",
    "arn:aws:lambda:us-east-1:000000000000:function:resize",
    "arn:aws:lambda:us-east-1:000000000000:function:resize:$LATEST",
    "arn:aws:lambda:us-east-1:000000000000:function:resize:1",
    "arn:aws:lambda:us-east-1:000000000000:layer:x",
    "arn:aws:events:us-east-1:000000000000:event-bus/default",
    "arn:aws:events:us-east-1:000000000000:event-bus/partner/source.x",
    "arn:aws:events:us-east-1:000000000000:event-bus/bad name",
    "arn:aws:events:us-east-1:000000000000:api-destination/d",
    "arn:aws:events:us-east-1:000000000000:api-destination/d/0b1c-2d",
    "arn:aws:events:us-east-1:000000000000:api-destination/",
    "arn:aws:events:us-east-1:000000000000:connection/c",
    "arn:aws:events:us-east-1:000000000000:rule/r",
    "arn:aws:sns:us-east-1:000000000000:topic",
    "arn:aws:sqs:eu-west-1:000000000000:orders",
    "arn:aws:sqs:us-east-1:123456789012:orders",
    "arn:aws-cn:sqs:us-east-1:000000000000:orders",
    "arn:aws:sqs:us-east-1:000000000000:",
    "arn:aws:sqs:us-east-1",
    "arn::sqs:us-east-1:000000000000:orders",
    "not-an-arn",
    "",
};

TEST(FunctionDestinationArn, TargetsReadsDestinationsAsConfigReadsTargetArns) {
  targets::FunctionCheckOptions options;
  options.account_id = std::string(kAccount);
  options.region = std::string(kRegion);
  std::vector<std::string> arns(std::begin(kArns), std::end(kArns));
  arns.push_back(absl::StrCat("arn:aws:sqs:us-east-1:000000000000:", std::string(81, 'q')));
  arns.push_back(
      absl::StrCat("arn:aws:lambda:us-east-1:000000000000:function:", std::string(65, 'f')));
  arns.push_back(
      absl::StrCat("arn:aws:events:us-east-1:000000000000:event-bus/", std::string(257, 'b')));
  int accepted = 0;
  for (const std::string& text : arns) {
    SCOPED_TRACE(text);
    targets::EventInvokeConfig invoke;
    invoke.on_failure.emplace().arn = text;
    const absl::Status got = targets::ValidateEventInvokeConfig(invoke, options);
    const absl::StatusOr<internal::TargetArn> want =
        internal::ParseTargetArn(text, kAccount, kRegion);
    const std::string prefix = "DestinationConfig: OnFailure: Destination ";
    const std::string not_destination =
        absl::StrCat(prefix, "'", text, "' is not an SQS queue, event bus or Lambda function ARN");
    if (want.ok() && want->kind != TargetKind::kApiDestination) {
      ASSERT_TRUE(got.ok()) << got;
      const targets::FunctionDestination& d = *invoke.on_failure;
      EXPECT_EQ(d.resource_name, want->name);
      switch (want->kind) {
        case TargetKind::kQueue:
          EXPECT_EQ(d.kind, targets::DestinationKind::kQueue);
          break;
        case TargetKind::kEventBus:
          EXPECT_EQ(d.kind, targets::DestinationKind::kEventBus);
          break;
        case TargetKind::kFunction:
          EXPECT_EQ(d.kind, targets::DestinationKind::kFunction);
          break;
        case TargetKind::kApiDestination:
          break;
      }
      ++accepted;
    } else if (want.ok() || absl::StrContains(want.status().message(), "API destination")) {
      // An API destination, valid or not, or a service no target takes: not a destination.
      EXPECT_EQ(got.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(got.message(), not_destination);
    } else {
      EXPECT_EQ(got.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(got.message(), absl::StrCat(prefix, want.status().message()));
    }
  }
  EXPECT_EQ(accepted, 6);
}

}  // namespace
}  // namespace busbar::config
