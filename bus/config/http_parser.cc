// Internal to bus/config: the Parser's readers for what HTTP delivery needs —
// connections (`Connections`, AWS::Events::Connection), API destinations
// (`ApiDestinations`, AWS::Events::ApiDestination) and a target's
// HttpParameters — straight into the HTTP targets module's model
// (targets/http_target.h). Types and shapes here; values through
// targets::ValidateConnection / ValidateApiDestination (and ValidateTarget), the
// checks the API and the daemon use too. The reader's own part is what needs the
// account and region: ConnectionArn resolved to the connection's name, and the
// ARNs. Connections hold secrets: no message quotes a password, an API key value
// or a parameter value.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bus/config/arn.h"
#include "bus/config/json_text.h"
#include "bus/config/rule_file_parser_impl.h"

namespace busbar::config::internal {
namespace {

constexpr char kNameRule[] = "1-64 characters of A-Z a-z 0-9 . - _";
constexpr NameSpec kConnectionName{"Name", "connection", &IsValidRuleName, kNameRule};
constexpr NameSpec kDestinationName{"Name", "API destination", &IsValidRuleName, kNameRule};

}  // namespace

absl::Status Parser::ParseConnection(const YamlNode& node, std::string ctx,
                                     const YamlNode* logical_id) {
  Declared<targets::Connection> declared;
  targets::Connection& c = declared.value;
  absl::StatusOr<std::string> name =
      ReadName(node, kConnectionName, logical_id, "", ctx, declared.location);
  if (!name.ok()) return name.status();
  absl::Status s =
      CheckKeys(node, ctx, {"Name", "Description", "AuthorizationType", "AuthParameters"});
  if (!s.ok()) return s;
  c.name = *name;
  const YamlMember* type = Find(node, "AuthorizationType");
  const YamlMember* auth = Find(node, "AuthParameters");
  if (type == nullptr || auth == nullptr) {
    return Error(node, ctx,
                 absl::StrCat("missing required property '",
                              type == nullptr ? "AuthorizationType" : "AuthParameters", "'"));
  }
  if (const YamlMember* description = Find(node, "Description")) {
    absl::StatusOr<std::string> text = ReadString(*description, ctx);
    if (!text.ok()) return text.status();
    c.description = *std::move(text);
  }
  absl::StatusOr<std::string> type_name = ReadString(*type, ctx);
  if (!type_name.ok()) return type_name.status();
  if (*type_name == "BASIC") {
    c.authorization_type = targets::ConnectionAuthorizationType::kBasic;
  } else if (*type_name == "API_KEY") {
    c.authorization_type = targets::ConnectionAuthorizationType::kApiKey;
  } else if (*type_name == "OAUTH_CLIENT_CREDENTIALS") {
    return Error(type->value, ctx,
                 "AuthorizationType OAUTH_CLIENT_CREDENTIALS is not supported by busbar (BASIC "
                 "or API_KEY)");
  } else {
    return Error(
        type->value, ctx,
        absl::StrCat("AuthorizationType must be BASIC or API_KEY, not ", Quote(*type_name)));
  }
  const bool basic = c.authorization_type == targets::ConnectionAuthorizationType::kBasic;
  s = CheckMapping(*auth, ctx);
  if (!s.ok()) return s;
  const std::string auth_ctx = absl::StrCat(ctx, ": AuthParameters");
  if (const YamlMember* oauth = Find(auth->value, "OAuthParameters")) {
    return Error(oauth->key, auth_ctx, "OAuthParameters is not supported by busbar");
  }
  s = CheckKeys(auth->value, auth_ctx,
                {"BasicAuthParameters", "ApiKeyAuthParameters", "InvocationHttpParameters"});
  if (!s.ok()) return s;
  const char* own = basic ? "BasicAuthParameters" : "ApiKeyAuthParameters";
  const char* other = basic ? "ApiKeyAuthParameters" : "BasicAuthParameters";
  if (const YamlMember* wrong = Find(auth->value, other)) {
    return Error(wrong->key, auth_ctx,
                 absl::StrCat(other, " is not allowed with AuthorizationType ", *type_name));
  }
  const YamlMember* credentials = Find(auth->value, own);
  if (credentials == nullptr) {
    return Error(auth->value, auth_ctx, absl::StrCat("missing required property '", own, "'"));
  }
  s = CheckMapping(*credentials, auth_ctx);
  if (!s.ok()) return s;
  const std::string cred_ctx = absl::StrCat(auth_ctx, ": ", own);
  const char* first = basic ? "Username" : "ApiKeyName";
  const char* second = basic ? "Password" : "ApiKeyValue";
  s = CheckKeys(credentials->value, cred_ctx, {first, second});
  if (!s.ok()) return s;
  for (const char* key : {first, second}) {
    const YamlMember* m = Find(credentials->value, key);
    if (m == nullptr) {
      return Error(credentials->value, cred_ctx,
                   absl::StrCat("missing required property '", key, "'"));
    }
    if (!m->value.IsScalar()) return TypeError(*m, cred_ctx, "a string");  // no value quoted
    std::string& field = basic ? (key == first ? c.basic.username : c.basic.password)
                               : (key == first ? c.api_key.name : c.api_key.value);
    field = m->value.scalar;
  }
  if (const YamlMember* http = Find(auth->value, "InvocationHttpParameters")) {
    s = CheckMapping(*http, auth_ctx);
    if (!s.ok()) return s;
    const std::string http_ctx = absl::StrCat(auth_ctx, ": InvocationHttpParameters");
    s = CheckKeys(http->value, http_ctx,
                  {"HeaderParameters", "QueryStringParameters", "BodyParameters"});
    if (!s.ok()) return s;
    for (const YamlMember& list : http->value.members) {
      const std::string& key = list.key.scalar;
      targets::ConnectionHttpParameters& lists = c.invocation_http_parameters;
      s = ParseConnectionParameters(list, http_ctx,
                                    key == "HeaderParameters"        ? lists.header_parameters
                                    : key == "QueryStringParameters" ? lists.query_string_parameters
                                                                     : lists.body_parameters);
      if (!s.ok()) return s;
    }
  }
  PropertyFault fault;
  s = targets::ValidateConnection(c, &fault);
  if (!s.ok()) return FaultError(node, ctx, s, fault);
  c.arn = ConnectionArn(opts_.region, opts_.account_id, c.name);
  out_.config.connections.push_back(std::move(declared));
  return absl::OkStatus();
}

absl::Status Parser::ParseConnectionParameters(
    const YamlMember& m, const std::string& ctx,
    std::vector<targets::ConnectionParameter>& out) const {
  absl::StatusOr<const std::vector<YamlNode>*> items = ReadSequence(m, ctx);
  if (!items.ok()) return items.status();
  for (size_t i = 0; i < (*items)->size(); ++i) {
    const YamlNode& item = (**items)[i];
    const std::string item_ctx = absl::StrCat(ctx, ": ", m.key.scalar, " #", i + 1);
    if (!item.IsMapping()) {
      return Error(item, item_ctx, absl::StrCat("must be a mapping, not ", item.KindName()));
    }
    absl::Status s = CheckKeys(item, item_ctx, {"Key", "Value", "IsValueSecret"});
    if (!s.ok()) return s;
    targets::ConnectionParameter p;
    for (const char* required : {"Key", "Value"}) {
      const YamlMember* field = Find(item, required);
      if (field == nullptr) {
        return Error(item, item_ctx, absl::StrCat("missing required property '", required, "'"));
      }
      if (!field->value.IsScalar()) return TypeError(*field, item_ctx, "a string");
      (std::string_view(required) == "Key" ? p.key : p.value) = field->value.scalar;
    }
    if (const YamlMember* secret = Find(item, "IsValueSecret")) {
      absl::StatusOr<bool> b = ReadBool(*secret, item_ctx);
      if (!b.ok()) return b.status();
      p.is_value_secret = *b;
    }
    out.push_back(std::move(p));
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseApiDestination(const YamlNode& node, std::string ctx,
                                         const YamlNode* logical_id) {
  Declared<targets::ApiDestination> declared;
  targets::ApiDestination& d = declared.value;
  absl::StatusOr<std::string> name =
      ReadName(node, kDestinationName, logical_id, "", ctx, declared.location);
  if (!name.ok()) return name.status();
  absl::Status s = CheckKeys(node, ctx,
                             {"Name", "Description", "ConnectionArn", "InvocationEndpoint",
                              "HttpMethod", "InvocationRateLimitPerSecond"});
  if (!s.ok()) return s;
  d.name = *name;
  for (const char* required : {"ConnectionArn", "InvocationEndpoint", "HttpMethod"}) {
    if (Find(node, required) == nullptr) {
      return Error(node, ctx, absl::StrCat("missing required property '", required, "'"));
    }
  }
  for (const YamlMember& m : node.members) {
    const std::string& key = m.key.scalar;
    if (key == "InvocationRateLimitPerSecond") {
      absl::StatusOr<int> v = ReadInt(m, ctx, 1, targets::kMaxInvocationRateLimitPerSecond);
      if (!v.ok()) return v.status();
      d.invocation_rate_limit_per_second = *v;
      continue;
    }
    if (key == "Name") continue;
    absl::StatusOr<std::string> text = ReadString(m, ctx);
    if (!text.ok()) return text.status();
    if (key == "ConnectionArn") {
      // The reader's part: the ARN's account and region are the bus's.
      absl::StatusOr<std::string> connection =
          ParseConnectionArn(*text, opts_.account_id, opts_.region);
      if (!connection.ok()) {
        return Error(m.value, ctx, absl::StrCat("ConnectionArn ", connection.status().message()));
      }
      d.connection_name = *std::move(connection);
      continue;
    }
    (key == "Description"          ? d.description
     : key == "InvocationEndpoint" ? d.invocation_endpoint
                                   : d.http_method) = *std::move(text);
  }
  PropertyFault fault;
  s = targets::ValidateApiDestination(d, &fault);
  if (!s.ok()) return FaultError(node, ctx, s, fault);
  d.arn = ApiDestinationArn(opts_.region, opts_.account_id, d.name);
  AddReference(Reference::Kind::kConnection, d.connection_name, Find(node, "ConnectionArn")->value,
               ctx);
  out_.config.api_destinations.push_back(std::move(declared));
  return absl::OkStatus();
}

absl::Status Parser::ParseHttpParameters(const YamlMember& m, const std::string& ctx,
                                         HttpParameters& out) const {
  absl::Status s = CheckMapping(m, ctx);
  if (!s.ok()) return s;
  const std::string http_ctx = absl::StrCat(ctx, ": HttpParameters");
  s = CheckKeys(m.value, http_ctx,
                {"PathParameterValues", "HeaderParameters", "QueryStringParameters"});
  if (!s.ok()) return s;
  for (const YamlMember& p : m.value.members) {
    const std::string& key = p.key.scalar;
    if (key == "PathParameterValues") {
      absl::StatusOr<std::vector<std::string>> values =
          ReadStringList(p, http_ctx, /*single_ok=*/false);
      if (!values.ok()) return values.status();
      out.path_parameter_values = *std::move(values);
      continue;
    }
    absl::StatusOr<std::map<std::string, std::string>> map = ReadStringMap(p, http_ctx);
    if (!map.ok()) return map.status();
    (key == "HeaderParameters" ? out.header_parameters : out.query_string_parameters) =
        *std::move(map);
  }
  return absl::OkStatus();
}

}  // namespace busbar::config::internal
