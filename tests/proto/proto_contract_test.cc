// Contract test of busbar.v1 (proto/busbar/v1/*.proto): the services have exactly the
// expected RPCs with their request and response types, wire-visible field numbers stay
// put, and messages survive serialization. A renamed, removed or added RPC, or a
// renumbered field, fails here; change this test only together with the contract.
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "busbar/v1/buses.grpc.pb.h"
#include "busbar/v1/events.grpc.pb.h"
#include "busbar/v1/functions.grpc.pb.h"
#include "busbar/v1/queues.grpc.pb.h"
#include "busbar/v1/rules.grpc.pb.h"
#include "busbar/v1/schemas.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace busbar::v1 {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;
using google::protobuf::util::MessageDifferencer;

// Serializes `message` to bytes and parses them into a fresh message of the same type.
template <typename M>
M RoundTrip(const M& message) {
  std::string bytes;
  EXPECT_TRUE(message.SerializeToString(&bytes));
  M parsed;
  EXPECT_TRUE(parsed.ParseFromString(bytes));
  return parsed;
}

// Expects a round trip to give back an equal message (fields, maps, presence, oneofs).
template <typename M>
void ExpectRoundTrips(const M& message) {
  M parsed = RoundTrip(message);
  EXPECT_TRUE(MessageDifferencer::Equals(message, parsed)) << "sent:\n"
                                                           << message.DebugString() << "got back:\n"
                                                           << parsed.DebugString();
}

// The RPCs of each service, in declaration order.
const std::map<std::string, std::vector<std::string>>& ExpectedServices() {
  static const auto* services = new std::map<std::string, std::vector<std::string>>{
      {"busbar.v1.EventsService", {"PutEvents", "TestEventPattern"}},
      {"busbar.v1.BusesService",
       {"CreateEventBus", "DeleteEventBus", "DescribeEventBus", "ListEventBuses"}},
      {"busbar.v1.RulesService",
       {"PutRule", "DeleteRule", "DescribeRule", "ListRules", "EnableRule", "DisableRule",
        "PutTargets", "RemoveTargets", "ListTargetsByRule", "GetRuleMetrics"}},
      {"busbar.v1.QueuesService",
       {"CreateQueue", "DeleteQueue", "ListQueues", "GetQueueUrl", "GetQueueAttributes",
        "SetQueueAttributes", "SendMessage", "ReceiveMessage", "DeleteMessage",
        "DeleteMessageBatch", "ChangeMessageVisibility", "PurgeQueue"}},
      {"busbar.v1.SchemasService",
       {"ListRegistries", "CreateRegistry", "DescribeRegistry", "UpdateRegistry", "DeleteRegistry",
        "CreateSchema", "UpdateSchema", "DescribeSchema", "DeleteSchema", "DeleteSchemaVersion",
        "ListSchemas", "ListSchemaVersions", "SearchSchemas", "ExportSchema", "GetDiscoveredSchema",
        "DiffSchemaVersions", "ListDiscoverers", "StartDiscoverer", "StopDiscoverer"}},
      {"busbar.v1.FunctionsService",
       {"CreateFunction", "UpdateFunction", "DeleteFunction", "GetFunction", "ListFunctions",
        "Invoke", "GetFunctionLogs"}},
  };
  return *services;
}

// The generated pool registers a .proto file when its generated code is linked in;
// naming one message of each file guarantees that before the pool is searched.
void LinkAllFiles() {
  ASSERT_NE(PutEventsRequest::descriptor(), nullptr);
  ASSERT_NE(EventBus::descriptor(), nullptr);
  ASSERT_NE(Rule::descriptor(), nullptr);
  ASSERT_NE(Message::descriptor(), nullptr);
  ASSERT_NE(Schema::descriptor(), nullptr);
  ASSERT_NE(FunctionConfiguration::descriptor(), nullptr);
}

TEST(ProtoContract, ServicesHaveExactlyTheExpectedMethods) {
  LinkAllFiles();
  const DescriptorPool* pool = DescriptorPool::generated_pool();
  for (const auto& [service_name, methods] : ExpectedServices()) {
    SCOPED_TRACE(service_name);
    const ServiceDescriptor* service = pool->FindServiceByName(service_name);
    ASSERT_NE(service, nullptr) << "service missing from the generated pool";
    std::vector<std::string> actual;
    for (int i = 0; i < service->method_count(); ++i) actual.push_back(service->method(i)->name());
    EXPECT_EQ(actual, methods);
  }
}

