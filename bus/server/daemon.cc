// The daemon; see daemon.h.
#include "bus/server/daemon.h"

#include <grpc/grpc.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/codegen/service_type.h>
#include <grpcpp/support/server_interceptor.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bus/config/arn.h"
#include "bus/server/api_common.h"
#include "bus/server/catalog.h"
#include "bus/server/dispatcher.h"
#include "bus/server/services.h"

namespace busbar::bus {
namespace {

using api::MatcherOptions;

absl::StatusOr<config::Config> LoadConfig(const DaemonOptions& o) {
  config::LoadOptions load;
  load.account_id = o.account;
  load.region = o.region;
  load.matcher = MatcherOptions(o);
  return config::LoadRuleFiles(o.config_files, load);
}

// The ownership policy of daemon.h: the files may not declare what the API
// created, nor drop a bus API rules are on. Errors: FailedPrecondition naming
// both sides.
absl::Status CheckOwnership(const config::Config& files, const CatalogState& api) {
  for (const config::EventBus& bus : files.buses) {
    if (api.buses.contains(bus.name)) {
      return absl::FailedPreconditionError(absl::StrCat(
          bus.location.ToString(), ": event bus '", bus.name,
          "' is declared in this rule file but was created over the API (CreateEventBus); "
          "delete it over the API or remove it from the file"));
    }
  }
  for (const config::Rule& rule : files.rules) {
    if (api.rules.contains({rule.event_bus_name, rule.name})) {
      return absl::FailedPreconditionError(absl::StrCat(
          rule.location.ToString(), ": rule '", rule.name, "' on event bus '", rule.event_bus_name,
          "' is declared in this rule file but was created over the API (PutRule); delete it "
          "over the API or remove it from the file"));
    }
  }
  for (const config::Declared<targets::Function>& f : files.functions) {
    if (api.functions.contains(f.value.name)) {
      return absl::FailedPreconditionError(absl::StrCat(
          f.location.ToString(), ": function '", f.value.name,
          "' is declared in this rule file but was created over the API (CreateFunction); "
          "delete it over the API or remove it from the file"));
    }
  }
  std::set<std::string, std::less<>> file_buses;
  for (const config::EventBus& bus : files.buses) file_buses.insert(bus.name);
  for (const auto& [key, rule] : api.rules) {
    const std::string& bus = key.first;
    if (bus == "default" || api.buses.contains(bus) || file_buses.contains(bus)) continue;
    return absl::FailedPreconditionError(absl::StrCat(
        "event bus '", bus, "' is not declared in the rule files any more, but rule '", rule.name,
        "' created over the API (PutRule) is on it; declare the bus again, or delete the API "
        "rules on it first"));
  }
  return absl::OkStatus();
}

// The modification time of `path` in ms since the epoch; 0 if unknown.
int64_t ModifiedMs(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return 0;
  return int64_t{st.st_mtim.tv_sec} * 1000 + st.st_mtim.tv_nsec / 1000000;
}

}  // namespace

// The unary calls in flight on the server, counted by a server interceptor made for each
// call (its life is the call's: handler, answer and all). Streams (gRPC health Watch,
// reflection) are not counted: they last as long as their client wants. Thread-safe.
class CallsInFlight {
 public:
  void Begin() { count_.fetch_add(1); }
  void End() {
    if (count_.fetch_sub(1) == 1 && awaited_.load()) {
      absl::MutexLock lock(&mu_);  // releasing it re-checks AwaitNone's condition
    }
  }
  // Waits until no call is in flight, or `deadline`; whether none is.
  bool AwaitNone(absl::Time deadline) {
    awaited_.store(true);
    absl::MutexLock lock(&mu_);
    auto none = [this] { return count_.load() == 0; };
    return mu_.AwaitWithDeadline(absl::Condition(&none), deadline);
  }

 private:
  std::atomic<int64_t> count_{0};
  std::atomic<bool> awaited_{false};  // End signals only once someone waits
  absl::Mutex mu_;
};

namespace {

// How often StopServer closes the connections again while gRPC's Shutdown has not returned.
constexpr absl::Duration kCloseRetry = absl::Milliseconds(20);

class CountingInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit CountingInterceptor(std::shared_ptr<CallsInFlight> calls) : calls_(std::move(calls)) {
    calls_->Begin();
  }
  ~CountingInterceptor() override { calls_->End(); }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }

