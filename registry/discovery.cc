// Registry: discovery. Discover() queues events (bounded) for one worker thread, which turns
// them into versions of the schemas in "discovered-schemas":
//
//   1. read the event's source and detail-type, and its shape hash, in one parse (schema.h
//      ShapeHash);
//   2. a (source, detail-type, shape) key already in the shape cache costs nothing more;
//   3. otherwise infer the event's Node and merge it into the schema's model (kept in an LRU
//      of merged schemas, re-read from the file's latest version on a miss);
//   4. after the batch, every model whose merge changed it becomes a new version, all in one
//      transaction.
// The shape cache keeps two generations (lookups check both; the older is dropped when the
// newer fills half the bound), so memory stays bounded whatever the variety of shapes.
#include <ctime>
#include <utility>

#include "absl/strings/str_cat.h"
#include "registry/names.h"
#include "registry/registry.h"
#include "registry/registry_impl.h"
#include "registry/schema_internal.h"

namespace busbar::registry {
namespace {

int64_t ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

absl::StatusOr<EventIdentity> ReadIdentity(std::string_view event) {
  EventIdentity identity;
  absl::StatusOr<uint64_t> shape = ShapeHash(event, identity);
  if (!shape.ok()) return shape.status();
  return identity;
}

void Registry::Discover(std::vector<Observed> events) {
  impl_->events_received.fetch_add(events.size(), std::memory_order_relaxed);
  {
    absl::ReaderMutexLock d(&impl_->discoverer_mu);
    if (!impl_->stopped_buses.empty()) {
      std::erase_if(events,
                    [this](const Observed& o) { return impl_->stopped_buses.contains(o.bus); });
    }
  }
  if (events.empty()) return;
  uint64_t dropped = 0;
  {
    absl::MutexLock q(&impl_->queue_mu);
    for (Observed& o : events) {
      if (impl_->queue.size() >= impl_->options.max_pending_events ||
          impl_->queue_bytes + o.event.size() > impl_->options.max_pending_bytes) {
        ++dropped;
        continue;
      }
      impl_->queue_bytes += o.event.size();
      impl_->queue.push_back(std::move(o));
      ++impl_->queued_total;
    }
  }
  if (dropped > 0) impl_->events_dropped.fetch_add(dropped, std::memory_order_relaxed);
}

void Registry::Flush() {
  absl::MutexLock q(&impl_->queue_mu);
  const uint64_t target = impl_->queued_total;
  auto done = [this, target]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(impl_->queue_mu) {
    return impl_->processed_total >= target;
  };
  impl_->queue_mu.Await(absl::Condition(&done));
}

void Registry::Impl::StartWorker() {
  worker = std::thread([this] { WorkerLoop(); });
}

void Registry::Impl::StopWorker() {
  {
    absl::MutexLock q(&queue_mu);
    stopping = true;
  }
  if (worker.joinable()) worker.join();
}

void Registry::Impl::WorkerLoop() {
  while (true) {
    std::deque<Observed> batch;
    uint64_t upto = 0;
    {
      absl::MutexLock q(&queue_mu);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu) {
        return !queue.empty() || stopping;
      };
      queue_mu.Await(absl::Condition(&ready));
      if (queue.empty()) return;  // stopping, and everything queued is processed
      batch.swap(queue);
      queue_bytes = 0;
      upto = queued_total;
    }
    const int64_t cpu_before = ThreadCpuNs();
    ProcessBatch(batch);
    worker_cpu_ns.fetch_add(ThreadCpuNs() - cpu_before, std::memory_order_relaxed);
    absl::MutexLock q(&queue_mu);
    processed_total = upto;
  }
}

void Registry::Impl::ProcessBatch(std::deque<Observed>& batch) {
  if (const uint64_t generation = cache_generation.load(); generation != seen_generation) {
    shapes_new.clear();
    shapes_old.clear();
    models.clear();
    model_lru.clear();
    seen_generation = generation;
  }
  std::vector<std::string> dirty;
  for (const Observed& observed : batch) {
    EventIdentity identity;
    absl::StatusOr<uint64_t> shape = ShapeHash(observed.event, identity);
    if (!shape.ok()) {
      events_failed.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    const uint64_t key = internal::CombineHashes(
        internal::HashText(Cat(identity.source, "\n", identity.detail_type)), *shape);
    if (shapes_new.contains(key) || shapes_old.contains(key)) {
      shape_hits.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    absl::StatusOr<Node> node = Infer(observed.event);
    if (!node.ok()) {
      events_failed.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    std::string name = DiscoveredSchemaName(identity.source, identity.detail_type);
    auto it = models.find(name);
    if (it == models.end()) {
      Model model;
      absl::MutexLock lock(&db_mu);
      absl::StatusOr<VersionRow> latest = LoadVersion(kDiscoveredRegistry, name, 0);
      if (latest.ok()) {
        absl::StatusOr<Node> stored = ParseDocument(latest->type, latest->content);
        if (stored.ok()) model.shape = std::move(*stored);
      }
      db->ResetBusyStatements();
      model.identity = identity;
      model_lru.push_front(name);
      model.lru = model_lru.begin();
      it = models.emplace(name, std::move(model)).first;
    } else {
      model_lru.splice(model_lru.begin(), model_lru, it->second.lru);
    }
    Model& model = it->second;
    Node before = model.shape;
    if (model.shape.kinds == 0) {
      model.shape = std::move(*node);
    } else {
      Merge(model.shape, *node);
    }
    if (!model.dirty && !(model.shape == before)) {
      model.dirty = true;
      dirty.push_back(name);
    }
    if (shapes_new.size() >= options.shape_cache_entries / 2) {
      shapes_old = std::move(shapes_new);
      shapes_new.clear();
    }
    shapes_new.insert(key);
    shapes_inferred.fetch_add(1, std::memory_order_relaxed);
  }

  if (!dirty.empty()) {
    absl::MutexLock lock(&db_mu);
    absl::Status s = Begin();
    uint64_t written = 0;
    for (const std::string& name : dirty) {
      Model& model = models.at(name);
      model.dirty = false;
      if (!s.ok()) break;
      SchemaInfo info;
      info.registry = std::string(kDiscoveredRegistry);
      info.name = name;
      info.type = DocumentType::kOpenApi3;
      info.version_created_ms = NowMs();
      absl::StatusOr<Stmt*> next =
          db->Prepare("SELECT next_version, description FROM schemas WHERE registry=? AND name=?");
      if (!next.ok()) {
        s = next.status();
        break;
      }
      absl::StatusOr<bool> exists = (*next)->Bind(1, info.registry).Bind(2, name).Step();
      if (!exists.ok()) {
        s = exists.status();
        break;
      }
      if (*exists) {
        info.version = (*next)->Int(0);
        info.description = std::string((*next)->Text(1));
      } else {
        info.version = 1;
        info.description = Cat("Discovered from events of source ", model.identity.source,
                               ", detail-type ", model.identity.detail_type);
      }
      (*next)->Reset();
      if (!*exists) {
        absl::StatusOr<int64_t> count = CountSchemas();
        if (!count.ok()) {
          s = count.status();
          break;
        }
        if (static_cast<size_t>(*count) >= options.max_schemas) {
          events_dropped.fetch_add(1, std::memory_order_relaxed);
          continue;
        }
      }
      info.content =
          ToOpenApi(model.shape, DetailTypeTitle(model.identity.detail_type), model.identity);
      if (s = WriteVersion(info, model.shape, /*create=*/!*exists); !s.ok()) break;
      ++written;
    }
    if (s.ok()) s = Commit();
    if (!s.ok()) {
      Rollback();
      // What was merged is not stored: forget it, so the next events of these kinds merge
      // into what the file holds again.
      for (const std::string& name : dirty) {
        auto it = models.find(name);
        if (it == models.end()) continue;
        model_lru.erase(it->second.lru);
        models.erase(it);
      }
      shapes_new.clear();
      shapes_old.clear();
      events_failed.fetch_add(batch.size(), std::memory_order_relaxed);
    } else {
      versions_written.fetch_add(written, std::memory_order_relaxed);
    }
    db->ResetBusyStatements();
  }
  while (models.size() > options.model_cache_entries) {
    models.erase(model_lru.back());
    model_lru.pop_back();
  }
  shape_cache_size.store(shapes_new.size() + shapes_old.size(), std::memory_order_relaxed);
  model_cache_size.store(models.size(), std::memory_order_relaxed);
}

}  // namespace busbar::registry
