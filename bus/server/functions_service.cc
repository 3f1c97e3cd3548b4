// busbar.v1.FunctionsService (proto/busbar/v1/functions.proto) over the daemon's functions
// (daemon_functions.cc) and the function host; the proto is converted by function_proto.h.
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "bus/config/arn.h"
#include "bus/config/json_text.h"
#include "bus/server/catalog.h"
#include "bus/server/function_proto.h"
#include "bus/server/interfaces.h"
#include "bus/server/options.h"
#include "bus/server/services.h"
#include "busbar/v1/functions.grpc.pb.h"

namespace busbar::bus {
namespace {

namespace v1 = ::busbar::v1;

// The function as FunctionsService shows it: the model, and where a rule file declares it.
void FillConfiguration(const FunctionRoute& fn, v1::FunctionConfiguration* out) {
  FunctionToProto(fn.function, out);
  if (fn.file) out->set_declared_in(fn.file->ToString());
}

// The function a request names: its name, or its ARN (arn:aws:lambda:R:A:function:<name>
// [:$LATEST], read as rule targets' ARNs are). Errors: InvalidArgument
// "InvalidParameterValueException: FunctionName ..." for an ARN of another kind, account or
// region.
absl::StatusOr<std::string> FunctionName(const std::string& name_or_arn,
                                         const DaemonOptions& options) {
  if (name_or_arn.rfind("arn:", 0) != 0) return name_or_arn;
  auto arn = config::internal::ParseTargetArn(name_or_arn, options.account, options.region);
  if (arn.ok() && arn->kind == config::TargetKind::kFunction) return arn->name;
  return absl::InvalidArgumentError(
      absl::StrCat("InvalidParameterValueException: FunctionName ",
                   arn.ok() ? absl::StrCat("'", name_or_arn, "' is not a Lambda function ARN")
                            : std::string(arn.status().message())));
}

class FunctionsService final : public v1::FunctionsService::Service {
 public:
  FunctionsService(FunctionApi* api, const RoutingSource* routing, const DaemonOptions* options)
      : d_(api), routing_(routing), options_(*options) {}

  grpc::Status CreateFunction(grpc::ServerContext*, const v1::CreateFunctionRequest* req,
                              v1::CreateFunctionResponse* resp) override {
    return Put(req->configuration(), true, resp->mutable_configuration());
  }

  grpc::Status UpdateFunction(grpc::ServerContext*, const v1::UpdateFunctionRequest* req,
                              v1::UpdateFunctionResponse* resp) override {
    return Put(req->configuration(), false, resp->mutable_configuration());
  }

  grpc::Status DeleteFunction(grpc::ServerContext*, const v1::DeleteFunctionRequest* req,
                              v1::DeleteFunctionResponse*) override {
    auto name = FunctionName(req->function_name(), options_);
    if (!name.ok()) return ToGrpc(name.status());
    return ToGrpc(d_->DeleteFunction(*name));
  }

  grpc::Status GetFunction(grpc::ServerContext*, const v1::GetFunctionRequest* req,
                           v1::GetFunctionResponse* resp) override {
    std::shared_ptr<const Routing> routing = routing_->routing();
    auto name = FunctionName(req->function_name(), options_);
    if (!name.ok()) return ToGrpc(name.status());
    auto fn = routing->functions.find(*name);
    if (fn == routing->functions.end()) return ToGrpc(NoFunction(req->function_name()));
    Fill(fn->second, resp->mutable_function());
    return grpc::Status::OK;
  }

  grpc::Status ListFunctions(grpc::ServerContext*, const v1::ListFunctionsRequest*,
                             v1::ListFunctionsResponse* resp) override {
    std::shared_ptr<const Routing> routing = routing_->routing();
    for (const auto& [name, fn] : routing->functions) Fill(fn, resp->add_functions());
    return grpc::Status::OK;
  }

