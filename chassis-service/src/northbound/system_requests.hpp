// Internal to northbound/: reading the request bodies of /redfish/v1/Systems
// (system_requests.cpp) for the handlers in systems.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "northbound/resources.hpp"

namespace cmc::northbound {

// The slot of a ResourceBlock URI ("/redfish/v1/CompositionService/ResourceBlocks/blade-5").
[[nodiscard]] std::optional<int> slotOfBlockUri(const std::string& uri);
// A POST /redfish/v1/Systems body (problems recorded in `rd`). An identity
// given neither as a value nor as a pool is drawn from the only pool of its
// kind, when there is exactly one.
[[nodiscard]] domain::LogicalServerSpec readCreate(WriteReader& rd, const json& body,
                                                   const std::vector<domain::IdentityPoolView>& pools);
// Oem.OpenCMC.Requirements of `oc` (the Oem.OpenCMC object) over `r`; a null clears a value.
void readRequirements(WriteReader& rd, const json& oc, domain::HardwareRequirements& r);
// Oem.OpenCMC.FailoverPolicy of `oc` over `p`; SparePool null: no failover target.
void readPolicy(WriteReader& rd, const json& oc, domain::FailoverPolicy& p);
// The backend's refusal of a create: a reference inside the body (blade,
// spare pool, identity pool) is a 400 naming the property, a taken name or
// identity a 409.
[[nodiscard]] http::Response createError(const domain::OperationResult& r, const domain::LogicalServerSpec& spec);

} // namespace cmc::northbound
