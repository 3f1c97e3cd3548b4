// Internal to bus/: what the two halves of `busbar schemas` share — schemas.cc (schemas,
// versions, search, export, inference, diffs and the dispatch) and schemas_registries.cc
// (registries and discoverers). Thread-compatible.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string_view>

#include "absl/status/statusor.h"
#include "bus/cli/commands.h"
#include "bus/cli/rpc.h"
#include "busbar/v1/schemas.grpc.pb.h"

namespace busbar::cli {

using SchemasStub = ::busbar::v1::SchemasService::Stub;

// `schemas registries SUB …` and `schemas discoverers SUB …`; args[0] is "registries" or
// "discoverers". Return the exit status.
int RunSchemaRegistries(SchemasStub& stub, const Args& args);
int RunSchemaDiscoverers(SchemasStub& stub, const Args& args);

// ReadOptions(args, start, names, flags), then checks that `min_positional` to
// `max_positional` positional arguments were given. InvalidArgument with `usage` (e.g.
// "describe takes one schema NAME") otherwise.
absl::StatusOr<Options> ReadSubcommand(const Args& args, size_t start,
                                       std::initializer_list<std::string_view> names,
                                       size_t min_positional, size_t max_positional,
                                       std::string_view usage,
                                       std::initializer_list<std::string_view> flags = {});

}  // namespace busbar::cli
