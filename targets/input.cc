// Input shaping (input.h). Compile() reads an InputTemplate once into a list of pieces —
// literal text, each followed by a placeholder and the slot it stands in (a bare JSON value,
// inside a string of a JSON template, inside a string template, or plain text) — checking it
// the way PutTargets does. Render() parses the event once (simdjson DOM, one parser per
// thread), evaluates each variable the template uses, and concatenates the pieces, inserting
// each value as its slot requires. The output of a JSON or string template is valid JSON by
// construction: Compile checked the template with its bare placeholders as null and its
// strings empty of them, bare values go in as JSON, and text that goes inside a string is
// refused (FailedPrecondition) unless it needs no escaping.
#include "targets/input.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "simdjson.h"
#include "targets/json_path.h"

namespace busbar::targets {
namespace {

using internal::AppendJson;
using internal::AppendJsonEscaped;
using internal::JsonPath;
using internal::PathValue;
using internal::Utf8Chars;

constexpr std::string_view kRuleArn = "aws.events.rule-arn";
constexpr std::string_view kRuleName = "aws.events.rule-name";
constexpr std::string_view kIngestionTime = "aws.events.event.ingestion-time";
constexpr std::string_view kEvent = "aws.events.event";
constexpr std::string_view kEventJson = "aws.events.event.json";

enum class Mode { kJson, kString, kText };
// kInJsonString: inside a string of a JSON template; kInStringTemplate: inside a string
// template (the whole template one JSON string).
enum class Slot { kBare, kInJsonString, kInStringTemplate, kText };
enum class Source { kVariable, kRuleArn, kRuleName, kIngestionTime, kEvent, kEventJson };

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsVariableChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Characters of a placeholder's name: a variable's, plus the dots of the reserved names.
bool IsPlaceholderChar(char c) { return IsVariableChar(c) || c == '.'; }

absl::Status Invalid(absl::string_view field, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", message));
}

// An error from simdjson parsing `text` as JSON, or OK. `element` receives the root.
absl::Status ParseJson(simdjson::dom::parser& parser, std::string_view text,
                       simdjson::dom::element* element) {
  simdjson::padded_string padded(text);
  simdjson::error_code error = parser.parse(padded).get(*element);
  if (error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(simdjson::error_message(error));
  }
  return absl::OkStatus();
}

simdjson::dom::parser& ThreadParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// The index of the first non-blank character at or after `i`, or text.size().
size_t SkipSpace(std::string_view text, size_t i) {
  while (i < text.size() && IsJsonSpace(text[i])) ++i;
  return i;
}

}  // namespace

struct CompiledInput::Impl {
  enum class Kind { kWholeEvent, kConstant, kPath, kTemplate };

  // Literal text, then (except for the last piece) one placeholder.
  struct Piece {
    std::string literal;
    bool has_placeholder = false;
    Source source = Source::kVariable;
    size_t variable = 0;  // index into `variables` when source is kVariable
    Slot slot = Slot::kText;
  };

