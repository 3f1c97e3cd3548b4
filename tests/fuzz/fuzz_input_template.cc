// libFuzzer target: the input bytes are an InputTemplate, a NUL byte, then an event.
//
// The template is compiled with a fixed InputPathsMap covering every path form; a template that
// compiles is rendered on the fuzzed event (if any) and on a fixed one. Nothing may crash or
// trip a sanitizer; a JSON or string template that renders must give valid JSON, and one that
// cannot may only fail with FailedPrecondition "InputTemplate produced invalid JSON" (input.h:
// EventBridge delivers nothing), never return broken JSON.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "simdjson.h"
#include "targets/input.h"

namespace {

constexpr std::string_view kEvent =
    R"({"version":"0","id":"1","detail-type":"T","source":"s","account":"1","time":"t",)"
    R"("region":"r","resources":["a"],"detail":{"s":"q\"uote\\ \n","n":1.5e3,"b":true,)"
    R"("z":null,"o":{"k":[1,{"x":"<s>"}]},"a":["x","y"]}})";

// A JSON template ({ or [) or a string template (the whole template one JSON string).
bool IsJsonOrStringTemplate(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return false;
  if (text[first] == '{' || text[first] == '[') return true;
  if (text[first] != '"') return false;
  size_t last = text.find_last_not_of(" \t\r\n");
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text.substr(first, last - first + 1));
  simdjson::dom::element element;
  return parser.parse(padded).get(element) == simdjson::SUCCESS && element.is_string();
}

void CheckJson(std::string_view out) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(out);
  if (parser.parse(padded).error() != simdjson::SUCCESS) {
    std::fprintf(stderr, "JSON template rendered invalid JSON: %.*s\n",
                 static_cast<int>(out.size()), out.data());
    std::abort();
  }
}

bool IsNoValidBody(const absl::Status& s) {
  return s.code() == absl::StatusCode::kFailedPrecondition &&
         absl::StartsWith(s.message(), "InputTemplate produced invalid JSON: ");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t nul = bytes.find('\0');
  std::string_view text = bytes.substr(0, nul);
  busbar::targets::InputSpec spec;
  spec.input_paths_map = std::map<std::string, std::string>{
      {"s", "$.detail.s"}, {"n", "$.detail.n"},       {"b", "$.detail.b"},
      {"z", "$.detail.z"}, {"o", "$.detail.o"},       {"a", "$.detail.a[1]"},
      {"w", "$.detail.*"}, {"m", "$.detail.missing"}, {"root", "$"}};
  spec.input_template = std::string(text);
  auto compiled = busbar::targets::CompiledInput::Compile(spec);
  if (!compiled.ok()) return 0;
  const busbar::targets::InputContext context{"arn:aws:events:r:1:rule/x", "x\"y",
                                              "2024-01-01T00:00:00Z"};
  const bool json = IsJsonOrStringTemplate(text);
  auto out = compiled->Render(kEvent, context);
  if (out.ok()) {
    if (json) CheckJson(*out);
  } else if (!json || !IsNoValidBody(out.status())) {
    // The fixed event is valid JSON: only "no valid body" may stop a JSON or string template.
    std::fprintf(stderr, "Render failed on the fixed event: %s\n",
                 std::string(out.status().message()).c_str());
    std::abort();
  }
  if (nul != std::string_view::npos) {
    auto fuzzed = compiled->Render(bytes.substr(nul + 1), context);
    if (fuzzed.ok() && json) CheckJson(*fuzzed);
    if (!fuzzed.ok() && fuzzed.status().code() == absl::StatusCode::kFailedPrecondition &&
        !IsNoValidBody(fuzzed.status())) {
      std::abort();
    }
  }
  return 0;
}
