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
class RedfishBmc;
} // namespace cmc::southbound

namespace cmc::app {

struct BladeRuntime {
    domain::Blade blade;
    std::unique_ptr<domain::BladeHealth> health;
    std::shared_ptr<southbound::IpmiConnection> ipmi;
    std::shared_ptr<southbound::RedfishBmc> redfish;

    // Scheduling (steady ms).
    std::int64_t nextIpmiMs = 0;
    std::int64_t nextSelMs = 0;
    std::int64_t nextRedfishMs = 0;
    bool ipmiInFlight = false;
    bool selInFlight = false;
    bool redfishInFlight = false;
    bool inventoryInFlight = false;
    bool inventoryDone = false;
    std::int64_t nextInventoryMs = 0; // after a failed FRU read
    bool ipmiUp = false;

    // Redfish discovery and the BMC's event stream.
    bool redfishDiscovered = false;
    bool redfishDiscoverInFlight = false;
    std::int64_t nextRedfishDiscoverMs = 0;
    std::int64_t nextSubscribeMs = 0;
    std::int64_t recheckMs = 0;   // judge again then (an event started a timer in the health machine)
    std::string lastRedfishError; // logged once until it changes

    // SEL reading.
    bool selPrimed = false;
    std::uint32_t selLastAdd = 0;
    std::uint16_t selEntries = 0;
    std::uint16_t selLastId = 0;

    // Where the identity is written (Redfish NetworkDeviceFunctions or
    // EthernetInterfaces, by NIC/HBA index), as discovery found them.
    std::vector<std::string> nicPaths;
    std::vector<std::string> hbaPaths;
    // Heartbeat: the logical IPs last answered through this blade.
    std::vector<std::string> logicalIps;

    // Last persisted sample per signal (steady ms), to bound the sample rate.
    std::int64_t lastSampleMs = -1;
    double lastIpmiRttMs = 0;
    std::optional<bool> lastHeartbeat;
    std::optional<domain::HealthTransition> lastTransition; // timeMs in Unix ms
};

} // namespace cmc::app
