// Internal to bus/server. Lambda's invocation record: what an asynchronous invocation's
// OnSuccess / OnFailure destination receives (the dispatcher writes it, dispatcher.h).
// A pure function; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "targets/functions.h"

namespace busbar::bus {

// Lambda's invocation record for a destination: {"version":"1.0","timestamp",
// "requestContext":{requestId, functionArn, condition, approximateInvokeCount},
// "requestPayload", "responseContext":{statusCode, executedVersion[,
// functionError]}, "responsePayload"}. Payloads that are not JSON are embedded
// as strings.
std::string InvocationRecord(const std::string& function_arn, const std::string& request_id,
                             std::string_view condition, int invoke_count,
                             std::string_view request_payload, const targets::InvokeResult& result,
                             int64_t now_ms);

}  // namespace busbar::bus
