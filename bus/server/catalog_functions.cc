// The catalog's functions and the encodings of what it keeps as proto text; see catalog.h.
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "bus/server/catalog.h"
#include "busbar/v1/functions.pb.h"
#include "busbar/v1/rules.pb.h"

namespace busbar::bus {

namespace v1 = ::busbar::v1;

std::string EncodeHttpParameters(const config::HttpParameters& p) {
  v1::HttpParameters out;
  for (const std::string& v : p.path_parameter_values) out.add_path_parameter_values(v);
  for (const auto& [k, v] : p.header_parameters) (*out.mutable_header_parameters())[k] = v;
  for (const auto& [k, v] : p.query_string_parameters) {
    (*out.mutable_query_string_parameters())[k] = v;
  }
  return absl::Base64Escape(out.SerializeAsString());
}

config::HttpParameters DecodeHttpParameters(std::string_view text) {
  config::HttpParameters p;
  std::string bytes;
  v1::HttpParameters in;
  if (!absl::Base64Unescape(std::string(text), &bytes) || !in.ParseFromString(bytes)) return p;
  for (const std::string& v : in.path_parameter_values()) p.path_parameter_values.push_back(v);
  for (const auto& [k, v] : in.header_parameters()) p.header_parameters.emplace(k, v);
  for (const auto& [k, v] : in.query_string_parameters()) p.query_string_parameters.emplace(k, v);
  return p;
}

std::string EncodeFunction(const config::Function& f) {
  v1::FunctionConfiguration out;
  out.set_function_name(f.name);
  for (const std::string& a : f.command) out.add_command(a);
  out.set_code_directory(f.code_directory);
  out.set_handler(f.handler);
  out.set_description(f.description);
  for (const auto& [k, v] : f.environment) (*out.mutable_environment())[k] = v;
  out.set_timeout(f.timeout_s);
  out.set_memory_size(f.memory_size_mb);
  if (f.reserved_concurrent_executions) {
    out.set_reserved_concurrent_executions(*f.reserved_concurrent_executions);
  }
  out.set_maximum_retry_attempts(f.invoke_config.maximum_retry_attempts);
  out.set_maximum_event_age_in_seconds(f.invoke_config.maximum_event_age_in_seconds);
  if (f.invoke_config.on_success) out.set_on_success_destination(f.invoke_config.on_success->arn);
  if (f.invoke_config.on_failure) out.set_on_failure_destination(f.invoke_config.on_failure->arn);
  out.set_function_arn(f.arn);
  return absl::Base64Escape(out.SerializeAsString());
}

absl::StatusOr<config::Function> DecodeFunction(std::string_view text) {
  std::string bytes;
  v1::FunctionConfiguration in;
  if (!absl::Base64Unescape(std::string(text), &bytes) || !in.ParseFromString(bytes)) {
    return absl::InternalError("a stored function does not decode");
  }
  config::Function f = FunctionFromProto(in);
  f.arn = in.function_arn();
  return f;
}

config::Function FunctionFromProto(const v1::FunctionConfiguration& in) {
  config::Function f;
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
  if (in.has_maximum_retry_attempts()) {
    f.invoke_config.maximum_retry_attempts = in.maximum_retry_attempts();
  }
  if (in.has_maximum_event_age_in_seconds()) {
    f.invoke_config.maximum_event_age_in_seconds = in.maximum_event_age_in_seconds();
  }
  if (!in.on_success_destination().empty()) {
    f.invoke_config.on_success =
        config::FunctionDestination{in.on_success_destination(), config::TargetKind::kQueue, ""};
  }
  if (!in.on_failure_destination().empty()) {
    f.invoke_config.on_failure =
        config::FunctionDestination{in.on_failure_destination(), config::TargetKind::kQueue, ""};
  }
  return f;
}

absl::Status Catalog::LoadFunctions(targets::Db& db, CatalogState& state) {
  auto select = db.Prepare("SELECT name, spec FROM api_functions");
  if (!select.ok()) return select.status();
  while (true) {
    auto row = (*select)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto f = DecodeFunction((*select)->Text(1));
    if (!f.ok()) return f.status();
    state.functions.emplace(f->name, std::move(*f));
  }
  return absl::OkStatus();
}

absl::Status Catalog::PutFunction(config::Function function) {
  function.location = {};
  const std::string spec = EncodeFunction(function);
  absl::Status s = store_->Write([&](targets::Db& db) -> absl::Status {
    auto upsert = db.Prepare(
        "INSERT INTO api_functions (name, spec) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET spec = excluded.spec");
    if (!upsert.ok()) return upsert.status();
    return (*upsert)->Bind(1, function.name).Bind(2, spec).Run();
  });
  if (!s.ok()) return s;
  std::string name = function.name;
  state_.functions.insert_or_assign(std::move(name), std::move(function));
  return absl::OkStatus();
}

absl::Status Catalog::DeleteFunction(std::string_view name) {
  absl::Status s = store_->Write([name](targets::Db& db) -> absl::Status {
    auto del = db.Prepare("DELETE FROM api_functions WHERE name = ?");
    if (!del.ok()) return del.status();
    return (*del)->Bind(1, name).Run();
  });
  if (!s.ok()) return s;
  if (auto it = state_.functions.find(name); it != state_.functions.end()) {
    state_.functions.erase(it);
  }
  return absl::OkStatus();
}

}  // namespace busbar::bus
