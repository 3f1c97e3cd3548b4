// libFuzzer target: the input bytes are an event or a schema document.
//
// Each input goes through Infer, ShapeHash and ParseDocument (both formats). Malformed input
// must come back as an error, never as a crash or a sanitizer report. Where Infer accepts the
// input, ShapeHash must agree with the inferred Node and the Node must survive a round trip
// through ToOpenApi and ToJsonSchema; where ParseDocument accepts it, the Node it reads must
// survive the same round trip. Any mismatch traps.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "registry/schema.h"
#include "registry/schema_internal.h"

namespace {

using busbar::registry::DocumentType;
using busbar::registry::EventIdentity;
using busbar::registry::Node;

void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_registry_document: %s\ninput: %.*s\n", what,
               static_cast<int>(input.size()), input.data());
  __builtin_trap();
}

void CheckRoundTrip(const Node& node, std::string_view input) {
  const EventIdentity identity{"fuzz.source", "Fuzz Detail\n\"type\""};
  for (DocumentType type : {DocumentType::kOpenApi3, DocumentType::kJsonSchemaDraft4}) {
    const std::string doc = type == DocumentType::kOpenApi3
                                ? busbar::registry::ToOpenApi(node, "Fuzz", identity)
                                : busbar::registry::ToJsonSchema(node, "Fuzz", identity);
    EventIdentity read;
    absl::StatusOr<Node> back = busbar::registry::ParseDocument(type, doc, &read);
    if (!back.ok()) Fail("a rendered document does not parse", input);
    if (!(*back == node)) Fail("a rendered document parses to another shape", input);
    if (read.source != identity.source || read.detail_type != identity.detail_type) {
      Fail("the identity does not round-trip", input);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<Node> node = busbar::registry::Infer(input);
  absl::StatusOr<uint64_t> hash = busbar::registry::ShapeHash(input);
  if (node.ok() != hash.ok()) Fail("Infer and ShapeHash disagree on validity", input);
  if (node.ok()) {
    if (*hash != busbar::registry::internal::HashNode(*node)) {
      Fail("ShapeHash differs from the hash of Infer's node", input);
    }
    CheckRoundTrip(*node, input);
    (void)busbar::registry::FieldPaths(*node);
    (void)busbar::registry::Diff(*node, Node{});
  }

  for (DocumentType type : {DocumentType::kOpenApi3, DocumentType::kJsonSchemaDraft4}) {
    absl::StatusOr<Node> parsed = busbar::registry::ParseDocument(type, input);
    if (parsed.ok()) {
      CheckRoundTrip(*parsed, input);
      if (node.ok()) (void)busbar::registry::Diff(*node, *parsed);
    }
  }
  return 0;
}
