// The dispatcher of function and API destination deliveries; see dispatcher.h.
#include "bus/server/dispatcher.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bus/server/dead_letter.h"
#include "bus/server/invocation_record.h"
#include "matcher/base/base.h"

namespace busbar::bus {
namespace {

// The target key of an Invoke(InvocationType=Event) item: no rule, the function itself.
constexpr std::string_view kDirectPrefix = "function:";

}  // namespace

// One try of one outbox item, with what it needs from the routing it started with.
struct Dispatcher::Try {
  targets::OutboxItem item;
  std::shared_ptr<const Routing> routing;
  std::shared_ptr<const AsyncTarget> target;  // for a direct Invoke(Event): made up
  const FunctionRoute* function = nullptr;    // function targets, when the function exists
};

Dispatcher::Dispatcher(Deps deps, DispatcherOptions options) : deps_(deps), options_(options) {}

Dispatcher::~Dispatcher() {
  Stop();
  WaitIdle();
}

void Dispatcher::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Dispatcher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  deps_.outbox->Wake();
  if (thread_.joinable()) thread_.join();
}

void Dispatcher::WaitIdle() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](absl::flat_hash_set<int64_t>* s) { return s->empty(); }, &in_flight_));
}

bool Dispatcher::stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void Dispatcher::Loop() {
  while (true) {
    absl::flat_hash_set<int64_t> skip;
    size_t budget = 0;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      skip = in_flight_;
      budget = options_.max_in_flight - std::min(options_.max_in_flight, in_flight_.size());
    }
    const int64_t now = deps_.env->NowMillis();
    int64_t wake_ms = now + 1000;
    if (budget > 0) {
      std::optional<int64_t> next_due;
      absl::StatusOr<std::vector<targets::OutboxItem>> due =
          deps_.outbox->Due(now, budget, skip, &next_due);
      if (due.ok()) {
        {
          absl::MutexLock lock(&mu_);
          for (const targets::OutboxItem& item : *due) in_flight_.insert(item.id);
        }
        for (targets::OutboxItem& item : *due) Begin(std::move(item));
        if (due->size() == budget) wake_ms = now;  // more may be due
        if (next_due) wake_ms = std::min(wake_ms, *next_due);
      }
    }
    if (wake_ms > now) deps_.outbox->WaitForWork(wake_ms);
  }
}

void Dispatcher::Begin(targets::OutboxItem item) {
  auto t = std::make_shared<Try>();
  t->routing = deps_.routing->routing();
  t->item = std::move(item);
  const std::string& key = t->item.target;
  if (key.compare(0, kDirectPrefix.size(), kDirectPrefix) == 0) {
    auto target = std::make_shared<AsyncTarget>();
    target->key = key;
    target->kind = config::TargetKind::kFunction;
    target->resource = key.substr(kDirectPrefix.size());
    target->arn = t->item.target_arn;
    target->retry_policy = {t->item.max_retry_attempts, t->item.max_event_age_s};
    t->target = std::move(target);
  } else if (auto it = t->routing->async_targets.find(key); it != t->routing->async_targets.end()) {
    t->target = it->second;
  } else {
    // The rule or target was removed (or disabled) since the event was routed.
    auto target = std::make_shared<AsyncTarget>();
    target->key = key;
    target->arn = t->item.target_arn;
    target->rule_arn = t->item.rule_arn;
    target->dead_letter_queue = t->item.dead_letter_queue;
    t->target = std::move(target);
    Failed(t, "NO_RESOURCE", "The rule or target no longer exists.", /*retryable=*/false);
    return;
  }
  if (t->target->counters) ++t->target->counters->invocation_attempts;
  if (t->target->kind == config::TargetKind::kFunction) {
    TryFunction(std::move(t));
  } else {
    TryHttp(std::move(t));
  }
}

