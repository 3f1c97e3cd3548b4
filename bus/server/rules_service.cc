// busbar.v1.RulesService (proto/busbar/v1/rules.proto): proto <-> config
// conversions around the daemon's rule operations (daemon_api.cc). Reads
// (DescribeRule, ListRules, ListTargetsByRule) answer from one routing
// snapshot, so a page never mixes two versions of a bus.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bus/config/arn.h"
#include "bus/server/api_common.h"
#include "bus/server/interfaces.h"
#include "bus/server/options.h"
#include "bus/server/services.h"
#include "busbar/v1/rules.grpc.pb.h"

namespace busbar::bus {
namespace {

namespace v1 = ::busbar::v1;

void FillRule(const config::Rule& r, v1::Rule* out) {
  out->set_name(r.name);
  out->set_arn(r.arn);
  out->set_event_pattern(r.event_pattern);
  out->set_state(r.state == config::RuleState::kEnabled ? v1::RULE_STATE_ENABLED
                                                        : v1::RULE_STATE_DISABLED);
  out->set_description(r.description);
  out->set_event_bus_name(r.event_bus_name);
}

void FillTarget(const config::Target& t, v1::Target* out) {
  out->set_id(t.id);
  out->set_arn(t.arn);
  if (t.input.has_value()) out->set_input(*t.input);
  if (t.input_path.has_value()) out->set_input_path(*t.input_path);
  if (t.input_transformer.has_value()) {
    auto* x = out->mutable_input_transformer();
    x->set_input_template(t.input_transformer->input_template);
    for (const auto& [var, path] : t.input_transformer->input_paths_map) {
      (*x->mutable_input_paths_map())[var] = path;
    }
  }
  const config::RetryPolicy defaults;
  if (t.retry_policy.maximum_retry_attempts != defaults.maximum_retry_attempts ||
      t.retry_policy.maximum_event_age_in_seconds != defaults.maximum_event_age_in_seconds) {
    out->mutable_retry_policy()->set_maximum_retry_attempts(t.retry_policy.maximum_retry_attempts);
    out->mutable_retry_policy()->set_maximum_event_age_in_seconds(
        t.retry_policy.maximum_event_age_in_seconds);
  }
  if (t.dead_letter_config.has_value()) {
    out->mutable_dead_letter_config()->set_arn(t.dead_letter_config->arn);
  }
  if (t.http_parameters.has_value()) {
    auto* h = out->mutable_http_parameters();
    for (const std::string& v : t.http_parameters->path_parameter_values) {
      h->add_path_parameter_values(v);
    }
    for (const auto& [k, v] : t.http_parameters->header_parameters) {
      (*h->mutable_header_parameters())[k] = v;
    }
    for (const auto& [k, v] : t.http_parameters->query_string_parameters) {
      (*h->mutable_query_string_parameters())[k] = v;
    }
  }
}

// A target as PutTargets gives it; ValidateTarget checks it later.
config::Target TargetOf(const v1::Target& in) {
  config::Target t;
  t.id = in.id();
  t.arn = in.arn();
  if (!in.input().empty()) t.input = in.input();
  if (!in.input_path().empty()) t.input_path = in.input_path();
  if (in.has_input_transformer()) {
    config::InputTransformer x;
    x.input_template = in.input_transformer().input_template();
    for (const auto& [var, path] : in.input_transformer().input_paths_map()) {
      x.input_paths_map.emplace(var, path);
    }
    t.input_transformer = std::move(x);
  }
  if (in.has_http_parameters()) {
    config::HttpParameters h;
    for (const std::string& v : in.http_parameters().path_parameter_values()) {
      h.path_parameter_values.push_back(v);
    }
    for (const auto& [k, v] : in.http_parameters().header_parameters()) {
      h.header_parameters.emplace(k, v);
    }
    for (const auto& [k, v] : in.http_parameters().query_string_parameters()) {
      h.query_string_parameters.emplace(k, v);
    }
    t.http_parameters = std::move(h);
  }
  if (in.has_retry_policy()) {
    const v1::RetryPolicy& r = in.retry_policy();
    if (r.has_maximum_retry_attempts()) {
      t.retry_policy.maximum_retry_attempts = r.maximum_retry_attempts();
    }
    if (r.has_maximum_event_age_in_seconds()) {
      t.retry_policy.maximum_event_age_in_seconds = r.maximum_event_age_in_seconds();
    }
  }
  if (in.has_dead_letter_config()) {
    t.dead_letter_config = config::DeadLetterConfig{in.dead_letter_config().arn(), ""};
  }
  return t;
}

// PutTargets/RemoveTargets: one failed entry per refused target, and their count.
template <typename Response>
void FillFailures(const std::vector<TargetFailure>& failures, Response* resp) {
  for (const TargetFailure& f : failures) {
    auto* e = resp->add_failed_entries();
    e->set_target_id(f.target_id);
    e->set_error_code(f.error_code);
    e->set_error_message(f.error_message);
  }
  resp->set_failed_entry_count(resp->failed_entries_size());
}

class RulesService final : public v1::RulesService::Service {
 public:
  RulesService(RuleApi* api, const RoutingSource* routing, const DaemonOptions* options)
      : d_(api), routing_(routing), options_(*options) {}

