// QueuesService over a real daemon (api_fixture.h: 127.0.0.1:0, a temporary
// data directory, the file queues q1, q2 and dlq): every RPC's success path and
// each error proto/busbar/v1/queues.proto documents for it, with its gRPC code
// and SQS error code. Time-dependent rules (the 12-hour visibility limit,
// retention) are checked with a fake clock in tests/targets/queues_test.cc.
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/bus/server/api_fixture.h"

namespace busbar::bus::testing {
namespace {

using Attributes = std::map<std::string, std::string>;
using Stub = v1::QueuesService::Stub;

class QueuesServiceTest : public ApiTest {
 protected:
  std::string Url(const std::string& queue) const {
    return absl::StrCat("http://127.0.0.1:", daemon_->port(), "/000000000000/", queue);
  }

  grpc::Status Create(const std::string& name, const Attributes& attributes = {},
                      std::string* url = nullptr) {
    v1::CreateQueueRequest req;
    req.set_queue_name(name);
    for (const auto& [k, v] : attributes) (*req.mutable_attributes())[k] = v;
    v1::CreateQueueResponse resp;
    grpc::Status s = Rpc(queues_.get(), &Stub::CreateQueue, req, &resp);
    if (url != nullptr) *url = resp.queue_url();
    return s;
  }

  grpc::Status DeleteQueue(const std::string& name) {
    v1::DeleteQueueRequest req;
    req.set_queue_name(name);
    v1::DeleteQueueResponse resp;
    return Rpc(queues_.get(), &Stub::DeleteQueue, req, &resp);
  }

  grpc::Status List(v1::ListQueuesResponse* resp, const std::string& prefix = "", int max = 0,
                    const std::string& token = "") {
    v1::ListQueuesRequest req;
    req.set_queue_name_prefix(prefix);
    req.set_max_results(max);
    req.set_next_token(token);
    return Rpc(queues_.get(), &Stub::ListQueues, req, resp);
  }

  grpc::Status GetUrl(const std::string& name, std::string* url, const std::string& owner = "") {
    v1::GetQueueUrlRequest req;
    req.set_queue_name(name);
    req.set_queue_owner_aws_account_id(owner);
    v1::GetQueueUrlResponse resp;
    grpc::Status s = Rpc(queues_.get(), &Stub::GetQueueUrl, req, &resp);
    *url = resp.queue_url();
    return s;
  }

  grpc::Status Get(const std::string& queue, const std::vector<std::string>& names,
                   Attributes* out) {
    v1::GetQueueAttributesRequest req;
    req.set_queue_name(queue);
    for (const auto& n : names) req.add_attribute_names(n);
    v1::GetQueueAttributesResponse resp;
    grpc::Status s = Rpc(queues_.get(), &Stub::GetQueueAttributes, req, &resp);
    out->clear();
    out->insert(resp.attributes().begin(), resp.attributes().end());
    return s;
  }
  // Every attribute of `queue`, expected to be readable.
  Attributes All(const std::string& queue) {
    Attributes a;
    grpc::Status s = Get(queue, {"All"}, &a);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return a;
  }

  grpc::Status Set(const std::string& queue, const Attributes& attributes) {
    v1::SetQueueAttributesRequest req;
    req.set_queue_name(queue);
    for (const auto& [k, v] : attributes) (*req.mutable_attributes())[k] = v;
    v1::SetQueueAttributesResponse resp;
    return Rpc(queues_.get(), &Stub::SetQueueAttributes, req, &resp);
  }

