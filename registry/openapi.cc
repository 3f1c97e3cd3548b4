// ToOpenApi: a Node as OpenAPI 3.0 in EventBridge's discovered-schema layout; see schema.h.
//
// Two passes. The first names a component for every position whose kinds include object: the
// envelope is "AWSEvent", the envelope's "detail" is named after the detail-type (named before
// anything else, so it keeps the plain name), and every other position after its property
// ("Item" appended per array level), in pre-order over properties sorted by name, a taken name
// getting "_1", "_2", .... The second writes AWSEvent and then the components in that order.
//
// A position is written inline as
//   - {"$ref": ...} when object is its only kind besides null; the component then carries
//     "nullable": true if null was seen there (a $ref's siblings are ignored in OpenAPI 3.0);
//   - {"oneOf": [one schema per kind], "nullable": true?} when it has several non-null kinds;
//   - {"nullable": true} when null is its only kind, {} when it has none;
//   - else the kind's own schema, with "nullable": true if null was seen there.
// An array seen only empty has "items": {}. document_parser.cc reads all of these back.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "registry/json_writer.h"
#include "registry/schema.h"
#include "registry/schema_internal.h"

namespace busbar::registry {
namespace {

using internal::JsonWriter;

constexpr char kRefPrefix[] = "#/components/schemas/";

// The kinds a oneOf lists, in the order it lists them.
constexpr Kind kOneOfOrder[] = {kArray, kBoolean, kInteger, kNumber, kObject, kString};

int CountBits(uint8_t bits) { return __builtin_popcount(bits); }

class OpenApiWriter {
 public:
  OpenApiWriter(const Node& event, std::string_view title, const EventIdentity& identity)
      : event_(event), title_(title), identity_(identity) {}

  std::string Render() {
    NameComponents();
    w_.BeginObject();
    w_.Key("openapi");
    w_.String("3.0.0");
    w_.Key("info");
    w_.BeginObject();
    w_.Key("version");
    w_.String("1.0.0");
    w_.Key("title");
    w_.String(title_);
    w_.EndObject();
    w_.Key("paths");
    w_.BeginObject();
    w_.EndObject();
    w_.Key("components");
    w_.BeginObject();
    w_.Key("schemas");
    w_.BeginObject();
    w_.Key("AWSEvent");
    if (root_is_object_) {
      WriteObjectComponent(event_, (event_.kinds & kNull) != 0, /*extensions=*/true);
    } else {
      WriteInline(event_, /*extensions=*/true);
    }
    for (const auto& [name, node] : components_) {
      if (node == &event_ && root_is_object_) continue;
      w_.Key(name);
      WriteObjectComponent(*node, Nullable(*node), /*extensions=*/false);
    }
    w_.EndObject();
    w_.EndObject();
    w_.EndObject();
    return w_.Release();
  }

 private:
  static bool ObjectOnly(const Node& n) { return (n.kinds & ~kNull) == kObject; }
  // Whether the component of `n` says "nullable": only when it stands for the whole position.
  static bool Nullable(const Node& n) { return ObjectOnly(n) && (n.kinds & kNull) != 0; }

  std::string Unique(const std::string& base) {
    std::string name = base;
    // Suffixes already tried for this base are not tried again: a chain of thousands of
    // objects of one name stays linear.
    for (int& i = next_suffix_[base]; taken_.contains(name);) name = absl::StrCat(base, "_", ++i);
    taken_.insert(name);
    return name;
  }

  void Name(const Node& n, const std::string& base) {
    if (!(n.kinds & kObject) || names_.contains(&n)) return;
    const std::string name = Unique(base);
    names_[&n] = name;
    components_.emplace_back(name, &n);
  }

  // Names `n` (if not named yet) and everything below it, in pre-order.
  void NameAll(const Node& n, const std::string& base) {
    Name(n, base);
    if (n.kinds & kObject) {
      for (const Property& p : n.properties) {
        std::string child = &n == &event_ && p.name == "detail" ? detail_base_ : PropertyBase(p);
        NameAll(p.schema, child);
      }
    }
    if ((n.kinds & kArray) && !n.items.empty()) NameAll(n.items[0], base + "Item");
  }

  static std::string PropertyBase(const Property& p) {
    std::string base = internal::CapitalizedWords(p.name);
    return base.empty() ? "Property" : base;
  }

