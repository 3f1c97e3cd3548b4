// The catalog's functions and the encodings of what it keeps as proto text; see catalog.h.
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "bus/server/catalog.h"
#include "bus/server/function_proto.h"
#include "busbar/v1/functions.pb.h"
#include "busbar/v1/rules.pb.h"

namespace busbar::bus {

namespace v1 = ::busbar::v1;

std::string EncodeHttpParameters(const config::HttpParameters& p) {
  v1::HttpParameters out;
  for (const std::string& v : p.path_parameter_values) out.add_path_parameter_values(v);
  for (const auto& [k, v] : p.header_parameters) (*out.mutable_header_parameters())[k] = v;
  for (const auto& [k, v] : p.query_string_parameters) {
    (*out.mutable_query_string_parameters())[k] = v;
  }
  return absl::Base64Escape(out.SerializeAsString());
}

config::HttpParameters DecodeHttpParameters(std::string_view text) {
  config::HttpParameters p;
  std::string bytes;
  v1::HttpParameters in;
  if (!absl::Base64Unescape(std::string(text), &bytes) || !in.ParseFromString(bytes)) return p;
  for (const std::string& v : in.path_parameter_values()) p.path_parameter_values.push_back(v);
  for (const auto& [k, v] : in.header_parameters()) p.header_parameters.emplace(k, v);
  for (const auto& [k, v] : in.query_string_parameters()) p.query_string_parameters.emplace(k, v);
  return p;
}

namespace {

std::string EncodeFunction(const targets::Function& f) {
  v1::FunctionConfiguration out;
  FunctionToProto(f, &out);
  return absl::Base64Escape(out.SerializeAsString());
}

absl::StatusOr<targets::Function> DecodeFunction(std::string_view text) {
  std::string bytes;
  v1::FunctionConfiguration in;
  if (!absl::Base64Unescape(std::string(text), &bytes) || !in.ParseFromString(bytes)) {
    return absl::InternalError("a stored function does not decode");
  }
  return FunctionFromProto(in);
}

}  // namespace

absl::Status Catalog::LoadFunctions(targets::Db& db, CatalogState& state) {
  auto select = db.Prepare("SELECT name, spec FROM api_functions");
  if (!select.ok()) return select.status();
  while (true) {
    auto row = (*select)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto f = DecodeFunction((*select)->Text(1));
    if (!f.ok()) return f.status();
    state.functions.emplace(f->name, std::move(*f));
  }
  return absl::OkStatus();
}

absl::Status Catalog::PutFunction(targets::Function function) {
  const std::string spec = EncodeFunction(function);
  absl::Status s = store_->Write([&](targets::Db& db) -> absl::Status {
    auto upsert = db.Prepare(
        "INSERT INTO api_functions (name, spec) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET spec = excluded.spec");
    if (!upsert.ok()) return upsert.status();
    return (*upsert)->Bind(1, function.name).Bind(2, spec).Run();
  });
  if (!s.ok()) return s;
  std::string name = function.name;
  state_.functions.insert_or_assign(std::move(name), std::move(function));
  return absl::OkStatus();
}

absl::Status Catalog::DeleteFunction(std::string_view name) {
  absl::Status s = store_->Write([name](targets::Db& db) -> absl::Status {
    auto del = db.Prepare("DELETE FROM api_functions WHERE name = ?");
    if (!del.ok()) return del.status();
    return (*del)->Bind(1, name).Run();
  });
  if (!s.ok()) return s;
  if (auto it = state_.functions.find(name); it != state_.functions.end()) {
    state_.functions.erase(it);
  }
  return absl::OkStatus();
}

}  // namespace busbar::bus
