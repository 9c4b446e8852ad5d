// Typed domain events of the health monitor. The monitor publishes them; the
// event log turns them into registry messages, and the failover orchestrator
// (next) acts on BladeFailed. Plain C++: no JSON, no registry strings here.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "domain/model.hpp"

namespace cmc::domain {

struct BladeHealthChanged {
    HealthTransition transition; // timeMs in Unix ms
};
struct BladeFailed {
    int slot = 0;
    std::string reason;
    std::vector<std::string> badSignals;
};
struct BladeRecovered {
    int slot = 0;
};
struct BmcBecameUnreachable {
    int slot = 0;
    std::string reason;
};
struct BladeCritical {
    int slot = 0;
    std::string reason;
};
struct QuarantineRecommended {
    int slot = 0;
    int failures = 0;
    std::int64_t windowMs = 0;
};
struct ManagementNetworkChanged {
    bool suspect = false;
    std::size_t unreachable = 0;
    std::size_t total = 0;
};

using HealthEvent = std::variant<BladeHealthChanged, BladeFailed, BladeRecovered, BmcBecameUnreachable, BladeCritical,
                                 QuarantineRecommended, ManagementNetworkChanged>;

} // namespace cmc::domain
