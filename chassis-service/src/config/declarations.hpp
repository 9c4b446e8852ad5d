// The declarative part of cmcd's config file: identity pools, spare pools
// and logical servers that cmcd applies at start (and reports drift from),
// and the failover orchestrator's settings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/failover.hpp"
#include "domain/identity.hpp"
#include "domain/logical_server.hpp"
#include "domain/spares.hpp"

namespace cmc::config {

struct Declarations {
    std::vector<domain::IdentityPool> identityPools;
    std::vector<domain::SparePool> sparePools;
    std::vector<domain::LogicalServerSpec> servers;
    [[nodiscard]] bool empty() const { return identityPools.empty() && sparePools.empty() && servers.empty(); }
};

struct FailoverConfig {
    bool automatic = true;              // false: failures are reported, nothing moves without an operator
    std::int64_t holdMs = 250;          // a confirmed failure waits this long before fencing, so that
                                        // simultaneous failures are counted by the storm breaker first
    std::int64_t verifyPollMs = 100;    // how often verification asks the fabric
    std::int64_t verifyStableMs = 3000; // ... and the checks must hold this long (a spare that fails right after boot)
    bool verifySanLogin = true;         // verification also wants the SAN login of the server's WWPN
    bool verifyWatchdog = true;         // ... and the host's IPMI watchdog armed (blades with IPMI)
    domain::FailoverTimeouts timeouts;
    domain::StormPolicy storm;
    std::string debugKillAt; // tests: SIGKILL cmcd once this phase is journaled ("Fencing", ...)
};

} // namespace cmc::config
