// libFuzzer target: the input bytes are an InputTemplate, a NUL byte, then an event.
//
// The template is compiled with a fixed InputPathsMap covering every path form; a template that
// compiles is rendered on the fuzzed event (if any) and on a fixed one. Nothing may crash or
// trip a sanitizer, and a template starting with { or [ that renders must give valid JSON.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "simdjson.h"
#include "targets/input.h"

namespace {

constexpr std::string_view kEvent =
    R"({"version":"0","id":"1","detail-type":"T","source":"s","account":"1","time":"t",)"
    R"("region":"r","resources":["a"],"detail":{"s":"q\"uote\\ \n","n":1.5e3,"b":true,)"
    R"("z":null,"o":{"k":[1,{"x":"<s>"}]},"a":["x","y"]}})";

void CheckJson(std::string_view out) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(out);
  if (parser.parse(padded).error() != simdjson::SUCCESS) {
    std::fprintf(stderr, "JSON template rendered invalid JSON: %.*s\n",
                 static_cast<int>(out.size()), out.data());
    std::abort();
  }
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
  size_t first = text.find_first_not_of(" \t\r\n");
  bool json = first != std::string_view::npos && (text[first] == '{' || text[first] == '[');
  auto out = compiled->Render(kEvent, context);
  if (!out.ok()) std::abort();  // the fixed event is valid: rendering it must succeed
  if (json) CheckJson(*out);
  if (nul != std::string_view::npos) {
    auto fuzzed = compiled->Render(bytes.substr(nul + 1), context);
    if (fuzzed.ok() && json) CheckJson(*fuzzed);
  }
  return 0;
}