TEST(ProtoContract, MethodsAreUnaryWithNamedRequestAndResponse) {
  LinkAllFiles();
  const DescriptorPool* pool = DescriptorPool::generated_pool();
  for (const auto& [service_name, methods] : ExpectedServices()) {
    for (const std::string& name : methods) {
      SCOPED_TRACE(service_name + "." + name);
      const MethodDescriptor* method = pool->FindMethodByName(service_name + "." + name);
      ASSERT_NE(method, nullptr);
      EXPECT_EQ(method->input_type()->full_name(), "busbar.v1." + name + "Request");
      EXPECT_EQ(method->output_type()->full_name(), "busbar.v1." + name + "Response");
      EXPECT_FALSE(method->client_streaming());
      EXPECT_FALSE(method->server_streaming());
    }
  }
}

TEST(ProtoContract, EachFileHoldsOneServiceOfPackageBusbarV1) {
  LinkAllFiles();
  const std::map<std::string, std::string> files = {
      {"busbar/v1/events.proto", "EventsService"},
      {"busbar/v1/buses.proto", "BusesService"},
      {"busbar/v1/rules.proto", "RulesService"},
      {"busbar/v1/queues.proto", "QueuesService"},
      {"busbar/v1/schemas.proto", "SchemasService"},
      {"busbar/v1/functions.proto", "FunctionsService"},
  };
  for (const auto& [path, service] : files) {
    SCOPED_TRACE(path);
    const FileDescriptor* file = DescriptorPool::generated_pool()->FindFileByName(path);
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(file->package(), "busbar.v1");
    EXPECT_EQ(file->syntax(), FileDescriptor::SYNTAX_PROTO3);
    ASSERT_EQ(file->service_count(), 1);
    EXPECT_EQ(file->service(0)->name(), service);
  }
}

TEST(ProtoContract, GeneratedGrpcServicesCarryTheirFullNames) {
  EXPECT_STREQ(EventsService::service_full_name(), "busbar.v1.EventsService");
  EXPECT_STREQ(BusesService::service_full_name(), "busbar.v1.BusesService");
  EXPECT_STREQ(RulesService::service_full_name(), "busbar.v1.RulesService");
  EXPECT_STREQ(QueuesService::service_full_name(), "busbar.v1.QueuesService");
  EXPECT_STREQ(SchemasService::service_full_name(), "busbar.v1.SchemasService");
  EXPECT_STREQ(FunctionsService::service_full_name(), "busbar.v1.FunctionsService");
}

// A service implementation compiles against the generated base class (a renamed RPC
// breaks `override`) and links against gRPC.
class FakeEventsService final : public EventsService::Service {
 public:
  grpc::Status PutEvents(grpc::ServerContext*, const PutEventsRequest* request,
                         PutEventsResponse* response) override {
    for (int i = 0; i < request->entries_size(); ++i) {
      response->add_entries()->set_event_id("id-" + std::to_string(i));
    }
    return grpc::Status::OK;
  }
  grpc::Status TestEventPattern(grpc::ServerContext*, const TestEventPatternRequest*,
                                TestEventPatternResponse* response) override {
    response->set_result(true);
    return grpc::Status::OK;
  }
};

TEST(ProtoContract, ServiceImplementationOverridesGeneratedMethods) {
  FakeEventsService service;
  PutEventsRequest request;
  request.add_entries();
  request.add_entries();
  PutEventsResponse response;
  ASSERT_TRUE(service.PutEvents(nullptr, &request, &response).ok());
  ASSERT_EQ(response.entries_size(), 2);
  EXPECT_EQ(response.entries(1).event_id(), "id-1");
}