void Dispatcher::TryFunction(std::shared_ptr<Try> t) {
  auto fn = t->routing->functions.find(t->target->resource);
  if (fn == t->routing->functions.end()) {
    Failed(t, "NO_RESOURCE", absl::StrCat("Function not found: ", t->target->arn),
           /*retryable=*/false);
    return;
  }
  t->function = &fn->second;
  deps_.functions->Invoke(t->target->resource, t->item.payload, targets::FunctionHost::Mode::kWait,
                          [this, t](absl::StatusOr<targets::InvokeResult> result) {
                            if (stopping()) return Release(t->item.id);
                            if (result.ok()) return FunctionRan(t, *result);
                            const absl::Status& s = result.status();
                            if (absl::IsUnavailable(s)) return Release(t->item.id);
                            if (absl::IsNotFound(s)) {
                              return Failed(t, "NO_RESOURCE", std::string(s.message()), false);
                            }
                            if (absl::IsResourceExhausted(s)) {
                              return Failed(t, "THROTTLING", std::string(s.message()), true);
                            }
                            if (absl::IsInvalidArgument(s)) {
                              return Failed(t, "INVALID_PARAMETER", std::string(s.message()),
                                            false);
                            }
                            Failed(t, "INTERNAL_ERROR", std::string(s.message()), true);
                          });
}

void Dispatcher::FunctionRan(std::shared_ptr<Try> t, const targets::InvokeResult& result) {
  targets::OutboxItem& item = t->item;
  const targets::Function& fn = t->function->function;
  const targets::EventInvokeConfig& invoke = fn.invoke_config;
  const bool first = item.function_attempts == 0;
  ++item.function_attempts;
  if (item.request_id.empty()) item.request_id = result.request_id;
  const int64_t now = deps_.env->NowMillis();
  auto counters = t->target->counters;
  auto after = [counters, first] {
    if (first && counters) ++counters->invocations;
  };
  std::optional<targets::FunctionDestination> destination;
  std::string condition = "Success";
  if (!result.function_error.empty()) {
    const FunctionRetryDecision retry = DecideAfterFunctionError(
        options_.retry, item.function_attempts, invoke.maximum_retry_attempts,
        invoke.maximum_event_age_in_seconds, item.created_ms, now);
    if (retry.retry) {
      // Lambda's own retry of an asynchronous invocation: 1 minute, then 2 (by default).
      item.next_ms = retry.next_ms;
      item.last_error_code = "FUNCTION_ERROR";
      item.last_error_message = result.payload.substr(0, 1024);
      Write(
          t, [this, item](targets::Db& db) { return deps_.outbox->UpdateInTxn(db, item); }, after);
      return;
    }
    condition = retry.condition;
    destination = invoke.on_failure;
  } else {
    destination = invoke.on_success;
  }
  if (!destination) return Remove(t, after);
  std::string record = InvocationRecord(fn.arn, item.request_id, condition, item.function_attempts,
                                        item.payload, result, now);
  switch (destination->kind) {
    case targets::DestinationKind::kQueue: {
      Write(
          t,
          [this, id = item.id, queue = destination->resource_name,
           record = std::move(record)](targets::Db& db) -> absl::Status {
            std::vector<targets::Delivery> d = {{queue, record, 0, nullptr}};
            std::vector<size_t> skipped;  // a deleted destination queue: the record is lost
            if (auto s = deps_.queues->EnqueueInTxn(db, d, nullptr, &skipped); !s.ok()) {
              return s;
            }
            return deps_.outbox->RemoveInTxn(db, id);
          },
          after);
      return;
    }
    case targets::DestinationKind::kEventBus: {
      EntryIn entry;
      entry.source = "lambda";
      entry.detail_type = condition == "Success" ? "Lambda Function Invocation Result - Success"
                                                 : "Lambda Function Invocation Result - Failure";
      entry.detail = std::move(record);
      entry.event_bus_name = destination->resource_name;
      entry.resources = {fn.arn};
      deps_.events->PutEventsAsync(
          {entry}, [this, t, after](absl::StatusOr<std::vector<EntryOutcome>> outcomes) {
            // Put (or refused for good, e.g. the bus is gone): the invocation is done.
            Remove(t, after);
            (void)outcomes;
          });
      return;
    }
    case targets::DestinationKind::kFunction: {
      // A function destination: invoked asynchronously, not tracked further.
      deps_.functions->Invoke(destination->resource_name, record,
                              targets::FunctionHost::Mode::kWait,
                              [](absl::StatusOr<targets::InvokeResult>) {});
      Remove(t, after);
      return;
    }
  }
}