  grpc::Status Send(const std::string& queue, const std::string& body,
                    v1::SendMessageResponse* resp) {
    v1::SendMessageRequest req;
    req.set_queue_name(queue);
    req.set_message_body(body);
    return Rpc(queues_.get(), &Stub::SendMessage, req, resp);
  }
  std::string MustSend(const std::string& queue, const std::string& body) {
    v1::SendMessageResponse resp;
    grpc::Status s = Send(queue, body, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.message_id();
  }

  static v1::ReceiveMessageRequest ReceiveRequest(const std::string& queue, int max = 10,
                                                  std::optional<int> visibility = std::nullopt) {
    v1::ReceiveMessageRequest req;
    req.set_queue_name(queue);
    req.set_max_number_of_messages(max);
    req.set_wait_time_seconds(0);
    if (visibility) req.set_visibility_timeout(*visibility);
    return req;
  }
  grpc::Status Receive(const v1::ReceiveMessageRequest& req, v1::ReceiveMessageResponse* resp) {
    return Rpc(queues_.get(), &Stub::ReceiveMessage, req, resp);
  }
  std::vector<v1::Message> MustReceive(const std::string& queue, int max = 10,
                                       std::optional<int> visibility = std::nullopt) {
    v1::ReceiveMessageResponse resp;
    grpc::Status s = Receive(ReceiveRequest(queue, max, visibility), &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.messages().begin(), resp.messages().end()};
  }

  grpc::Status DeleteMessage(const std::string& queue, const std::string& handle) {
    v1::DeleteMessageRequest req;
    req.set_queue_name(queue);
    req.set_receipt_handle(handle);
    v1::DeleteMessageResponse resp;
    return Rpc(queues_.get(), &Stub::DeleteMessage, req, &resp);
  }

  // DeleteMessageBatch of (id, receipt handle) entries.
  grpc::Status DeleteBatch(const std::string& queue,
                           const std::vector<std::pair<std::string, std::string>>& entries,
                           v1::DeleteMessageBatchResponse* resp) {
    v1::DeleteMessageBatchRequest req;
    req.set_queue_name(queue);
    for (const auto& [id, handle] : entries) {
      auto* e = req.add_entries();
      e->set_id(id);
      e->set_receipt_handle(handle);
    }
    return Rpc(queues_.get(), &Stub::DeleteMessageBatch, req, resp);
  }

  grpc::Status ChangeVisibility(const std::string& queue, const std::string& handle,
                                std::optional<int> timeout) {
    v1::ChangeMessageVisibilityRequest req;
    req.set_queue_name(queue);
    req.set_receipt_handle(handle);
    if (timeout) req.set_visibility_timeout(*timeout);
    v1::ChangeMessageVisibilityResponse resp;
    return Rpc(queues_.get(), &Stub::ChangeMessageVisibility, req, &resp);
  }

  grpc::Status Purge(const std::string& queue) {
    v1::PurgeQueueRequest req;
    req.set_queue_name(queue);
    v1::PurgeQueueResponse resp;
    return Rpc(queues_.get(), &Stub::PurgeQueue, req, &resp);
  }

  int64_t Visible(const std::string& queue) {
    return std::stoll(All(queue)["ApproximateNumberOfMessages"]);
  }
  int64_t InFlight(const std::string& queue) {
    return std::stoll(All(queue)["ApproximateNumberOfMessagesNotVisible"]);
  }
};

// --- CreateQueue, DeleteQueue

TEST_F(QueuesServiceTest, CreateQueueReturnsItsUrlAndMayBeRepeated) {
  std::string url;
  ASSERT_RPC_OK(Create("orders", {{"VisibilityTimeout", "45"}}, &url));
  EXPECT_EQ(url, Url("orders"));
  std::string again;
  ASSERT_RPC_OK(Create("orders", {{"VisibilityTimeout", "45"}}, &again));
  EXPECT_EQ(again, url);
  ASSERT_RPC_OK(Create("orders", {}, &again));  // no attribute given: nothing differs
  ASSERT_RPC_OK(Create("orders", {{"MessageRetentionPeriod", "345600"}}));  // the default
  EXPECT_RPC_ERROR(Create("orders", {{"VisibilityTimeout", "46"}}), ALREADY_EXISTS,
                   "QueueNameExists: queue 'orders' already exists with different attributes");
  Attributes a = All("orders");
  EXPECT_EQ(a["VisibilityTimeout"], "45");
  EXPECT_EQ(a["MessageRetentionPeriod"], "345600");
  EXPECT_EQ(a["ReceiveMessageWaitTimeSeconds"], "0");
  EXPECT_EQ(a.count("RedrivePolicy"), 0u);
}

TEST_F(QueuesServiceTest, CreateQueuePastTheDaemonsLimitIsOverLimit) {
  options_.max_queues = 4;  // the rule file declares q1, q2 and dlq
  Start();
  ASSERT_RPC_OK(Create("fourth"));
  EXPECT_RPC_ERROR(Create("fifth"), RESOURCE_EXHAUSTED, "OverLimit: ");
  ASSERT_RPC_OK(DeleteQueue("fourth"));
  ASSERT_RPC_OK(Create("fifth"));
}

TEST_F(QueuesServiceTest, CreateQueueRefusesBadNames) {
  EXPECT_RPC_ERROR(Create(""), INVALID_ARGUMENT, "MissingParameter: queue_name is required");
  EXPECT_RPC_ERROR(Create("bad name"), INVALID_ARGUMENT,
                   "InvalidParameterValue: queue name 'bad name' must be 1 to 80 characters");
  EXPECT_RPC_ERROR(Create("orders.fifo"), INVALID_ARGUMENT, "FIFO queues are not supported");
  EXPECT_RPC_ERROR(Create(std::string(81, 'q')), INVALID_ARGUMENT, "InvalidParameterValue: ");
  ASSERT_RPC_OK(Create(std::string(80, 'q')));
}

TEST_F(QueuesServiceTest, CreateQueueRefusesUnknownReadOnlyAndOutOfRangeAttributes) {
  struct Case {
    Attributes attributes;
    std::string expected;
  };
  const std::string dlq = std::string(kQueueArn) + "dlq";
  for (const Case& c : std::vector<Case>{
           {{{"DelaySeconds", "0"}}, "InvalidAttributeName: unknown attribute 'DelaySeconds'"},
           {{{"QueueArn", "x"}}, "InvalidAttributeName: attribute QueueArn is read-only"},
           {{{"ApproximateNumberOfMessages", "0"}}, "InvalidAttributeName: attribute "},
           {{{"CreatedTimestamp", "0"}}, "is read-only"},
           {{{"LastModifiedTimestamp", "0"}}, "is read-only"},
           {{{"ApproximateNumberOfMessagesNotVisible", "0"}}, "is read-only"},
           {{{"VisibilityTimeout", "43201"}},
            "InvalidAttributeValue: VisibilityTimeout must be between 0 and 43200, got 43201"},
           {{{"VisibilityTimeout", "99999999999"}},
            "InvalidAttributeValue: VisibilityTimeout must be between 0 and 43200, got "
            "99999999999"},
           {{{"VisibilityTimeout", "soon"}},
            "InvalidAttributeValue: VisibilityTimeout must be a whole number from 0 to 43200, "
            "not 'soon'"},
           {{{"MessageRetentionPeriod", "59"}},
            "InvalidAttributeValue: MessageRetentionPeriod must be between 60 and 1209600"},
           {{{"ReceiveMessageWaitTimeSeconds", "21"}},
            "InvalidAttributeValue: ReceiveMessageWaitTimeSeconds must be between 0 and 20"},
           {{{"RedrivePolicy", "{not json"}},
            "InvalidAttributeValue: RedrivePolicy is not a JSON object"},
           {{{"RedrivePolicy", R"({"maxReceiveCount": 3})"}},
            "InvalidAttributeValue: RedrivePolicy has no deadLetterTargetArn"},
           {{{"RedrivePolicy", R"({"deadLetterTargetArn": ")" + dlq + R"("})"}},
            "InvalidAttributeValue: RedrivePolicy has no maxReceiveCount"},
           {{{"RedrivePolicy",
              R"({"deadLetterTargetArn": ")" + dlq + R"(", "maxReceiveCount": 0})"}},
            "InvalidAttributeValue: RedrivePolicy maxReceiveCount must be between 1 and 1000, "
            "got 0"},
           {{{"RedrivePolicy",
              R"({"deadLetterTargetArn": ")" + dlq + R"(", "maxReceiveCount": "1001"})"}},
            "maxReceiveCount must be between 1 and 1000, got 1001"},
           {{{"RedrivePolicy",
              R"({"deadLetterTargetArn": ")" + dlq + R"(", "maxReceiveCount": 3.5})"}},
            "InvalidAttributeValue: RedrivePolicy maxReceiveCount is not a whole number"},
           {{{"RedrivePolicy", R"({"deadLetterTargetArn": ")" + dlq +
                                   R"(", "maxReceiveCount": 3, "maxRecieveCount": 3})"}},
            "InvalidAttributeValue: RedrivePolicy has the unknown key 'maxRecieveCount'"},
           {{{"RedrivePolicy", R"({"deadLetterTargetArn": ")" + std::string(kQueueArn) +
                                   R"(ghost", "maxReceiveCount": 3})"}},
            "InvalidAttributeValue: RedrivePolicy of queue 'orders': deadLetterTargetArn "
            "'arn:aws:sqs:us-east-1:000000000000:ghost' names a queue that does not exist"},
           {{{"RedrivePolicy", R"({"deadLetterTargetArn": ")" + std::string(kQueueArn) +
                                   R"(orders", "maxReceiveCount": 3})"}},
            "is the queue itself"},
           // Names are checked before values.
           {{{"VisibilityTimeout", "-1"}, {"Policy", "{}"}},
            "InvalidAttributeName: unknown attribute 'Policy'"},
       }) {
    EXPECT_RPC_ERROR(Create("orders", c.attributes), INVALID_ARGUMENT, c.expected);
  }
  std::string url;
  EXPECT_RPC_ERROR(GetUrl("orders", &url), NOT_FOUND, "QueueDoesNotExist");
}

