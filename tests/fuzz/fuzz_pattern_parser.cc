// libFuzzer target: the input bytes are an event pattern.
//
// Every input goes through ValidatePattern. A pattern it accepts must also
// compile (Compile and ValidatePattern must agree) and must match a few fixed
// events without error; TestEventPattern must give the same answer as the
// compiled matcher. Crashes, sanitizer reports and disagreements all abort.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "matcher/matcher.h"

namespace {

using busbar::matcher::Matcher;
using busbar::matcher::MatchScratch;
using busbar::matcher::Options;

constexpr std::string_view kEvents[] = {
    R"({"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718",)"
    R"("detail-type":"EC2 Instance State-change Notification","source":"aws.ec2",)"
    R"("account":"111122223333","time":"2017-12-22T18:43:48Z","region":"us-west-1",)"
    R"("resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],)"
    R"("detail":{"instance-id":"i-1234567890abcdef0","state":"terminated","c-count":5,)"
    R"("d-count":3.0e2,"x-limit":-0.5,"source-ip":"10.0.0.7","flag":true,"none":null,)"
    R"("tags":[{"k":"env","v":"prod"},{"k":"team","v":"Straße"}],"nested":[[1,2],[3,[4]]],)"
    R"("empty":[],"obj":{}}})",
    R"({"source":"a","detail":{"state":{"status":"running"},"state.status":"running",)"
    R"("n":12345678901234567890,"ip":"2001:db8::1"}})",
    R"({})",
};

// absl::string_view need not be std::string_view in Debian's Abseil.
std::string_view View(absl::string_view s) { return std::string_view(s.data(), s.size()); }

void Fail(const char* what, std::string_view pattern, std::string_view detail) {
  std::fprintf(stderr, "fuzz_pattern_parser: %s\npattern: %.*s\ndetail: %.*s\n", what,
               static_cast<int>(pattern.size()), pattern.data(), static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string pattern(reinterpret_cast<const char*>(data), size);
  // Alternate the options on the first byte so both regexp settings and a
  // stricter wildcard limit get exercised.
  Options options;
  if (size > 0 && (data[0] & 1) != 0) {
    options.allow_regexp = false;
    options.max_wildcard_complexity = 2;
  }

  const absl::Status valid = busbar::matcher::ValidatePattern(pattern, options);
  if (!valid.ok()) {
    if (!absl::IsInvalidArgument(valid))
      Fail("rejection is not InvalidArgument", pattern, View(valid.message()));
    if (valid.message().find("Event pattern is not valid. Reason:") == std::string_view::npos) {
      Fail("rejection without EventBridge's wording", pattern, View(valid.message()));
    }
    return 0;
  }

  auto compiled = Matcher::Compile({{"r", pattern}}, options);
  if (!compiled.ok()) {
    Fail("ValidatePattern accepted but Compile rejected", pattern,
         View(compiled.status().message()));
  }
  const Matcher& matcher = **compiled;

  MatchScratch scratch;
  std::vector<uint32_t> ids;
  for (std::string_view event : kEvents) {
    const absl::Status s = matcher.Match(event, scratch, ids);
    if (!s.ok()) Fail("Match failed on a well-formed event", pattern, View(s.message()));
    const bool compiled_says = !ids.empty();
    auto tested = busbar::matcher::TestEventPattern(pattern, event, options);
    if (!tested.ok()) Fail("TestEventPattern failed", pattern, View(tested.status().message()));
    if (*tested != compiled_says) Fail("TestEventPattern disagrees with Match", pattern, event);
  }
  return 0;
}
