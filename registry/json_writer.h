// Internal to busbar::registry: a small streaming JSON writer for the schema documents.
//
// Output is pretty-printed with two-space indents (up to 64 levels; deeper lines are indented
// as the 64th, so that the size stays linear in the depth), one member or element per line,
// and ends with a newline; empty objects and arrays are written "{}" and "[]". Strings are written
// by base::AppendJsonString (matcher/base/base.h). The caller pairs Begin/End calls and
// writes a Key before each member value; the writer does not check that. Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace busbar::registry::internal {

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // The name of the next member of the open object.
  void Key(std::string_view name);
  void String(std::string_view value);
  void Bool(bool value);
  void Int(int64_t value);
  void Null();

  // The document so far; call after the outermost End*. Leaves the writer empty.
  std::string Release();

 private:
  // Writes what goes before a value: a comma and line break inside containers.
  void BeforeValue();
  void Open(char bracket);
  void Close(char bracket);
  void Indent();

  std::string out_;
  // One entry per open container: whether it has had a member or element yet.
  std::vector<bool> has_items_;
  bool after_key_ = false;
};

}  // namespace busbar::registry::internal
