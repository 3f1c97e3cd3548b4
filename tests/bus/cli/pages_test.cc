// Tests of cli::ForEachPage, the list loop of the client commands, against a stub that serves
// pages from memory (the generated request and response types, no daemon).
#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "bus/cli/rpc.h"
#include "busbar/v1/buses.pb.h"
#include "gtest/gtest.h"

namespace busbar::cli {
namespace {

namespace v1 = ::busbar::v1;

// Serves one bus per page; the next token is the index of the next page.
struct PagedStub {
  std::vector<std::string> names;
  std::vector<std::string> tokens_seen;
  int fail_on_call = -1;  // this call (0-based) answers UNAVAILABLE

  grpc::Status ListEventBuses(grpc::ClientContext* context,
                              const v1::ListEventBusesRequest& request,
                              v1::ListEventBusesResponse* response) {
    EXPECT_NE(context, nullptr);
    EXPECT_EQ(request.name_prefix(), "p");
    const int call = static_cast<int>(tokens_seen.size());
    tokens_seen.push_back(request.next_token());
    if (call == fail_on_call) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "down");
    const size_t index = request.next_token().empty() ? 0 : std::stoul(request.next_token());
    if (index < names.size()) response->add_event_buses()->set_name(names[index]);
    if (index + 1 < names.size()) response->set_next_token(std::to_string(index + 1));
    return grpc::Status::OK;
  }
};

std::vector<std::string> Collect(PagedStub& stub, int* status) {
  v1::ListEventBusesRequest request;
  request.set_name_prefix("p");
  std::vector<std::string> seen;
  *status = ForEachPage(stub, &PagedStub::ListEventBuses, request,
                        [&seen](const v1::ListEventBusesResponse& page) {
                          for (const auto& bus : page.event_buses()) seen.push_back(bus.name());
                        });
  return seen;
}

TEST(ForEachPage, FollowsNextTokenToTheLastPage) {
  PagedStub stub;
  stub.names = {"a", "b", "c"};
  int status = -1;
  EXPECT_EQ(Collect(stub, &status), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(status, 0);
  EXPECT_EQ(stub.tokens_seen, (std::vector<std::string>{"", "1", "2"}));
}

TEST(ForEachPage, OnePageWhenThereIsNoNextToken) {
  PagedStub stub;
  int status = -1;
  EXPECT_TRUE(Collect(stub, &status).empty());
  EXPECT_EQ(status, 0);
  EXPECT_EQ(stub.tokens_seen.size(), 1u);
}

TEST(ForEachPage, StopsAtARefusedCallWithRpcErrorsStatus) {
  PagedStub stub;
  stub.names = {"a", "b", "c"};
  stub.fail_on_call = 1;
  int status = -1;
  EXPECT_EQ(Collect(stub, &status), (std::vector<std::string>{"a"}));
  EXPECT_EQ(status, kExitUsage);  // UNAVAILABLE: the daemon is unreachable
  EXPECT_EQ(stub.tokens_seen.size(), 2u);
}

}  // namespace
}  // namespace busbar::cli