 private:
  const std::shared_ptr<CallsInFlight> calls_;
};

class CountingInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CountingInterceptorFactory(std::shared_ptr<CallsInFlight> calls)
      : calls_(std::move(calls)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    if (info->type() != grpc::experimental::ServerRpcInfo::Type::UNARY) return nullptr;
    return new CountingInterceptor(calls_);
  }

 private:
  const std::shared_ptr<CallsInFlight> calls_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Start(const DaemonOptions& options) {
  std::unique_ptr<Daemon> d(new Daemon(options));
  auto cfg = LoadConfig(options);  // before the data directory is touched
  if (!cfg.ok()) return cfg.status();

  targets::StoreOptions so;
  so.data_dir = options.data_dir;
  so.fsync = options.fsync;
  so.env = options.env;
  so.on_fatal_error = options.on_fatal_error;
  auto store = targets::Store::Open(so);
  if (!store.ok()) return store.status();
  d->store_ = std::move(*store);
  auto event_log = targets::EventLog::Open(d->store_.get());
  if (!event_log.ok()) return event_log.status();
  d->event_log_ = std::move(*event_log);
  targets::QueuesOptions qo;
  qo.region = options.region;
  qo.account = options.account;
  qo.max_queues = options.max_queues;
  qo.env = options.env;
  auto queues = targets::Queues::Open(d->store_.get(), qo);
  if (!queues.ok()) return queues.status();
  d->queues_ = std::move(*queues);
  registry::RegistryOptions ro = options.registry;
  ro.path = absl::StrCat(options.data_dir, "/registry.db");
  ro.account = options.account;
  ro.region = options.region;
  auto outbox = targets::Outbox::Open(d->store_.get(), options.env);
  if (!outbox.ok()) return outbox.status();
  d->outbox_ = std::move(*outbox);
  targets::FunctionHostOptions fo;
  fo.log_dir = absl::StrCat(options.data_dir, "/functions");
  if (mkdir(fo.log_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::InternalError(absl::StrCat("cannot create ", fo.log_dir, ": ", strerror(errno)));
  }
  fo.max_environments = options.max_function_environments;
  fo.idle_timeout = absl::Milliseconds(options.function_idle_timeout_ms);
  fo.account_id = options.account;
  fo.region = options.region;
  auto functions = targets::FunctionHost::Create(fo);
  if (!functions.ok()) return functions.status();
  d->functions_ = std::move(*functions);
  targets::HttpDelivererOptions ho;
  ho.timeout = absl::Milliseconds(options.http_timeout_ms);
  if (options.http_rate_limit_override > 0)
    ho.rate_limit_override = options.http_rate_limit_override;
  auto http = targets::HttpDeliverer::Create(ho);
  if (!http.ok()) return http.status();
  d->http_ = std::move(*http);
  auto schema_registry = registry::Registry::Open(ro);
  if (!schema_registry.ok()) return schema_registry.status();
  d->registry_ = std::move(*schema_registry);
  auto catalog = Catalog::Open(d->store_.get(), options.account, options.region);
  if (!catalog.ok()) return catalog.status();
  {
    absl::MutexLock lock(&d->reload_mu_);
    d->catalog_ = std::move(*catalog);
    if (auto s = CheckOwnership(*cfg, d->catalog_->state()); !s.ok()) return s;
    if (auto s = d->ApplyQueues(*cfg); !s.ok()) return s;
    auto routing = d->BuildRouting(std::move(*cfg));
    if (!routing.ok()) return routing.status();
    d->Publish(std::move(*routing));
  }
  DispatcherOptions dispatch;
  dispatch.retry.base_ms = options.retry_base_ms;
  dispatch.retry.max_delay_ms = options.retry_max_delay_ms;
  dispatch.retry.function_retry_base_ms = options.function_retry_base_ms;
  d->dispatcher_ = std::make_unique<Dispatcher>(
      Dispatcher::Deps{d.get(), d.get(), d->queues_.get(), d->store_.get(), d->outbox_.get(),
                       d->functions_.get(), d->http_.get(), d->env_},
      dispatch);
  d->dispatcher_->Start();

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &d->port_);
  builder.SetMaxReceiveMessageSize(8 << 20);
  d->services_ = MakeServices(d.get());
  for (auto& service : d->services_) builder.RegisterService(service.get());
  d->calls_ = std::make_shared<CallsInFlight>();
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> counting;
  counting.push_back(std::make_unique<CountingInterceptorFactory>(d->calls_));
  builder.experimental().SetInterceptorCreators(std::move(counting));
  d->server_ = builder.BuildAndStart();
  d->maintenance_ = std::thread([raw = d.get()] { raw->MaintenanceLoop(); });
  if (d->server_ == nullptr || d->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  return d;
}

Daemon::Daemon(DaemonOptions options)
    : options_(std::move(options)),
      env_(options_.env != nullptr ? options_.env : base::Env::Default()) {}

Daemon::~Daemon() { Shutdown(); }

void Daemon::StopServer() {
  // Long polls answer first: they are calls in flight the server would wait for.
  if (queues_ != nullptr) queues_->Shutdown();
  if (server_ == nullptr) return;
  if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
    health->Shutdown();  // NOT_SERVING from now on
  }
  // gRPC's Shutdown sends GOAWAY and then waits until every connection is closed, which a
  // client with an idle channel may never do (it would hold the stop for the whole grace
  // period). So once no call is in flight, close the connections: at once, and again every
  // kCloseRetry while Shutdown has not returned (a client may reconnect until the listener
  // is closed).
  absl::Notification stopped;
  std::thread closer([this, &stopped] {
    while (!stopped.HasBeenNotified()) {
      if (!calls_->AwaitNone(absl::Now() + kCloseRetry)) continue;
      grpc_server_cancel_all_calls(server_->c_server());
      stopped.WaitForNotificationWithTimeout(kCloseRetry);
    }
  });
  server_->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  stopped.Notify();
  closer.join();
  server_->Wait();
  server_.reset();
}

