// Event bus targets over the API (api_fixture.h): a rule forwards matching events to another
// bus, where they are new events (new id, same content) matched by that bus's rules; an event
// received from another bus is not forwarded again (EventBridge's one hop), so a cycle of bus
// targets cannot loop; inputs are refused on bus targets.
#include <string>

#include "tests/bus/server/api_fixture.h"

namespace busbar::bus {
namespace {

using testing::ApiTest;
using testing::Rpc;
namespace v1 = ::busbar::v1;

constexpr char kBusArn[] = "arn:aws:events:us-east-1:000000000000:event-bus/";

v1::Target BusTarget(const std::string& id, const std::string& bus) {
  v1::Target t;
  t.set_id(id);
  t.set_arn(kBusArn + bus);
  return t;
}

class ApiBusTargetTest : public ApiTest {
 protected:
  // Puts one event of source "shop" on `bus`; returns its id.
  std::string PutShopEvent(const std::string& bus = "") {
    v1::PutEventsRequest req;
    auto* e = req.add_entries();
    e->set_source("shop");
    e->set_detail_type("Order Placed");
    e->set_detail(R"({"id": 7})");
    e->set_event_bus_name(bus);
    v1::PutEventsResponse resp;
    grpc::Status s = Rpc(events_.get(), &v1::EventsService::Stub::PutEvents, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.failed_entry_count(), 0) << resp.DebugString();
    return resp.entries_size() == 1 ? resp.entries(0).event_id() : "";
  }
};

TEST_F(ApiBusTargetTest, ForwardedEventsAreNewEventsOnTheTargetBus) {
  ASSERT_RPC_OK(CreateBus("archive"));
  ASSERT_RPC_OK(PutRule("to-archive", R"({"source": ["shop"]})"));
  MustPutTargets("to-archive", {BusTarget("archive", "archive")});
  ASSERT_RPC_OK(PutRule("archived", R"({"source": ["shop"]})", "archive"));
  MustPutTargets("archived", {QueueTarget("q", "q1")}, "archive");

  const std::string id = PutShopEvent();
  const auto bodies = Drain("q1");
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0].find(id), std::string::npos) << "a forwarded event has a new id";
  EXPECT_NE(bodies[0].find(R"("detail":{"id": 7})"), std::string::npos) << bodies[0];
  EXPECT_NE(bodies[0].find(R"("source":"shop")"), std::string::npos);
  EXPECT_EQ(daemon_->failed_invocations(), 0u);
}

TEST_F(ApiBusTargetTest, ACycleOfBusTargetsForwardsOnceAndCountsTheRefusedHop) {
  ASSERT_RPC_OK(CreateBus("archive"));
  // default -> archive -> default: the second hop is refused.
  ASSERT_RPC_OK(PutRule("to-archive", R"({"source": ["shop"]})"));
  MustPutTargets("to-archive", {BusTarget("archive", "archive"), QueueTarget("q", "q2")});
  ASSERT_RPC_OK(PutRule("back", R"({"source": ["shop"]})", "archive"));
  MustPutTargets("back", {BusTarget("default", "default"), QueueTarget("q", "q1")}, "archive");

  PutShopEvent();
  EXPECT_EQ(Drain("q1").size(), 1u);  // the forwarded event, on archive
  EXPECT_EQ(Drain("q2").size(), 1u);  // the original on default, not a second copy
  EXPECT_EQ(daemon_->failed_invocations(), 1u);
}

TEST_F(ApiBusTargetTest, InputsAreRefusedOnBusTargets) {
  ASSERT_RPC_OK(CreateBus("archive"));
  ASSERT_RPC_OK(PutRule("to-archive", R"({"source": ["shop"]})"));
  v1::Target shaped = BusTarget("archive", "archive");
  shaped.set_input_path("$.detail");
  v1::PutTargetsResponse resp;
  ASSERT_RPC_OK(PutTargets("to-archive", {shaped}, &resp));
  ASSERT_EQ(resp.failed_entry_count(), 1);
  EXPECT_EQ(resp.failed_entries(0).error_code(), "ValidationException");
  EXPECT_NE(resp.failed_entries(0).error_message().find(
                "InputPath is not supported for an event bus target"),
            std::string::npos)
      << resp.failed_entries(0).error_message();
}

}  // namespace
}  // namespace busbar::bus
