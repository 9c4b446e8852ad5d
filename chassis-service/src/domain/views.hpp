// Read models: what the northbound API shows, as plain snapshots built by the
// service on request. The API reads these, never the monitor's scheduling
// state, and never holds them across calls.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/health.hpp"
#include "domain/model.hpp"
#include "domain/power_intent.hpp"

namespace cmc::domain {

struct BladeView {
    Blade blade; // inventory and endpoints (the API shows no credentials)
    HealthState state = HealthState::Unknown;
    std::string reason;
    std::vector<std::string> badSignals;
    bool quarantineRecommended = false;
    std::optional<HealthTransition> lastTransition; // timeMs in Unix ms
    SignalStatus ipmi, redfish, heartbeat;          // failingSinceMs in steady ms ...
    std::int64_t steadyNowMs = 0;                   // ... against this "now"
    bool bmcReachable = false;                      // every management path it has answers
    bool ipmiSessionUp = false;
    double lastIpmiRttMs = 0;
    std::string redfishSystem; // the ComputerSystem on the BMC that is this blade
    bool eventStream = false;  // subscribed to the BMC's event stream
    std::vector<std::string> logicalIps;
    std::optional<PowerIntentRecord> powerIntent; // what cmcd wants the blade to be
};

struct MonitorCounters {
    std::uint64_t ipmiPolls = 0;
    std::uint64_t ipmiFailures = 0;
    std::uint64_t selReads = 0;
    std::uint64_t redfishPolls = 0;
    std::uint64_t redfishFailures = 0;
    std::uint64_t fabricPolls = 0;
    std::uint64_t transitions = 0;
    std::uint64_t redfishEvents = 0;   // events received on BMC SSE streams
    std::uint64_t handlerFailures = 0; // exceptions caught at handler and timer boundaries
};

struct ManagerView {
    std::string version;
    std::int64_t startedUnixMs = 0;
    NetworkVerdict network;
    MonitorCounters counters;
    std::int64_t eventRetention = 0;
    std::size_t blades = 0;
};

} // namespace cmc::domain