void Daemon::Shutdown() {
  StopServer();
  // Deliveries stop; a try cut short stays in the outbox for the next start.
  if (dispatcher_ != nullptr) dispatcher_->Stop();
  if (http_ != nullptr) http_->Shutdown();
  functions_.reset();  // kills the handler processes; queued invocations end Unavailable
  if (dispatcher_ != nullptr) {
    dispatcher_->WaitIdle();
    dispatcher_.reset();
  }
  {
    absl::MutexLock lock(&maintenance_mu_);
    stopping_ = true;
  }
  if (maintenance_.joinable()) maintenance_.join();
  if (registry_ != nullptr) {
    registry_->Flush();  // the events queued for discovery are processed first
    registry_stats_at_stop_ = registry_->stats();
    registry_.reset();
  }
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

absl::StatusOr<BusRoute> Daemon::BuildBusRoute(const config::Config& files,
                                               const std::string& bus) const {
  const CatalogState& api = catalog_->state();
  auto info = std::make_shared<BusInfo>();
  info->name = bus;
  info->arn = config::internal::EventBusArn(options_.region, options_.account, bus);
  if (bus == "default") {
    info->creation_ms = info->last_modified_ms = api.first_use_ms;
  } else if (auto it = api.buses.find(bus); it != api.buses.end()) {
    info->description = it->second.description;
    info->creation_ms = it->second.creation_ms;
    info->last_modified_ms = it->second.last_modified_ms;
  }
  for (const config::EventBus& b : files.buses) {
    if (b.name != bus) continue;
    info->file = b.location;  // the file's last change is the bus's
    info->creation_ms = info->last_modified_ms = ModifiedMs(b.location.file);
  }
  for (const config::Rule& r : files.rules) {
    if (r.event_bus_name == bus) info->rules.emplace(r.name, RuleEntry{r, true});
  }
  for (auto it = api.rules.lower_bound({bus, ""}); it != api.rules.end() && it->first.first == bus;
       ++it) {
    info->rules.emplace(it->second.name, RuleEntry{it->second, false});
  }
  BusRoute route;
  std::vector<matcher::RuleSpec> specs;
  for (const auto& [name, entry] : info->rules) {
    const config::Rule& r = entry.rule;
    if (r.state != config::RuleState::kEnabled) continue;
    specs.push_back({r.name, r.event_pattern});
    RuleRoute rule{r.name, r.arn, {}, {}, {}, metrics_->Rule(r.arn)};
    for (const config::Target& t : r.targets) {
      std::shared_ptr<TargetCounters> counters = metrics_->Target(r.arn, t.id);
      if (t.kind == config::TargetKind::kEventBus) {
        rule.buses.push_back({t.resource_name, std::move(counters)});
        continue;
      }
      std::optional<targets::CompiledInput> input;
      if (t.input || t.input_path || t.input_transformer) {
        // Checked when the target was put (config::ValidateTarget), so this compiles.
        auto compiled = targets::CompiledInput::Compile(config::InputSpecOf(t));
        if (!compiled.ok()) return compiled.status();
        input = std::move(*compiled);
      }
      if (t.kind == config::TargetKind::kQueue) {
        rule.queues.push_back({t.resource_name, std::move(input), std::move(counters), t.arn,
                               t.dead_letter_config ? t.dead_letter_config->queue_name : ""});
        continue;
      }
      auto target = std::make_shared<AsyncTarget>();
      target->key = absl::StrCat(r.arn, "|", t.id);
      target->rule_arn = r.arn;
      target->rule_name = r.name;
      target->arn = t.arn;
      target->kind = t.kind;
      target->resource = t.resource_name;
      target->input = std::move(input);
      target->retry_policy = t.retry_policy;
      if (t.dead_letter_config) target->dead_letter_queue = t.dead_letter_config->queue_name;
      if (t.kind == config::TargetKind::kApiDestination) RouteHttpTarget(files, t, *target);
      target->counters = std::move(counters);
      rule.async.push_back(std::move(target));
    }
    route.rules.push_back(std::move(rule));
  }
  auto m = matcher::Matcher::Compile(specs, MatcherOptions(options_));
  if (!m.ok()) return m.status();
  route.matcher = std::move(*m);
  route.info = std::move(info);
  return route;
}

absl::StatusOr<std::shared_ptr<const Routing>> Daemon::BuildRouting(config::Config config) const {
  auto routing = std::make_shared<Routing>();
  std::set<std::string> buses{"default"};
  for (const auto& b : config.buses) buses.insert(b.name);
  for (const auto& [name, bus] : catalog_->state().buses) buses.insert(name);
  for (const std::string& bus : buses) {
    auto route = BuildBusRoute(config, bus);
    if (!route.ok()) return route.status();
    routing->buses.emplace(bus, std::move(*route));
  }
  if (auto s = RouteTargets(config, *routing); !s.ok()) return s;
  IndexAsyncTargets(*routing);
  routing->files = std::make_shared<const config::Config>(std::move(config));
  return std::shared_ptr<const Routing>(std::move(routing));
}

absl::Status Daemon::Republish(const std::string& bus) {
  std::shared_ptr<const Routing> current = routing();
  auto next = std::make_shared<Routing>(*current);  // shares the other buses' matchers
  const auto& file_buses = current->files->buses;
  bool exists = bus == "default" || catalog_->state().buses.contains(bus) ||
                std::any_of(file_buses.begin(), file_buses.end(),
                            [&bus](const config::EventBus& b) { return b.name == bus; });
  if (exists) {
    auto route = BuildBusRoute(*current->files, bus);
    if (!route.ok()) {
      return absl::InternalError(absl::StrCat(
          "InternalException: the change is stored but event bus ", bus,
          " could not be recompiled (it will be on the next reload): ", route.status().message()));
    }
    next->buses.insert_or_assign(bus, std::move(*route));
  } else {
    next->buses.erase(bus);
  }
  IndexAsyncTargets(*next);
  Publish(std::move(next));
  return absl::OkStatus();
}

void Daemon::Publish(std::shared_ptr<const Routing> routing) {
  SyncFunctions(*routing);
  absl::MutexLock lock(&routing_mu_);
  routing_ = std::move(routing);
}

std::shared_ptr<const Routing> Daemon::routing() const {
  absl::MutexLock lock(&routing_mu_);
  return routing_;
}

absl::Status Daemon::Reload() {
  absl::MutexLock reload(&reload_mu_);
  auto cfg = LoadConfig(options_);
  if (!cfg.ok()) return cfg.status();
  if (auto s = CheckOwnership(*cfg, catalog_->state()); !s.ok()) return s;
  if (auto s = ApplyQueues(*cfg); !s.ok()) return s;
  auto routing = BuildRouting(std::move(*cfg));
  if (!routing.ok()) return routing.status();
  Publish(std::move(*routing));
  return absl::OkStatus();
}

}  // namespace busbar::bus