TEST_F(QueuesServiceTest, CreateQueueWithARedrivePolicy) {
  const std::string policy =
      absl::StrCat(R"({"deadLetterTargetArn": ")", kQueueArn, R"(dlq", "maxReceiveCount": "2"})");
  ASSERT_RPC_OK(Create("orders", {{"RedrivePolicy", policy}}));
  EXPECT_EQ(
      All("orders")["RedrivePolicy"],
      R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":2})");
  ASSERT_RPC_OK(Create("plain", {{"RedrivePolicy", ""}}));  // "": no redrive
  EXPECT_EQ(All("plain").count("RedrivePolicy"), 0u);
  // Two receives, then the message moves to dlq instead of a third.
  MustSend("orders", "poison");
  ASSERT_EQ(MustReceive("orders", 1, 0).size(), 1u);
  ASSERT_EQ(MustReceive("orders", 1, 0).size(), 1u);
  EXPECT_TRUE(MustReceive("orders", 1, 0).empty());
  std::vector<v1::Message> dead = MustReceive("dlq");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].body(), "poison");
}

TEST_F(QueuesServiceTest, DeleteQueueByNameOrUrl) {
  std::string url;
  ASSERT_RPC_OK(Create("a", {}, &url));
  ASSERT_RPC_OK(Create("b"));
  MustSend("a", "m");
  v1::DeleteQueueRequest req;
  req.set_queue_url(url);
  v1::DeleteQueueResponse resp;
  ASSERT_RPC_OK(Rpc(queues_.get(), &Stub::DeleteQueue, req, &resp));
  ASSERT_RPC_OK(DeleteQueue("b"));
  EXPECT_RPC_ERROR(DeleteQueue("a"), NOT_FOUND,
                   "QueueDoesNotExist: The specified queue a does not exist.");
  ASSERT_RPC_OK(Create("a"));  // at once, and empty
  EXPECT_EQ(Visible("a"), 0);
  req.Clear();
  EXPECT_RPC_ERROR(Rpc(queues_.get(), &Stub::DeleteQueue, req, &resp), INVALID_ARGUMENT,
                   "MissingParameter: set queue_url or queue_name");
}

// --- ListQueues, GetQueueUrl