  Kind kind = Kind::kWholeEvent;
  std::string constant;                     // kConstant
  JsonPath input_path;                      // kPath
  std::vector<std::string> variable_names;  // kTemplate: InputPathsMap keys, in order
  std::vector<JsonPath> variables;          // ... and their paths
  std::vector<bool> used;                   // ... and whether the template uses them
  std::vector<Piece> pieces;                // kTemplate
  bool needs_event = false;                 // kTemplate: a placeholder reads the event
};

namespace {

using Impl = CompiledInput::Impl;

absl::Status CompilePathsMap(const std::map<std::string, std::string>& map, Impl* impl) {
  constexpr char kField[] = "InputTransformer.InputPathsMap";
  if (map.size() > kMaxInputPathsMapEntries) {
    return Invalid(kField, absl::StrCat("has ", map.size(), " entries; at most ",
                                        kMaxInputPathsMapEntries, " are allowed"));
  }
  for (const auto& [name, path] : map) {
    std::string field = absl::StrCat(kField, ".", name);
    bool valid_name = !name.empty() && name.size() <= kMaxInputVariableChars;
    for (char c : name) valid_name = valid_name && IsVariableChar(c);
    if (!valid_name) {
      return Invalid(field, absl::StrCat("variable names are 1-", kMaxInputVariableChars,
                                         " characters of A-Z a-z 0-9 _ - (names starting with "
                                         "aws. are reserved)"));
    }
    absl::StatusOr<JsonPath> parsed = internal::ParseJsonPath(path, /*bracket_keys=*/false);
    if (!parsed.ok()) return Invalid(field, parsed.status().message());
    impl->variable_names.push_back(name);
    impl->variables.push_back(*std::move(parsed));
  }
  impl->used.assign(impl->variables.size(), false);
  return absl::OkStatus();
}

// Which variable `name` is, or an error if the template may not use it.
absl::Status Resolve(std::string_view name, Impl* impl, Impl::Piece* piece) {
  if (name == kRuleArn) {
    piece->source = Source::kRuleArn;
  } else if (name == kRuleName) {
    piece->source = Source::kRuleName;
  } else if (name == kIngestionTime) {
    piece->source = Source::kIngestionTime;
  } else if (name == kEvent) {
    piece->source = Source::kEvent;
  } else if (name == kEventJson) {
    piece->source = Source::kEventJson;
  } else {
    piece->source = Source::kVariable;
    size_t i = 0;
    while (i < impl->variable_names.size() && impl->variable_names[i] != name) ++i;
    if (i == impl->variable_names.size()) {
      return Invalid(
          "InputTransformer.InputTemplate",
          absl::StrCat("placeholder <", std::string(name), "> is not defined in InputPathsMap"));
    }
    piece->variable = i;
    impl->used[i] = true;
  }
  if (piece->source != Source::kRuleArn && piece->source != Source::kRuleName &&
      piece->source != Source::kIngestionTime) {
    impl->needs_event = true;
  }
  return absl::OkStatus();
}

Mode TemplateMode(std::string_view trimmed) {
  if (trimmed.starts_with('{') || trimmed.starts_with('[')) return Mode::kJson;
  if (trimmed.starts_with('"')) {
    // Placeholders hold no quote or backslash, so the template is one JSON string exactly when
    // its text, placeholders and all, parses as one.
    simdjson::dom::element element;
    if (ParseJson(ThreadParser(), trimmed, &element).ok() && element.is_string()) {
      return Mode::kString;
    }
  }
  return Mode::kText;
}

absl::Status KeyError(std::string_view name) {
  return Invalid("InputTransformer.InputTemplate",
                 absl::StrCat("placeholder <", std::string(name),
                              "> is used as an object key; placeholders may only be values"));
}

absl::Status CompileTemplate(std::string_view text, Impl* impl) {
  constexpr char kField[] = "InputTransformer.InputTemplate";
  if (size_t chars = Utf8Chars(text); chars == 0 || chars > kMaxInputTemplateChars) {
    return Invalid(kField, absl::StrCat("is ", chars, " characters; it must be 1 to ",
                                        kMaxInputTemplateChars));
  }
  size_t begin = SkipSpace(text, 0);
  size_t end = text.size();
  while (end > begin && IsJsonSpace(text[end - 1])) --end;
  const Mode mode = TemplateMode(text.substr(begin, end - begin));
  if (mode == Mode::kText) {
    begin = 0;
    end = text.size();
  }
  text = text.substr(0, end);

  Impl::Piece piece;
  std::string probe;  // kJson: the template with bare placeholders as null, to validate
  bool in_string = false;
  std::string_view string_placeholder;  // the first placeholder inside the current string
  for (size_t i = begin; i < end; ++i) {
    const char c = text[i];
    if (c == '<') {
      size_t j = i + 1;
      while (j < end && IsPlaceholderChar(text[j])) ++j;
      if (j > i + 1 && j < end && text[j] == '>') {
        std::string_view name = text.substr(i + 1, j - i - 1);
        if (absl::Status s = Resolve(name, impl, &piece); !s.ok()) return s;
        piece.has_placeholder = true;
        piece.slot = mode == Mode::kText     ? Slot::kText
                     : mode == Mode::kString ? Slot::kInStringTemplate
                     : in_string             ? Slot::kInJsonString
                                             : Slot::kBare;
        const bool quoted =
            piece.slot == Slot::kInJsonString || piece.slot == Slot::kInStringTemplate;
        if (quoted && (piece.source == Source::kEvent || piece.source == Source::kEventJson)) {
          return Invalid(kField, absl::StrCat("<", std::string(name),
                                              "> can only be used as a JSON value, not inside "
                                              "quotes (its contents are not escaped)"));
        }
        if (piece.slot == Slot::kBare) {
          size_t next = SkipSpace(text, j + 1);
          if (next < end && text[next] == ':') return KeyError(name);
          probe += " null ";
        }
        if (piece.slot == Slot::kInJsonString && string_placeholder.empty()) {
          string_placeholder = name;
        }
        impl->pieces.push_back(std::move(piece));
        piece = Impl::Piece();
        i = j;
        continue;
      }
    }
    if (mode == Mode::kText) {
      piece.literal += c;
      continue;
    }
    probe += c;
    if (in_string) {
      piece.literal += c;
      if (c == '\\' && i + 1 < end) {
        piece.literal += text[++i];
        probe += text[i];
      } else if (c == '"') {
        in_string = false;
        size_t next = SkipSpace(text, i + 1);
        if (!string_placeholder.empty() && next < end && text[next] == ':') {
          return KeyError(string_placeholder);
        }
        string_placeholder = {};
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (!IsJsonSpace(c)) piece.literal += c;  // the output of a JSON template is minified
  }
  impl->pieces.push_back(std::move(piece));
  if (mode == Mode::kJson) {
    simdjson::dom::element element;
    if (absl::Status s = ParseJson(ThreadParser(), probe, &element); !s.ok()) {
      return Invalid(kField, absl::StrCat("a template starting with { or [ must be valid JSON "
                                          "once placeholders are filled: ",
                                          s.message()));
    }
  }
  return absl::OkStatus();
}

bool IsObjectOrArray(const PathValue& value) {
  return value.kind == PathValue::Kind::kJson && !value.text.empty() &&
         (value.text.front() == '{' || value.text.front() == '[');
}

// `text` with every double quote removed: what EventBridge inserts for an object or array in a
// string template or plain text ({"a":"b"} -> {a:b}).
std::string WithoutQuotes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != '"') out += c;
  }
  return out;
}

// Why `text` cannot stand unescaped inside a JSON string, or "" when it can.
std::string_view Unquotable(std::string_view text) {
  for (char c : text) {
    if (c == '"') return "a double quote";
    if (c == '\\') return "a backslash";
    if (static_cast<unsigned char>(c) < 0x20) return "a control character";
  }
  return "";
}

// Appends `value` to `out` as `slot` requires (see input.h). `raw_json`: the event variables,
// whose JSON text is never changed. Errors: FailedPrecondition when the value cannot go inside
// a JSON string unescaped, naming placeholder `name`.
absl::Status Insert(const PathValue& value, Slot slot, bool raw_json, std::string_view name,
                    std::string* out) {
  switch (slot) {
    case Slot::kBare:
      if (value.kind == PathValue::Kind::kMissing) {
        *out += "\"\"";
      } else if (value.kind == PathValue::Kind::kString) {
        *out += '"';
        AppendJsonEscaped(value.text, out);
        *out += '"';
      } else {
        *out += value.text;
      }
      return absl::OkStatus();
    case Slot::kInJsonString:
    case Slot::kInStringTemplate: {
      const bool strip = slot == Slot::kInStringTemplate && IsObjectOrArray(value);
      std::string stripped;
      if (strip) stripped = WithoutQuotes(value.text);
      std::string_view text = strip ? std::string_view(stripped) : std::string_view(value.text);
      if (std::string_view why = Unquotable(text); !why.empty()) {
        const char* kind = !IsObjectOrArray(value)     ? ""
                           : value.text.front() == '{' ? " (an object)"
                                                       : " (an array)";
        return absl::FailedPreconditionError(
            absl::StrCat("InputTemplate produced invalid JSON: the value of <", std::string(name),
                         ">", kind, " holds ", std::string(why),
                         ", which EventBridge inserts unescaped inside a JSON string"));
      }
      *out += text;  // empty when missing
      return absl::OkStatus();
    }
    case Slot::kText:
      if (!raw_json && IsObjectOrArray(value)) {
        *out += WithoutQuotes(value.text);
      } else {
        *out += value.text;
      }
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

PathValue StringValue(std::string_view s) {
  return PathValue{PathValue::Kind::kString, std::string(s)};
}

// <aws.events.event>: the envelope without detail, detail-type as detailType, in the order
// EventBridge sends the fields.
std::string EventWithoutDetail(simdjson::dom::object event) {
  static constexpr std::string_view kOrder[] = {"id",     "account", "detail-type", "time",
                                                "source", "region",  "resources",   "version"};
  std::string out(1, '{');
  auto append = [&out](std::string_view key, simdjson::dom::element value) {
    if (out.size() > 1) out += ',';
    out += '"';
    AppendJsonEscaped(key == "detail-type" ? "detailType" : key, &out);
    out += "\":";
    AppendJson(value, &out);
  };
  for (std::string_view key : kOrder) {
    simdjson::dom::element value;
    if (event.at_key(key).get(value) == simdjson::SUCCESS) append(key, value);
  }
  for (simdjson::dom::key_value_pair field : event) {
    bool known = field.key == "detail";
    for (std::string_view key : kOrder) known = known || field.key == key;
    if (!known) append(field.key, field.value);
  }
  out += '}';
  return out;
}

// The event's text without insignificant whitespace (numbers and escapes as written).
// REQUIRES: `event` is valid JSON.
std::string Minify(std::string_view event) {
  std::string out(event.size(), '\0');
  size_t length = 0;
  if (simdjson::minify(event.data(), event.size(), out.data(), length) != simdjson::SUCCESS) {
    return std::string(event);
  }
  out.resize(length);
  return out;
}

}  // namespace

absl::StatusOr<CompiledInput> CompiledInput::Compile(const InputSpec& spec) {
  auto impl = std::make_shared<Impl>();
  const bool transformer = spec.input_template.has_value() || spec.input_paths_map.has_value();
  if (spec.input.has_value() + spec.input_path.has_value() + transformer > 1) {
    return absl::InvalidArgumentError(
        "Input, InputPath and InputTransformer are mutually exclusive: set at most one");
  }
  if (spec.input.has_value()) {
    if (size_t chars = Utf8Chars(*spec.input); chars > kMaxInputChars) {
      return Invalid("Input", absl::StrCat("is ", chars, " characters; at most ", kMaxInputChars,
                                           " are allowed"));
    }
    simdjson::dom::element element;
    if (absl::Status s = ParseJson(ThreadParser(), *spec.input, &element); !s.ok()) {
      return Invalid("Input", absl::StrCat("not valid JSON: ", s.message()));
    }
    impl->kind = Impl::Kind::kConstant;
    impl->constant = *spec.input;
  } else if (spec.input_path.has_value()) {
    absl::StatusOr<JsonPath> path = internal::ParseJsonPath(*spec.input_path, true);
    if (!path.ok()) return Invalid("InputPath", path.status().message());
    impl->kind = Impl::Kind::kPath;
    impl->input_path = *std::move(path);
  } else if (transformer) {
    if (!spec.input_template.has_value()) {
      return Invalid("InputTransformer.InputTemplate", "is required with InputPathsMap");
    }
    impl->kind = Impl::Kind::kTemplate;
    if (spec.input_paths_map.has_value()) {
      if (absl::Status s = CompilePathsMap(*spec.input_paths_map, impl.get()); !s.ok()) return s;
    }
    if (absl::Status s = CompileTemplate(*spec.input_template, impl.get()); !s.ok()) return s;
  }
  return CompiledInput(std::move(impl));
}

absl::StatusOr<std::string> CompiledInput::Render(std::string_view event,
                                                  const InputContext& context) const {
  const Impl& impl = *impl_;
  switch (impl.kind) {
    case Impl::Kind::kWholeEvent:
      return std::string(event);
    case Impl::Kind::kConstant:
      return impl.constant;
    case Impl::Kind::kPath:
    case Impl::Kind::kTemplate:
      break;
  }
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (impl.kind == Impl::Kind::kPath || impl.needs_event) {
    if (absl::Status s = ParseJson(ThreadParser(), event, &root); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("event is not valid JSON: ", s.message()));
    }
    if (root.get_object().get(object) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("event is not a JSON object");
    }
  }
  if (impl.kind == Impl::Kind::kPath) {
    PathValue value = internal::Evaluate(impl.input_path, root,
                                         impl.input_path.steps.empty() ? Minify(event) : "");
    if (value.kind == PathValue::Kind::kMissing) {
      return absl::NotFoundError(
          absl::StrCat("InputPath ", impl.input_path.text, " matches nothing in the event"));
    }
    if (value.kind == PathValue::Kind::kString) {
      std::string out(1, '"');
      AppendJsonEscaped(value.text, &out);
      out += '"';
      return out;
    }
    return std::move(value.text);
  }

  std::vector<PathValue> values(impl.variables.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!impl.used[i]) continue;
    const JsonPath& path = impl.variables[i];
    values[i] = internal::Evaluate(path, root, path.steps.empty() ? Minify(event) : "");
  }
  std::string out;
  for (const Impl::Piece& piece : impl.pieces) {
    out += piece.literal;
    if (!piece.has_placeholder) continue;
    absl::Status inserted;
    switch (piece.source) {
      case Source::kVariable:
        inserted = Insert(values[piece.variable], piece.slot, false,
                          impl.variable_names[piece.variable], &out);
        break;
      case Source::kRuleArn:
        inserted = Insert(StringValue(context.rule_arn), piece.slot, false, kRuleArn, &out);
        break;
      case Source::kRuleName:
        inserted = Insert(StringValue(context.rule_name), piece.slot, false, kRuleName, &out);
        break;
      case Source::kIngestionTime:
        inserted =
            Insert(StringValue(context.ingestion_time), piece.slot, false, kIngestionTime, &out);
        break;
      case Source::kEvent:
        inserted = Insert(PathValue{PathValue::Kind::kJson, EventWithoutDetail(object)}, piece.slot,
                          true, kEvent, &out);
        break;
      case Source::kEventJson:
        inserted = Insert(PathValue{PathValue::Kind::kJson, Minify(event)}, piece.slot, true,
                          kEventJson, &out);
        break;
    }
    if (!inserted.ok()) return inserted;
  }
  return out;
}

}  // namespace busbar::targets
