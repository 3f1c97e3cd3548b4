// Internal to bus/: matches blocks of newline-separated JSON events against one
// compiled Matcher, on one or several threads, for `busbar match`.
//
// MatchBlock() splits a block at line boundaries into one part per thread.
// Each thread matches its part with its own MatchScratch, all sharing the one
// immutable Matcher, and writes its output lines into its own buffer, so the
// caller prints the parts in order and the output keeps the input's order.
// The calling thread matches the first part itself. A BatchMatcher is
// thread-compatible: one caller at a time; its worker threads are internal.
#pragma once

#include <barrier>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "matcher/matcher.h"

namespace busbar::cli {

struct BatchOptions {
  int threads = 1;  // at least 1
  // Tally the matches of every rule instead of writing output lines.
  bool count_only = false;
  // Parse every event with simdjson's DOM parser before matching it, and treat
  // its failure as a malformed line.
  bool validate = false;
  // Nesting limit of the validating parser (the matcher's own limit).
  int max_event_depth = matcher::Options().max_event_depth;
};

// What one thread made of its part of the last block.
struct PartResult {
  // One line per event (blank lines give none): `["r1","r2"]` with the names of
  // the matching rules in byte order, or `{"error": "<reason>"}`. Empty in
  // count mode.
  std::string output;
  // The malformed lines: (line number within the part, from 1; reason).
  std::vector<std::pair<uint64_t, std::string>> errors;
  uint64_t lines = 0;   // lines in the part, blank ones included
  uint64_t events = 0;  // non-blank lines, malformed ones included
};

class BatchMatcher {
 public:
  // Starts options.threads - 1 worker threads. REQUIRES: options.threads >= 1.
  BatchMatcher(std::shared_ptr<const matcher::Matcher> matcher, const BatchOptions& options);
  // Stops and joins the worker threads.
  ~BatchMatcher();
  BatchMatcher(const BatchMatcher&) = delete;
  BatchMatcher& operator=(const BatchMatcher&) = delete;

  // Matches every line of `block` and replaces the parts' results.
  // REQUIRES: `block` is made of whole lines; with options.validate, at least
  // SIMDJSON_PADDING readable bytes follow it.
  void MatchBlock(std::string_view block);

  // The results of the last MatchBlock(), in input order.
  size_t part_count() const { return workers_.size(); }
  const PartResult& part(size_t i) const;

  // How many events each rule (by id) matched over all blocks, in count mode.
  std::vector<uint64_t> RuleCounts() const;

 private:
  struct Worker;

  void WorkerLoop(Worker& worker);
  void MatchPart(Worker& worker) const;
  // Puts the ids of the rules `event` matches in worker.ids, after checking
  // the whole event is valid JSON if options_.validate.
  absl::Status MatchEvent(Worker& worker, std::string_view event) const;
  // Appends `["name",...]` for `ids` (sorted here into name order).
  void AppendNames(std::vector<uint32_t>& ids, std::string& out) const;

  const std::shared_ptr<const matcher::Matcher> matcher_;
  const BatchOptions options_;
  std::vector<std::string> quoted_names_;  // by rule id, as JSON strings
  std::vector<uint32_t> name_rank_;        // by rule id: position in byte order of names
  std::vector<std::unique_ptr<Worker>> workers_;
  // Phases of the worker threads: every thread waits at start_ for a block,
  // matches its part, then meets the caller at done_.
  std::barrier<> start_;
  std::barrier<> done_;
  bool stopping_ = false;  // read by workers after start_, which orders it
  std::vector<std::thread> threads_;
};

}  // namespace busbar::cli
