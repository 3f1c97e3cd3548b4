// The daemon; see daemon.h.
#include "bus/server/daemon.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/codegen/service_type.h>

#include <ctime>

#include "absl/strings/str_cat.h"
#include "bus/server/services.h"

namespace busbar::bus {
namespace {

matcher::Options MatcherOptions(const DaemonOptions& o) {
  matcher::Options m;
  m.allow_regexp = !o.strict_eventbridge;
  return m;
}

absl::StatusOr<config::Config> LoadConfig(const DaemonOptions& o) {
  config::LoadOptions load;
  load.account_id = o.account;
  load.region = o.region;
  load.matcher = MatcherOptions(o);
  return config::LoadRuleFiles(o.config_files, load);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Start(const DaemonOptions& options) {
  std::unique_ptr<Daemon> d(new Daemon(options));
  auto cfg = LoadConfig(options);
  if (!cfg.ok()) return cfg.status();

  targets::StoreOptions so;
  so.data_dir = options.data_dir;
  so.fsync = options.fsync;
  auto store = targets::Store::Open(so);
  if (!store.ok()) return store.status();
  d->store_ = std::move(*store);
  auto event_log = targets::EventLog::Open(d->store_.get());
  if (!event_log.ok()) return event_log.status();
  d->event_log_ = std::move(*event_log);
  targets::QueuesOptions qo;
  qo.region = options.region;
  qo.account = options.account;
  auto queues = targets::Queues::Open(d->store_.get(), qo);
  if (!queues.ok()) return queues.status();
  d->queues_ = std::move(*queues);
  if (auto s = d->ApplyQueues(*cfg); !s.ok()) return s;
  auto routing = d->BuildRouting(std::move(*cfg));
  if (!routing.ok()) return routing.status();
  {
    absl::MutexLock lock(&d->routing_mu_);
    d->routing_ = std::move(*routing);
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &d->port_);
  builder.SetMaxReceiveMessageSize(8 << 20);
  d->services_ = MakeServices(d.get());
  for (auto& service : d->services_) builder.RegisterService(service.get());
  d->server_ = builder.BuildAndStart();
  d->maintenance_ = std::thread([raw = d.get()] { raw->MaintenanceLoop(); });
  if (d->server_ == nullptr || d->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  return d;
}

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)) {}

Daemon::~Daemon() { Shutdown(); }

void Daemon::Shutdown() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    server_->Wait();
    server_.reset();
  }
  {
    absl::MutexLock lock(&maintenance_mu_);
    stopping_ = true;
  }
  if (maintenance_.joinable()) maintenance_.join();
  if (queues_ != nullptr) queues_->Shutdown();
}

absl::Status Daemon::ApplyQueues(const config::Config& config) {
  // Dead-letter queues first, so redrive policies name existing queues.
  std::vector<const config::Queue*> order;
  for (const auto& q : config.queues) {
    if (!q.redrive_policy.has_value()) order.push_back(&q);
  }
  for (const auto& q : config.queues) {
    if (q.redrive_policy.has_value()) order.push_back(&q);
  }
  auto existing = queues_->ListQueues();
  if (!existing.ok()) return existing.status();
  for (const config::Queue* q : order) {
    if (std::find(existing->begin(), existing->end(), q->name) != existing->end()) continue;
    targets::QueueAttributes a;
    a.visibility_timeout = q->visibility_timeout_s;
    a.message_retention_period = q->message_retention_period_s;
    a.receive_message_wait_time_seconds = q->receive_wait_time_s;
    if (q->redrive_policy.has_value()) {
      a.redrive_policy = targets::RedrivePolicy{q->redrive_policy->dead_letter_target_arn,
                                                q->redrive_policy->max_receive_count};
    }
    if (auto s = queues_->CreateQueue(q->name, a); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const Routing>> Daemon::BuildRouting(config::Config config) const {
  auto routing = std::make_shared<Routing>();
  std::vector<std::string> buses{"default"};
  for (const auto& b : config.buses) buses.push_back(b.name);
  for (const std::string& bus : buses) {
    std::vector<matcher::RuleSpec> specs;
    BusRoute route;
    for (const config::Rule& r : config.rules) {
      if (r.event_bus_name != bus || r.state != config::RuleState::kEnabled) continue;
      specs.push_back({r.name, r.event_pattern});
      std::vector<std::string> queues;
      for (const config::Target& t : r.targets) {
        if (t.kind == config::TargetKind::kQueue) queues.push_back(t.resource_name);
      }
      route.queues_by_rule.push_back(std::move(queues));
    }
    auto m = matcher::Matcher::Compile(specs, MatcherOptions(options_));
    if (!m.ok()) return m.status();
    route.matcher = std::move(*m);
    routing->buses.emplace(bus, std::move(route));
  }
  routing->config = std::move(config);
  return std::shared_ptr<const Routing>(std::move(routing));
}

std::shared_ptr<const Routing> Daemon::routing() const {
  absl::MutexLock lock(&routing_mu_);
  return routing_;
}

absl::Status Daemon::Reload() {
  absl::MutexLock reload(&reload_mu_);
  auto cfg = LoadConfig(options_);
  if (!cfg.ok()) return cfg.status();
  if (auto s = ApplyQueues(*cfg); !s.ok()) return s;
  auto routing = BuildRouting(std::move(*cfg));
  if (!routing.ok()) return routing.status();
  absl::MutexLock lock(&routing_mu_);
  routing_ = std::move(*routing);
  return absl::OkStatus();
}

}  // namespace busbar::bus
