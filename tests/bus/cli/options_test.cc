// Tests of cli::ReadOptions and cli::TakeOption, the one option parser of the `busbar`
// commands: value options in both spellings, flags, repeats, "--", errors, and integers read
// with absl::SimpleAtoi.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bus/cli/util.h"
#include "gtest/gtest.h"

namespace busbar::cli {
namespace {

using Strings = std::vector<std::string>;

TEST(ReadOptions, ReadsValueOptionsInBothSpellingsAndKeepsTheRestInOrder) {
  const Args args = {"list", "a", "--prefix", "p1", "b", "--bus=x=y", "-", "-5"};
  absl::StatusOr<Options> o = ReadOptions(args, 1, {"--prefix", "--bus"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->Get("--prefix"), "p1");
  EXPECT_EQ(o->Get("--bus"), "x=y");
  EXPECT_EQ(o->positional, (Strings{"a", "b", "-", "-5"}));
}

TEST(ReadOptions, RepeatedOptionsKeepEveryValueAndGetGivesTheLast) {
  const Args args = {"--env", "A=1", "--env=B=2", "--command", "--version"};
  absl::StatusOr<Options> o = ReadOptions(args, 0, {"--env", "--command"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->All("--env"), (Strings{"A=1", "B=2"}));
  EXPECT_EQ(o->Get("--env"), "B=2");
  EXPECT_EQ(o->All("--command"), (Strings{"--version"}));  // a value may look like an option
  EXPECT_TRUE(o->All("--missing").empty());
  EXPECT_EQ(o->Get("--missing", "fallback"), "fallback");
  EXPECT_FALSE(o->Has("--missing"));
}

TEST(ReadOptions, FlagsAreGivenOrNot) {
  const Args args = {"x", "--json", "-h"};
  absl::StatusOr<Options> o = ReadOptions(args, 0, {"--registry"}, {"--json", "--log", "-h"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->Has("--json"));
  EXPECT_TRUE(o->Has("-h"));
  EXPECT_FALSE(o->Has("--log"));
  EXPECT_EQ(o->Get("--json", "none"), "none");  // a flag has no value
  EXPECT_EQ(o->positional, (Strings{"x"}));
}

TEST(ReadOptions, DoubleDashEndsTheOptions) {
  const Args args = {"--count", "--", "--count", "--patterns"};
  absl::StatusOr<Options> o = ReadOptions(args, 0, {"--patterns"}, {"--count"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->Has("--count"));
  EXPECT_FALSE(o->Has("--patterns"));
  EXPECT_EQ(o->positional, (Strings{"--count", "--patterns"}));
}

TEST(ReadOptions, AnOptionSharingAPrefixIsAnotherOption) {
  const Args args = {"--name-prefix", "x"};
  absl::StatusOr<Options> o = ReadOptions(args, 0, {"--name"});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().message(), "unknown option '--name-prefix'");
}

TEST(ReadOptions, Errors) {
  struct Case {
    Args args;
    std::string message;
  };
  const Case cases[] = {
      {{"--bogus"}, "unknown option '--bogus'"},
      {{"a", "--prefix"}, "option --prefix needs a value"},
      {{"--json=yes"}, "option --json takes no value"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Options> o = ReadOptions(c.args, 0, {"--prefix"}, {"--json"});
    ASSERT_FALSE(o.ok()) << c.message;
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(o.status().message(), c.message);
  }
}

TEST(OptionsGetInt, ReadsWholeNumbersOnly) {
  const Args args = {"--ok",  "42",       "--neg", "-7",         "--junk",
                     "12abc", "--empty=", "--big", "99999999999"};
  absl::StatusOr<Options> o = ReadOptions(args, 0, {"--ok", "--neg", "--junk", "--empty", "--big"});
  ASSERT_TRUE(o.ok()) << o.status();
  int32_t n = -1;
  EXPECT_TRUE(o->GetInt("--ok", &n));
  EXPECT_EQ(n, 42);
  EXPECT_TRUE(o->GetInt("--neg", &n));
  EXPECT_EQ(n, -7);
  n = 5;
  EXPECT_TRUE(o->GetInt("--absent", &n));  // not given: unchanged
  EXPECT_EQ(n, 5);
  EXPECT_FALSE(o->GetInt("--junk", &n));
  EXPECT_FALSE(o->GetInt("--empty", &n));
  EXPECT_FALSE(o->GetInt("--big", &n));  // out of int32 range
  int64_t big = 0;
  EXPECT_TRUE(o->GetInt("--big", &big));
  EXPECT_EQ(big, 99999999999);
  uint32_t unsigned_value = 0;
  EXPECT_FALSE(o->GetInt("--neg", &unsigned_value));
}

TEST(TakeOption, TakesTheOptionFromAnywhereAndLeavesTheRest) {
  Args args = {"--endpoint", "h:1", "list", "--prefix", "p", "--endpoint=h:2"};
  absl::StatusOr<std::optional<std::string>> endpoint = TakeOption(args, "--endpoint");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(*endpoint, "h:2");
  EXPECT_EQ(args, (Args{"list", "--prefix", "p"}));
}

TEST(TakeOption, AbsentIsNulloptAndAfterDoubleDashIsLeftAlone) {
  Args args = {"list", "--", "--endpoint", "x"};
  absl::StatusOr<std::optional<std::string>> endpoint = TakeOption(args, "--endpoint");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(*endpoint, std::nullopt);
  EXPECT_EQ(args, (Args{"list", "--", "--endpoint", "x"}));
}

TEST(TakeOption, AMissingValueIsAnError) {
  Args args = {"list", "--endpoint"};
  absl::StatusOr<std::optional<std::string>> endpoint = TakeOption(args, "--endpoint");
  ASSERT_FALSE(endpoint.ok());
  EXPECT_EQ(endpoint.status().message(), "option --endpoint needs a value");
}

}  // namespace
}  // namespace busbar::cli