TEST_F(QueuesServiceTest, ListQueuesInNameOrderAPageAtATime) {
  for (const char* name : {"b-2", "a-1", "b-1", "b-3"}) ASSERT_RPC_OK(Create(name));
  v1::ListQueuesResponse resp;
  ASSERT_RPC_OK(List(&resp));
  std::vector<std::string> urls(resp.queue_urls().begin(), resp.queue_urls().end());
  EXPECT_EQ(urls, (std::vector<std::string>{Url("a-1"), Url("b-1"), Url("b-2"), Url("b-3"),
                                            Url("dlq"), Url("q1"), Url("q2")}));
  EXPECT_TRUE(resp.next_token().empty());

  ASSERT_RPC_OK(List(&resp, "b-", 2));
  EXPECT_EQ(std::vector<std::string>(resp.queue_urls().begin(), resp.queue_urls().end()),
            (std::vector<std::string>{Url("b-1"), Url("b-2")}));
  ASSERT_FALSE(resp.next_token().empty());
  const std::string token = resp.next_token();
  v1::ListQueuesResponse next;
  ASSERT_RPC_OK(List(&next, "b-", 2, token));
  EXPECT_EQ(std::vector<std::string>(next.queue_urls().begin(), next.queue_urls().end()),
            std::vector<std::string>{Url("b-3")});
  EXPECT_TRUE(next.next_token().empty());

  ASSERT_RPC_OK(List(&resp, "zzz"));
  EXPECT_EQ(resp.queue_urls_size(), 0);
  ASSERT_RPC_OK(List(&resp, std::string(80, 'z')));

  for (int bad : {-1, 1001}) {
    EXPECT_RPC_ERROR(List(&resp, "", bad), INVALID_ARGUMENT,
                     absl::StrCat("InvalidParameterValue: MaxResults is ", bad,
                                  "; it must be from 1 to 1000 (or 0 for 1000)"));
  }
  ASSERT_RPC_OK(List(&resp, "", 1000));
  EXPECT_RPC_ERROR(List(&resp, "b-", 2, "made-up"), INVALID_ARGUMENT,
                   "InvalidParameterValue: NextToken is not one this call handed out");
  EXPECT_RPC_ERROR(List(&resp, "a", 2, token), INVALID_ARGUMENT,  // another prefix
                   "InvalidParameterValue: NextToken");
  EXPECT_RPC_ERROR(List(&resp, std::string(81, 'z')), INVALID_ARGUMENT,
                   "InvalidParameterValue: QueueNamePrefix is 81 characters; at most 80");
}

TEST_F(QueuesServiceTest, GetQueueUrl) {
  std::string url;
  ASSERT_RPC_OK(GetUrl("q1", &url));
  EXPECT_EQ(url, Url("q1"));
  ASSERT_RPC_OK(GetUrl("q1", &url, "000000000000"));
  EXPECT_EQ(url, Url("q1"));
  EXPECT_RPC_ERROR(GetUrl("q1", &url, "111111111111"), NOT_FOUND,
                   "QueueDoesNotExist: The specified queue q1 does not exist (account "
                   "111111111111 is not this daemon's account 000000000000).");
  EXPECT_RPC_ERROR(GetUrl("ghost", &url), NOT_FOUND,
                   "QueueDoesNotExist: The specified queue ghost does not exist.");
  EXPECT_RPC_ERROR(GetUrl("", &url), INVALID_ARGUMENT, "MissingParameter: queue_name is required");
}

TEST_F(QueuesServiceTest, QueueUrlsAreReadByTheirLastTwoSegments) {
  v1::GetQueueAttributesRequest req;
  req.add_attribute_names("QueueArn");
  v1::GetQueueAttributesResponse resp;
  for (const std::string& url :
       {Url("q1"), std::string("https://elsewhere.example/000000000000/q1"),
        std::string("000000000000/q1")}) {
    req.set_queue_url(url);
    ASSERT_RPC_OK(Rpc(queues_.get(), &Stub::GetQueueAttributes, req, &resp));
    EXPECT_EQ(resp.attributes().at("QueueArn"), std::string(kQueueArn) + "q1") << url;
  }
  req.set_queue_url("http://127.0.0.1:1/111111111111/q1");
  EXPECT_RPC_ERROR(Rpc(queues_.get(), &Stub::GetQueueAttributes, req, &resp), NOT_FOUND,
                   "QueueDoesNotExist: The specified queue q1 does not exist (the URL names "
                   "account 111111111111; this daemon's is 000000000000).");
  for (const char* bad : {"q1", "http://host/000000000000/"}) {
    req.set_queue_url(bad);
    EXPECT_RPC_ERROR(Rpc(queues_.get(), &Stub::GetQueueAttributes, req, &resp), INVALID_ARGUMENT,
                     "InvalidParameterValue: QueueUrl '");
  }
}

// --- GetQueueAttributes, SetQueueAttributes

TEST_F(QueuesServiceTest, GetQueueAttributesReturnsWhatIsAskedFor) {
  const int64_t before = std::time(nullptr);
  ASSERT_RPC_OK(Create("orders", {{"VisibilityTimeout", "60"}}));
  MustSend("orders", "a");
  MustSend("orders", "b");
  ASSERT_EQ(MustReceive("orders", 1).size(), 1u);

  Attributes a = All("orders");
  std::set<std::string> names;
  for (const auto& [k, v] : a) names.insert(k);
  EXPECT_EQ(names, (std::set<std::string>{
                       "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                       "CreatedTimestamp", "LastModifiedTimestamp", "MessageRetentionPeriod",
                       "QueueArn", "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout"}));
  EXPECT_EQ(a["QueueArn"], std::string(kQueueArn) + "orders");
  EXPECT_EQ(a["ApproximateNumberOfMessages"], "1");
  EXPECT_EQ(a["ApproximateNumberOfMessagesNotVisible"], "1");
  EXPECT_EQ(a["VisibilityTimeout"], "60");
  EXPECT_GE(std::stoll(a["CreatedTimestamp"]), before);
  EXPECT_LE(std::stoll(a["CreatedTimestamp"]), std::time(nullptr));
  EXPECT_EQ(a["LastModifiedTimestamp"], a["CreatedTimestamp"]);

  Attributes some;
  ASSERT_RPC_OK(Get("orders", {"VisibilityTimeout", "QueueArn", "RedrivePolicy"}, &some));
  EXPECT_EQ(some, (Attributes{{"QueueArn", std::string(kQueueArn) + "orders"},
                              {"VisibilityTimeout", "60"}}));  // unset RedrivePolicy left out
  ASSERT_RPC_OK(Get("orders", {}, &some));
  EXPECT_TRUE(some.empty());  // as in SQS, none asked, none returned

  EXPECT_RPC_ERROR(Get("orders", {"VisibilityTimeout", "DelaySeconds"}, &some), INVALID_ARGUMENT,
                   "InvalidAttributeName: unknown attribute 'DelaySeconds'");
  EXPECT_RPC_ERROR(Get("orders", {"all"}, &some), INVALID_ARGUMENT, "InvalidAttributeName: ");
  EXPECT_RPC_ERROR(Get("ghost", {"All"}, &some), NOT_FOUND,
                   "QueueDoesNotExist: The specified queue ghost does not exist.");
  v1::GetQueueAttributesRequest none;
  v1::GetQueueAttributesResponse resp;
  EXPECT_RPC_ERROR(Rpc(queues_.get(), &Stub::GetQueueAttributes, none, &resp), INVALID_ARGUMENT,
                   "MissingParameter: ");
}