  grpc::Status Invoke(grpc::ServerContext*, const v1::InvokeRequest* req,
                      v1::InvokeResponse* resp) override {
    auto function_name = FunctionName(req->function_name(), options_);
    if (!function_name.ok()) return ToGrpc(function_name.status());
    const std::string& name = *function_name;
    const std::string type =
        req->invocation_type().empty() ? "RequestResponse" : req->invocation_type();
    if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
      return ToGrpc(absl::InvalidArgumentError(
          absl::StrCat("InvalidParameterValueException: InvocationType '", type,
                       "' must be RequestResponse, Event or DryRun")));
    }
    if (!req->log_type().empty() && req->log_type() != "None" && req->log_type() != "Tail") {
      return ToGrpc(absl::InvalidArgumentError(absl::StrCat(
          "InvalidParameterValueException: LogType '", req->log_type(), "' must be None or Tail")));
    }
    std::string payload = req->payload().empty() ? "{}" : req->payload();
    if (absl::Status s = config::internal::CheckJson(payload); !s.ok()) {
      return ToGrpc(absl::InvalidArgumentError(
          absl::StrCat("InvalidRequestContentException: Could not parse request body into json: ",
                       s.message())));
    }
    std::shared_ptr<const Routing> routing = routing_->routing();
    if (routing->functions.find(name) == routing->functions.end()) {
      return ToGrpc(NoFunction(req->function_name()));
    }
    resp->set_executed_version("$LATEST");
    if (type == "DryRun") {
      resp->set_status_code(204);
      return grpc::Status::OK;
    }
    if (type == "Event") {
      if (absl::Status s = d_->InvokeAsync(name, std::move(payload)); !s.ok()) return ToGrpc(s);
      resp->set_status_code(202);
      return grpc::Status::OK;
    }
    auto result = d_->functions().InvokeSync(name, std::move(payload),
                                             targets::FunctionHost::Mode::kThrottle);
    if (!result.ok()) return ToGrpc(result.status());
    resp->set_status_code(200);
    resp->set_function_error(result->function_error);
    resp->set_payload(std::move(result->payload));
    if (req->log_type() == "Tail") resp->set_log_result(std::move(result->log_tail));
    resp->set_request_id(result->request_id);
    resp->set_cold_start(result->cold_start);
    return grpc::Status::OK;
  }

  grpc::Status GetFunctionLogs(grpc::ServerContext*, const v1::GetFunctionLogsRequest* req,
                               v1::GetFunctionLogsResponse* resp) override {
    const size_t max = req->max_bytes() == 0 ? 64 * 1024 : req->max_bytes();
    auto name = FunctionName(req->function_name(), options_);
    if (!name.ok()) return ToGrpc(name.status());
    auto log = d_->functions().ReadLog(*name, max);
    if (!log.ok()) return ToGrpc(log.status());
    resp->set_log(std::move(*log));
    return grpc::Status::OK;
  }

 private:
  static absl::Status NoFunction(std::string_view name) {
    return absl::NotFoundError(
        absl::StrCat("ResourceNotFoundException: Function not found: ", std::string(name)));
  }

  grpc::Status Put(const v1::FunctionConfiguration& req, bool create,
                   v1::FunctionConfiguration* resp) {
    auto stored = d_->PutFunction(FunctionFromProto(req), create);
    if (!stored.ok()) return ToGrpc(stored.status());
    std::shared_ptr<const Routing> routing = routing_->routing();
    if (auto fn = routing->functions.find(stored->name); fn != routing->functions.end()) {
      FillConfiguration(fn->second, resp);
    }
    return grpc::Status::OK;
  }

  void Fill(const FunctionRoute& fn, v1::FunctionState* out) {
    FillConfiguration(fn, out->mutable_configuration());
    for (const targets::FunctionHost::FunctionInfo& info : d_->functions().List()) {
      if (info.config.name != fn.function.name) continue;
      out->set_invocations(info.invocations);
      out->set_errors(info.errors);
      out->set_throttles(info.throttles);
      out->set_cold_starts(info.cold_starts);
      out->set_timeouts(info.timeouts);
      out->set_busy_environments(info.busy_environments);
      out->set_idle_environments(info.idle_environments);
      out->set_queued_invocations(info.queued);
    }
  }

  FunctionApi* const d_;
  const RoutingSource* const routing_;
  const DaemonOptions& options_;
};

}  // namespace

std::unique_ptr<grpc::Service> MakeFunctionsService(FunctionApi* api, const RoutingSource* routing,
                                                    const DaemonOptions* options) {
  return std::make_unique<FunctionsService>(api, routing, options);
}

}  // namespace busbar::bus
