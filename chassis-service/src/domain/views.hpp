// Read models: what the northbound API shows, as plain snapshots built by the
// service on request. The API reads these, never the monitor's scheduling
// state, and never holds them across calls.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/failover.hpp"
#include "domain/health.hpp"
#include "domain/identity.hpp"
#include "domain/logical_server.hpp"
#include "domain/model.hpp"
#include "domain/power_intent.hpp"
#include "domain/spares.hpp"

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
    bool operator==(const BladeView&) const = default;
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

// A blade as the composition service sees it (a ResourceBlock).
struct ResourceBlockView {
    int slot = 0;
    BladeRole role = BladeRole::Unassigned;
    HealthState health = HealthState::Unknown;
    std::string powerState;
    bool maintenance = false;
    bool reserved = false;                // held by a failover in progress
    std::optional<std::string> server;    // the logical server bound to it
    std::optional<std::string> sparePool; // the pool it stands by in
    std::optional<SpareKind> spareKind;
    std::string roleReason; // why Failed / Quarantined
    bool operator==(const ResourceBlockView&) const = default;
};

struct LogicalServerView {
    LogicalServer server;
    std::optional<ResourceBlockView> blade; // the blade it runs on
    CoverageEntry coverage;
    std::optional<std::int64_t> activeFailover; // a failover or migration in progress
    std::optional<std::int64_t> lastFailover;
    bool operator==(const LogicalServerView&) const = default;
};

struct SparePoolView {
    SparePool pool;
    std::vector<ResourceBlockView> members;
    std::vector<std::string> servers; // logical servers that fail over into it
};

struct IdentityPoolView {
    IdentityPool pool;
    IdentityRegistry::Usage usage;
};

struct StormView {
    bool tripped = false;
    std::string reason;
    std::size_t failuresInWindow = 0;
    StormPolicy policy;
};

// The enclosure's power supplies, fans and inlet temperature as the seat
// (southbound/fabric) last read them. A value the seat did not give, or that
// is not current (the last read failed), is nullopt: shown as null, never made up.
struct PowerSupplyView {
    int id = 0;                 // 1-based, as the seat numbers them
    std::optional<bool> failed; // nullopt: not known now
    std::optional<double> capacityW;
    std::optional<double> outputW;
};
struct FanView {
    int id = 0;
    std::optional<bool> failed;
    std::optional<double> rpm;
};
struct EnclosureView {
    bool read = false;           // the seat answered at least once (the lists below are its parts)
    bool current = false;        // the last read succeeded
    std::int64_t readUnixMs = 0; // when the last successful read was
    std::string error;           // why the last read failed
    std::vector<PowerSupplyView> powerSupplies;
    std::vector<FanView> fans;
    std::optional<double> inletC;
    std::optional<double> loadW;
    std::string redundancy; // the seat's words: "N+1", "Degraded", "Lost" ("" unknown)
};

// One row of the audit trail (who asked for what, and what came of it).
struct AuditEntry {
    std::int64_t id = 0;
    std::int64_t timeMs = 0; // Unix ms
    std::string who, action, subject, reason, outcome;
};
// A page of the audit trail, oldest first; ok false when it could not be read.
struct AuditPage {
    bool ok = false;
    std::int64_t total = 0;
    std::vector<AuditEntry> entries;
};

// The answer to a write the API asked for.
struct OperationResult {
    enum class Code {
        Ok,          // done (200/201/204)
        Accepted,    // a failover/migration task started (202 + task monitor)
        BadRequest,  // a value is wrong (400; `property` names it)
        NotFound,    // an unknown server, blade or pool (404; `resource` names it)
        Conflict,    // duplicate name or identity, resource in use, exhausted pool (409)
        Unavailable, // cannot be done now (503)
    };
    Code code = Code::Ok;
    std::string message;
    std::string property; // BadRequest: the offending property ("vnics/0/mac")
    std::string value;    // BadRequest: the offending value
    std::string resource; // NotFound/Conflict: "LogicalServer", "Blade", "SparePool", "IdentityPool"
    std::string id;       // the created/affected resource's id
    std::optional<std::int64_t> taskId;

    [[nodiscard]] bool ok() const { return code == Code::Ok || code == Code::Accepted; }
};

// Operator actions on a logical server and on a blade (the same machine as automatic failover).
enum class ServerAction { Migrate, Failback, PowerOn, PowerOff };
enum class BladeAction { MaintenanceOn, MaintenanceOff, Repair, Evacuate };

} // namespace cmc::domain