void Dispatcher::TryHttp(std::shared_ptr<Try> t) {
  auto dest = t->routing->api_destinations.find(t->target->resource);
  if (dest == t->routing->api_destinations.end()) {
    Failed(t, "NO_RESOURCE", absl::StrCat("API destination not found: ", t->target->arn),
           /*retryable=*/false);
    return;
  }
  if (!t->target->http_fault.empty()) {  // found when the route was built; no call is made
    Failed(t, "INVALID_PARAMETER", t->target->http_fault, /*retryable=*/false);
    return;
  }
  targets::HttpCall call;
  call.connection = dest->second.connection;
  call.destination = dest->second.destination;
  call.parameters = t->target->http;
  call.body = t->item.payload;
  deps_.http->Deliver(std::move(call), [this, t](targets::HttpOutcome outcome) {
    if (stopping()) return Release(t->item.id);
    switch (outcome.result) {
      case targets::HttpOutcome::Result::kDelivered: {
        auto counters = t->target->counters;
        Remove(t, [counters] {
          if (counters) ++counters->invocations;
        });
        return;
      }
      case targets::HttpOutcome::Result::kRetry: {
        int64_t min_delay = 0;
        if (outcome.retry_after) min_delay = absl::ToInt64Milliseconds(*outcome.retry_after);
        Failed(t, outcome.error_code, outcome.error_message, true, min_delay);
        return;
      }
      case targets::HttpOutcome::Result::kFail:
        Failed(t, outcome.error_code, outcome.error_message, false);
        return;
    }
  });
}

void Dispatcher::Failed(std::shared_ptr<Try> t, std::string code, std::string message,
                        bool retryable, int64_t min_delay_ms) {
  targets::OutboxItem& item = t->item;
  ++item.attempts;
  item.last_error_code = std::move(code);
  item.last_error_message = message.substr(0, 1024);
  int64_t delay = 0;
  {
    absl::MutexLock lock(&mu_);
    delay = BackoffMillis(options_.retry, item.attempts, rng_);
  }
  const RetryDecision decision =
      DecideAfterFailure(item, retryable, deps_.env->NowMillis(), delay, min_delay_ms);
  if (!decision.retry) return DeadLetter(t, decision.exhausted_condition);
  item.next_ms = decision.next_ms;
  Write(t, [this, item](targets::Db& db) { return deps_.outbox->UpdateInTxn(db, item); }, {});
}

void Dispatcher::DeadLetter(std::shared_ptr<Try> t, std::string condition) {
  const targets::OutboxItem& item = t->item;
  auto counters = t->target->counters;
  const std::string dlq =
      t->target->dead_letter_queue.empty() ? item.dead_letter_queue : t->target->dead_letter_queue;
  if (dlq.empty()) {
    return Remove(t, [counters] {
      if (counters) ++counters->failed_invocations;
    });
  }
  auto attributes =
      std::make_shared<targets::MessageAttributes>(DeadLetterAttributes(item, condition));
  auto missing = std::make_shared<bool>(false);
  Write(
      t,
      [this, t, dlq, attributes, missing](targets::Db& db) -> absl::Status {
        return DeadLetterInTxn(db, *deps_.queues, *deps_.outbox, t->item, dlq, *attributes,
                               missing.get());
      },
      [counters, missing] {
        if (counters) {
          ++counters->failed_invocations;
          ++(*missing ? counters->failed_to_dlq : counters->sent_to_dlq);
        }
      });
}

void Dispatcher::Remove(std::shared_ptr<Try> t, std::function<void()> after_commit) {
  Write(
      t, [this, id = t->item.id](targets::Db& db) { return deps_.outbox->RemoveInTxn(db, id); },
      std::move(after_commit));
}

void Dispatcher::Write(std::shared_ptr<Try> t, std::function<absl::Status(targets::Db&)> job,
                       std::function<void()> after_commit) {
  deps_.store->Submit(std::move(job),
                      [this, id = t->item.id, after = std::move(after_commit)](absl::Status s) {
                        if (s.ok() && after) after();
                        // On a store error the item stays as it was and is tried again.
                        Release(id);
                      });
}

void Dispatcher::Release(int64_t id) {
  {
    absl::MutexLock lock(&mu_);
    in_flight_.erase(id);
  }
  deps_.outbox->Wake();
}

}  // namespace busbar::bus
