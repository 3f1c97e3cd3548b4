// Internal to bus/config. A recursive walk over the tree, one method per kind
// of entry. Each entry's name is read first so that every later message can
// say which entry it is about ("rule 'big-orders': ..."); entries without a
// usable name are called by position ("rule #2"). The first problem ends the
// walk: one clear error is worth more than a list that cascades.
#include "bus/config/rule_file_parser.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bus/config/arn.h"
#include "bus/config/json_text.h"
#include "bus/config/rule_file_parser_impl.h"
#include "matcher/matcher.h"

namespace busbar::config::internal {
namespace {

constexpr size_t kMaxTargets = kMaxTargetsPerRule;
constexpr size_t kMaxDescription = kMaxDescriptionChars;

}  // namespace

const YamlMember* Find(const YamlNode& map, std::string_view key) {
  for (const YamlMember& m : map.members) {
    if (m.key.scalar == key) return &m;
  }
  return nullptr;
}

// The node a PropertyFault points at inside the entry `entry`: the property's
// value (or key, or the key or item of its entry), or the nearest enclosing node
// the file has.
const YamlNode& FaultNode(const YamlNode& entry, const PropertyFault& fault) {
  const YamlNode* at = &entry;
  for (size_t i = 0; i < fault.path.size(); ++i) {
    const bool last = i + 1 == fault.path.size();
    if (at->IsSequence()) {  // a step into a list: the item's index
      size_t index = 0;
      const std::string& step = fault.path[i];
      auto [end, ec] = std::from_chars(step.data(), step.data() + step.size(), index);
      if (ec != std::errc() || end != step.data() + step.size() || index >= at->items.size()) {
        return *at;
      }
      at = &at->items[index];
      continue;
    }
    const YamlMember* m = Find(*at, fault.path[i]);
    if (m == nullptr) return *at;
    if (!last) {
      at = &m->value;
      continue;
    }
    if (fault.entry >= 0 && static_cast<size_t>(fault.entry) < m->value.members.size()) {
      return m->value.members[fault.entry].key;
    }
    if (fault.entry >= 0 && static_cast<size_t>(fault.entry) < m->value.items.size()) {
      return m->value.items[fault.entry];
    }
    return fault.at_key ? m->key : m->value;
  }
  return *at;
}

// CloudFormation's long form of an intrinsic function: `{Ref: X}` or
// `{Fn::GetAtt: [...]}`. In JSON-valued properties (EventPattern, Input), where
// `{"Ref": ...}` may be meant literally, only `Fn::` counts.
std::optional<std::string> IntrinsicFunction(const YamlNode& v, bool json_value) {
  if (!v.IsMapping() || v.members.size() != 1) return std::nullopt;
  const std::string& key = v.members[0].key.scalar;
  if ((key == "Ref" && !json_value) || key.starts_with("Fn::")) return key;
  return std::nullopt;
}

bool IsLogicalId(std::string_view s) {
  return !s.empty() && s.size() <= 255 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

namespace {

constexpr char kBusNameRule[] = "1-256 characters of A-Z a-z 0-9 . - _";
constexpr char kQueueNameRule[] = "1-80 characters of A-Z a-z 0-9 - _";
constexpr char kRuleNameRule[] = "1-64 characters of A-Z a-z 0-9 . - _";

constexpr NameSpec kBusName{"Name", "event bus", &IsValidEventBusName, kBusNameRule};
constexpr NameSpec kQueueName{"Name", "queue", &IsValidQueueName, kQueueNameRule};
constexpr NameSpec kCfnQueueName{"QueueName", "queue", &IsValidQueueName, kQueueNameRule};
constexpr NameSpec kRuleName{"Name", "rule", &IsValidRuleName, kRuleNameRule};
constexpr NameSpec kTargetId{"Id", "target", &IsValidRuleName, kRuleNameRule};

}  // namespace

absl::Status Parser::TypeError(const YamlMember& m, std::string_view ctx,
                               std::string_view expected) const {
  if (std::optional<std::string> fn = IntrinsicFunction(m.value)) {
    return Error(m.value, ctx,
                 absl::StrCat(m.key.scalar, ": intrinsic function '", *fn,
                              "' is not supported; write the value itself"));
  }
  return Error(
      m.value, ctx,
      absl::StrCat(m.key.scalar, " must be ", std::string(expected), ", not ", m.value.KindName()));
}

absl::Status Parser::CheckKeys(const YamlNode& map, std::string_view ctx,
                               std::initializer_list<std::string_view> allowed) const {
  const char* noun = ctx.empty() ? "top-level key" : "property";
  for (size_t i = 0; i < map.members.size(); ++i) {
    const YamlNode& key = map.members[i].key;
    if (std::find(allowed.begin(), allowed.end(), key.scalar) == allowed.end()) {
      return Error(key, ctx, absl::StrCat("unknown ", noun, " ", Quote(key.scalar)));
    }
    for (size_t j = 0; j < i; ++j) {
      if (map.members[j].key.scalar == key.scalar) {
        return Error(key, ctx, absl::StrCat("duplicate ", noun, " ", Quote(key.scalar)));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Parser::CheckMapping(const YamlMember& m, std::string_view ctx) const {
  if (m.value.IsMapping() && !IntrinsicFunction(m.value)) return absl::OkStatus();
  return TypeError(m, ctx, "a mapping");
}

absl::StatusOr<std::string> Parser::ReadString(const YamlMember& m, std::string_view ctx) const {
  if (!m.value.IsScalar()) return TypeError(m, ctx, "a string");
  return m.value.scalar;
}

absl::StatusOr<int> Parser::ReadInt(const YamlMember& m, std::string_view ctx, int min,
                                    int max) const {
  if (!m.value.IsScalar()) return TypeError(m, ctx, "an integer");
  const std::string& s = m.value.scalar;
  std::string_view digits = s;
  if (!digits.empty() && digits[0] == '-') digits.remove_prefix(1);
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Error(m.value, ctx, absl::StrCat(m.key.scalar, " must be an integer, not ", Quote(s)));
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < min || value > max) {
    return Error(m.value, ctx,
                 absl::StrCat(m.key.scalar, " is ", s, "; it must be from ", min, " to ", max));
  }
  return static_cast<int>(value);
}

absl::StatusOr<const std::vector<YamlNode>*> Parser::ReadSequence(const YamlMember& m,
                                                                  std::string_view ctx) const {
  if (m.value.IsNull()) return &m.value.items;  // empty
  if (!m.value.IsSequence()) return TypeError(m, ctx, "a sequence");
  return &m.value.items;
}

absl::StatusOr<std::string> Parser::ReadName(const YamlNode& entry, const NameSpec& spec,
                                             const YamlNode* logical_id, std::string_view suffix,
                                             std::string& ctx, SourceLocation& where) const {
  const YamlMember* m = Find(entry, spec.key);
  if (m == nullptr) {
    if (logical_id == nullptr) {
      return Error(entry, ctx, absl::StrCat("missing required property '", spec.key, "'"));
    }
    // CloudFormation names the resource after its logical id (alphanumeric,
    // but maybe too long for a name).
    if (!spec.valid(logical_id->scalar)) {
      return Error(*logical_id, ctx,
                   absl::StrCat("without ", spec.key,
                                ", the logical id is the name, and it must be ", spec.rule));
    }
    where = Where(*logical_id);
    ctx = absl::StrCat(spec.noun, " ", Quote(logical_id->scalar), std::string(suffix));
    return logical_id->scalar;
  }
  absl::StatusOr<std::string> name = ReadString(*m, ctx);
  if (!name.ok()) return name.status();
  if (!spec.valid(*name)) {
    return Error(m->value, ctx,
                 absl::StrCat(spec.key, " ", Quote(*name), " is invalid: it must be ", spec.rule));
  }
  where = Where(m->value);
  ctx = absl::StrCat(spec.noun, " ", Quote(*name), std::string(suffix));
  return name;
}

absl::StatusOr<std::string> Parser::ReadQueueArn(const YamlMember& m, const std::string& ctx,
                                                 std::string_view noun, std::string& arn) {
  absl::StatusOr<std::string> text = ReadString(m, ctx);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::string> queue = ParseQueueArn(*text, opts_.account_id, opts_.region);
  if (!queue.ok()) {
    return Error(m.value, ctx, absl::StrCat(m.key.scalar, " ", queue.status().message()));
  }
  arn = *text;
  out_.references.push_back(
      Reference{Reference::Kind::kQueue, *queue, Where(m.value), ctx, std::string(noun)});
  return queue;
}

absl::StatusOr<bool> Parser::ReadBool(const YamlMember& m, std::string_view ctx) const {
  if (!m.value.IsScalar()) return TypeError(m, ctx, "true or false");
  const std::string& v = m.value.scalar;
  if (m.value.plain && (v == "true" || v == "True" || v == "TRUE")) return true;
  if (m.value.plain && (v == "false" || v == "False" || v == "FALSE")) return false;
  return Error(m.value, ctx, absl::StrCat(m.key.scalar, " must be true or false, not ", Quote(v)));
}

absl::StatusOr<std::vector<std::string>> Parser::ReadStringList(const YamlMember& m,
                                                                std::string_view ctx,
                                                                bool single_ok) const {
  if (single_ok && m.value.IsScalar()) return std::vector<std::string>{m.value.scalar};
  if (!m.value.IsSequence() && !m.value.IsNull()) {
    return TypeError(m, ctx, single_ok ? "a sequence of strings, or a string" : "a sequence");
  }
  std::vector<std::string> out;
  for (const YamlNode& item : m.value.items) {
    if (!item.IsScalar()) {
      return Error(
          item, ctx,
          absl::StrCat(m.key.scalar, ": each item must be a string, not ", item.KindName()));
    }
    out.push_back(item.scalar);
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> Parser::ReadStringMap(
    const YamlMember& m, std::string_view ctx) const {
  std::map<std::string, std::string> out;
  if (m.value.IsNull()) return out;
  // Not CheckMapping: a key may be called `Ref`.
  if (!m.value.IsMapping()) return TypeError(m, ctx, "a mapping");
  const std::string map_ctx = absl::StrCat(std::string(ctx), ": ", m.key.scalar);
  for (const YamlMember& entry : m.value.members) {
    absl::StatusOr<std::string> value = ReadString(entry, map_ctx);
    if (!value.ok()) return value.status();
    if (!out.emplace(entry.key.scalar, *std::move(value)).second) {
      return Error(entry.key, map_ctx, absl::StrCat("duplicate key ", Quote(entry.key.scalar)));
    }
  }
  return out;
}

absl::Status Parser::FaultError(const YamlNode& entry, std::string_view ctx, const absl::Status& s,
                                const PropertyFault& fault) const {
  return Error(FaultNode(entry, fault), ctx, std::string(s.message()));
}

void Parser::AddReference(Reference::Kind kind, const std::string& name, const YamlNode& at,
                          const std::string& ctx) {
  const char* noun = "";
  switch (kind) {
    case Reference::Kind::kEventBus:
      if (name == "default") return;  // always exists
      noun = "event bus";
      break;
    case Reference::Kind::kQueue:
      noun = "queue";
      break;
    case Reference::Kind::kFunction:
      noun = "function";
      break;
    case Reference::Kind::kConnection:
      noun = "connection";
      break;
    case Reference::Kind::kApiDestination:
      noun = "API destination";
      break;
  }
  out_.references.push_back(Reference{kind, name, Where(at), ctx, noun});
}

absl::Status Parser::ParseRoot(const YamlNode& root) {
  if (root.IsNull()) return absl::OkStatus();  // an empty file declares nothing
  if (!root.IsMapping()) {
    return Error(root, "",
                 absl::StrCat("a rule file must be a mapping with EventBuses, Queues, Rules or "
                              "Resources, not ",
                              root.KindName()));
  }
  absl::Status s =
      CheckKeys(root, "",
                {"EventBuses", "Queues", "Rules", "Functions", "Connections", "ApiDestinations",
                 "Resources", "AWSTemplateFormatVersion", "Description"});
  if (!s.ok()) return s;
  for (const YamlMember& m : root.members) {
    const std::string& key = m.key.scalar;
    if (key == "AWSTemplateFormatVersion" || key == "Description") {
      absl::StatusOr<std::string> ignored = ReadString(m, "");
      if (!ignored.ok()) return ignored.status();
      continue;
    }
    s = key == "Resources" ? ParseResources(m) : ParseSection(m);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseSection(const YamlMember& section) {
  absl::StatusOr<const std::vector<YamlNode>*> items = ReadSequence(section, "");
  if (!items.ok()) return items.status();
  const std::string& key = section.key.scalar;
  const char* noun = key == "EventBuses"        ? "event bus"
                     : key == "Queues"          ? "queue"
                     : key == "Functions"       ? "function"
                     : key == "Connections"     ? "connection"
                     : key == "ApiDestinations" ? "API destination"
                                                : "rule";
  for (size_t i = 0; i < (*items)->size(); ++i) {
    const YamlNode& item = (**items)[i];
    std::string ctx = absl::StrCat(noun, " #", i + 1);
    if (!item.IsMapping()) {
      return Error(item, ctx, absl::StrCat("must be a mapping, not ", item.KindName()));
    }
    absl::Status s = key == "EventBuses"        ? ParseEventBus(item, ctx, nullptr)
                     : key == "Queues"          ? ParseQueue(item, ctx, nullptr)
                     : key == "Functions"       ? ParseFunction(item, ctx, nullptr)
                     : key == "Connections"     ? ParseConnection(item, ctx, nullptr)
                     : key == "ApiDestinations" ? ParseApiDestination(item, ctx, nullptr)
                                                : ParseRule(item, ctx, nullptr);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseResources(const YamlMember& section) {
  if (section.value.IsNull()) return absl::OkStatus();
  absl::Status s = CheckMapping(section, "");
  if (!s.ok()) return s;
  std::set<std::string> seen;
  for (const YamlMember& resource : section.value.members) {
    const YamlNode& id = resource.key;
    std::string ctx = absl::StrCat("resource ", Quote(id.scalar));
    if (!IsLogicalId(id.scalar)) {
      return Error(id, ctx, "a logical id must be 1-255 characters of A-Z a-z 0-9");
    }
    if (!seen.insert(id.scalar).second) {
      return Error(id, "", absl::StrCat("duplicate resource ", Quote(id.scalar)));
    }
    s = CheckMapping(resource, ctx);
    if (!s.ok()) return s;
    const YamlNode& body = resource.value;
    s = CheckKeys(
        body, ctx,
        {"Type", "Properties", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy"});
    if (!s.ok()) return s;
    const YamlMember* type = Find(body, "Type");
    if (type == nullptr) return Error(body, ctx, "missing required property 'Type'");
    absl::StatusOr<std::string> type_name = ReadString(*type, ctx);
    if (!type_name.ok()) return type_name.status();
    YamlNode empty;  // for a resource without Properties
    empty.kind = YamlNode::Kind::kMapping;
    empty.line = body.line;
    empty.column = body.column;
    const YamlNode* props = &empty;
    if (const YamlMember* p = Find(body, "Properties"); p != nullptr && !p->value.IsNull()) {
      s = CheckMapping(*p, ctx);
      if (!s.ok()) return s;
      props = &p->value;
    }
    if (*type_name == "AWS::Events::EventBus") {
      s = ParseEventBus(*props, ctx, &id);
    } else if (*type_name == "AWS::SQS::Queue") {
      s = ParseQueue(*props, ctx, &id);
    } else if (*type_name == "AWS::Events::Rule") {
      s = ParseRule(*props, ctx, &id);
    } else if (*type_name == "AWS::Lambda::Function") {
      s = ParseFunction(*props, ctx, &id);
    } else if (*type_name == "AWS::Lambda::EventInvokeConfig") {
      s = ParseEventInvokeConfig(*props, ctx);
    } else if (*type_name == "AWS::Events::Connection") {
      s = ParseConnection(*props, ctx, &id);
    } else if (*type_name == "AWS::Events::ApiDestination") {
      s = ParseApiDestination(*props, ctx, &id);
    } else {
      s = Error(type->value, ctx,
                absl::StrCat("unsupported Type ", Quote(*type_name),
                             " (supported: AWS::Events::ApiDestination, AWS::Events::Connection, "
                             "AWS::Events::EventBus, AWS::Events::Rule, "
                             "AWS::Lambda::EventInvokeConfig, AWS::Lambda::Function, "
                             "AWS::SQS::Queue)"));
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseEventBus(const YamlNode& node, std::string ctx,
                                   const YamlNode* logical_id) {
  EventBus bus;
  absl::StatusOr<std::string> name = ReadName(node, kBusName, logical_id, "", ctx, bus.location);
  if (!name.ok()) return name.status();
  absl::Status s = CheckKeys(node, ctx, {"Name"});
  if (!s.ok()) return s;
  if (*name == "default") {
    return Error(bus.location, ctx, "the default event bus always exists; don't declare it");
  }
  bus.name = *name;
  bus.arn = EventBusArn(opts_.region, opts_.account_id, bus.name);
  out_.config.buses.push_back(std::move(bus));
  return absl::OkStatus();
}

absl::Status Parser::ParseQueue(const YamlNode& node, std::string ctx, const YamlNode* logical_id) {
  Queue queue;
  const NameSpec& spec = logical_id != nullptr ? kCfnQueueName : kQueueName;
  absl::StatusOr<std::string> name = ReadName(node, spec, logical_id, "", ctx, queue.location);
  if (!name.ok()) return name.status();
  absl::Status s = CheckKeys(node, ctx,
                             {spec.key, "VisibilityTimeout", "MessageRetentionPeriod",
                              "ReceiveMessageWaitTimeSeconds", "RedrivePolicy"});
  if (!s.ok()) return s;
  queue.name = *name;
  queue.arn = QueueArn(opts_.region, opts_.account_id, queue.name);
  for (const YamlMember& m : node.members) {
    const std::string& key = m.key.scalar;
    if (key == "RedrivePolicy") {
      s = ParseRedrivePolicy(m, ctx, queue);
      if (!s.ok()) return s;
      continue;
    }
    int* field = nullptr;
    absl::StatusOr<int> value = 0;
    if (key == "VisibilityTimeout") {
      field = &queue.visibility_timeout_s;
      value = ReadInt(m, ctx, 0, 43200);
    } else if (key == "MessageRetentionPeriod") {
      field = &queue.message_retention_period_s;
      value = ReadInt(m, ctx, 60, 1209600);
    } else if (key == "ReceiveMessageWaitTimeSeconds") {
      field = &queue.receive_wait_time_s;
      value = ReadInt(m, ctx, 0, 20);
    } else {
      continue;  // the name
    }
    if (!value.ok()) return value.status();
    *field = *value;
  }
  out_.config.queues.push_back(std::move(queue));
  return absl::OkStatus();
}

// Moves every position of `node` to (line, column): for a document parsed out
// of a string value, whose own positions mean nothing in the file.
void Relocate(YamlNode& node, int line, int column) {
  node.line = line;
  node.column = column;
  for (YamlNode& item : node.items) Relocate(item, line, column);
  for (YamlMember& m : node.members) {
    Relocate(m.key, line, column);
    Relocate(m.value, line, column);
  }
}

absl::Status Parser::ParseRedrivePolicy(const YamlMember& m, const std::string& ctx, Queue& queue) {
  // SQS takes the policy as a JSON string; CloudFormation as a mapping.
  YamlMember policy{m.key, m.value};
  if (m.value.IsScalar()) {
    absl::StatusOr<YamlNode> parsed = ParseYaml(m.value.scalar, "");
    if (!parsed.ok() || !parsed->IsMapping()) {
      return Error(m.value, ctx, "RedrivePolicy must be a mapping, or a string of a JSON object");
    }
    policy.value = *std::move(parsed);
    Relocate(policy.value, m.value.line, m.value.column);
  }
  absl::Status s = CheckMapping(policy, ctx);
  if (!s.ok()) return s;
  std::string policy_ctx = absl::StrCat(ctx, ": RedrivePolicy");
  s = CheckKeys(policy.value, policy_ctx, {"deadLetterTargetArn", "maxReceiveCount"});
  if (!s.ok()) return s;
  RedrivePolicy redrive;
  const YamlMember* target = Find(policy.value, "deadLetterTargetArn");
  const YamlMember* count = Find(policy.value, "maxReceiveCount");
  if (target == nullptr || count == nullptr) {
    return Error(policy.value, policy_ctx,
                 absl::StrCat("missing required property '",
                              target == nullptr ? "deadLetterTargetArn" : "maxReceiveCount", "'"));
  }
  absl::StatusOr<std::string> dlq =
      ReadQueueArn(*target, policy_ctx, "dead-letter queue", redrive.dead_letter_target_arn);
  if (!dlq.ok()) return dlq.status();
  if (*dlq == queue.name) {
    return Error(target->value, policy_ctx, "a queue can't be its own dead-letter queue");
  }
  redrive.dead_letter_queue_name = *dlq;
  absl::StatusOr<int> max = ReadInt(*count, policy_ctx, 1, 1000);
  if (!max.ok()) return max.status();
  redrive.max_receive_count = *max;
  queue.redrive_policy = std::move(redrive);
  return absl::OkStatus();
}

absl::Status Parser::ParseRule(const YamlNode& node, std::string ctx, const YamlNode* logical_id) {
  Rule rule;
  absl::StatusOr<std::string> name = ReadName(node, kRuleName, logical_id, "", ctx, rule.location);
  if (!name.ok()) return name.status();
  absl::Status s = CheckKeys(
      node, ctx, {"Name", "EventBusName", "EventPattern", "State", "Description", "Targets"});
  if (!s.ok()) return s;
  rule.name = *name;
  const YamlMember* pattern = Find(node, "EventPattern");
  if (pattern == nullptr) return Error(node, ctx, "missing required property 'EventPattern'");
  const YamlMember* bus = Find(node, "EventBusName");
  if (bus != nullptr) {
    absl::StatusOr<std::string> text = ReadString(*bus, ctx);
    if (!text.ok()) return text.status();
    if (text->starts_with("arn:")) {
      absl::StatusOr<std::string> bus_name =
          ParseEventBusArn(*text, opts_.account_id, opts_.region);
      if (!bus_name.ok()) {
        return Error(bus->value, ctx, absl::StrCat("EventBusName ", bus_name.status().message()));
      }
      rule.event_bus_name = *bus_name;
    } else if (IsValidEventBusName(*text)) {
      rule.event_bus_name = *text;
    } else {
      return Error(bus->value, ctx,
                   absl::StrCat("EventBusName ", Quote(*text),
                                " is invalid: it must be an event bus ARN or 1-256 characters "
                                "of A-Z a-z 0-9 . - _"));
    }
    if (rule.event_bus_name != "default") {
      out_.references.push_back(Reference{Reference::Kind::kEventBus, rule.event_bus_name,
                                          Where(bus->value), ctx, "event bus"});
    }
  }
  rule.arn = RuleArn(opts_.region, opts_.account_id, rule.event_bus_name, rule.name);
  absl::StatusOr<std::string> json = ParseEventPattern(*pattern, ctx);
  if (!json.ok()) return json.status();
  rule.event_pattern = *std::move(json);
  if (const YamlMember* state = Find(node, "State")) {
    absl::StatusOr<std::string> text = ReadString(*state, ctx);
    if (!text.ok()) return text.status();
    if (*text != "ENABLED" && *text != "DISABLED") {
      return Error(state->value, ctx,
                   absl::StrCat("State must be ENABLED or DISABLED, not ", Quote(*text)));
    }
    rule.state = *text == "ENABLED" ? RuleState::kEnabled : RuleState::kDisabled;
  }
  if (const YamlMember* description = Find(node, "Description")) {
    absl::StatusOr<std::string> text = ReadString(*description, ctx);
    if (!text.ok()) return text.status();
    if (CharCount(*text) > kMaxDescription) {
      return Error(description->value, ctx,
                   absl::StrCat("Description is ", CharCount(*text), " characters; at most ",
                                kMaxDescription, " are allowed"));
    }
    rule.description = *std::move(text);
  }
  if (const YamlMember* targets = Find(node, "Targets")) {
    absl::StatusOr<const std::vector<YamlNode>*> items = ReadSequence(*targets, ctx);
    if (!items.ok()) return items.status();
    std::map<std::string, SourceLocation> ids;
    for (size_t i = 0; i < (*items)->size(); ++i) {
      const YamlNode& item = (**items)[i];
      if (i == kMaxTargets) {
        return Error(
            item, ctx,
            absl::StrCat("a rule has at most ", kMaxTargets, " targets; this is target #", i + 1));
      }
      Target target;
      s = ParseTarget(item, absl::StrCat("target #", i + 1, " of ", ctx), ctx, i, target);
      if (!s.ok()) return s;
      auto [it, inserted] = ids.emplace(target.id, target.location);
      if (!inserted) {
        const YamlMember* id = Find(item, "Id");
        return Error(id->value, ctx,
                     absl::StrCat("duplicate target Id ", Quote(target.id), " (first declared at ",
                                  it->second.ToString(), ")"));
      }
      rule.targets.push_back(std::move(target));
    }
  }
  out_.config.rules.push_back(std::move(rule));
  return absl::OkStatus();
}

absl::StatusOr<std::string> Parser::ParseEventPattern(const YamlMember& m, const std::string& ctx) {
  std::string json;
  if (m.value.IsScalar()) {
    json = m.value.scalar;  // JSON text, as in EventBridge's API
  } else if (m.value.IsMapping() && !IntrinsicFunction(m.value, /*json_value=*/true)) {
    absl::StatusOr<std::string> converted = YamlToJson(m.value, file_);
    if (!converted.ok()) return converted.status();
    json = *std::move(converted);
  } else {
    return TypeError(m, ctx, "a mapping or a string of JSON text");
  }
  absl::Status valid = matcher::ValidatePattern(json, opts_.matcher);
  if (!valid.ok()) return Error(m.value, ctx, std::string(valid.message()));
  return m.value.IsScalar() ? MinifyJson(json) : json;
}

absl::Status Parser::ParseTarget(const YamlNode& node, std::string ctx, const std::string& rule_ctx,
                                 size_t target_index, Target& target) {
  target.location = Where(node);
  if (!node.IsMapping()) {
    return Error(node, ctx, absl::StrCat("must be a mapping, not ", node.KindName()));
  }
  SourceLocation id_where;
  absl::StatusOr<std::string> id =
      ReadName(node, kTargetId, nullptr, absl::StrCat(" of ", rule_ctx), ctx, id_where);
  if (!id.ok()) return id.status();
  absl::Status s = CheckKeys(node, ctx,
                             {"Id", "Arn", "Input", "InputPath", "InputTransformer", "RetryPolicy",
                              "DeadLetterConfig", "HttpParameters"});
  if (!s.ok()) return s;
  target.id = *id;
  const YamlMember* arn = Find(node, "Arn");
  if (arn == nullptr) return Error(node, ctx, "missing required property 'Arn'");
  absl::StatusOr<std::string> arn_text = ReadString(*arn, ctx);
  if (!arn_text.ok()) return arn_text.status();
  target.arn = *std::move(arn_text);
  s = ParseTargetInput(node, ctx, target);
  if (!s.ok()) return s;
  if (const YamlMember* retry = Find(node, "RetryPolicy")) {
    s = CheckMapping(*retry, ctx);
    if (!s.ok()) return s;
    std::string retry_ctx = absl::StrCat(ctx, ": RetryPolicy");
    s = CheckKeys(retry->value, retry_ctx, {"MaximumRetryAttempts", "MaximumEventAgeInSeconds"});
    if (!s.ok()) return s;
    for (const YamlMember& m : retry->value.members) {
      bool attempts = m.key.scalar == "MaximumRetryAttempts";
      absl::StatusOr<int> value =
          attempts ? ReadInt(m, retry_ctx, kMinRetryAttempts, kMaxRetryAttempts)
                   : ReadInt(m, retry_ctx, kMinEventAgeSeconds, kMaxEventAgeSeconds);
      if (!value.ok()) return value.status();
      (attempts ? target.retry_policy.maximum_retry_attempts
                : target.retry_policy.maximum_event_age_in_seconds) = *value;
    }
  }
  const YamlMember* dlq_arn = nullptr;
  if (const YamlMember* dlq = Find(node, "DeadLetterConfig")) {
    s = CheckMapping(*dlq, ctx);
    if (!s.ok()) return s;
    std::string dlq_ctx = absl::StrCat(ctx, ": DeadLetterConfig");
    s = CheckKeys(dlq->value, dlq_ctx, {"Arn"});
    if (!s.ok()) return s;
    dlq_arn = Find(dlq->value, "Arn");
    if (dlq_arn == nullptr) return Error(dlq->value, dlq_ctx, "missing required property 'Arn'");
    absl::StatusOr<std::string> text = ReadString(*dlq_arn, dlq_ctx);
    if (!text.ok()) return text.status();
    target.dead_letter_config = DeadLetterConfig{*std::move(text), ""};
  }
  if (const YamlMember* http = Find(node, "HttpParameters")) {
    HttpParameters params;
    s = ParseHttpParameters(*http, ctx, params);
    if (!s.ok()) return s;
    target.http_parameters = std::move(params);
  }
  // The values themselves get the checks API targets get; queues are looked up
  // by the linker among those the files declare.
  TargetCheckOptions check;
  check.account_id = opts_.account_id;
  check.region = opts_.region;
  TargetFault fault;
  s = ValidateTarget(target, check, &fault);
  if (!s.ok()) return Error(FaultNode(node, fault), ctx, std::string(s.message()));
  if (target.kind == TargetKind::kQueue) {
    AddReference(Reference::Kind::kQueue, target.resource_name, arn->value, ctx);
  } else if (target.kind == TargetKind::kFunction) {
    AddReference(Reference::Kind::kFunction, target.resource_name, arn->value, ctx);
  } else if (target.kind == TargetKind::kApiDestination) {
    AddReference(Reference::Kind::kApiDestination, target.resource_name, arn->value, ctx);
    // The PathParameterValues, or else the Arn, is where a wildcard mismatch is shown.
    const YamlNode* where = &arn->value;
    if (const YamlMember* http = Find(node, "HttpParameters")) {
      if (const YamlMember* values = Find(http->value, "PathParameterValues")) {
        where = &values->value;
      }
    }
    out_.http_checks.push_back(
        PendingHttpCheck{out_.config.rules.size(), target_index, Where(*where), ctx});
  }
  if (dlq_arn != nullptr) {
    out_.references.push_back(Reference{
        Reference::Kind::kQueue, target.dead_letter_config->queue_name, Where(dlq_arn->value),
        absl::StrCat(ctx, ": DeadLetterConfig"), "dead-letter queue"});
  }
  return absl::OkStatus();
}

// Reads Input, InputPath and InputTransformer as given (their types and
// shapes); ValidateTarget checks their values and that at most one is set.
absl::Status Parser::ParseTargetInput(const YamlNode& node, const std::string& ctx,
                                      Target& target) {
  for (const YamlMember& m : node.members) {
    const std::string& key = m.key.scalar;
    if (key == "Input") {
      if (m.value.IsScalar()) {
        target.input = m.value.scalar;
      } else if ((m.value.IsMapping() || m.value.IsSequence()) &&
                 !IntrinsicFunction(m.value, /*json_value=*/true)) {
        absl::StatusOr<std::string> converted = YamlToJson(m.value, file_);
        if (!converted.ok()) return converted.status();
        target.input = *std::move(converted);
      } else {
        return TypeError(m, ctx, "a string of JSON text, or a mapping");
      }
    } else if (key == "InputPath") {
      absl::StatusOr<std::string> path = ReadString(m, ctx);
      if (!path.ok()) return path.status();
      target.input_path = *std::move(path);
    } else if (key == "InputTransformer") {
      InputTransformer transformer;
      absl::Status s = ParseInputTransformer(m, ctx, transformer);
      if (!s.ok()) return s;
      target.input_transformer = std::move(transformer);
    }
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseInputTransformer(const YamlMember& m, const std::string& ctx,
                                           InputTransformer& out) const {
  absl::Status s = CheckMapping(m, ctx);
  if (!s.ok()) return s;
  std::string t_ctx = absl::StrCat(ctx, ": InputTransformer");
  s = CheckKeys(m.value, t_ctx, {"InputPathsMap", "InputTemplate"});
  if (!s.ok()) return s;
  const YamlMember* tmpl = Find(m.value, "InputTemplate");
  if (tmpl == nullptr) return Error(m.value, t_ctx, "missing required property 'InputTemplate'");
  if (const YamlMember* paths = Find(m.value, "InputPathsMap");
      paths != nullptr && !paths->value.IsNull()) {
    // Not CheckMapping: a variable may be called `Ref`.
    if (!paths->value.IsMapping()) return TypeError(*paths, t_ctx, "a mapping");
    for (const YamlMember& entry : paths->value.members) {
      const std::string& var = entry.key.scalar;
      absl::StatusOr<std::string> path = ReadString(entry, t_ctx);
      if (!path.ok()) return path.status();
      if (!out.input_paths_map.emplace(var, *path).second) {
        return Error(entry.key, t_ctx, absl::StrCat("duplicate InputPathsMap key ", Quote(var)));
      }
    }
  }
  absl::StatusOr<std::string> text = ReadString(*tmpl, t_ctx);
  if (!text.ok()) return text.status();
  out.input_template = *std::move(text);
  return absl::OkStatus();
}

absl::StatusOr<ParsedFile> ParseRuleFileTree(const YamlNode& root, std::string_view file_name,
                                             const LoadOptions& opts) {
  Parser parser(file_name, opts);
  absl::Status s = parser.ParseRoot(root);
  if (!s.ok()) return s;
  return parser.Take();
}

}  // namespace busbar::config::internal
