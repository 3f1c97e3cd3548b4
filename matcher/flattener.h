// Internal to busbar::matcher. The flattener reads an event's JSON bytes and
// reports to a MatchState every leaf value whose path some rule reads, with its
// array membership. It builds no tree and copies nothing but escaped strings:
// fields no rule reads are skipped, and skipped objects and arrays are crossed 64
// bytes at a time (SIMD quote and bracket masks) without looking inside.
//
// Validation: everything the walk reads is checked against RFC 8259 (structure,
// strings, escapes, numbers, literals). Inside skipped objects and arrays only the
// string quoting and the bracket balance are checked. Thread-safe (no state).
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "matcher/automaton.h"

namespace busbar::matcher::internal {

// Walks `event` (a JSON object), calling state.OnLeaf for each leaf at a path of
// `a`. REQUIRES: state.Begin(a) was called. InvalidArgument names the byte offset
// and the reason for malformed JSON, a non-object event, or nesting deeper than
// `max_depth`.
absl::Status FlattenEvent(const Automaton& a, std::string_view event, int max_depth,
                          MatchState& state);

}  // namespace busbar::matcher::internal
