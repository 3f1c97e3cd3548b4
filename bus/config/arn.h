// Internal to bus/ (bus/config, and the daemon's API checks in bus/server):
// reading the AWS-form ARNs that name targets, queues and buses
// (`arn:aws:<service>:<region>:<account>:<resource>`), and the name rules.
// Pure functions of their arguments; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "bus/config/config.h"

namespace busbar::config::internal {

// What a target ARN names, in the configured account and region.
struct TargetArn {
  TargetKind kind = TargetKind::kQueue;
  std::string name;  // the queue, function, bus or API destination name
};

// Reads a target ARN (see TargetKind for the forms). Errors: InvalidArgument
// whose message starts with the quoted ARN and has no position, ready to follow
// a property name: "'x' is not a valid ARN (arn:aws:<service>:<region>:...)",
// "'...' is in region 'eu-west-1', not 'us-east-1'", "'...' is in account ...",
// "'...' has an invalid queue name", "'...' is not an SQS queue, Lambda
// function, event bus or API destination ARN".
absl::StatusOr<TargetArn> ParseTargetArn(std::string_view arn, std::string_view account_id,
                                         std::string_view region);

// Reads an SQS queue ARN and returns the queue name. Errors as ParseTargetArn,
// and for an ARN of any other kind.
absl::StatusOr<std::string> ParseQueueArn(std::string_view arn, std::string_view account_id,
                                          std::string_view region);

// Reads an event bus ARN (arn:aws:events:R:A:event-bus/<name>) and returns the
// bus name. Errors as ParseTargetArn, and for an ARN of any other kind.
absl::StatusOr<std::string> ParseEventBusArn(std::string_view arn, std::string_view account_id,
                                             std::string_view region);

// Reads a connection ARN (arn:aws:events:R:A:connection/<name>[/<uuid>]) and
// returns the connection name. Errors as ParseTargetArn, and for an ARN of any
// other kind.
absl::StatusOr<std::string> ParseConnectionArn(std::string_view arn, std::string_view account_id,
                                               std::string_view region);

// Name checks shared with the rule-file parser.
bool IsValidQueueName(std::string_view name);     // 1-80 of [\-_A-Za-z0-9]
bool IsValidEventBusName(std::string_view name);  // 1-256 of [.\-_A-Za-z0-9]
// EventBridge's wider form for buses created over the API (CreateEventBus) and
// named in ARNs: 1-256 of [/.\-_A-Za-z0-9].
bool IsValidApiEventBusName(std::string_view name);
bool IsValidRuleName(std::string_view name);      // 1-64 of [.\-_A-Za-z0-9] (also target ids,
                                                  // connections and API destinations)
bool IsValidFunctionName(std::string_view name);  // 1-64 of [\-_A-Za-z0-9]

std::string QueueArn(std::string_view region, std::string_view account_id, std::string_view queue);
std::string EventBusArn(std::string_view region, std::string_view account_id, std::string_view bus);
std::string FunctionArn(std::string_view region, std::string_view account_id,
                        std::string_view function);
std::string ConnectionArn(std::string_view region, std::string_view account_id,
                          std::string_view connection);
std::string ApiDestinationArn(std::string_view region, std::string_view account_id,
                              std::string_view destination);
// rule/<bus>/<name>, or rule/<name> on the default bus.
std::string RuleArn(std::string_view region, std::string_view account_id, std::string_view bus,
                    std::string_view rule);

}  // namespace busbar::config::internal
