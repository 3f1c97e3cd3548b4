// ParseDocument: an OpenAPI 3.0 or JSON Schema Draft 4 document back into a Node; see schema.h.
//
// The text is parsed with simdjson's DOM, then the document's frame is checked (OpenAPI:
// "openapi", "info", "components.schemas"; JSON Schema: "$schema") and every schema is read
// recursively into a Node. What a schema says is gathered from
//   - "type" (OpenAPI: one of its six names; JSON Schema: a name or an array of its seven),
//     "nullable": true (OpenAPI), "format": "date-time";
//   - "properties" and "required" (which, without "type", make it an object) and "items"
//     (which makes it an array; in JSON Schema an array of schemas is merged into one);
//   - "oneOf", "anyOf" and "allOf", whose schemas are merged with Merge into the rest (allOf
//     too: the registry's shapes have no intersections);
//   - "$ref", a local JSON pointer ("#/components/schemas/X", "#/definitions/X", "#"), which
//     replaces the schema (its siblings are ignored, as OpenAPI 3.0 says).
// A schema with none of them (`{}`) has no kinds; as "items" it means "no items seen", which
// is how ToOpenApi/ToJsonSchema write arrays seen only empty.
//
// Every component (or definition) is checked, referred to or not; then the chosen one is read,
// following $refs wherever they appear (a target is read again at each use: a Node is a tree).
// A target met again while it is being read is a cycle, an error. Nesting is bounded by
// kMaxDepth (counting through $refs), and the whole expansion by kMaxNodes schemas read, so
// that a few components referring to each other twice over cannot build an exponentially
// large Node.
#include <simdjson.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "matcher/base/base.h"
#include "registry/schema.h"
#include "registry/schema_internal.h"