TEST_F(QueuesServiceTest, SetQueueAttributesChangesSomeAndKeepsTheRest) {
  ASSERT_RPC_OK(Create("orders", {{"VisibilityTimeout", "60"}, {"MessageRetentionPeriod", "600"}}));
  const std::string policy =
      absl::StrCat(R"({"deadLetterTargetArn":")", kQueueArn, R"(dlq","maxReceiveCount":5})");
  ASSERT_RPC_OK(Set("orders", {{"VisibilityTimeout", "0"},
                               {"ReceiveMessageWaitTimeSeconds", "20"},
                               {"RedrivePolicy", policy}}));
  Attributes a = All("orders");
  EXPECT_EQ(a["VisibilityTimeout"], "0");
  EXPECT_EQ(a["MessageRetentionPeriod"], "600");
  EXPECT_EQ(a["ReceiveMessageWaitTimeSeconds"], "20");
  EXPECT_EQ(
      a["RedrivePolicy"],
      R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":5})");
  EXPECT_GE(std::stoll(a["LastModifiedTimestamp"]), std::stoll(a["CreatedTimestamp"]));

  // VisibilityTimeout 0 applies to the next receive: the message is visible again at once.
  MustSend("orders", "m");
  ASSERT_EQ(MustReceive("orders").size(), 1u);
  EXPECT_EQ(Visible("orders"), 1);

  ASSERT_RPC_OK(Set("orders", {{"RedrivePolicy", ""}}));  // removes it
  EXPECT_EQ(All("orders").count("RedrivePolicy"), 0u);
  ASSERT_RPC_OK(Set("orders", {}));  // nothing to change
}

TEST_F(QueuesServiceTest, SetQueueAttributesIsAllOrNone) {
  ASSERT_RPC_OK(Create("orders"));
  const Attributes before = All("orders");
  struct Case {
    Attributes attributes;
    grpc::StatusCode code;
    std::string expected;
  };
  const std::string arn = kQueueArn;
  for (
      const Case& c : std::vector<Case>{
          {{{"VisibilityTimeout", "10"}, {"QueueArn", "x"}},
           grpc::StatusCode::INVALID_ARGUMENT,
           "InvalidAttributeName: attribute QueueArn is read-only"},
          {{{"VisibilityTimeout", "10"}, {"ApproximateNumberOfMessages", "1"}},
           grpc::StatusCode::INVALID_ARGUMENT,
           "InvalidAttributeName: "},
          {{{"VisibilityTimeout", "10"}, {"FifoQueue", "true"}},
           grpc::StatusCode::INVALID_ARGUMENT,
           "InvalidAttributeName: unknown attribute 'FifoQueue'"},
          {{{"VisibilityTimeout", "10"}, {"ReceiveMessageWaitTimeSeconds", "21"}},
           grpc::StatusCode::INVALID_ARGUMENT,
           "InvalidAttributeValue: ReceiveMessageWaitTimeSeconds must be between 0 and 20, got 21"},
          {{{"VisibilityTimeout", "10"}, {"MessageRetentionPeriod", "1209601"}},
           grpc::StatusCode::INVALID_ARGUMENT,
           "InvalidAttributeValue: MessageRetentionPeriod"},
          {{{"VisibilityTimeout", "10"},
            {"RedrivePolicy",
             R"({"deadLetterTargetArn":")" + arn + R"(ghost","maxReceiveCount":5})"}},
           grpc::StatusCode::INVALID_ARGUMENT,
           "InvalidAttributeValue: RedrivePolicy of queue 'orders': deadLetterTargetArn "
           "'arn:aws:sqs:us-east-1:000000000000:ghost' names a queue that does not exist"},
          {{{"VisibilityTimeout", "10"},
            {"RedrivePolicy",
             R"({"deadLetterTargetArn":")" + arn + R"(orders","maxReceiveCount":5})"}},
           grpc::StatusCode::INVALID_ARGUMENT,
           "InvalidAttributeValue: RedrivePolicy of queue 'orders': deadLetterTargetArn "
           "'arn:aws:sqs:us-east-1:000000000000:orders' is the queue itself"},
          {{{"VisibilityTimeout", "10"},
            {"RedrivePolicy",
             R"({"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:dlq","maxReceiveCount":5})"}},
           grpc::StatusCode::INVALID_ARGUMENT,
           "is not a queue ARN of region 'us-east-1'"},
      }) {
    grpc::Status s = Set("orders", c.attributes);
    EXPECT_EQ(s.error_code(), c.code) << s.error_message();
    EXPECT_NE(s.error_message().find(c.expected), std::string::npos) << s.error_message();
  }
  EXPECT_EQ(All("orders"), before);
  EXPECT_RPC_ERROR(Set("ghost", {{"VisibilityTimeout", "10"}}), NOT_FOUND,
                   "QueueDoesNotExist: The specified queue ghost does not exist.");
  v1::SetQueueAttributesRequest none;
  v1::SetQueueAttributesResponse resp;
  EXPECT_RPC_ERROR(Rpc(queues_.get(), &Stub::SetQueueAttributes, none, &resp), INVALID_ARGUMENT,
                   "MissingParameter: ");
}

