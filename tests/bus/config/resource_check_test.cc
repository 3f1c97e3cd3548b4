// config::ValidateConnection and ValidateApiDestination (bus/config/config.h),
// as the daemon's API will call them: computed fields, existence callbacks
// (NotFound), where a fault is, and the limits rule files reach only with
// effort. Functions: tests/targets/function_validate_test.cc.
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

Connection BasicConnection() {
  Connection c;
  c.name = "c";
  c.username = "user";
  c.password = "pa55word";
  return c;
}

TEST(ValidateConnection, ChecksCredentialsWithoutShowingThem) {
  PropertyFault fault;
  Connection c = BasicConnection();
  ASSERT_TRUE(ValidateConnection(c, "000000000000", "us-east-1").ok());
  EXPECT_EQ(c.arn, "arn:aws:events:us-east-1:000000000000:connection/c");
  c.api_key_value = "stray";
  EXPECT_EQ(ValidateConnection(c, "000000000000", "us-east-1", &fault).message(),
            "AuthParameters: ApiKeyAuthParameters is not allowed with AuthorizationType BASIC");
  c = BasicConnection();
  c.password = std::string(513, 'p');
  absl::Status s = ValidateConnection(c, "000000000000", "us-east-1", &fault);
  EXPECT_EQ(s.message(),
            "AuthParameters: BasicAuthParameters: Password is 513 characters; it must be 1 to 512");
  EXPECT_THAT(fault.path, ElementsAre("AuthParameters", "BasicAuthParameters", "Password"));
  c = BasicConnection();
  c.authorization_type = ConnectionAuthorization::kApiKey;
  EXPECT_THAT(ValidateConnection(c, "000000000000", "us-east-1").message(),
              HasSubstr("BasicAuthParameters is not allowed with AuthorizationType API_KEY"));
  c.username.clear();
  c.password.clear();
  c.api_key_name = "x-api-key";
  c.api_key_value = "secret\nvalue";
  s = ValidateConnection(c, "000000000000", "us-east-1");
  EXPECT_EQ(s.message(),
            "AuthParameters: ApiKeyAuthParameters: ApiKeyValue is invalid: it must be printable "
            "ASCII");
  c = BasicConnection();
  c.header_parameters.assign(101, ConnectionParameter{"k", "v", false});
  EXPECT_THAT(ValidateConnection(c, "000000000000", "us-east-1", &fault).message(),
              HasSubstr("HeaderParameters has 101 entries; at most 100 are allowed"));
  EXPECT_EQ(fault.entry, 100);
  c = BasicConnection();
  c.header_parameters = {{"k", "top\r\nsecret", true}};
  s = ValidateConnection(c, "000000000000", "us-east-1", &fault);
  EXPECT_THAT(s.message(), HasSubstr("HeaderParameters #1: Value is invalid"));
  EXPECT_THAT(s.message(), Not(HasSubstr("secret")));
  EXPECT_THAT(fault.path, ElementsAre("AuthParameters", "InvocationHttpParameters",
                                      "HeaderParameters", "0", "Value"));
  // Headers the HTTP client sets are refused here, as the HTTP deliverer would refuse them.
  for (const char* header : {"Host", "content-length", "User-Agent", "Connection"}) {
    c = BasicConnection();
    c.header_parameters = {{header, "v", false}};
    EXPECT_THAT(ValidateConnection(c, "000000000000", "us-east-1").message(),
                HasSubstr("is a header the HTTP client sets"))
        << header;
  }
}

ApiDestination ValidDestination() {
  ApiDestination d;
  d.name = "d";
  d.connection_arn = "arn:aws:events:us-east-1:000000000000:connection/c/5b6c-7d8e";
  d.invocation_endpoint = "https://example.com:8443/orders/*?x=1";
  d.http_method = "DELETE";
  return d;
}

TEST(ValidateApiDestination, FillsComputedFieldsAndLooksConnectionsUp) {
  ApiDestination d = ValidDestination();
  ApiDestinationCheckOptions o;
  ASSERT_TRUE(ValidateApiDestination(d, o).ok());
  EXPECT_EQ(d.connection_name, "c");
  EXPECT_EQ(d.arn, "arn:aws:events:us-east-1:000000000000:api-destination/d");
  o.connection_exists = [](std::string_view c) { return c == "other"; };
  PropertyFault fault;
  absl::Status s = ValidateApiDestination(d, o, &fault);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "connection 'c' does not exist");
  EXPECT_THAT(fault.path, ElementsAre("ConnectionArn"));
}

TEST(ValidateApiDestination, Limits) {
  for (const std::string& bad :
       {std::string("example.com/x"), std::string("https://"), std::string("https://a b/"),
        std::string("https://user:pw@example.com/"), std::string("http://:80/"),
        "https://example.com/" + std::string(2030, 'x')}) {
    ApiDestination d = ValidDestination();
    d.invocation_endpoint = bad;
    EXPECT_THAT(ValidateApiDestination(d, {}).message(), HasSubstr("InvocationEndpoint")) << bad;
  }
  ApiDestination d = ValidDestination();
  d.invocation_endpoint = "http://127.0.0.1:9000";
  EXPECT_TRUE(ValidateApiDestination(d, {}).ok());
  d.invocation_rate_limit_per_second = 0;
  EXPECT_EQ(ValidateApiDestination(d, {}).message(),
            "InvocationRateLimitPerSecond is 0; it must be from 1 to 300");
  d = ValidDestination();
  d.connection_arn = "arn:aws:events:us-east-1:000000000000:connection/";
  EXPECT_THAT(ValidateApiDestination(d, {}).message(), HasSubstr("has an invalid connection"));
  d = ValidDestination();
  d.description = std::string(513, 'd');
  EXPECT_EQ(ValidateApiDestination(d, {}).message(),
            "Description is 513 characters; at most 512 are allowed");
}

}  // namespace
}  // namespace busbar::config