namespace busbar::registry {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr size_t kMaxNodes = size_t{1} << 20;
// A document nests deeper than its Node: properties, oneOf and items add levels.
constexpr size_t kMaxDocumentDepth = 4 * kMaxDepth + 64;

template <typename T>
bool Get(element e, T& value) {
  return e.get(value) == simdjson::SUCCESS;
}

std::string Quoted(std::string_view s) {
  std::string out;
  base::AppendJsonString(s, &out);
  return out;
}

// RFC 6901: "~" -> "~0", "/" -> "~1".
std::string PointerToken(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Child(const std::string& pointer, std::string_view token) {
  return absl::StrCat(pointer, "/", PointerToken(token));
}

class Reader {
 public:
  Reader(DocumentType type, element root)
      : openapi_(type == DocumentType::kOpenApi3),
        prefix_(openapi_ ? "OpenAPI document: " : "JSON Schema document: "),
        root_(root) {}

  absl::StatusOr<Node> Run(EventIdentity* identity) {
    object root;
    if (!Get(root_, root)) return Error("", "the root is not an object");
    element chosen;
    std::string chosen_pointer;
    if (openapi_) {
      if (absl::Status s = CheckOpenApiFrame(root, chosen, chosen_pointer); !s.ok()) return s;
    } else {
      if (absl::Status s = CheckJsonSchemaFrame(root); !s.ok()) return s;
      chosen = root_;
    }
    Node node;
    if (absl::Status s = Resolve(chosen_pointer, chosen, 1, node); !s.ok()) return s;
    if (identity != nullptr) {
      object schema;
      if (Get(chosen, schema)) {
        if (absl::Status s = ReadIdentity(schema, chosen_pointer, *identity); !s.ok()) return s;
      }
    }
    return node;
  }

 private:
  absl::Status Error(const std::string& pointer, const std::string& message) const {
    if (pointer.empty()) return absl::InvalidArgumentError(absl::StrCat(prefix_, message));
    return absl::InvalidArgumentError(absl::StrCat(prefix_, pointer, ": ", message));
  }

  absl::Status CheckOpenApiFrame(object root, element& chosen, std::string& chosen_pointer) {
    element e;
    std::string_view text;
    if (root["openapi"].get(e) != simdjson::SUCCESS) {
      return Error("", "missing \"openapi\" (expected \"3.0.x\")");
    }
    if (!Get(e, text)) return Error("/openapi", "expected a string");
    if (text != "3.0" && text.substr(0, 4) != "3.0.") {
      return Error("/openapi", absl::StrCat(Quoted(text), " is not 3.0.x"));
    }
    object info;
    if (root["info"].get(e) != simdjson::SUCCESS) return Error("/info", "missing");
    if (!Get(e, info)) return Error("/info", "expected an object");
    for (const char* key : {"title", "version"}) {
      const std::string pointer = absl::StrCat("/info/", key);
      if (info[key].get(e) != simdjson::SUCCESS) return Error(pointer, "missing");
      if (!Get(e, text)) return Error(pointer, "expected a string");
    }
    object components, schemas;
    const char* kNoSchemas = "missing (a schema needs at least one component)";
    if (root["components"].get(e) != simdjson::SUCCESS) {
      return Error("/components/schemas", kNoSchemas);
    }
    if (!Get(e, components)) return Error("/components", "expected an object");
    if (components["schemas"].get(e) != simdjson::SUCCESS) {
      return Error("/components/schemas", kNoSchemas);
    }
    if (!Get(e, schemas)) return Error("/components/schemas", "expected an object");
    if (schemas.size() == 0) {
      return Error("/components/schemas", "empty (a schema needs at least one component)");
    }
    // Every component is read, referred to or not: an error anywhere is reported.
    std::string_view chosen_name;
    for (auto field : schemas) index_[Child("/components/schemas", field.key)] = field.value;
    for (auto field : schemas) {
      const std::string pointer = Child("/components/schemas", field.key);
      Node ignored;
      if (absl::Status s = Resolve(pointer, field.value, 1, ignored, false); !s.ok()) return s;
      const bool better =
          chosen_name.empty() ||
          (chosen_name != "AWSEvent" && (field.key == "AWSEvent" || field.key < chosen_name));
      if (better) {
        chosen_name = field.key;
        chosen = field.value;
        chosen_pointer = pointer;
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckJsonSchemaFrame(object root) {
    element e;
    if (root["$schema"].get(e) == simdjson::SUCCESS) {
      std::string_view text;
      if (!Get(e, text) || text.find("draft-04") == std::string_view::npos) {
        return Error("", "\"$schema\" is not draft-04");
      }
    }
    if (root["definitions"].get(e) == simdjson::SUCCESS) {
      object definitions;
      if (!Get(e, definitions)) return Error("/definitions", "expected an object");
      for (auto field : definitions) index_[Child("/definitions", field.key)] = field.value;
      for (auto field : definitions) {
        Node ignored;
        const std::string pointer = Child("/definitions", field.key);
        if (absl::Status s = Resolve(pointer, field.value, 1, ignored, false); !s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

  absl::Status ReadIdentity(object schema, const std::string& pointer, EventIdentity& identity) {
    const std::pair<const char*, std::string*> fields[] = {
        {"x-amazon-events-source", &identity.source},
        {"x-amazon-events-detail-type", &identity.detail_type},
    };
    for (const auto& [key, out] : fields) {
      element e;
      std::string_view text;
      if (schema[key].get(e) != simdjson::SUCCESS) continue;
      if (!Get(e, text)) return Error(Child(pointer, key), "expected a string");
      *out = std::string(text);
    }
    return absl::OkStatus();
  }

  // The pointer of the schema being read is path_; a Scope adds a token to it for its lifetime.
  // (Pointers are built in place: copying one per level would cost the square of the depth.)
  class Scope {
   public:
    Scope(Reader& r, std::string_view token) : r_(r), size_(r.path_.size()) {
      r.path_ += '/';
      r.path_ += PointerToken(token);
    }
    ~Scope() { r_.path_.resize(size_); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Reader& r_;
    const size_t size_;
  };

  absl::Status ErrorHere(const std::string& message) const { return Error(path_, message); }
  absl::Status ErrorAt(std::string_view token, const std::string& message) const {
    return Error(absl::StrCat(path_, "/", PointerToken(token)), message);
  }

  // Reads the schema `e` found at `pointer` (a $ref target or a top-level schema) into `out`;
  // with `need_node` false only checks it, and only the first time.
  absl::Status Resolve(const std::string& pointer, element e, int depth, Node& out,
                       bool need_node = true) {
    if (!need_node && checked_.contains(pointer)) return absl::OkStatus();
    std::string saved = std::exchange(path_, pointer);
    resolving_.insert(pointer);
    absl::Status s = ReadSchema(e, depth, out);
    resolving_.erase(pointer);
    path_ = std::move(saved);
    if (s.ok()) checked_.insert(pointer);
    return s;
  }

  absl::Status FollowRef(element ref, int depth, Node& out) {
    std::string_view text;
    if (!Get(ref, text)) return ErrorAt("$ref", "expected a string");
    if (text.empty() || text[0] != '#') {
      return ErrorAt("$ref", absl::StrCat(Quoted(text), " is not a local reference"));
    }
    const std::string target(text.substr(1));
    if (resolving_.contains(target)) {
      return ErrorAt("$ref", absl::StrCat(std::string(text), " is part of a $ref cycle"));
    }
    element e;
    if (auto it = index_.find(target); it != index_.end()) {
      e = it->second;
    } else if (root_.at_pointer(target).get(e) != simdjson::SUCCESS) {
      return ErrorAt("$ref", absl::StrCat(std::string(text), " does not exist"));
    }
    return Resolve(target, e, depth, out);
  }

  absl::Status ReadType(element e, uint8_t& kinds) {
    std::string_view name;
    if (!Get(e, name)) return ErrorHere("expected a string");
    static constexpr std::pair<std::string_view, Kind> kTypes[] = {
        {"string", kString}, {"number", kNumber}, {"integer", kInteger}, {"boolean", kBoolean},
        {"object", kObject}, {"array", kArray},   {"null", kNull},
    };
    for (const auto& [type_name, kind] : kTypes) {
      if (name == type_name && (kind != kNull || !openapi_)) {
        kinds |= kind;
        return absl::OkStatus();
      }
    }
    return ErrorHere(absl::StrCat(Quoted(name), " is not a type"));
  }

  // Reads the array of schemas at path_ (oneOf, anyOf, allOf, tuple items) merged into `out`.
  absl::Status ReadSchemaList(element e, int depth, Node& out, bool& any) {
    simdjson::dom::array list;
    if (!Get(e, list)) return ErrorHere("expected an array");
    size_t i = 0;
    for (element item : list) {
      Scope scope(*this, std::to_string(i++));
      Node node;
      if (absl::Status s = ReadSchema(item, depth, node); !s.ok()) return s;
      if (!any) {
        out = std::move(node);
        any = true;
      } else {
        Merge(out, node);
      }
    }
    return absl::OkStatus();
  }

  absl::Status ReadTypes(element value, uint8_t& kinds) {
    Scope scope(*this, "type");
    simdjson::dom::array types;
    if (openapi_ || !Get(value, types)) return ReadType(value, kinds);
    size_t i = 0;
    for (element t : types) {
      Scope item(*this, std::to_string(i++));
      if (absl::Status s = ReadType(t, kinds); !s.ok()) return s;
    }
    return i == 0 ? ErrorHere("empty") : absl::OkStatus();
  }

  absl::Status ReadProperties(element value, int depth, std::vector<Property>& properties) {
    Scope scope(*this, "properties");
    object fields;
    if (!Get(value, fields)) return ErrorHere("expected an object");
    for (auto field : fields) {
      Property& p = properties.emplace_back();
      p.name = std::string(field.key);
      Scope name(*this, field.key);
      if (absl::Status s = ReadSchema(field.value, depth + 1, p.schema); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status ReadRequired(element value, std::vector<Property>& properties) {
    Scope scope(*this, "required");
    simdjson::dom::array names;
    if (!Get(value, names)) return ErrorHere("expected an array");
    size_t i = 0;
    for (element n : names) {
      std::string_view name;
      if (!Get(n, name)) return ErrorAt(std::to_string(i), "expected a string");
      ++i;
      for (Property& p : properties) p.required |= p.name == name;
    }
    return absl::OkStatus();
  }

  absl::Status ReadItems(element value, int depth, Node& items) {
    Scope scope(*this, "items");
    bool any = false;
    if (!openapi_ && value.is_array()) return ReadSchemaList(value, depth + 1, items, any);
    return ReadSchema(value, depth + 1, items);
  }

  // Reads the schema `e` at path_, `depth` positions below the document's schema.
  absl::Status ReadSchema(element e, int depth, Node& out) {
    if (depth > kMaxDepth + 1) {
      return ErrorHere(absl::StrCat("nests deeper than ", kMaxDepth));
    }
    if (budget_ == 0) {
      return ErrorHere(absl::StrCat("expands to more than ", kMaxNodes, " schemas"));
    }
    --budget_;
    object schema;
    if (!Get(e, schema)) return ErrorHere("expected an object");
    element value;
    if (schema["$ref"].get(value) == simdjson::SUCCESS) return FollowRef(value, depth, out);

    uint8_t kinds = 0;
    const bool typed = schema["type"].get(value) == simdjson::SUCCESS;
    if (typed) {
      if (absl::Status s = ReadTypes(value, kinds); !s.ok()) return s;
    }
    if (openapi_ && schema["nullable"].get(value) == simdjson::SUCCESS) {
      bool nullable;
      if (!Get(value, nullable)) return ErrorAt("nullable", "expected a boolean");
      if (nullable) kinds |= kNull;
    }
    bool date_time = false;
    if (schema["format"].get(value) == simdjson::SUCCESS) {
      std::string_view format;
      if (!Get(value, format)) return ErrorAt("format", "expected a string");
      date_time = format == "date-time";
    }
    std::vector<Property> properties;
    bool has_properties = false;
    if (schema["properties"].get(value) == simdjson::SUCCESS) {
      has_properties = true;
      if (absl::Status s = ReadProperties(value, depth, properties); !s.ok()) return s;
    }
    if (schema["required"].get(value) == simdjson::SUCCESS) {
      has_properties = true;
      if (absl::Status s = ReadRequired(value, properties); !s.ok()) return s;
    }
    Node items;
    const bool has_items = schema["items"].get(value) == simdjson::SUCCESS;
    if (has_items) {
      if (absl::Status s = ReadItems(value, depth, items); !s.ok()) return s;
    }

    if (!typed) {
      if (has_properties) kinds |= kObject;
      if (has_items) kinds |= kArray;
    }
    out.kinds = kinds;
    out.date_time = date_time;
    if (kinds & kObject) {
      std::stable_sort(properties.begin(), properties.end(),
                       [](const Property& a, const Property& b) { return a.name < b.name; });
      // A repeated name: the first is kept (JSON leaves repeats undefined).
      properties.erase(
          std::unique(properties.begin(), properties.end(),
                      [](const Property& a, const Property& b) { return a.name == b.name; }),
          properties.end());
      out.properties = std::move(properties);
    }
    if ((kinds & kArray) && items.kinds != 0) out.items.push_back(std::move(items));

    for (const char* key : {"oneOf", "anyOf", "allOf"}) {
      if (schema[key].get(value) != simdjson::SUCCESS) continue;
      Scope scope(*this, key);
      Node alternatives;
      bool any = false;
      if (absl::Status s = ReadSchemaList(value, depth, alternatives, any); !s.ok()) return s;
      if (any) Merge(out, alternatives);
    }
    internal::NormalizeShallow(out);
    return absl::OkStatus();
  }

  const bool openapi_;
  const char* const prefix_;
  const element root_;
  size_t budget_ = kMaxNodes;
  // The components (definitions) by pointer: simdjson finds a key by a linear scan.
  absl::flat_hash_map<std::string, element> index_;
  absl::flat_hash_set<std::string> checked_;  // pointers read without error
  absl::flat_hash_set<std::string> resolving_;
  std::string path_;
};

}  // namespace

absl::StatusOr<Node> ParseDocument(DocumentType type, std::string_view content,
                                   EventIdentity* identity) {
  simdjson::dom::parser parser;
  if (parser.allocate(std::max<size_t>(content.size(), 64), kMaxDocumentDepth) !=
      simdjson::SUCCESS) {
    return absl::ResourceExhaustedError("cannot allocate the JSON parser");
  }
  simdjson::padded_string padded(content.data(), content.size());
  element root;
  if (simdjson::error_code error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("content is not valid JSON: ", simdjson::error_message(error)));
  }
  // The identity changes only if the whole document is read: fields absent stay as they were.
  EventIdentity found = identity != nullptr ? *identity : EventIdentity{};
  absl::StatusOr<Node> node = Reader(type, root).Run(&found);
  if (node.ok() && identity != nullptr) *identity = std::move(found);
  return node;
}

}  // namespace busbar::registry
