// libFuzzer target: the input bytes are an event.
//
// A fixed set of rules, together using every operator once, is compiled at
// start-up; each input is matched against it and through TestEventPattern.
// Malformed input must come back as an error, never as a crash or a sanitizer
// report; where both entry points accept the event they must give the same answer.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "matcher/matcher.h"

namespace {

using busbar::matcher::Matcher;
using busbar::matcher::MatchScratch;
using busbar::matcher::RuleSpec;

const std::vector<RuleSpec>& Rules() {
  static const auto* rules = new std::vector<RuleSpec>{
      {"exact", R"({"source":["aws.ec2", 300, true, null], "detail":{"state":["running"]}})"},
      {"prefix", R"({"detail-type":[{"prefix":"EC2"}, {"prefix":{"equals-ignore-case":"ec2"}}]})"},
      {"suffix", R"({"resources":[{"suffix":".png"}, {"suffix":{"equals-ignore-case":".JPG"}}]})"},
      {"ignore_case", R"({"detail":{"user":[{"equals-ignore-case":"Straße"}]}})"},
      {"wildcard", R"({"resources":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]})"},
      {"numeric",
       R"({"detail":{"c-count":[{"numeric":[">",0,"<=",5]}], "x":[{"numeric":["=",3.0e2]}]}})"},
      {"cidr", R"({"detail":{"source-ip":[{"cidr":"10.0.0.0/24"}, {"cidr":"2001:db8::/32"}]}})"},
      {"exists", R"({"detail":{"tags":{"k":[{"exists":true}]}, "gone":[{"exists":false}]}})"},
      {"anything_but", R"({"detail":{"state":[{"anything-but":["stopped","pending"]}],)"
                       R"("n":[{"anything-but":[1,2]}], "p":[{"anything-but":{"prefix":"init"}}],)"
                       R"("s":[{"anything-but":{"suffix":".tmp"}}],)"
                       R"("i":[{"anything-but":{"equals-ignore-case":["X","y"]}}],)"
                       R"("w":[{"anything-but":{"wildcard":"*/lib/*"}}]}})"},
      {"or_regexp", R"({"$or":[{"detail":{"name":[{"regexp":"[a-z]+-[0-9]{2,4}"}]}},)"
                    R"({"$or":[{"region":["us-west-1"]}, {"account":[{"exists":true}]}]}]})"},
  };
  return *rules;
}

const Matcher& Compiled() {
  static const std::shared_ptr<const Matcher> matcher = [] {
    auto m = Matcher::Compile(Rules());
    if (!m.ok()) {
      std::fprintf(stderr, "fuzz_flattener: fixed rules do not compile: %s\n",
                   std::string(m.status().message()).c_str());
      std::abort();
    }
    return *std::move(m);
  }();
  return *matcher;
}

void Fail(const char* what, std::string_view event) {
  std::fprintf(stderr, "fuzz_flattener: %s\nevent: %.*s\n", what, static_cast<int>(event.size()),
               event.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view event(reinterpret_cast<const char*>(data), size);
  const Matcher& matcher = Compiled();

  static MatchScratch scratch;
  static std::vector<uint32_t> ids;
  const absl::Status s = matcher.Match(event, scratch, ids);
  if (s.ok()) {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] >= matcher.rule_count()) Fail("rule id out of range", event);
      if (i > 0 && ids[i - 1] >= ids[i]) Fail("rule ids not strictly ascending", event);
    }
  }

  // TestEventPattern with one of the rules (chosen by the input's size, as
  // compiling a pattern per input costs far more than matching): it must agree
  // with Match. Validity may differ: fields no rule reads are only checked
  // structurally, and one rule reads fewer fields than all ten.
  const std::vector<RuleSpec>& rules = Rules();
  const uint32_t r = static_cast<uint32_t>(size % rules.size());
  auto tested = busbar::matcher::TestEventPattern(rules[r].pattern, event);
  if (tested.ok() && s.ok()) {
    bool matched = false;
    for (uint32_t id : ids) matched |= (id == r);
    if (*tested != matched) Fail("TestEventPattern and Match disagree", event);
  }
  return 0;
}
