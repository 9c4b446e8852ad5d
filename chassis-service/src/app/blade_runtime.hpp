// What cmcd knows and does about one blade at runtime.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/health.hpp"
#include "domain/model.hpp"

namespace cmc::southbound {
class IpmiConnection;
}

namespace cmc::app {

struct BladeRuntime {
    domain::Blade blade;
    std::unique_ptr<domain::BladeHealth> health;
    std::shared_ptr<southbound::IpmiConnection> ipmi;

    // Scheduling (steady ms).
    std::int64_t nextIpmiMs = 0;
    std::int64_t nextSelMs = 0;
    std::int64_t nextRedfishMs = 0;
    bool ipmiInFlight = false;
    bool selInFlight = false;
    bool redfishInFlight = false;
    bool inventoryInFlight = false;
    bool inventoryDone = false;
    bool ipmiUp = false;

    // SEL reading.
    bool selPrimed = false;
    std::uint32_t selLastAdd = 0;
    std::uint16_t selEntries = 0;
    std::uint16_t selLastId = 0;

    // Heartbeat: the logical IPs last answered through this blade.
    std::vector<std::string> logicalIps;

    // Last persisted sample per signal (steady ms), to bound the sample rate.
    std::int64_t lastSampleMs = -1;
    double lastIpmiRttMs = 0;
    std::optional<bool> lastHeartbeat;
    std::optional<domain::HealthTransition> lastTransition; // timeMs in Unix ms
};

} // namespace cmc::app
