// PutEvents ingest: per-entry checks, request limits, size computation and the
// envelope, checked against EventBridge's documented behaviour.
#include "bus/server/ingest.h"

#include <string>

#include "gtest/gtest.h"
#include "matcher/matcher.h"
#include "simdjson.h"

namespace busbar::bus {
namespace {

IngestContext Context() {
  IngestContext ctx;
  ctx.account = "123456789012";
  ctx.region = "eu-west-1";
  ctx.now_unix_seconds = 1700000000;  // 2023-11-14T22:13:20Z
  ctx.bus_exists = [](std::string_view b) { return b == "default" || b == "orders"; };
  return ctx;
}

EntryIn Good() {
  EntryIn e;
  e.source = "shop";
  e.detail_type = "Order Placed";
  e.detail = R"({"id":7,"total":1200.5})";
  return e;
}

EntryOutcome One(const EntryIn& e) {
  auto r = PrepareEntries({e}, Context());
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? (*r)[0] : EntryOutcome{};
}

TEST(Ingest, BuildsTheEnvelopeInEventBridgeOrder) {
  EntryIn e = Good();
  e.resources = {"arn:aws:s3:::bucket"};
  EntryOutcome o = One(e);
  ASSERT_TRUE(o.ok()) << o.error_message;
  EXPECT_EQ(o.bus, "default");
  EXPECT_EQ(o.event_id.size(), 36u);
  EXPECT_EQ(o.event_id[14], '4');
  EXPECT_EQ(o.envelope,
            "{\"version\":\"0\",\"id\":\"" + o.event_id +
                "\",\"detail-type\":\"Order Placed\",\"source\":\"shop\",\"account\":"
                "\"123456789012\",\"time\":\"2023-11-14T22:13:20Z\",\"region\":\"eu-west-1\","
                "\"resources\":[\"arn:aws:s3:::bucket\"],\"detail\":{\"id\":7,\"total\":1200.5}}");
  simdjson::dom::parser p;
  simdjson::padded_string padded(o.envelope);
  EXPECT_EQ(p.parse(padded).error(), simdjson::SUCCESS);
}

TEST(Ingest, EnvelopeIsMatchedByRules) {
  auto m = matcher::Matcher::Compile(
      {{"r",
        R"({"source":["shop"],"detail-type":["Order Placed"],"detail":{"total":[{"numeric":[">",1000]}]}})"}});
  ASSERT_TRUE(m.ok());
  auto names = (*m)->MatchNames(One(Good()).envelope);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"r"});
}

