// Merge; see schema.h. Also the shared helpers NormalizeShallow and CapitalizedWords.
#include <string>
#include <utility>
#include <vector>

#include "registry/schema.h"
#include "registry/schema_internal.h"

namespace busbar::registry {
namespace {

// Unites two property lists sorted by name. Both sides had objects here: a property stays
// required only if both required it.
void MergeProperties(std::vector<Property>& into, const std::vector<Property>& from) {
  std::vector<Property> out;
  out.reserve(into.size() + from.size());
  size_t i = 0, j = 0;
  while (i < into.size() || j < from.size()) {
    if (j == from.size() || (i < into.size() && into[i].name < from[j].name)) {
      out.push_back(std::move(into[i++]));
      out.back().required = false;
    } else if (i == into.size() || from[j].name < into[i].name) {
      out.push_back(from[j++]);
      out.back().required = false;
    } else {
      out.push_back(std::move(into[i++]));
      out.back().required = out.back().required && from[j].required;
      Merge(out.back().schema, from[j++].schema);
    }
  }
  into = std::move(out);
}

}  // namespace

namespace internal {

void NormalizeShallow(Node& node) {
  if (node.kinds & kNumber) node.kinds &= ~kInteger;
  if (!(node.kinds & kString)) node.date_time = false;
  if (!(node.kinds & kObject)) node.properties.clear();
  if (!(node.kinds & kArray)) node.items.clear();
}

std::string CapitalizedWords(std::string_view text) {
  std::string out;
  bool word_start = true;
  for (char c : text) {
    const bool lower = c >= 'a' && c <= 'z';
    const bool alnum = lower || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      word_start = true;
      continue;
    }
    out += word_start && lower ? static_cast<char>(c - 'a' + 'A') : c;
    word_start = false;
  }
  return out;
}

}  // namespace internal

void Merge(Node& into, const Node& from) {
  if (&into == &from) {  // merging a shape with itself changes nothing
    internal::NormalizeShallow(into);
    return;
  }
  const uint8_t a = into.kinds, b = from.kinds;
  if (b & kString) {
    into.date_time = (a & kString) ? into.date_time && from.date_time : from.date_time;
  }
  if (b & kObject) {
    if (a & kObject) {
      MergeProperties(into.properties, from.properties);
    } else {
      into.properties = from.properties;
    }
  }
  if (b & kArray) {
    if (!(a & kArray) || into.items.empty()) {
      into.items = from.items;
    } else if (!from.items.empty()) {
      Merge(into.items[0], from.items[0]);
    }
  }
  into.kinds = a | b;
  internal::NormalizeShallow(into);
}

}  // namespace busbar::registry