  void NameComponents() {
    taken_.insert("AWSEvent");
    root_is_object_ = ObjectOnly(event_);
    if (root_is_object_) {
      names_[&event_] = "AWSEvent";
      components_.emplace_back("AWSEvent", &event_);
    }
    detail_base_ = internal::CapitalizedWords(identity_.detail_type);
    if (detail_base_.empty()) detail_base_ = "Detail";
    if (event_.kinds & kObject) {
      for (const Property& p : event_.properties) {
        if (p.name == "detail") Name(p.schema, detail_base_);
      }
    }
    NameAll(event_, "AWSEvent");
  }

  void WriteExtensions() {
    if (!identity_.detail_type.empty()) {
      w_.Key("x-amazon-events-detail-type");
      w_.String(identity_.detail_type);
    }
    if (!identity_.source.empty()) {
      w_.Key("x-amazon-events-source");
      w_.String(identity_.source);
    }
  }

  void WriteObjectComponent(const Node& n, bool nullable, bool extensions) {
    w_.BeginObject();
    w_.Key("type");
    w_.String("object");
    if (nullable) {
      w_.Key("nullable");
      w_.Bool(true);
    }
    bool any_required = false;
    for (const Property& p : n.properties) any_required |= p.required;
    if (any_required) {
      w_.Key("required");
      w_.BeginArray();
      for (const Property& p : n.properties) {
        if (p.required) w_.String(p.name);
      }
      w_.EndArray();
    }
    if (extensions) WriteExtensions();
    if (!n.properties.empty()) {
      w_.Key("properties");
      w_.BeginObject();
      for (const Property& p : n.properties) {
        w_.Key(p.name);
        WriteInline(p.schema, /*extensions=*/false);
      }
      w_.EndObject();
    }
    w_.EndObject();
  }

  void WriteRef(const Node& n) {
    w_.BeginObject();
    w_.Key("$ref");
    w_.String(absl::StrCat(kRefPrefix, names_.at(&n)));
    w_.EndObject();
  }

  // The schema of one kind of `n` (not object), its members only.
  void WriteKindMembers(const Node& n, Kind kind, bool nullable) {
    w_.Key("type");
    switch (kind) {
      case kBoolean:
        w_.String("boolean");
        break;
      case kInteger:
        w_.String("integer");
        w_.Key("format");
        w_.String("int64");
        break;
      case kNumber:
        w_.String("number");
        w_.Key("format");
        w_.String("double");
        break;
      case kString:
        w_.String("string");
        if (n.date_time) {
          w_.Key("format");
          w_.String("date-time");
        }
        break;
      default:  // kArray; kObject and kNull never get here
        w_.String("array");
        break;
    }
    if (nullable) {
      w_.Key("nullable");
      w_.Bool(true);
    }
    if (kind == kArray) {
      w_.Key("items");
      if (n.items.empty()) {
        w_.BeginObject();
        w_.EndObject();
      } else {
        WriteInline(n.items[0], /*extensions=*/false);
      }
    }
  }

  void WriteInline(const Node& n, bool extensions) {
    const uint8_t non_null = n.kinds & ~kNull;
    const bool nullable = (n.kinds & kNull) != 0;
    if (non_null == kObject) {  // never the envelope's: that is written as a component
      WriteRef(n);
      return;
    }
    w_.BeginObject();
    if (CountBits(non_null) > 1) {
      w_.Key("oneOf");
      w_.BeginArray();
      for (Kind kind : kOneOfOrder) {
        if (!(non_null & kind)) continue;
        if (kind == kObject) {
          WriteRef(n);
        } else {
          w_.BeginObject();
          WriteKindMembers(n, kind, /*nullable=*/false);
          w_.EndObject();
        }
      }
      w_.EndArray();
      if (nullable) {
        w_.Key("nullable");
        w_.Bool(true);
      }
    } else if (non_null != 0) {
      WriteKindMembers(n, static_cast<Kind>(non_null), nullable);
    } else if (nullable) {
      w_.Key("nullable");
      w_.Bool(true);
    }
    if (extensions) WriteExtensions();
    w_.EndObject();
  }

  const Node& event_;
  const std::string_view title_;
  const EventIdentity& identity_;
  JsonWriter w_;
  bool root_is_object_ = false;
  std::string detail_base_;
  absl::flat_hash_set<std::string> taken_;
  absl::flat_hash_map<std::string, int> next_suffix_;
  absl::flat_hash_map<const Node*, std::string> names_;
  std::vector<std::pair<std::string, const Node*>> components_;
};

}  // namespace

std::string ToOpenApi(const Node& event, std::string_view title, const EventIdentity& identity) {
  return OpenApiWriter(event, title, identity).Render();
}

}  // namespace busbar::registry
