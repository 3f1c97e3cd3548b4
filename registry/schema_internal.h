// Internal to busbar::registry: helpers that several of schema.h's implementation files share.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "registry/schema.h"

namespace busbar::registry::internal {

// Makes `node`'s own fields canonical (not its children's): integer and number together become
// number, and the fields that its kinds make meaningless are cleared (date_time without strings,
// properties without objects, items without arrays).
void NormalizeShallow(Node& node);

// The hash ShapeHash gives every document whose shape is `node` (infer.cc).
uint64_t HashNode(const Node& node);

// A 64-bit hash of `text`, and one of two hashes combined (the functions ShapeHash is built
// on; infer.cc), for the registry's other keys: discovery's shape-cache keys, page tokens.
uint64_t HashText(std::string_view text);
uint64_t CombineHashes(uint64_t a, uint64_t b);

// "Order Placed" -> "OrderPlaced", "instance-id" -> "InstanceId", "EC2 x" -> "EC2X": letters
// and digits kept, the first of each run capitalised (ASCII), everything else dropped.
std::string CapitalizedWords(std::string_view text);

}  // namespace busbar::registry::internal
