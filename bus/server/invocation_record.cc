// Lambda's invocation record; see invocation_record.h.
#include "bus/server/invocation_record.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "matcher/base/base.h"
#include "simdjson.h"

namespace busbar::bus {
namespace {

// `text` as a JSON value: itself when it is JSON, else a JSON string.
void AppendJsonValue(std::string_view text, std::string& out) {
  thread_local simdjson::dom::parser parser;
  if (!text.empty() && !parser.parse(simdjson::padded_string(text)).error()) {
    out.append(text);
  } else {
    base::AppendJsonString(text, &out);
  }
}

}  // namespace

std::string InvocationRecord(const std::string& function_arn, const std::string& request_id,
                             std::string_view condition, int invoke_count,
                             std::string_view request_payload, const targets::InvokeResult& result,
                             int64_t now_ms) {
  std::string out = "{\"version\":\"1.0\",\"timestamp\":\"";
  // RFC 3339 UTC with milliseconds, as Lambda's records write "timestamp".
  absl::StrAppend(&out, base::FormatRfc3339(now_ms, base::Rfc3339Precision::kMillis),
                  "\",\"requestContext\":{\"requestId\":");
  base::AppendJsonString(request_id, &out);
  out.append(",\"functionArn\":");
  base::AppendJsonString(absl::StrCat(function_arn, ":$LATEST"), &out);
  absl::StrAppend(&out, ",\"condition\":\"", std::string(condition),
                  "\",\"approximateInvokeCount\":", invoke_count, "},\"requestPayload\":");
  AppendJsonValue(request_payload, out);
  out.append(",\"responseContext\":{\"statusCode\":200,\"executedVersion\":\"$LATEST\"");
  if (!result.function_error.empty()) {
    out.append(",\"functionError\":");
    base::AppendJsonString(result.function_error, &out);
  }
  out.append("},\"responsePayload\":");
  if (result.payload.empty()) {
    out.append("null");
  } else {
    AppendJsonValue(result.payload, out);
  }
  out.append("}");
  return out;
}

}  // namespace busbar::bus
