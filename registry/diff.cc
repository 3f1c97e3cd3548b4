#include "registry/schema.h"
namespace busbar::registry {
std::vector<std::string> FieldPaths(const Node&) { return {}; }
std::vector<FieldChange> Diff(const Node&, const Node&) { return {}; }
std::string_view ChangeKindName(FieldChange::Kind) { return ""; }
}  // namespace busbar::registry
