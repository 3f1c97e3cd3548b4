// Internal to busbar::registry: the shape of JSON events, as a value.
//
// A Node is what the registry knows of one position in an event: which JSON kinds were seen
// there, the properties of the objects seen there (each required only if every object seen
// there had it) and the merged schema of the items of the arrays seen there. Inference turns
// one event into a Node; Merge widens a Node by another; the two document formats (OpenAPI
// 3.0 in EventBridge's discovered layout, JSON Schema Draft 4) are rendered from a Node and
// parsed back into one, so a stored version can be merged into, diffed and searched whatever
// produced it.
//
// Everything here is a pure function of its arguments: thread-safe, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace busbar::registry {

// JSON kinds; Node::kinds is a bitmask of them. An integer is a number written without a
// fraction or exponent that fits in 64 bits (1 is an integer, 1.0 and 1e3 are numbers).
enum Kind : uint8_t {
  kNull = 1,
  kBoolean = 2,
  kInteger = 4,
  kNumber = 8,
  kString = 16,
  kObject = 32,
  kArray = 64,
};

struct Property;

struct Node {
  uint8_t kinds = 0;
  // Meaningful when kinds has kString: every string seen here was an RFC 3339 date-time.
  bool date_time = false;
  // Meaningful when kinds has kObject: the properties seen, sorted by name.
  std::vector<Property> properties;
  // Meaningful when kinds has kArray: empty while no array seen here had an item, else one
  // Node, the merge of every item seen.
  std::vector<Node> items;
};

struct Property {
  std::string name;
  bool required = false;  // every object seen at this position had it
  Node schema;
};

bool operator==(const Node& a, const Node& b);
bool operator==(const Property& a, const Property& b);

// Deepest nesting (objects and arrays) Infer and the parsers accept; the daemon's events are
// bounded well below it (ingest.h).
inline constexpr int kMaxDepth = 4096;

// The shape of one JSON document. Errors: InvalidArgument "event is not valid JSON: <reason>"
// or "... nests deeper than 4096".
absl::StatusOr<Node> Infer(std::string_view json);

// Widens `into` by `from`: kinds unite; integer and number together become number; date_time
// holds only if it held on both sides that had strings; properties unite, and a property stays
// required only if both sides had objects and required it (a side without objects at this
// position says nothing about properties); items merge.
void Merge(Node& into, const Node& from);

// A 64-bit hash of the shape `Infer` would give `json` (same shape, same hash), computed
// without building the Node: what discovery looks up before inferring. Errors as Infer.
absl::StatusOr<uint64_t> ShapeHash(std::string_view json);

struct EventIdentity;
// The same hash, and the event's top-level "source" and "detail-type", from one parse: what
// discovery reads of each event. Errors as Infer, and InvalidArgument when either field is
// missing or not a string.
absl::StatusOr<uint64_t> ShapeHash(std::string_view json, EventIdentity& identity);

// True when `value` is an RFC 3339 date-time ("2024-01-02T03:04:05Z", optional fraction,
// "Z"/"z" or ±hh:mm offset, "T"/"t" separator).
bool IsRfc3339DateTime(std::string_view value);

// The kinds of `node` as the diff and the CLI show them: "string(date-time)", "integer",
// "object", "array", "integer|null", "number|string", "" for no kind.
std::string KindName(const Node& node);

// --- Documents -----------------------------------------------------------------------------

enum class DocumentType { kOpenApi3, kJsonSchemaDraft4 };

// What a discovered event is: the schema's identity inside the document.
struct EventIdentity {
  std::string source;       // x-amazon-events-source
  std::string detail_type;  // x-amazon-events-detail-type
};

// `event` is the Node of whole events (envelope and detail). Renders EventBridge's discovered
// layout: OpenAPI 3.0.0 with info.title = `title`, info.version "1.0.0", empty paths, and
// components.schemas holding "AWSEvent" (the envelope, with x-amazon-events-source and
// x-amazon-events-detail-type), the detail as a component named after the detail-type
// (letters and digits kept, each word capitalised: "Order Placed" -> "OrderPlaced"), and every
// nested object as a component named after its property (capitalised; array items get the
// suffix "Item"; a name already taken gets "_1", "_2", ...). Integers are integer/int64,
// other numbers number/double, date-times string/date-time; null with one other kind is
// nullable, several kinds are oneOf. Output is pretty-printed with two-space indents, keys in
// a fixed order, so equal Nodes render byte-identical documents.
std::string ToOpenApi(const Node& event, std::string_view title, const EventIdentity& identity);

// The same shape as a self-contained JSON Schema Draft 4 document ("$schema":
// "http://json-schema.org/draft-04/schema#", title, x-amazon-events-source/-detail-type when
// the identity is not empty), nested objects inline; several kinds are a "type" array.
std::string ToJsonSchema(const Node& event, std::string_view title, const EventIdentity& identity);

// Checks that `content` is a document of `type` and reads its shape (for OpenAPI: the
// component "AWSEvent" if present, else the only component, else the first in name order;
// $refs to #/components/schemas/... are followed; for JSON Schema: the root, with $refs to
// #/definitions/... followed). Accepts every document ToOpenApi/ToJsonSchema render and
// hand-written ones with the usual keywords (type, properties, required, items, format,
// nullable, oneOf/anyOf, enum, description, ...; unknown keywords and x- extensions are
// ignored). Errors: InvalidArgument naming the place, e.g.
//   "content is not valid JSON: ..."
//   "OpenAPI document: missing \"openapi\" (expected \"3.0.x\")"
//   "OpenAPI document: /components/schemas/Order/properties/id/type: \"text\" is not a type"
//   "OpenAPI document: /components/schemas/AWSEvent/properties/detail/$ref:
//    #/components/schemas/Missing does not exist"
//   "JSON Schema document: /properties/id: expected an object"
//   "JSON Schema document: \"$schema\" is not draft-04"
// and (identity, if not null, gets x-amazon-events-source/-detail-type when present).
absl::StatusOr<Node> ParseDocument(DocumentType type, std::string_view content,
                                   EventIdentity* identity = nullptr);

// --- Search and diff -----------------------------------------------------------------------

// Every field path of `node`, dotted, array items as "[]": {"detail", "detail.items",
// "detail.items[].sku", "source", ...}, sorted.
std::vector<std::string> FieldPaths(const Node& node);

struct FieldChange {
  enum class Kind { kAdded, kRemoved, kTypeChanged, kRequiredChanged };
  Kind kind;
  std::string path;      // as FieldPaths writes it
  std::string old_type;  // KindName; empty for kAdded
  std::string new_type;  // KindName; empty for kRemoved
  bool old_required = false;
  bool new_required = false;
};

// What changed from `from` to `to`, in path order: fields that appeared, disappeared, changed
// kinds (or date-time-ness) or became required/optional. A removed object reports its own path
// only, not each field inside it; the same for an added one.
std::vector<FieldChange> Diff(const Node& from, const Node& to);

// "added", "removed", "type-changed", "required-changed".
std::string_view ChangeKindName(FieldChange::Kind kind);

}  // namespace busbar::registry
