// The command-line form of a service-time distribution, for `ebb testserver --service-time`:
//   exponential:MEAN        deterministic:MEAN        lognormal:MEAN:SCV
// MEAN in seconds (> 0; deterministic also accepts 0), SCV the squared coefficient of variation
// (> 0). The distributions themselves are the simulator's (sim/service_time.h).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "workload/service_time.h"

namespace ebb::testserver {

core::Result<workload::ServiceTimeOptions> ParseServiceTimeSpec(std::string_view spec);
std::string ToSpec(const workload::ServiceTimeOptions& options);

}  // namespace ebb::testserver
