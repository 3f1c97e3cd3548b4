// targets::ValidateConnection and ValidateApiDestination (the HTTP targets
// module's, which rule files call), as the daemon's API will call them:
// computed fields, existence callbacks (NotFound), where a fault is, and the
// limits rule files reach only with effort. Functions:
// tests/targets/function_validate_test.cc.
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