// --- SendMessage, ReceiveMessage

TEST_F(QueuesServiceTest, SendMessageIsReceivedWithItsIdAndMd5) {
  v1::SendMessageResponse sent;
  ASSERT_RPC_OK(Send("q2", "hello", &sent));
  EXPECT_EQ(sent.md5_of_message_body(), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(sent.message_id().size(), 36u);
  std::vector<v1::Message> got = MustReceive("q2");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message_id(), sent.message_id());
  EXPECT_EQ(got[0].body(), "hello");
  EXPECT_EQ(got[0].md5_of_body(), sent.md5_of_message_body());
  EXPECT_FALSE(got[0].receipt_handle().empty());
  EXPECT_TRUE(got[0].attributes().empty());  // none asked for
  ASSERT_RPC_OK(Send("q2", std::string(262144, 'x'), &sent));
  ASSERT_RPC_OK(Send("q2", "tab\tline\ncr\r \xF0\x9F\x98\x80 \xEF\xBF\xBD", &sent));
}

TEST_F(QueuesServiceTest, SendMessageRefusesWhatSqsRefuses) {
  v1::SendMessageResponse sent;
  EXPECT_RPC_ERROR(Send("q2", "", &sent), INVALID_ARGUMENT,
                   "InvalidMessageContents: message body must be 1 to 262144 bytes, got 0");
  EXPECT_RPC_ERROR(Send("q2", std::string(262145, 'x'), &sent), INVALID_ARGUMENT,
                   "InvalidMessageContents: message body must be 1 to 262144 bytes, got 262145");
  EXPECT_RPC_ERROR(Send("q2", "nul\x01", &sent), INVALID_ARGUMENT,
                   "InvalidMessageContents: message body has character U+0001 at byte 3");
  EXPECT_RPC_ERROR(Send("q2", "\xEF\xBF\xBF", &sent), INVALID_ARGUMENT,
                   "InvalidMessageContents: message body has character U+FFFF at byte 0");
  EXPECT_RPC_ERROR(Send("ghost", "m", &sent), NOT_FOUND,
                   "QueueDoesNotExist: The specified queue ghost does not exist.");
  v1::SendMessageRequest none;
  none.set_message_body("m");
  EXPECT_RPC_ERROR(Rpc(queues_.get(), &Stub::SendMessage, none, &sent), INVALID_ARGUMENT,
                   "MissingParameter: ");
  EXPECT_EQ(Visible("q2"), 0);
}

TEST_F(QueuesServiceTest, ReceiveMessageReturnsTheSystemAttributesAskedFor) {
  const int64_t before_ms = static_cast<int64_t>(std::time(nullptr)) * 1000;
  MustSend("q2", "m");
  v1::ReceiveMessageRequest req = ReceiveRequest("q2", 0, 0);  // 0: one message
  req.add_message_system_attribute_names("SentTimestamp");
  req.add_message_system_attribute_names("ApproximateReceiveCount");
  req.add_message_attribute_names("All");  // no message carries any yet
  v1::ReceiveMessageResponse resp;
  ASSERT_RPC_OK(Receive(req, &resp));
  ASSERT_EQ(resp.messages_size(), 1);
  const auto& attrs = resp.messages(0).attributes();
  EXPECT_EQ(attrs.size(), 2u);
  EXPECT_EQ(attrs.at("ApproximateReceiveCount"), "1");
  EXPECT_GE(std::stoll(attrs.at("SentTimestamp")), before_ms);
  EXPECT_TRUE(resp.messages(0).message_attributes().empty());

  req.clear_message_system_attribute_names();
  req.add_message_system_attribute_names("All");
  req.clear_message_attribute_names();
  req.add_message_attribute_names("ERROR_.*");
  ASSERT_RPC_OK(Receive(req, &resp));
  ASSERT_EQ(resp.messages_size(), 1);
  const auto& all = resp.messages(0).attributes();
  EXPECT_EQ(all.size(), 3u);  // AWSTraceHeader only when the event had a trace header
  EXPECT_EQ(all.at("ApproximateReceiveCount"), "2");
  EXPECT_GE(std::stoll(all.at("ApproximateFirstReceiveTimestamp")),
            std::stoll(all.at("SentTimestamp")));
}

