// ToJsonSchema: a Node as one self-contained JSON Schema Draft 4 document; see schema.h.
//
// Every position is inline: "type" (a string for one kind, an array in KindName's order for
// several, absent for none), "format": "date-time" when the strings seen were date-times,
// "required" (only when not empty) and "properties" for objects, "items" for arrays ({} for an
// array seen only empty). document_parser.cc reads all of these back.
#include <string>
#include <string_view>
#include <utility>

#include "registry/json_writer.h"
#include "registry/schema.h"

namespace busbar::registry {
namespace {

using internal::JsonWriter;

constexpr std::pair<Kind, const char*> kTypeNames[] = {
    {kArray, "array"},   {kBoolean, "boolean"}, {kInteger, "integer"}, {kNull, "null"},
    {kNumber, "number"}, {kObject, "object"},   {kString, "string"},
};

void WriteMembers(const Node& n, JsonWriter& w);

void WriteSchema(const Node& n, JsonWriter& w) {
  w.BeginObject();
  WriteMembers(n, w);
  w.EndObject();
}

void WriteMembers(const Node& n, JsonWriter& w) {
  const int kinds = __builtin_popcount(n.kinds);
  if (kinds == 1) {
    w.Key("type");
    for (const auto& [kind, name] : kTypeNames) {
      if (n.kinds & kind) w.String(name);
    }
  } else if (kinds > 1) {
    w.Key("type");
    w.BeginArray();
    for (const auto& [kind, name] : kTypeNames) {
      if (n.kinds & kind) w.String(name);
    }
    w.EndArray();
  }
  if ((n.kinds & kString) && n.date_time) {
    w.Key("format");
    w.String("date-time");
  }
  if (n.kinds & kObject) {
    bool any_required = false;
    for (const Property& p : n.properties) any_required |= p.required;
    if (any_required) {
      w.Key("required");
      w.BeginArray();
      for (const Property& p : n.properties) {
        if (p.required) w.String(p.name);
      }
      w.EndArray();
    }
    if (!n.properties.empty()) {
      w.Key("properties");
      w.BeginObject();
      for (const Property& p : n.properties) {
        w.Key(p.name);
        WriteSchema(p.schema, w);
      }
      w.EndObject();
    }
  }
  if (n.kinds & kArray) {
    w.Key("items");
    if (n.items.empty()) {
      w.BeginObject();
      w.EndObject();
    } else {
      WriteSchema(n.items[0], w);
    }
  }
}

}  // namespace

std::string ToJsonSchema(const Node& event, std::string_view title, const EventIdentity& identity) {
  JsonWriter w;
  w.BeginObject();
  w.Key("$schema");
  w.String("http://json-schema.org/draft-04/schema#");
  w.Key("title");
  w.String(title);
  if (!identity.detail_type.empty()) {
    w.Key("x-amazon-events-detail-type");
    w.String(identity.detail_type);
  }
  if (!identity.source.empty()) {
    w.Key("x-amazon-events-source");
    w.String(identity.source);
  }
  WriteMembers(event, w);
  w.EndObject();
  return w.Release();
}

}  // namespace busbar::registry
