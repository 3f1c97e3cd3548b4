// BusesService over a real daemon (api_fixture.h): CreateEventBus,
// DeleteEventBus, DescribeEventBus and ListEventBuses — success paths, every
// documented error, limits, pagination and buses owned by rule files.
#include <ctime>
#include <string>
#include <vector>

#include "tests/bus/server/api_fixture.h"

namespace busbar::bus::testing {
namespace {

constexpr char kBusArn[] = "arn:aws:events:us-east-1:000000000000:event-bus/";

std::vector<std::string> Names(const v1::ListEventBusesResponse& resp) {
  std::vector<std::string> names;
  for (const auto& b : resp.event_buses()) names.push_back(b.name());
  return names;
}

TEST_F(ApiTest, CreateDescribeListDeleteABus) {
  const int64_t before = std::time(nullptr);
  std::string arn;
  ASSERT_RPC_OK(CreateBus("payments", "money moves", &arn));
  EXPECT_EQ(arn, std::string(kBusArn) + "payments");
  v1::EventBus bus;
  ASSERT_RPC_OK(DescribeBus("payments", &bus));
  EXPECT_EQ(bus.name(), "payments");
  EXPECT_EQ(bus.arn(), arn);
  EXPECT_EQ(bus.description(), "money moves");
  EXPECT_GE(bus.creation_time().seconds(), before);
  EXPECT_LE(bus.creation_time().seconds(), std::time(nullptr));
  EXPECT_EQ(bus.last_modified_time().seconds(), bus.creation_time().seconds());
  ASSERT_RPC_OK(DescribeBus(arn, &bus));  // by ARN too
  EXPECT_EQ(bus.name(), "payments");
  v1::ListEventBusesResponse list;
  ASSERT_RPC_OK(ListBuses(&list));
  EXPECT_EQ(Names(list), (std::vector<std::string>{"default", "orders", "payments"}));
  EXPECT_TRUE(list.next_token().empty());
  for (const auto& b : list.event_buses()) {
    EXPECT_EQ(b.arn(), kBusArn + b.name());
    EXPECT_GT(b.creation_time().seconds(), 0) << b.name();
    EXPECT_GT(b.last_modified_time().seconds(), 0) << b.name();
  }
  ASSERT_RPC_OK(DeleteBus("payments"));
  EXPECT_RPC_ERROR(DescribeBus("payments", &bus), NOT_FOUND,
                   "ResourceNotFoundException: Event bus payments does not exist.");
  ASSERT_RPC_OK(ListBuses(&list));
  EXPECT_EQ(Names(list), (std::vector<std::string>{"default", "orders"}));
}

TEST_F(ApiTest, BusNamesTakeEventBridgesSlash) {
  std::string arn;
  ASSERT_RPC_OK(CreateBus("team/orders.v2", "", &arn));
  ASSERT_RPC_OK(PutRule("r", R"({"source": ["shop"]})", arn));
  v1::Rule r;
  ASSERT_RPC_OK(Describe("r", "team/orders.v2", &r));
  EXPECT_EQ(r.arn(), "arn:aws:events:us-east-1:000000000000:rule/team/orders.v2/r");
}

TEST_F(ApiTest, DescribeEventBus) {
  v1::EventBus bus;
  ASSERT_RPC_OK(DescribeBus("", &bus));  // empty: "default"
  EXPECT_EQ(bus.name(), "default");
  EXPECT_EQ(bus.arn(), std::string(kBusArn) + "default");
  EXPECT_GT(bus.creation_time().seconds(), 0);
  ASSERT_RPC_OK(DescribeBus("orders", &bus));
  EXPECT_EQ(bus.name(), "orders");
  EXPECT_RPC_ERROR(DescribeBus("nope", &bus), NOT_FOUND,
                   "ResourceNotFoundException: Event bus nope does not exist.");
  EXPECT_RPC_ERROR(DescribeBus("bad name", &bus), INVALID_ARGUMENT,
                   "ValidationException: EventBusName 'bad name' is invalid");
  EXPECT_RPC_ERROR(DescribeBus("arn:aws:events:us-east-1:000000000000:rule/x", &bus),
                   INVALID_ARGUMENT, "ValidationException: EventBusName 'arn:aws:events");
  EXPECT_RPC_ERROR(DescribeBus(std::string(1601, 'b'), &bus), INVALID_ARGUMENT,
                   "ValidationException: EventBusName is 1601 characters");
}

TEST_F(ApiTest, CreateEventBusErrors) {
  EXPECT_RPC_ERROR(CreateBus("default"), INVALID_ARGUMENT,
                   "ValidationException: the event bus named default always exists");
  EXPECT_RPC_ERROR(CreateBus("aws.partner"), INVALID_ARGUMENT,
                   "ValidationException: Name 'aws.partner' is invalid: names starting with aws.");
  EXPECT_RPC_ERROR(CreateBus("bad name"), INVALID_ARGUMENT,
                   "ValidationException: Name 'bad name' is invalid");
  EXPECT_RPC_ERROR(CreateBus(""), INVALID_ARGUMENT, "ValidationException: Name '' is invalid");
  EXPECT_RPC_ERROR(CreateBus(std::string(257, 'b')), INVALID_ARGUMENT, "ValidationException: Name");
  EXPECT_RPC_ERROR(CreateBus("b", std::string(513, 'd')), INVALID_ARGUMENT,
                   "ValidationException: Description is 513 characters; at most 512");
  ASSERT_RPC_OK(CreateBus("b", std::string(512, 'd')));
  EXPECT_RPC_ERROR(CreateBus("b"), ALREADY_EXISTS,
                   "ResourceAlreadyExistsException: Event bus b already exists.");
  EXPECT_RPC_ERROR(CreateBus("orders"), ALREADY_EXISTS,
                   "ResourceAlreadyExistsException: Event bus orders already exists (declared "
                   "in rule file " +
                       rules_path_ + ":2:11).");
}

TEST_F(ApiTest, EventBusLimit) {
  EXPECT_EQ(DaemonOptions().max_event_buses, 100u);
  options_.max_event_buses = 4;  // default and orders already
  Start();
  ASSERT_RPC_OK(CreateBus("b1"));
  ASSERT_RPC_OK(CreateBus("b2"));
  EXPECT_RPC_ERROR(CreateBus("b3"), RESOURCE_EXHAUSTED,
                   "LimitExceededException: there are 4 event buses (default included); at "
                   "most 4 are allowed");
  ASSERT_RPC_OK(DeleteBus("b1"));
  ASSERT_RPC_OK(CreateBus("b3"));
}

TEST_F(ApiTest, DeleteEventBusErrors) {
  EXPECT_RPC_ERROR(DeleteBus("default"), INVALID_ARGUMENT,
                   "ValidationException: the event bus named default always exists");
  EXPECT_RPC_ERROR(DeleteBus(""), INVALID_ARGUMENT, "ValidationException: Name '' is invalid");
  EXPECT_RPC_ERROR(DeleteBus("bad name"), INVALID_ARGUMENT,
                   "ValidationException: Name 'bad name' is invalid");
  EXPECT_RPC_ERROR(DeleteBus("nope"), NOT_FOUND,
                   "ResourceNotFoundException: Event bus nope does not exist.");
  EXPECT_RPC_ERROR(DeleteBus("orders"), FAILED_PRECONDITION,
                   "ValidationException: Event bus orders is declared in rule file " + rules_path_ +
                       ":2:11; change it there.");
  ASSERT_RPC_OK(CreateBus("b"));
  ASSERT_RPC_OK(PutRule("r", R"({"source": ["shop"]})", "b"));
  EXPECT_RPC_ERROR(DeleteBus("b"), FAILED_PRECONDITION,
                   "ValidationException: Event bus b still has 1 rule(s), e.g. r; delete them "
                   "first (DeleteRule).");
  ASSERT_RPC_OK(DeleteRule("r", "b"));
  ASSERT_RPC_OK(DeleteBus("b"));
}

TEST_F(ApiTest, ListEventBusesPages) {
  options_.max_event_buses = 200;
  Start();
  std::vector<std::string> expected{"default", "orders"};
  for (int i = 0; i < 120; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "bus%03d", i);
    ASSERT_RPC_OK(CreateBus(name));
    expected.push_back(name);
  }
  std::sort(expected.begin(), expected.end());
  for (int limit : {0, 1, 7, 100}) {
    std::vector<std::string> names;
    std::string token;
    do {
      v1::ListEventBusesResponse resp;
      ASSERT_RPC_OK(ListBuses(&resp, "", limit, token));
      EXPECT_LE(resp.event_buses_size(), limit == 0 ? 100 : limit);
      for (const auto& n : Names(resp)) names.push_back(n);
      token = resp.next_token();
    } while (!token.empty());
    EXPECT_EQ(names, expected) << "limit " << limit;
  }
  v1::ListEventBusesResponse resp;
  ASSERT_RPC_OK(ListBuses(&resp, "bus11"));
  EXPECT_EQ(resp.event_buses_size(), 10);
  ASSERT_RPC_OK(ListBuses(&resp, "d"));
  EXPECT_EQ(Names(resp), std::vector<std::string>{"default"});
}

TEST_F(ApiTest, ListEventBusesErrors) {
  v1::ListEventBusesResponse resp;
  ASSERT_RPC_OK(ListBuses(&resp, "", 1));
  const std::string token = resp.next_token();
  ASSERT_FALSE(token.empty());
  EXPECT_RPC_ERROR(ListBuses(&resp, "", 101), INVALID_ARGUMENT,
                   "ValidationException: Limit is 101; it must be from 1 to 100");
  EXPECT_RPC_ERROR(ListBuses(&resp, "", -1), INVALID_ARGUMENT, "ValidationException: Limit");
  EXPECT_RPC_ERROR(ListBuses(&resp, "bad prefix"), INVALID_ARGUMENT,
                   "ValidationException: NamePrefix 'bad prefix' is invalid");
  EXPECT_RPC_ERROR(ListBuses(&resp, "", 1, "p1.garbage"), INVALID_ARGUMENT,
                   "ValidationException: NextToken is not one this call handed out");
  EXPECT_RPC_ERROR(ListBuses(&resp, "o", 1, token), INVALID_ARGUMENT,
                   "ValidationException: NextToken");  // another prefix's token
  ASSERT_RPC_OK(ListBuses(&resp, "", 1, token));
  EXPECT_EQ(Names(resp), std::vector<std::string>{"orders"});
}

}  // namespace
}  // namespace busbar::bus::testing