TEST_F(QueuesServiceTest, ReceiveMessageRefusesBadFieldsAndHidesNothing) {
  MustSend("q2", "m");
  struct Case {
    v1::ReceiveMessageRequest req;
    std::string expected;
  };
  std::vector<Case> cases;
  cases.push_back({ReceiveRequest("q2", 11),
                   "InvalidParameterValue: MaxNumberOfMessages must be "
                   "between 1 and 10, got 11"});
  cases.push_back({ReceiveRequest("q2", -1), "InvalidParameterValue: MaxNumberOfMessages"});
  cases.push_back({ReceiveRequest("q2", 1, 43201),
                   "InvalidParameterValue: VisibilityTimeout must be between 0 and 43200, got "
                   "43201"});
  cases.push_back({ReceiveRequest("q2", 1, -1), "InvalidParameterValue: VisibilityTimeout"});
  v1::ReceiveMessageRequest wait = ReceiveRequest("q2");
  wait.set_wait_time_seconds(21);
  cases.push_back(
      {wait, "InvalidParameterValue: WaitTimeSeconds must be between 0 and 20, got 21"});
  v1::ReceiveMessageRequest attr = ReceiveRequest("q2");
  attr.add_message_system_attribute_names("SentTimestamp");
  attr.add_message_system_attribute_names("SenderId");
  cases.push_back({attr, "InvalidAttributeName: unknown message system attribute 'SenderId'"});
  for (const Case& c : cases) {
    v1::ReceiveMessageResponse resp;
    EXPECT_RPC_ERROR(Receive(c.req, &resp), INVALID_ARGUMENT, c.expected);
  }
  EXPECT_EQ(Visible("q2"), 1);  // no refused call received it
  v1::ReceiveMessageResponse resp;
  EXPECT_RPC_ERROR(Receive(ReceiveRequest("ghost"), &resp), NOT_FOUND,
                   "QueueDoesNotExist: The specified queue ghost does not exist.");
  v1::ReceiveMessageRequest none;
  EXPECT_RPC_ERROR(Receive(none, &resp), INVALID_ARGUMENT, "MissingParameter: ");
}

// --- DeleteMessage, DeleteMessageBatch

TEST_F(QueuesServiceTest, DeleteMessage) {
  MustSend("q2", "m");
  std::string handle = MustReceive("q2", 1, 0)[0].receipt_handle();
  std::string latest = MustReceive("q2", 1, 30)[0].receipt_handle();
  EXPECT_RPC_ERROR(DeleteMessage("q2", handle), INVALID_ARGUMENT,
                   "ReceiptHandleIsInvalid: receipt handle is not the latest one of a message in "
                   "the queue (queue 'q2')");
  EXPECT_RPC_ERROR(DeleteMessage("q2", "garbage"), INVALID_ARGUMENT,
                   "ReceiptHandleIsInvalid: receipt handle 'garbage' is malformed");
  EXPECT_RPC_ERROR(DeleteMessage("q1", latest), INVALID_ARGUMENT, "ReceiptHandleIsInvalid: ");
  EXPECT_RPC_ERROR(DeleteMessage("q2", ""), INVALID_ARGUMENT,
                   "MissingParameter: receipt_handle is required");
  ASSERT_RPC_OK(DeleteMessage("q2", latest));
  ASSERT_RPC_OK(DeleteMessage("q2", latest));  // gone already: succeeds again
  EXPECT_EQ(InFlight("q2"), 0);
  EXPECT_RPC_ERROR(DeleteMessage("ghost", latest), NOT_FOUND, "QueueDoesNotExist: ");
}

TEST_F(QueuesServiceTest, DeleteMessageBatchAnswersEachEntry) {
  for (int i = 0; i < 4; ++i) MustSend("q2", absl::StrCat("m", i));
  std::vector<v1::Message> got = MustReceive("q2", 4);
  ASSERT_EQ(got.size(), 4u);
  v1::DeleteMessageBatchResponse resp;
  ASSERT_RPC_OK(DeleteBatch("q2",
                            {{"a", got[0].receipt_handle()},
                             {"bad", "garbage"},
                             {"b", got[1].receipt_handle()},
                             {"none", ""},
                             {"c_2", got[2].receipt_handle()}},
                            &resp));
  std::vector<std::string> ok;
  for (const auto& s : resp.successful()) ok.push_back(s.id());
  EXPECT_EQ(ok, (std::vector<std::string>{"a", "b", "c_2"}));
  ASSERT_EQ(resp.failed_size(), 2);
  EXPECT_EQ(resp.failed(0).id(), "bad");
  EXPECT_TRUE(resp.failed(0).sender_fault());
  EXPECT_EQ(resp.failed(0).code(), "ReceiptHandleIsInvalid");
  EXPECT_EQ(resp.failed(0).message(), "receipt handle 'garbage' is malformed (queue 'q2')");
  EXPECT_EQ(resp.failed(1).id(), "none");
  EXPECT_EQ(resp.failed(1).code(), "ReceiptHandleIsInvalid");
  EXPECT_EQ(InFlight("q2"), 1);

  // Again: the deleted ones are gone, which succeeds.
  ASSERT_RPC_OK(
      DeleteBatch("q2", {{"a", got[0].receipt_handle()}, {"d", got[3].receipt_handle()}}, &resp));
  EXPECT_EQ(resp.successful_size(), 2);
  EXPECT_EQ(resp.failed_size(), 0);
  EXPECT_EQ(InFlight("q2"), 0);
}

