// Daemon::PutFunction and DeleteFunction (FunctionsService); see daemon.h.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "bus/server/api_common.h"
#include "bus/server/catalog.h"
#include "bus/server/daemon.h"

namespace busbar::bus {
namespace {

absl::Status Conflict(std::string_view reason) {
  return absl::AlreadyExistsError(absl::StrCat("ResourceConflictException: ", std::string(reason)));
}

absl::Status FileOwned(const FunctionRoute& fn) {
  return absl::FailedPreconditionError(absl::StrCat("ResourceConflictException: Function ",
                                                    fn.function.name, " is declared in rule file ",
                                                    fn.file->ToString(), "; change it there."));
}

absl::Status NoFunction(std::string_view name) {
  return absl::NotFoundError(
      absl::StrCat("ResourceNotFoundException: Function not found: ", std::string(name)));
}

}  // namespace

absl::StatusOr<targets::Function> Daemon::PutFunction(targets::Function function, bool create) {
  absl::MutexLock lock(&reload_mu_);
  std::shared_ptr<const Routing> routing = this->routing();
  auto queue_names = queues_->ListQueues();
  if (!queue_names.ok()) return api::FromStore(queue_names.status());
  targets::FunctionCheckOptions check;
  check.account_id = options_.account;
  check.region = options_.region;
  check.queue_exists = [&queue_names](std::string_view q) {
    return std::binary_search(queue_names->begin(), queue_names->end(), q);
  };
  check.event_bus_exists = [&routing](std::string_view b) {
    return routing->buses.find(b) != routing->buses.end();
  };
  check.function_exists = [&routing, &function](std::string_view f) {
    return f == function.name || routing->functions.find(f) != routing->functions.end();
  };
  if (absl::Status s = targets::ValidateFunction(function, check); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(s.code() == absl::StatusCode::kNotFound
                                                   ? "ResourceNotFoundException: "
                                                   : "InvalidParameterValueException: ",
                                               s.message()));
  }
  auto existing = routing->functions.find(function.name);
  if (existing != routing->functions.end() && existing->second.file) {
    return FileOwned(existing->second);
  }
  if (create && existing != routing->functions.end()) {
    return Conflict(absl::StrCat("Function already exist: ", function.name));
  }
  if (!create && existing == routing->functions.end()) return NoFunction(function.name);
  if (absl::Status s = catalog_->PutFunction(function); !s.ok()) return api::FromStore(s);
  auto next = std::make_shared<Routing>(*routing);
  if (absl::Status s = RouteTargets(*next->files, *next); !s.ok()) return s;
  Publish(std::move(next));
  return function;
}

absl::Status Daemon::DeleteFunction(std::string_view name) {
  absl::MutexLock lock(&reload_mu_);
  std::shared_ptr<const Routing> routing = this->routing();
  auto existing = routing->functions.find(name);
  if (existing == routing->functions.end()) return NoFunction(name);
  if (existing->second.file) return FileOwned(existing->second);
  if (absl::Status s = catalog_->DeleteFunction(name); !s.ok()) return api::FromStore(s);
  auto next = std::make_shared<Routing>(*routing);
  if (absl::Status s = RouteTargets(*next->files, *next); !s.ok()) return s;
  Publish(std::move(next));
  return absl::OkStatus();
}

}  // namespace busbar::bus
