// FunctionToProto and FunctionFromProto; see function_proto.h. A new function property is one
// line in each.
#include "bus/server/function_proto.h"

#include "busbar/v1/functions.pb.h"

namespace busbar::bus {

void FunctionToProto(const targets::Function& f, v1::FunctionConfiguration* out) {
  out->Clear();
  out->set_function_name(f.name);
  for (const std::string& a : f.command) out->add_command(a);
  out->set_code_directory(f.code_directory);
  out->set_handler(f.handler);
  out->set_description(f.description);
  for (const auto& [k, v] : f.environment) (*out->mutable_environment())[k] = v;
  out->set_timeout(f.timeout_s);
  out->set_memory_size(f.memory_size_mb);
  if (f.reserved_concurrent_executions) {
    out->set_reserved_concurrent_executions(*f.reserved_concurrent_executions);
  }
  const targets::EventInvokeConfig& invoke = f.invoke_config;
  out->set_maximum_retry_attempts(invoke.maximum_retry_attempts);
  out->set_maximum_event_age_in_seconds(invoke.maximum_event_age_in_seconds);
  if (invoke.on_success) out->set_on_success_destination(invoke.on_success->arn);
  if (invoke.on_failure) out->set_on_failure_destination(invoke.on_failure->arn);
  out->set_function_arn(f.arn);
}

targets::Function FunctionFromProto(const v1::FunctionConfiguration& in) {
  targets::Function f;
  f.name = in.function_name();
  f.command.assign(in.command().begin(), in.command().end());
  f.code_directory = in.code_directory();
  f.handler = in.handler();
  f.description = in.description();
  for (const auto& [k, v] : in.environment()) f.environment.emplace(k, v);
  if (in.has_timeout()) f.timeout_s = in.timeout();
  if (in.has_memory_size()) f.memory_size_mb = in.memory_size();
  if (in.has_reserved_concurrent_executions()) {
    f.reserved_concurrent_executions = in.reserved_concurrent_executions();
  }
  targets::EventInvokeConfig& invoke = f.invoke_config;
  if (in.has_maximum_retry_attempts()) invoke.maximum_retry_attempts = in.maximum_retry_attempts();
  if (in.has_maximum_event_age_in_seconds()) {
    invoke.maximum_event_age_in_seconds = in.maximum_event_age_in_seconds();
  }
  if (!in.on_success_destination().empty()) {
    invoke.on_success.emplace().arn = in.on_success_destination();
  }
  if (!in.on_failure_destination().empty()) {
    invoke.on_failure.emplace().arn = in.on_failure_destination();
  }
  f.arn = in.function_arn();
  return f;
}

}  // namespace busbar::bus
