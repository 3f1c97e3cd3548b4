// The matching loop of `busbar match`. Lines are found with memchr and passed
// to Matcher::Match as views into the block: no per-line copy or allocation,
// and output goes into a per-thread string reused from block to block.
#include "bus/match/batch_matcher.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "matcher/base/base.h"

namespace busbar::cli {

// The state one thread keeps from block to block.
struct BatchMatcher::Worker {
  std::string_view part;  // this thread's share of the current block
  PartResult result;
  matcher::MatchScratch scratch;
  std::vector<uint32_t> ids;
  std::vector<uint64_t> counts;                      // by rule id, count mode only
  std::unique_ptr<simdjson::dom::parser> validator;  // with options.validate only
};

namespace {

bool IsBlank(std::string_view line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

}  // namespace

BatchMatcher::BatchMatcher(std::shared_ptr<const matcher::Matcher> matcher,
                           const BatchOptions& options)
    : matcher_(std::move(matcher)),
      options_(options),
      start_(options.threads),
      done_(options.threads) {
  const uint32_t rule_count = static_cast<uint32_t>(matcher_->rule_count());
  std::vector<uint32_t> by_name(rule_count);
  std::iota(by_name.begin(), by_name.end(), 0);
  std::sort(by_name.begin(), by_name.end(), [this](uint32_t a, uint32_t b) {
    return matcher_->rule_name(a) < matcher_->rule_name(b);
  });
  name_rank_.resize(rule_count);
  for (uint32_t rank = 0; rank < rule_count; ++rank) name_rank_[by_name[rank]] = rank;
  quoted_names_.resize(rule_count);
  for (uint32_t id = 0; id < rule_count; ++id) {
    base::AppendJsonString(matcher_->rule_name(id), &quoted_names_[id]);
  }

  for (int i = 0; i < options.threads; ++i) {
    auto worker = std::make_unique<Worker>();
    if (options_.count_only) worker->counts.assign(rule_count, 0);
    if (options_.validate) {
      worker->validator = std::make_unique<simdjson::dom::parser>();
      // Sets the nesting limit. Should memory run out, parse() fails and says
      // so for every line.
      std::ignore = worker->validator->allocate(1 << 16, options_.max_event_depth);
    }
    workers_.push_back(std::move(worker));
  }
  for (size_t i = 1; i < workers_.size(); ++i) {
    threads_.emplace_back([this, i] { WorkerLoop(*workers_[i]); });
  }
}

BatchMatcher::~BatchMatcher() {
  if (threads_.empty()) return;
  stopping_ = true;
  start_.arrive_and_wait();
  for (std::thread& thread : threads_) thread.join();
}

const PartResult& BatchMatcher::part(size_t i) const { return workers_[i]->result; }

std::vector<uint64_t> BatchMatcher::RuleCounts() const {
  std::vector<uint64_t> total(matcher_->rule_count(), 0);
  for (const auto& worker : workers_) {
    for (size_t id = 0; id < worker->counts.size(); ++id) total[id] += worker->counts[id];
  }
  return total;
}

void BatchMatcher::MatchBlock(std::string_view block) {
  // Cut the block into equal shares, each moved forward to the next line end.
  size_t begin = 0;
  for (size_t i = 0; i < workers_.size(); ++i) {
    size_t end = block.size();
    if (i + 1 < workers_.size()) {
      end = std::max(begin, block.size() * (i + 1) / workers_.size());
      const void* newline = std::memchr(block.data() + end, '\n', block.size() - end);
      end =
          newline == nullptr ? block.size() : static_cast<const char*>(newline) - block.data() + 1;
    }
    workers_[i]->part = block.substr(begin, end - begin);
    begin = end;
  }
  if (threads_.empty()) {
    MatchPart(*workers_[0]);
    return;
  }
  start_.arrive_and_wait();
  MatchPart(*workers_[0]);
  done_.arrive_and_wait();
}

void BatchMatcher::WorkerLoop(Worker& worker) {
  while (true) {
    start_.arrive_and_wait();
    if (stopping_) return;
    MatchPart(worker);
    done_.arrive_and_wait();
  }
}

void BatchMatcher::MatchPart(Worker& worker) const {
  PartResult& result = worker.result;
  result.output.clear();
  result.errors.clear();
  result.lines = 0;
  result.events = 0;
  const char* next = worker.part.data();
  const char* const end = next + worker.part.size();
  while (next < end) {
    const char* newline = static_cast<const char*>(std::memchr(next, '\n', end - next));
    const char* line_end = newline == nullptr ? end : newline;
    const std::string_view line(next, line_end - next);
    next = newline == nullptr ? end : newline + 1;
    ++result.lines;
    if (IsBlank(line)) continue;
    ++result.events;

    const absl::Status status = MatchEvent(worker, line);
    if (!status.ok()) {
      const std::string reason(status.message());
      if (!options_.count_only) {
        result.output.append("{\"error\": ");
        base::AppendJsonString(reason, &result.output);
        result.output.append("}\n");
      }
      result.errors.emplace_back(result.lines, reason);
      continue;
    }
    if (options_.count_only) {
      for (uint32_t id : worker.ids) ++worker.counts[id];
    } else {
      AppendNames(worker.ids, result.output);
    }
  }
}

absl::Status BatchMatcher::MatchEvent(Worker& worker, std::string_view event) const {
  if (worker.validator != nullptr) {
    const simdjson::error_code error =
        worker.validator->parse(event.data(), event.size(), /*realloc_if_needed=*/false).error();
    if (error != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(std::string("invalid JSON: ") +
                                        simdjson::error_message(error));
    }
  }
  return matcher_->Match(event, worker.scratch, worker.ids);
}

void BatchMatcher::AppendNames(std::vector<uint32_t>& ids, std::string& out) const {
  if (ids.size() > 1) {
    std::sort(ids.begin(), ids.end(),
              [this](uint32_t a, uint32_t b) { return name_rank_[a] < name_rank_[b]; });
  }
  out.push_back('[');
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(quoted_names_[ids[i]]);
  }
  out.append("]\n");
}

}  // namespace busbar::cli