TEST(Ingest, EscapesStringsInTheEnvelope) {
  EntryIn e = Good();
  e.detail_type = "a \"quoted\"\nline";
  EntryOutcome o = One(e);
  ASSERT_TRUE(o.ok());
  EXPECT_NE(o.envelope.find(R"("detail-type":"a \"quoted\"\nline")"), std::string::npos);
}

// Control characters are escaped as everywhere else (base::AppendJsonString): \b and \f by name,
// the others as \u00XX; the resources and the source go through the same writer.
TEST(Ingest, EscapesControlCharactersInTheEnvelope) {
  EntryIn e = Good();
  e.detail_type =
      "a\bb\fc\x01"
      "d";
  e.source = "s\tt";
  e.resources = {"r\x1f"};
  EntryOutcome o = One(e);
  ASSERT_TRUE(o.ok());
  EXPECT_NE(o.envelope.find(R"("detail-type":"a\bb\fc\u0001d")"), std::string::npos) << o.envelope;
  EXPECT_NE(o.envelope.find(R"("source":"s\tt")"), std::string::npos) << o.envelope;
  EXPECT_NE(o.envelope.find(R"("resources":["r\u001f"])"), std::string::npos) << o.envelope;
}

// RFC 3339 has four-digit years: a Time before the year 1000 keeps its leading zero.
TEST(Ingest, TimeBeforeTheYear1000KeepsFourDigits) {
  EntryIn e = Good();
  e.time = "0999-01-02T03:04:05Z";
  EntryOutcome o = One(e);
  ASSERT_TRUE(o.ok());
  EXPECT_NE(o.envelope.find("\"time\":\"0999-01-02T03:04:05Z\""), std::string::npos) << o.envelope;
}

TEST(Ingest, UsesTheGivenTime) {
  EntryIn e = Good();
  e.time = "2026-01-02T03:04:05+02:00";
  EntryOutcome o = One(e);
  ASSERT_TRUE(o.ok());
  EXPECT_NE(o.envelope.find("\"time\":\"2026-01-02T01:04:05Z\""), std::string::npos);
}

struct BadEntry {
  const char* name;
  void (*mutate)(EntryIn&);
  const char* code;
  const char* message_part;
};

TEST(Ingest, RejectsEachBadEntryWithItsOwnError) {
  const BadEntry cases[] = {
      {"no source", [](EntryIn& e) { e.source.clear(); }, "InvalidArgument", "Source"},
      {"long source", [](EntryIn& e) { e.source.assign(257, 's'); }, "InvalidArgument", "256"},
      {"no detail-type", [](EntryIn& e) { e.detail_type.clear(); }, "InvalidArgument",
       "DetailType"},
      {"long detail-type", [](EntryIn& e) { e.detail_type.assign(129, 'd'); }, "InvalidArgument",
       "128"},
      {"bad time", [](EntryIn& e) { e.time = "yesterday"; }, "InvalidArgument", "Time"},
      {"no detail", [](EntryIn& e) { e.detail.reset(); }, "MalformedDetail", "required"},
      {"malformed detail", [](EntryIn& e) { e.detail = "{\"a\":"; }, "MalformedDetail",
       "malformed"},
      {"array detail", [](EntryIn& e) { e.detail = "[1,2]"; }, "MalformedDetail", "object"},
      {"string detail", [](EntryIn& e) { e.detail = "\"x\""; }, "MalformedDetail", "object"},
      {"too deep detail",
       [](EntryIn& e) { e.detail = std::string(3000, '[') + std::string(3000, ']'); },
       "MalformedDetail", "deeper"},
      {"unknown bus", [](EntryIn& e) { e.event_bus_name = "nope"; }, "ResourceNotFoundException",
       "nope"},
      {"foreign bus arn",
       [](EntryIn& e) {
         e.event_bus_name = "arn:aws:events:us-east-1:999999999999:event-bus/orders";
       },
       "ResourceNotFoundException", "999999999999"},
      {"101 resources", [](EntryIn& e) { e.resources.assign(101, "r"); }, "InvalidArgument", "100"},
      {"long resource",
       [](EntryIn& e) {
         e.resources = {"ok", std::string(2049, 'r')};
       },
       "InvalidArgument", "item 1"},
  };
  for (const BadEntry& c : cases) {
    SCOPED_TRACE(c.name);
    EntryIn bad = Good();
    c.mutate(bad);
    auto r = PrepareEntries({Good(), bad, Good()}, Context());
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->size(), 3u);
    EXPECT_TRUE((*r)[0].ok());
    EXPECT_TRUE((*r)[2].ok());
    EXPECT_EQ((*r)[1].error_code, c.code);
    EXPECT_NE((*r)[1].error_message.find(c.message_part), std::string::npos)
        << (*r)[1].error_message;
    EXPECT_TRUE((*r)[1].envelope.empty());
  }
}

TEST(Ingest, AcceptsBusByNameOrArn) {
  EntryIn e = Good();
  e.event_bus_name = "orders";
  EXPECT_EQ(One(e).bus, "orders");
  e.event_bus_name = "arn:aws:events:eu-west-1:123456789012:event-bus/orders";
  EXPECT_EQ(One(e).bus, "orders");
}

TEST(Ingest, RequestLimits) {
  EXPECT_EQ(PrepareEntries({}, Context()).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<EntryIn> eleven(11, Good());
  auto r = PrepareEntries(eleven, Context());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("11 entries"), absl::string_view::npos);
  std::vector<EntryIn> ten(10, Good());
  EXPECT_TRUE(PrepareEntries(ten, Context()).ok());
}

TEST(Ingest, SizeIsComputedAsEventBridgeDoes) {
  EntryIn e;
  e.source = "ab";            // 2
  e.detail_type = "é";        // 2 bytes in UTF-8
  e.detail = "{}";            // 2
  e.resources = {"r1", "r"};  // 3
  EXPECT_EQ(EntrySize(e), 9u);
  e.time = "2026-01-01T00:00:00Z";
  EXPECT_EQ(EntrySize(e), 23u);  // Time counts 14 bytes, whatever its text
}

TEST(Ingest, TotalSizeOverTheLimitFailsTheRequest) {
  IngestContext ctx = Context();
  ctx.limits.max_request_bytes = 1000;
  EntryIn big = Good();
  big.detail = "{\"x\":\"" + std::string(1000, 'x') + "\"}";
  auto r = PrepareEntries({Good(), big}, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("over the limit of 1000 bytes"), absl::string_view::npos);
  ctx.limits.max_request_bytes = 256 * 1024;
  EXPECT_TRUE(PrepareEntries({Good(), big}, ctx).ok());
}

TEST(Ingest, EventIdsAreUnique) {
  std::vector<EntryIn> ten(10, Good());
  auto r = PrepareEntries(ten, Context());
  ASSERT_TRUE(r.ok());
  for (size_t i = 0; i < r->size(); ++i) {
    for (size_t j = i + 1; j < r->size(); ++j) EXPECT_NE((*r)[i].event_id, (*r)[j].event_id);
  }
}

}  // namespace
}  // namespace busbar::bus