TEST_F(QueuesServiceTest, DeleteMessageBatchRequestErrors) {
  MustSend("q2", "m");
  const std::string handle = MustReceive("q2")[0].receipt_handle();
  v1::DeleteMessageBatchResponse resp;
  EXPECT_RPC_ERROR(DeleteBatch("q2", {}, &resp), INVALID_ARGUMENT, "EmptyBatchRequest: ");
  std::vector<std::pair<std::string, std::string>> eleven;
  for (int i = 0; i < 11; ++i) eleven.emplace_back(absl::StrCat("e", i), handle);
  EXPECT_RPC_ERROR(DeleteBatch("q2", eleven, &resp), INVALID_ARGUMENT,
                   "TooManyEntriesInBatchRequest: the request has 11 entries; at most 10");
  EXPECT_RPC_ERROR(DeleteBatch("q2", {{"x", handle}, {"y", "1-a"}, {"x", "2-b"}}, &resp),
                   INVALID_ARGUMENT,
                   "BatchEntryIdsNotDistinct: entries[0] and entries[2] have the id 'x'");
  for (const std::string& bad :
       {std::string(""), std::string("a b"), std::string("a.b"), std::string(81, 'i')}) {
    EXPECT_RPC_ERROR(DeleteBatch("q2", {{"ok", handle}, {bad, "1-a"}}, &resp), INVALID_ARGUMENT,
                     absl::StrCat("InvalidBatchEntryId: entries[1] has the id '", bad, "'"));
  }
  EXPECT_EQ(InFlight("q2"), 1);  // no refused request deleted anything
  std::vector<std::pair<std::string, std::string>> ten;
  for (int i = 0; i < 9; ++i) ten.emplace_back(absl::StrCat("gone-", i), "1-0");
  ten.emplace_back(std::string(80, 'i'), handle);
  ASSERT_RPC_OK(DeleteBatch("q2", ten, &resp));
  EXPECT_EQ(resp.successful_size() + resp.failed_size(), 10);
  EXPECT_EQ(InFlight("q2"), 0);
  EXPECT_RPC_ERROR(DeleteBatch("ghost", {{"a", handle}}, &resp), NOT_FOUND,
                   "QueueDoesNotExist: The specified queue ghost does not exist.");
  v1::DeleteMessageBatchRequest none;
  none.add_entries()->set_id("a");
  EXPECT_RPC_ERROR(Rpc(queues_.get(), &Stub::DeleteMessageBatch, none, &resp), INVALID_ARGUMENT,
                   "MissingParameter: ");
}

// --- ChangeMessageVisibility, PurgeQueue

TEST_F(QueuesServiceTest, ChangeMessageVisibility) {
  MustSend("q2", "m");
  std::string handle = MustReceive("q2", 1, 300)[0].receipt_handle();
  EXPECT_EQ(InFlight("q2"), 1);
  ASSERT_RPC_OK(ChangeVisibility("q2", handle, 600));
  EXPECT_TRUE(MustReceive("q2").empty());
  ASSERT_RPC_OK(ChangeVisibility("q2", handle, 0));  // visible at once
  EXPECT_EQ(Visible("q2"), 1);
  EXPECT_RPC_ERROR(ChangeVisibility("q2", handle, 30), FAILED_PRECONDITION,
                   "MessageNotInflight: the message of this receipt handle is visible already");

  std::string latest = MustReceive("q2", 1, 300)[0].receipt_handle();
  EXPECT_RPC_ERROR(ChangeVisibility("q2", latest, std::nullopt), INVALID_ARGUMENT,
                   "MissingParameter: visibility_timeout is required (0 is a value)");
  EXPECT_RPC_ERROR(ChangeVisibility("q2", "", 10), INVALID_ARGUMENT,
                   "MissingParameter: receipt_handle is required");
  EXPECT_RPC_ERROR(ChangeVisibility("q2", latest, 43201), INVALID_ARGUMENT,
                   "InvalidParameterValue: VisibilityTimeout must be between 0 and 43200, got "
                   "43201");
  EXPECT_RPC_ERROR(ChangeVisibility("q2", latest, -1), INVALID_ARGUMENT,
                   "InvalidParameterValue: VisibilityTimeout");
  EXPECT_RPC_ERROR(ChangeVisibility("q2", handle, 10), INVALID_ARGUMENT,
                   "ReceiptHandleIsInvalid: receipt handle is not the latest one");
  EXPECT_RPC_ERROR(ChangeVisibility("q2", "x-y", 10), INVALID_ARGUMENT,
                   "ReceiptHandleIsInvalid: receipt handle 'x-y' is malformed");
  EXPECT_EQ(InFlight("q2"), 1);  // the refused calls changed nothing
  ASSERT_RPC_OK(DeleteMessage("q2", latest));
  EXPECT_RPC_ERROR(ChangeVisibility("q2", latest, 10), INVALID_ARGUMENT,
                   "ReceiptHandleIsInvalid: the message of this receipt handle no longer exists");
  EXPECT_RPC_ERROR(ChangeVisibility("ghost", latest, 10), NOT_FOUND, "QueueDoesNotExist: ");
}

TEST_F(QueuesServiceTest, PurgeQueueDeletesEveryMessage) {
  for (int i = 0; i < 3; ++i) MustSend("q2", "m");
  MustSend("q1", "other queue");
  ASSERT_EQ(MustReceive("q2", 1).size(), 1u);
  ASSERT_RPC_OK(Purge("q2"));
  EXPECT_EQ(Visible("q2"), 0);
  EXPECT_EQ(InFlight("q2"), 0);
  EXPECT_EQ(Visible("q1"), 1);
  ASSERT_RPC_OK(Purge("q2"));  // no wait between purges
  EXPECT_RPC_ERROR(Purge("ghost"), NOT_FOUND,
                   "QueueDoesNotExist: The specified queue ghost does not exist.");
  v1::PurgeQueueRequest none;
  v1::PurgeQueueResponse resp;
  EXPECT_RPC_ERROR(Rpc(queues_.get(), &Stub::PurgeQueue, none, &resp), INVALID_ARGUMENT,
                   "MissingParameter: set queue_url or queue_name");
}

TEST_F(QueuesServiceTest, QueuesAndTheirAttributesSurviveARestart) {
  ASSERT_RPC_OK(Create("kept", {{"VisibilityTimeout", "7"}}));
  ASSERT_RPC_OK(Set("kept", {{"MessageRetentionPeriod", "120"}}));
  MustSend("kept", "durable");
  const Attributes before = All("kept");
  Start();
  EXPECT_EQ(All("kept"), before);
  std::vector<v1::Message> got = MustReceive("kept");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body(), "durable");
}

}  // namespace
}  // namespace busbar::bus::testing