  grpc::Status PutRule(grpc::ServerContext*, const v1::PutRuleRequest* req,
                       v1::PutRuleResponse* resp) override {
    PutRuleInput in;
    in.name = req->name();
    in.event_bus = req->event_bus_name();
    in.event_pattern = req->event_pattern();
    in.description = req->description();
    switch (req->state()) {
      case v1::RULE_STATE_UNSPECIFIED:
      case v1::RULE_STATE_ENABLED:
        in.state = config::RuleState::kEnabled;
        break;
      case v1::RULE_STATE_DISABLED:
        in.state = config::RuleState::kDisabled;
        break;
      default:
        return ToGrpc(api::Validation(
            absl::StrCat("State ", req->state(), " is invalid: it must be ENABLED or DISABLED")));
    }
    auto arn = d_->PutRule(in);
    if (!arn.ok()) return ToGrpc(arn.status());
    resp->set_rule_arn(*arn);
    return grpc::Status::OK;
  }

  grpc::Status DeleteRule(grpc::ServerContext*, const v1::DeleteRuleRequest* req,
                          v1::DeleteRuleResponse*) override {
    return ToGrpc(d_->DeleteRule(req->event_bus_name(), req->name()));
  }

  grpc::Status EnableRule(grpc::ServerContext*, const v1::EnableRuleRequest* req,
                          v1::EnableRuleResponse*) override {
    return ToGrpc(
        d_->SetRuleState(req->event_bus_name(), req->name(), config::RuleState::kEnabled));
  }

  grpc::Status DisableRule(grpc::ServerContext*, const v1::DisableRuleRequest* req,
                           v1::DisableRuleResponse*) override {
    return ToGrpc(
        d_->SetRuleState(req->event_bus_name(), req->name(), config::RuleState::kDisabled));
  }

  grpc::Status DescribeRule(grpc::ServerContext*, const v1::DescribeRuleRequest* req,
                            v1::DescribeRuleResponse* resp) override {
    if (auto s = api::CheckRuleName(req->name()); !s.ok()) return ToGrpc(s);
    auto bus = api::BusName(req->event_bus_name(), options_);
    if (!bus.ok()) return ToGrpc(bus.status());
    std::shared_ptr<const Routing> routing = routing_->routing();
    auto route = api::FindBus(*routing, *bus);
    if (!route.ok()) return ToGrpc(route.status());
    auto rule = api::FindRule(*(*route)->info, req->name());
    if (!rule.ok()) return ToGrpc(rule.status());
    FillRule((*rule)->rule, resp->mutable_rule());
    return grpc::Status::OK;
  }

  grpc::Status ListRules(grpc::ServerContext*, const v1::ListRulesRequest* req,
                         v1::ListRulesResponse* resp) override {
    const std::string& prefix = req->name_prefix();
    if (!prefix.empty() && !config::internal::IsValidRuleName(prefix)) {
      return ToGrpc(api::Validation(
          absl::StrCat("NamePrefix '", prefix,
                       "' is invalid: it must be 1-64 characters of A-Z a-z 0-9 . - _")));
    }
    auto bus = api::BusName(req->event_bus_name(), options_);
    if (!bus.ok()) return ToGrpc(bus.status());
    const std::string query = absl::StrCat("ListRules\n", *bus, "\n", prefix);
    auto page = api::ReadPage(req->limit(), req->next_token(), query);
    if (!page.ok()) return ToGrpc(page.status());
    std::shared_ptr<const Routing> routing = routing_->routing();
    auto route = api::FindBus(*routing, *bus);
    if (!route.ok()) return ToGrpc(route.status());
    const auto& rules = (*route)->info->rules;
    auto it = page->after.empty() ? rules.lower_bound(prefix) : rules.upper_bound(page->after);
    for (; it != rules.end() && it->first.starts_with(prefix); ++it) {
      if (static_cast<size_t>(resp->rules_size()) == page->limit) {
        resp->set_next_token(api::NextToken(query, resp->rules(resp->rules_size() - 1).name()));
        break;
      }
      FillRule(it->second.rule, resp->add_rules());
    }
    return grpc::Status::OK;
  }

