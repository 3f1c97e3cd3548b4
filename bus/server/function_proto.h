// Internal to bus/server: the one conversion between a function's proto
// (busbar.v1.FunctionConfiguration, proto/busbar/v1/functions.proto) and its model
// (targets::Function, targets/functions.h). FunctionsService answers and reads requests with
// it, and the catalog keeps API-created functions as the proto's bytes. Pure functions;
// thread-safe.
#pragma once

#include "targets/functions.h"

namespace busbar::v1 {
class FunctionConfiguration;
}  // namespace busbar::v1

namespace busbar::bus {

// Every field of `f` into `out` (which is cleared first), function_arn included.
// declared_in is left empty: where a function is declared is the routing's to say.
void FunctionToProto(const targets::Function& f, v1::FunctionConfiguration* out);

// The model of `in`: unset optional fields take the model's defaults, empty destinations are
// none, function_arn is copied (ValidateFunction computes it anew) and declared_in is
// ignored. Destinations' kind and resource_name are ValidateEventInvokeConfig's to fill.
targets::Function FunctionFromProto(const v1::FunctionConfiguration& in);

}  // namespace busbar::bus
