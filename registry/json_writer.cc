// Internal to busbar::registry: see json_writer.h.
#include "registry/json_writer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "matcher/base/base.h"

namespace busbar::registry::internal {
namespace {

// Indentation stops growing here, so that a document nesting thousands of levels (an event
// may nest 4096) is linear in size, not quadratic.
constexpr size_t kMaxIndentLevels = 64;

}  // namespace

void JsonWriter::Indent() {
  out_ += '\n';
  out_.append(2 * std::min(has_items_.size(), kMaxIndentLevels), ' ');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (has_items_.empty()) return;
  if (has_items_.back()) out_ += ',';
  has_items_.back() = true;
  Indent();
}

void JsonWriter::Open(char bracket) {
  BeforeValue();
  out_ += bracket;
  has_items_.push_back(false);
}

void JsonWriter::Close(char bracket) {
  const bool had_items = has_items_.back();
  has_items_.pop_back();
  if (had_items) Indent();
  out_ += bracket;
}

void JsonWriter::BeginObject() { Open('{'); }
void JsonWriter::EndObject() { Close('}'); }
void JsonWriter::BeginArray() { Open('['); }
void JsonWriter::EndArray() { Close(']'); }

void JsonWriter::Key(std::string_view name) {
  BeforeValue();
  base::AppendJsonString(name, &out_);
  out_ += ": ";
  after_key_ = true;
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  base::AppendJsonString(value, &out_);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  absl::StrAppend(&out_, value);
}

void JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
}

std::string JsonWriter::Release() {
  std::string out = std::move(out_);
  out += '\n';
  out_.clear();
  has_items_.clear();
  after_key_ = false;
  return out;
}

}  // namespace busbar::registry::internal