// Field numbers are the wire format: renumbering one silently breaks old clients.
TEST(ProtoContract, FieldNumbersAreStable) {
  const std::vector<std::pair<std::string, std::vector<std::pair<std::string, int>>>> expected = {
      {"busbar.v1.PutEventsRequestEntry",
       {{"time", 1},
        {"source", 2},
        {"resources", 3},
        {"detail_type", 4},
        {"detail", 5},
        {"event_bus_name", 6},
        {"trace_header", 7}}},
      {"busbar.v1.PutEventsResponse", {{"failed_entry_count", 1}, {"entries", 2}}},
      {"busbar.v1.PutEventsResultEntry",
       {{"event_id", 1}, {"error_code", 2}, {"error_message", 3}}},
      {"busbar.v1.Rule",
       {{"name", 1},
        {"arn", 2},
        {"event_pattern", 3},
        {"state", 4},
        {"description", 5},
        {"event_bus_name", 6}}},
      {"busbar.v1.Target",
       {{"id", 1},
        {"arn", 2},
        {"input", 3},
        {"input_path", 4},
        {"input_transformer", 5},
        {"retry_policy", 6},
        {"dead_letter_config", 7},
        {"http_parameters", 8}}},
      {"busbar.v1.HttpParameters",
       {{"path_parameter_values", 1}, {"header_parameters", 2}, {"query_string_parameters", 3}}},
      {"busbar.v1.TargetMetrics",
       {{"id", 1},
        {"invocations", 2},
        {"failed_invocations", 3},
        {"invocations_sent_to_dlq", 4},
        {"invocations_failed_to_be_sent_to_dlq", 5},
        {"invocation_attempts", 6}}},
      {"busbar.v1.InvokeRequest",
       {{"function_name", 1}, {"invocation_type", 2}, {"payload", 3}, {"log_type", 4}}},
      {"busbar.v1.InvokeResponse",
       {{"status_code", 1},
        {"function_error", 2},
        {"payload", 3},
        {"log_result", 4},
        {"executed_version", 5},
        {"request_id", 6},
        {"cold_start", 7}}},
      {"busbar.v1.InputTransformer", {{"input_paths_map", 1}, {"input_template", 2}}},
      {"busbar.v1.RetryPolicy",
       {{"maximum_retry_attempts", 1}, {"maximum_event_age_in_seconds", 2}}},
      {"busbar.v1.PutTargetsResponse", {{"failed_entry_count", 1}, {"failed_entries", 2}}},
      {"busbar.v1.PutTargetsResultEntry",
       {{"target_id", 1}, {"error_code", 2}, {"error_message", 3}}},
      {"busbar.v1.ListRulesRequest",
       {{"name_prefix", 1}, {"event_bus_name", 2}, {"next_token", 3}, {"limit", 4}}},
      {"busbar.v1.ReceiveMessageRequest",
       {{"queue_url", 1},
        {"queue_name", 2},
        {"max_number_of_messages", 3},
        {"visibility_timeout", 4},
        {"wait_time_seconds", 5},
        {"message_system_attribute_names", 6},
        {"message_attribute_names", 7}}},
      {"busbar.v1.Message",
       {{"message_id", 1},
        {"receipt_handle", 2},
        {"md5_of_body", 3},
        {"body", 4},
        {"attributes", 5},
        {"message_attributes", 6},
        {"md5_of_message_attributes", 7}}},
  };
  LinkAllFiles();
  for (const auto& [message_name, fields] : expected) {
    const Descriptor* message =
        DescriptorPool::generated_pool()->FindMessageTypeByName(message_name);
    ASSERT_NE(message, nullptr) << message_name;
    EXPECT_EQ(message->field_count(), static_cast<int>(fields.size()))
        << message_name << " gained or lost fields; update this table with the contract";
    for (const auto& [field_name, number] : fields) {
      const FieldDescriptor* field = message->FindFieldByName(field_name);
      ASSERT_NE(field, nullptr) << message_name << "." << field_name;
      EXPECT_EQ(field->number(), number) << message_name << "." << field_name;
    }
  }
}

TEST(ProtoContract, ScheduleExpressionIsReservedOnRules) {
  for (const Descriptor* message : {Rule::descriptor(), PutRuleRequest::descriptor()}) {
    SCOPED_TRACE(message->full_name());
    EXPECT_TRUE(message->IsReservedName("schedule_expression"));
    EXPECT_EQ(message->FindFieldByName("schedule_expression"), nullptr);
  }
  EXPECT_TRUE(Rule::descriptor()->IsReservedNumber(7));
  EXPECT_TRUE(PutRuleRequest::descriptor()->IsReservedNumber(6));
}

TEST(ProtoContract, RuleStateValuesMatchEventBridgeNames) {
  EXPECT_EQ(RULE_STATE_UNSPECIFIED, 0);
  EXPECT_EQ(RULE_STATE_ENABLED, 1);
  EXPECT_EQ(RULE_STATE_DISABLED, 2);
  // The AWS value is the name without its prefix.
  EXPECT_EQ(RuleState_Name(RULE_STATE_ENABLED), "RULE_STATE_ENABLED");
  EXPECT_EQ(RuleState_Name(RULE_STATE_DISABLED), "RULE_STATE_DISABLED");
}

