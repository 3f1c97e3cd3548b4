// FieldPaths and Diff; see schema.h.
//
// Both walk the Node the same way: a property's path is its parent's path, a dot and its name
// (just the name at the top); an array's items extend the path with "[]" and are not fields
// themselves. Diff lists the fields of both sides by path, sorted, and walks the two lists
// together; a field added (removed) under a field that was itself added (removed) is left out.
// The top-level node is not a field: a change of its kinds is not reported.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "registry/schema.h"

namespace busbar::registry {
namespace {

struct Field {
  std::string path;
  std::string parent;  // the path of the nearest enclosing field, "" at the top
  const Node* node;
  bool required;
};

void CollectFields(const Node& node, const std::string& prefix, const std::string& parent,
                   std::vector<Field>& out) {
  if (node.kinds & kObject) {
    for (const Property& p : node.properties) {
      std::string path = prefix.empty() ? p.name : prefix + "." + p.name;
      out.push_back(Field{path, parent, &p.schema, p.required});
      CollectFields(p.schema, path, path, out);
    }
  }
  if ((node.kinds & kArray) && !node.items.empty()) {
    CollectFields(node.items[0], prefix + "[]", parent, out);
  }
}

std::vector<Field> SortedFields(const Node& node) {
  std::vector<Field> fields;
  CollectFields(node, "", "", fields);
  std::stable_sort(fields.begin(), fields.end(),
                   [](const Field& a, const Field& b) { return a.path < b.path; });
  return fields;
}

}  // namespace

std::vector<std::string> FieldPaths(const Node& node) {
  std::vector<std::string> paths;
  for (Field& f : SortedFields(node)) paths.push_back(std::move(f.path));
  return paths;
}

std::vector<FieldChange> Diff(const Node& from, const Node& to) {
  const std::vector<Field> a = SortedFields(from), b = SortedFields(to);
  std::vector<FieldChange> changes;
  // Paths added or removed whole, and everything under them: children are not reported.
  absl::flat_hash_set<std::string> added, removed;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].path < b[j].path)) {
      const Field& f = a[i++];
      const bool inside = !f.parent.empty() && removed.contains(f.parent);
      removed.insert(f.path);
      if (inside) continue;
      changes.push_back(FieldChange{FieldChange::Kind::kRemoved, f.path, KindName(*f.node), "",
                                    f.required, false});
    } else if (i == a.size() || b[j].path < a[i].path) {
      const Field& f = b[j++];
      const bool inside = !f.parent.empty() && added.contains(f.parent);
      added.insert(f.path);
      if (inside) continue;
      changes.push_back(
          FieldChange{FieldChange::Kind::kAdded, f.path, "", KindName(*f.node), false, f.required});
    } else {
      const Field &old_field = a[i++], &new_field = b[j++];
      std::string old_type = KindName(*old_field.node), new_type = KindName(*new_field.node);
      if (old_type != new_type) {
        changes.push_back(FieldChange{FieldChange::Kind::kTypeChanged, old_field.path, old_type,
                                      new_type, old_field.required, new_field.required});
      }
      if (old_field.required != new_field.required) {
        changes.push_back(FieldChange{FieldChange::Kind::kRequiredChanged, old_field.path,
                                      std::move(old_type), std::move(new_type), old_field.required,
                                      new_field.required});
      }
    }
  }
  return changes;
}

std::string_view ChangeKindName(FieldChange::Kind kind) {
  switch (kind) {
    case FieldChange::Kind::kAdded:
      return "added";
    case FieldChange::Kind::kRemoved:
      return "removed";
    case FieldChange::Kind::kTypeChanged:
      return "type-changed";
    case FieldChange::Kind::kRequiredChanged:
      return "required-changed";
  }
  return "";
}

}  // namespace busbar::registry
