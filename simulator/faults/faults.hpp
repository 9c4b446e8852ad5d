// The catalogue of injectable faults: names, parameters, and how each maps
// onto a blade's fault state.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "hardware/blade.hpp"

namespace cmc::sim {

struct FaultInfo {
    std::string name;
    std::string description;
    nlohmann::json parameters; // name -> {type, default, description}
};

[[nodiscard]] const std::vector<FaultInfo>& faultCatalog();

// Adds the fault described by `body` ({"fault": name, ...parameters}) to `faults`.
// Returns an empty string on success, else a message for a 400 answer.
// `oneShot` is set for faults that act once (host-crash without loop).
[[nodiscard]] std::string addFault(BladeFaults& faults, const nlohmann::json& body, std::size_t nicCount,
                                   std::string& name, bool& oneShot);
// Clears the named fault. False when the name is unknown.
[[nodiscard]] bool clearFault(BladeFaults& faults, const std::string& name, bool& wasActive);
// The active faults with their parameters.
[[nodiscard]] nlohmann::json activeFaults(const BladeFaults& faults);

} // namespace cmc::sim
