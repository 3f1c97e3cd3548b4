// Test-only: see node_spec.h.
#include "tests/registry/node_spec.h"

#include <pthread.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/testing/scale.h"

namespace busbar::registry::testing {
namespace {

absl::Status KindsFromName(std::string_view name, Node& node) {
  for (absl::string_view part :
       absl::StrSplit(absl::string_view(name.data(), name.size()), '|', absl::SkipEmpty())) {
    if (part == "null")
      node.kinds |= kNull;
    else if (part == "boolean")
      node.kinds |= kBoolean;
    else if (part == "integer")
      node.kinds |= kInteger;
    else if (part == "number")
      node.kinds |= kNumber;
    else if (part == "string")
      node.kinds |= kString;
    else if (part == "string(date-time)")
      node.kinds |= kString, node.date_time = true;
    else if (part == "object")
      node.kinds |= kObject;
    else if (part == "array")
      node.kinds |= kArray;
    else
      return absl::InvalidArgumentError(absl::StrCat("unknown kind ", part));
  }
  return absl::OkStatus();
}

template <typename T>
T As(simdjson::dom::element e) {
  T value{};
  if (e.get(value) != simdjson::SUCCESS) std::abort();  // the spec is malformed
  return value;
}

absl::StatusOr<Node> FromElement(simdjson::dom::element e) {
  Node node;
  if (e.is_string()) {
    if (absl::Status s = KindsFromName(As<std::string_view>(e), node); !s.ok()) return s;
    return node;
  }
  if (!e.is_object()) return absl::InvalidArgumentError("a spec is a string or an object");
  for (auto field : As<simdjson::dom::object>(e)) {
    if (field.key == "kinds") {
      if (absl::Status s = KindsFromName(As<std::string_view>(field.value), node); !s.ok()) {
        return s;
      }
    } else if (field.key == "properties") {
      if (!node.kinds) node.kinds = kObject;
      for (auto p : As<simdjson::dom::object>(field.value)) {
        Property property;
        property.required = p.key.empty() || p.key[0] != '?';
        property.name = std::string(property.required ? p.key : p.key.substr(1));
        absl::StatusOr<Node> schema = FromElement(p.value);
        if (!schema.ok()) return schema.status();
        property.schema = *std::move(schema);
        node.properties.push_back(std::move(property));
      }
      std::sort(node.properties.begin(), node.properties.end(),
                [](const Property& a, const Property& b) { return a.name < b.name; });
    } else if (field.key == "items") {
      if (!node.kinds) node.kinds = kArray;
      absl::StatusOr<Node> items = FromElement(field.value);
      if (!items.ok()) return items.status();
      node.items.push_back(*std::move(items));
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown spec key ", std::string(field.key)));
    }
  }
  return node;
}

}  // namespace

absl::StatusOr<Node> ParseSpec(std::string_view spec_json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(spec_json);
  simdjson::dom::element root;
  if (auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(simdjson::error_message(error));
  }
  return FromElement(root);
}

std::string Describe(const Node& node) {
  const std::string kinds = KindName(node);
  const bool object = (node.kinds & kObject) && !node.properties.empty();
  const bool array = (node.kinds & kArray) && !node.items.empty();
  if (!object && !array) return absl::StrCat("\"", kinds, "\"");
  std::string out = absl::StrCat("{\"kinds\":\"", kinds, "\"");
  if (object) {
    out += ",\"properties\":{";
    for (size_t i = 0; i < node.properties.size(); ++i) {
      const Property& p = node.properties[i];
      absl::StrAppend(&out, i ? "," : "", "\"", p.required ? "" : "?", p.name,
                      "\":", Describe(p.schema));
    }
    out += "}";
  }
  if (array) absl::StrAppend(&out, ",\"items\":", Describe(node.items[0]));
  return out + "}";
}

void RunOnDaemonSizedStack(const std::function<void()>& fn) {
#if defined(NDEBUG) && !defined(BUSBAR_UNDER_ASAN) && !defined(BUSBAR_LARGE_FRAMES)
  constexpr size_t kStack = size_t{8} << 20;
#else
  constexpr size_t kStack = size_t{128} << 20;
#endif
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kStack);
  pthread_t thread;
  auto run = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  if (pthread_create(&thread, &attr, run, const_cast<std::function<void()>*>(&fn)) != 0) {
    std::abort();
  }
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::abort();
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace busbar::registry::testing