  grpc::Status PutTargets(grpc::ServerContext*, const v1::PutTargetsRequest* req,
                          v1::PutTargetsResponse* resp) override {
    std::vector<config::Target> targets;
    for (const v1::Target& t : req->targets()) targets.push_back(TargetOf(t));
    auto failures = d_->PutTargets(req->event_bus_name(), req->rule(), std::move(targets));
    if (!failures.ok()) return ToGrpc(failures.status());
    FillFailures(*failures, resp);
    return grpc::Status::OK;
  }

  grpc::Status RemoveTargets(grpc::ServerContext*, const v1::RemoveTargetsRequest* req,
                             v1::RemoveTargetsResponse* resp) override {
    std::vector<std::string> ids(req->ids().begin(), req->ids().end());
    auto failures = d_->RemoveTargets(req->event_bus_name(), req->rule(), ids);
    if (!failures.ok()) return ToGrpc(failures.status());
    FillFailures(*failures, resp);
    return grpc::Status::OK;
  }

  grpc::Status ListTargetsByRule(grpc::ServerContext*, const v1::ListTargetsByRuleRequest* req,
                                 v1::ListTargetsByRuleResponse* resp) override {
    if (auto s = api::CheckRuleName(req->rule(), "Rule"); !s.ok()) return ToGrpc(s);
    auto bus = api::BusName(req->event_bus_name(), options_);
    if (!bus.ok()) return ToGrpc(bus.status());
    const std::string query = absl::StrCat("ListTargetsByRule\n", *bus, "\n", req->rule());
    auto page = api::ReadPage(req->limit(), req->next_token(), query);
    if (!page.ok()) return ToGrpc(page.status());
    std::shared_ptr<const Routing> routing = routing_->routing();
    auto route = api::FindBus(*routing, *bus);
    if (!route.ok()) return ToGrpc(route.status());
    auto rule = api::FindRule(*(*route)->info, req->rule());
    if (!rule.ok()) return ToGrpc(rule.status());
    // Rule files keep their targets in file order; the API lists them by id.
    std::vector<const config::Target*> sorted;
    for (const config::Target& t : (*rule)->rule.targets) sorted.push_back(&t);
    std::sort(sorted.begin(), sorted.end(),
              [](const config::Target* a, const config::Target* b) { return a->id < b->id; });
    for (const config::Target* t : sorted) {
      if (!page->after.empty() && t->id <= page->after) continue;
      if (static_cast<size_t>(resp->targets_size()) == page->limit) {
        resp->set_next_token(api::NextToken(query, resp->targets(resp->targets_size() - 1).id()));
        break;
      }
      FillTarget(*t, resp->add_targets());
    }
    return grpc::Status::OK;
  }

  grpc::Status GetRuleMetrics(grpc::ServerContext*, const v1::GetRuleMetricsRequest* req,
                              v1::GetRuleMetricsResponse* resp) override {
    if (auto s = api::CheckRuleName(req->rule(), "Rule"); !s.ok()) return ToGrpc(s);
    auto metrics = d_->GetRuleMetrics(req->event_bus_name(), req->rule());
    if (!metrics.ok()) return ToGrpc(metrics.status());
    resp->set_rule_arn(metrics->rule_arn);
    resp->set_matched_events(metrics->matched_events);
    resp->set_triggered_rules(metrics->triggered_rules);
    for (const auto& [id, t] : metrics->targets) {
      v1::TargetMetrics* out = resp->add_targets();
      out->set_id(id);
      out->set_invocations(t.invocations);
      out->set_failed_invocations(t.failed_invocations);
      out->set_invocations_sent_to_dlq(t.sent_to_dlq);
      out->set_invocations_failed_to_be_sent_to_dlq(t.failed_to_dlq);
      out->set_invocation_attempts(t.invocation_attempts);
    }
    return grpc::Status::OK;
  }

 private:
  RuleApi* const d_;
  const RoutingSource* const routing_;
  const DaemonOptions& options_;
};

}  // namespace

std::unique_ptr<grpc::Service> MakeRulesService(RuleApi* api, const RoutingSource* routing,
                                                const DaemonOptions* options) {
  return std::make_unique<RulesService>(api, routing, options);
}

}  // namespace busbar::bus