TEST(ProtoRoundTrip, PutEventsRequestKeepsEveryEntryField) {
  PutEventsRequest request;
  PutEventsRequestEntry* entry = request.add_entries();
  entry->set_time("2024-05-01T14:00:00.250+02:00");
  entry->set_source("com.example.orders");
  entry->add_resources("arn:aws:s3:::bucket-a");
  entry->add_resources("arn:aws:s3:::bucket-b");
  entry->set_detail_type("Order Placed");
  entry->set_detail(R"({"id":"o-1","total":12.5,"note":"caf\u00e9 \u2615"})");
  entry->set_event_bus_name("orders");
  entry->set_trace_header("Root=1-5759e988-bd862e3fe1be46a994272793");
  PutEventsRequestEntry* second = request.add_entries();
  second->set_source("com.example.ünicode");
  second->set_detail_type("Ünïcode ☕");
  second->set_detail("{}");

  ExpectRoundTrips(request);
  PutEventsRequest parsed = RoundTrip(request);
  ASSERT_EQ(parsed.entries_size(), 2);
  EXPECT_EQ(parsed.entries(0).resources(1), "arn:aws:s3:::bucket-b");
  EXPECT_EQ(parsed.entries(1).detail_type(), "Ünïcode ☕");
  EXPECT_EQ(parsed.entries(1).event_bus_name(), "");  // empty: the default bus
}

TEST(ProtoRoundTrip, PutEventsResponseKeepsEntryOrderAndErrors) {
  PutEventsResponse response;
  response.set_failed_entry_count(1);
  response.add_entries()->set_event_id("6a7e8feb-b491-4cf7-a9f1-bf3703467718");
  PutEventsResultEntry* failed = response.add_entries();
  failed->set_error_code("MalformedDetail");
  failed->set_error_message("Detail is malformed.");

  ExpectRoundTrips(response);
  PutEventsResponse parsed = RoundTrip(response);
  ASSERT_EQ(parsed.entries_size(), 2);
  EXPECT_EQ(parsed.entries(0).error_code(), "");
  EXPECT_EQ(parsed.entries(1).error_code(), "MalformedDetail");
}

TEST(ProtoRoundTrip, PutTargetsRequestKeepsTransformerAndExplicitZeroRetries) {
  PutTargetsRequest request;
  request.set_rule("orders-to-queue");
  request.set_event_bus_name("orders");
  Target* target = request.add_targets();
  target->set_id("q1");
  target->set_arn("arn:aws:sqs:us-east-1:123456789012:orders-queue");
  (*target->mutable_input_transformer()->mutable_input_paths_map())["status"] = "$.detail.status";
  (*target->mutable_input_transformer()->mutable_input_paths_map())["id"] = "$.detail.id";
  target->mutable_input_transformer()->set_input_template(R"({"id": <id>, "status": <status>})");
  target->mutable_retry_policy()->set_maximum_retry_attempts(0);  // set, though zero
  target->mutable_dead_letter_config()->set_arn("arn:aws:sqs:us-east-1:123456789012:orders-dlq");

  ExpectRoundTrips(request);
  PutTargetsRequest parsed = RoundTrip(request);
  const Target& got = parsed.targets(0);
  EXPECT_EQ(got.input_transformer().input_paths_map().at("status"), "$.detail.status");
  EXPECT_TRUE(got.retry_policy().has_maximum_retry_attempts());
  EXPECT_EQ(got.retry_policy().maximum_retry_attempts(), 0);
  EXPECT_FALSE(got.retry_policy().has_maximum_event_age_in_seconds());  // server default
  EXPECT_TRUE(got.has_dead_letter_config());
}

TEST(ProtoRoundTrip, DescribeRuleResponseKeepsRule) {
  DescribeRuleResponse response;
  Rule* rule = response.mutable_rule();
  rule->set_name("orders-to-queue");
  rule->set_arn("arn:aws:events:us-east-1:123456789012:rule/orders/orders-to-queue");
  rule->set_event_pattern(R"({"source":["com.example.orders"]})");
  rule->set_state(RULE_STATE_DISABLED);
  rule->set_description("Orders into the orders queue");
  rule->set_event_bus_name("orders");

  ExpectRoundTrips(response);
  EXPECT_EQ(RoundTrip(response).rule().state(), RULE_STATE_DISABLED);
}

