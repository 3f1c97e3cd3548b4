// Input shaping over the API (api_fixture.h): PutTargets refuses an input that cannot render
// (naming the property), and PutEvents delivers to each queue target what its Input, InputPath
// or InputTransformer makes of the event, while a target without one gets the whole envelope.
#include <string>

#include "tests/bus/daemon/api_fixture.h"

namespace busbar::bus {
namespace {

using testing::ApiTest;
using testing::Rpc;
namespace v1 = ::busbar::v1;

class ApiInputTest : public ApiTest {
 protected:
  void PutOrder(const std::string& detail) {
    v1::PutEventsRequest req;
    auto* e = req.add_entries();
    e->set_source("shop");
    e->set_detail_type("Order Placed");
    e->set_detail(detail);
    v1::PutEventsResponse resp;
    grpc::Status s = Rpc(events_.get(), &v1::EventsService::Stub::PutEvents, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(resp.failed_entry_count(), 0) << resp.DebugString();
  }
};

TEST_F(ApiInputTest, EachQueueTargetReceivesItsShapedInput) {
  ASSERT_RPC_OK(PutRule("orders", R"({"source": ["shop"]})"));
  v1::Target whole = QueueTarget("whole", "q1");
  v1::Target transformed = QueueTarget("transformed", "q2");
  (*transformed.mutable_input_transformer()->mutable_input_paths_map())["id"] = "$.detail.id";
  (*transformed.mutable_input_transformer()->mutable_input_paths_map())["note"] = "$.detail.note";
  transformed.mutable_input_transformer()->set_input_template(
      R"({"order": <id>, "text": "order <id>: <note>", "rule": <aws.events.rule-name>})");
  v1::Target path = QueueTarget("path", "dlq");
  path.set_input_path("$.detail.items");
  MustPutTargets("orders", {whole, transformed, path});

  PutOrder(R"({"id": 7, "note": "say \"hi\"", "items": [1, 2]})");
  const auto bodies1 = Drain("q1");
  ASSERT_EQ(bodies1.size(), 1u);
  EXPECT_NE(bodies1[0].find(R"("detail-type":"Order Placed")"), std::string::npos) << bodies1[0];
  EXPECT_EQ(Drain("q2"), std::vector<std::string>{
                             R"({"order":7,"text":"order 7: say \"hi\"","rule":"orders"})"});
  EXPECT_EQ(Drain("dlq"), std::vector<std::string>{"[1,2]"});

  // An InputPath that matches nothing delivers nothing to that target (a failed invocation);
  // the event and the other targets are unaffected.
  PutOrder(R"({"id": 8})");
  EXPECT_EQ(Drain("dlq"), std::vector<std::string>{});
  EXPECT_EQ(Drain("q1").size(), 1u);
  EXPECT_EQ(Drain("q2"),
            std::vector<std::string>{R"({"order":8,"text":"order 8: ","rule":"orders"})"});
  EXPECT_EQ(daemon_->failed_invocations(), 1u);
}

TEST_F(ApiInputTest, PutTargetsRefusesInputsThatCannotRender) {
  ASSERT_RPC_OK(PutRule("orders", R"({"source": ["shop"]})"));
  v1::Target undefined = QueueTarget("undefined", "q1");
  undefined.mutable_input_transformer()->set_input_template(R"({"id": <id>})");
  v1::Target bad_path = QueueTarget("bad-path", "q1");
  bad_path.set_input_path("$..detail");
  v1::Target broken = QueueTarget("broken", "q1");
  (*broken.mutable_input_transformer()->mutable_input_paths_map())["id"] = "$.detail.id";
  broken.mutable_input_transformer()->set_input_template(R"({"id": <id>)");
  v1::PutTargetsResponse resp;
  ASSERT_RPC_OK(PutTargets("orders", {undefined, bad_path, broken}, &resp));
  ASSERT_EQ(resp.failed_entry_count(), 3) << resp.DebugString();
  for (const auto& e : resp.failed_entries()) EXPECT_EQ(e.error_code(), "ValidationException");
  EXPECT_NE(resp.failed_entries(0).error_message().find("InputTransformer.InputTemplate"),
            std::string::npos)
      << resp.failed_entries(0).error_message();
  EXPECT_NE(resp.failed_entries(0).error_message().find("<id>"), std::string::npos);
  EXPECT_NE(resp.failed_entries(1).error_message().find("InputPath"), std::string::npos)
      << resp.failed_entries(1).error_message();
  EXPECT_NE(resp.failed_entries(2).error_message().find("InputTransformer.InputTemplate"),
            std::string::npos)
      << resp.failed_entries(2).error_message();
}

}  // namespace
}  // namespace busbar::bus
