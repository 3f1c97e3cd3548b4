// Internal to bus/config: the parser behind rule_file_parser.h, one class whose
// methods are split by what they read — rule_file_parser.cc (the file's
// sections, buses, queues, rules and targets), function_parser.cc (functions and
// their event invoke configs) and http_parser.cc (connections, API destinations
// and targets' HttpParameters) — and the helpers they share. Thread-compatible;
// one Parser reads one file.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "bus/config/config.h"
#include "bus/config/rule_file_parser.h"
#include "bus/config/yaml_tree.h"

namespace busbar::config::internal {

// The member of mapping `map` with key `key`, or null.
const YamlMember* Find(const YamlNode& map, std::string_view key);

// The node a PropertyFault points at inside the entry `entry`: the property's
// value (or key, or the key or item of its entry), or the nearest enclosing node
// the file has.
const YamlNode& FaultNode(const YamlNode& entry, const PropertyFault& fault);

// CloudFormation's long form of an intrinsic function: `{Ref: X}` or
// `{Fn::GetAtt: [...]}`. In JSON-valued properties (EventPattern, Input), where
// `{"Ref": ...}` may be meant literally, only `Fn::` counts.
std::optional<std::string> IntrinsicFunction(const YamlNode& v, bool json_value = false);

// A CloudFormation logical id: 1-255 of [A-Za-z0-9].
bool IsLogicalId(std::string_view s);

// How an entry is named.
struct NameSpec {
  const char* key;   // "Name"
  const char* noun;  // "rule"
  bool (*valid)(std::string_view);
  const char* rule;  // what `valid` accepts, for the message
};

class Parser {
 public:
  Parser(std::string_view file, const LoadOptions& opts) : file_(file), opts_(opts) {}

  absl::Status ParseRoot(const YamlNode& root);
  ParsedFile Take() { return std::move(out_); }

 private:
  SourceLocation Where(const YamlNode& at) const {
    return SourceLocation{std::string(file_), at.line, at.column};
  }
  // "<file>:<line>:<column>: <ctx>: <what>" (no "<ctx>: " when ctx is empty).
  absl::Status Error(const SourceLocation& at, std::string_view ctx, std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(at.ToString(), ": ", std::string(ctx),
                                                   ctx.empty() ? "" : ": ", std::string(what)));
  }
  absl::Status Error(const YamlNode& at, std::string_view ctx, std::string_view what) const {
    return Error(Where(at), ctx, what);
  }
  absl::Status TypeError(const YamlMember& m, std::string_view ctx,
                         std::string_view expected) const;

  // Checks `map` is a mapping whose keys are all in `allowed`, each once.
  absl::Status CheckKeys(const YamlNode& map, std::string_view ctx,
                         std::initializer_list<std::string_view> allowed) const;
  absl::Status CheckMapping(const YamlMember& m, std::string_view ctx) const;
  absl::StatusOr<std::string> ReadString(const YamlMember& m, std::string_view ctx) const;
  absl::StatusOr<int> ReadInt(const YamlMember& m, std::string_view ctx, int min, int max) const;
  // The sequence's items; an empty value is an empty sequence.
  absl::StatusOr<const std::vector<YamlNode>*> ReadSequence(const YamlMember& m,
                                                            std::string_view ctx) const;
  // Reads the name of an entry; on success sets `ctx` to "<noun> '<name>'<suffix>"
  // for the entry's later messages, and `where` to the name's position. The
  // name is required unless `logical_id` (CloudFormation) stands in for it.
  absl::StatusOr<std::string> ReadName(const YamlNode& entry, const NameSpec& spec,
                                       const YamlNode* logical_id, std::string_view suffix,
                                       std::string& ctx, SourceLocation& where) const;
  // Reads a value that names a queue by ARN and records the reference.
  absl::StatusOr<std::string> ReadQueueArn(const YamlMember& m, const std::string& ctx,
                                           std::string_view noun, std::string& arn);

  absl::Status ParseSection(const YamlMember& section);
  absl::Status ParseResources(const YamlMember& section);
  absl::Status ParseEventBus(const YamlNode& node, std::string ctx, const YamlNode* logical_id);
  absl::Status ParseQueue(const YamlNode& node, std::string ctx, const YamlNode* logical_id);
  absl::Status ParseRedrivePolicy(const YamlMember& m, const std::string& ctx, Queue& queue);
  absl::Status ParseRule(const YamlNode& node, std::string ctx, const YamlNode* logical_id);
  absl::StatusOr<std::string> ParseEventPattern(const YamlMember& m, const std::string& ctx);
  // `target_index`: the target's index in its rule (the rule is the next one added).
  absl::Status ParseTarget(const YamlNode& node, std::string ctx, const std::string& rule_ctx,
                           size_t target_index, Target& target);
  absl::Status ParseTargetInput(const YamlNode& node, const std::string& ctx, Target& target);
  absl::Status ParseInputTransformer(const YamlMember& m, const std::string& ctx,
                                     InputTransformer& out) const;

  // Shared by the readers below (function_parser.cc, http_parser.cc).
  absl::StatusOr<bool> ReadBool(const YamlMember& m, std::string_view ctx) const;
  // A sequence of strings, or (when `single_ok`) one string standing for a list of one.
  absl::StatusOr<std::vector<std::string>> ReadStringList(const YamlMember& m, std::string_view ctx,
                                                          bool single_ok) const;
  // A mapping of strings; duplicate keys are errors.
  absl::StatusOr<std::map<std::string, std::string>> ReadStringMap(const YamlMember& m,
                                                                   std::string_view ctx) const;
  // The error a Validate* function returned, at the node its fault points to
  // inside `entry`.
  absl::Status FaultError(const YamlNode& entry, std::string_view ctx, const absl::Status& s,
                          const PropertyFault& fault) const;
  // Records a reference to something the files must declare (not the `default`
  // bus, which always exists); the error names it "<noun> '<name>'".
  void AddReference(Reference::Kind kind, const std::string& name, const YamlNode& at,
                    const std::string& ctx);

  // function_parser.cc
  absl::Status ParseFunction(const YamlNode& node, std::string ctx, const YamlNode* logical_id);
  absl::Status ParseInvokeSettings(const YamlNode& node, const std::string& ctx,
                                   targets::EventInvokeConfig& config, bool& any);
  absl::Status ParseEventInvokeConfig(const YamlNode& node, std::string ctx);
  // http_parser.cc
  absl::Status ParseConnection(const YamlNode& node, std::string ctx, const YamlNode* logical_id);
  absl::Status ParseConnectionParameters(const YamlMember& m, const std::string& ctx,
                                         std::vector<targets::ConnectionParameter>& out) const;
  absl::Status ParseApiDestination(const YamlNode& node, std::string ctx,
                                   const YamlNode* logical_id);
  absl::Status ParseHttpParameters(const YamlMember& m, const std::string& ctx,
                                   HttpParameters& out) const;

  std::string_view file_;
  const LoadOptions& opts_;
  ParsedFile out_;
};

}  // namespace busbar::config::internal