TEST(ProtoRoundTrip, EventBusKeepsTimestamps) {
  ListEventBusesResponse response;
  EventBus* bus = response.add_event_buses();
  bus->set_name("default");
  bus->set_arn("arn:aws:events:us-east-1:123456789012:event-bus/default");
  bus->mutable_creation_time()->set_seconds(1714564800);
  bus->mutable_last_modified_time()->set_seconds(1714564801);
  bus->mutable_last_modified_time()->set_nanos(250000000);
  response.set_next_token("opaque-token");

  ExpectRoundTrips(response);
  EXPECT_EQ(RoundTrip(response).event_buses(0).last_modified_time().nanos(), 250000000);
}

TEST(ProtoRoundTrip, ReceiveMessageRequestKeepsQueueChoiceAndOptionalZeros) {
  ReceiveMessageRequest request;
  request.set_queue_name("orders-queue");
  request.set_max_number_of_messages(10);
  request.set_visibility_timeout(0);  // set, though zero: not the queue default
  request.add_message_system_attribute_names("All");

  ExpectRoundTrips(request);
  ReceiveMessageRequest parsed = RoundTrip(request);
  EXPECT_EQ(parsed.queue_case(), ReceiveMessageRequest::kQueueName);
  EXPECT_TRUE(parsed.has_visibility_timeout());
  EXPECT_FALSE(parsed.has_wait_time_seconds());  // the queue's default wait

  request.set_queue_url("http://127.0.0.1:4195/123456789012/orders-queue");  // replaces name
  parsed = RoundTrip(request);
  EXPECT_EQ(parsed.queue_case(), ReceiveMessageRequest::kQueueUrl);
  EXPECT_EQ(parsed.queue_name(), "");
}

TEST(ProtoRoundTrip, ReceiveMessageResponseKeepsAttributes) {
  ReceiveMessageResponse response;
  Message* message = response.add_messages();
  message->set_message_id("5fea7756-0ea4-451a-a703-a558b933e274");
  message->set_receipt_handle("opaque-receipt");
  message->set_md5_of_body("fafb00f5732ab283681e124bf8747ed1");
  message->set_body(R"({"version":"0","id":"6a7e8feb","detail-type":"Order Placed"})");
  (*message->mutable_attributes())["ApproximateReceiveCount"] = "2";
  (*message->mutable_attributes())["SentTimestamp"] = "1714564800000";
  (*message->mutable_attributes())["ApproximateFirstReceiveTimestamp"] = "1714564800100";
  MessageAttributeValue& code = (*message->mutable_message_attributes())["ERROR_CODE"];
  code.set_data_type("String");
  code.set_string_value("SDK_CLIENT_ERROR");
  MessageAttributeValue& blob = (*message->mutable_message_attributes())["raw"];
  blob.set_data_type("Binary");
  blob.set_binary_value(std::string("\x00\xff\x01", 3));

  ExpectRoundTrips(response);
  ReceiveMessageResponse parsed = RoundTrip(response);
  const Message& got = parsed.messages(0);
  EXPECT_EQ(got.attributes().at("ApproximateReceiveCount"), "2");
  EXPECT_EQ(got.message_attributes().at("raw").binary_value(), std::string("\x00\xff\x01", 3));
}

TEST(ProtoRoundTrip, QueueRequestsKeepAttributeMapsAndBatchResults) {
  CreateQueueRequest create;
  create.set_queue_name("orders-queue");
  (*create.mutable_attributes())["VisibilityTimeout"] = "60";
  (*create.mutable_attributes())["RedrivePolicy"] =
      R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:orders-dlq","maxReceiveCount":5})";
  ExpectRoundTrips(create);

  DeleteMessageBatchResponse batch;
  batch.add_successful()->set_id("a");
  BatchResultErrorEntry* failed = batch.add_failed();
  failed->set_id("b");
  failed->set_sender_fault(true);
  failed->set_code("ReceiptHandleIsInvalid");
  failed->set_message("The receipt handle is stale.");
  ExpectRoundTrips(batch);

  ChangeMessageVisibilityRequest change;
  change.set_queue_url("http://127.0.0.1:4195/123456789012/orders-queue");
  change.set_receipt_handle("opaque-receipt");
  change.set_visibility_timeout(0);
  EXPECT_TRUE(RoundTrip(change).has_visibility_timeout());
}

}  // namespace
}  // namespace busbar::v1
