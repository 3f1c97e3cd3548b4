// Lambda's destination record (invocation_record.h InvocationRecord): the shape Lambda documents
// for OnSuccess / OnFailure destinations, valid JSON whatever the payloads are.
#include "bus/server/invocation_record.h"

#include "bus/config/json_text.h"
#include "gtest/gtest.h"

namespace busbar::bus {
namespace {

constexpr char kArn[] = "arn:aws:lambda:us-east-1:000000000000:function:f";

TEST(InvocationRecord, SuccessEmbedsJsonPayloads) {
  targets::InvokeResult result;
  result.payload = R"({"ok": true})";
  const std::string record =
      InvocationRecord(kArn, "req-1", "Success", 1, R"({"id":"e1"})", result, 1796052054651);
  EXPECT_EQ(record, R"({"version":"1.0","timestamp":"2026-11-30T15:20:54.651Z","requestContext":{)"
                    R"("requestId":"req-1","functionArn":")" +
                        std::string(kArn) +
                        R"(:$LATEST","condition":"Success","approximateInvokeCount":1},)"
                        R"("requestPayload":{"id":"e1"},"responseContext":{"statusCode":200,)"
                        R"("executedVersion":"$LATEST"},"responsePayload":{"ok": true}})");
  EXPECT_TRUE(config::internal::CheckJson(record).ok());
}

TEST(InvocationRecord, FailureCarriesTheFunctionErrorAndQuotesNonJson) {
  targets::InvokeResult result;
  result.function_error = "Unhandled";
  result.payload = "not json \"at all\"";
  const std::string record =
      InvocationRecord(kArn, "req-2", "RetriesExhausted", 3, "plain text", result, 0);
  EXPECT_TRUE(config::internal::CheckJson(record).ok()) << record;
  EXPECT_NE(record.find(R"("condition":"RetriesExhausted","approximateInvokeCount":3)"),
            std::string::npos);
  EXPECT_NE(record.find(R"("functionError":"Unhandled")"), std::string::npos);
  EXPECT_NE(record.find(R"("requestPayload":"plain text")"), std::string::npos);
  EXPECT_NE(record.find(R"("responsePayload":"not json \"at all\"")"), std::string::npos);
  EXPECT_NE(record.find(R"("timestamp":"1970-01-01T00:00:00.000Z")"), std::string::npos);
}

TEST(InvocationRecord, EmptyResponseIsNull) {
  targets::InvokeResult result;
  const std::string record = InvocationRecord(kArn, "r", "Success", 1, "{}", result, 0);
  EXPECT_NE(record.find(R"("responsePayload":null})"), std::string::npos) << record;
}

}  // namespace
}  // namespace busbar::bus
