// Logical servers: an identity (virtual UUID, vNICs with virtual MAC + IP +
// VLAN, vHBAs with virtual WWPN, a SAN boot volume) with hardware
// requirements and a failover policy, bound to at most one blade at a time.
// Plain C++: no JSON, no SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "domain/power_intent.hpp"

namespace cmc::domain {

struct VNic {
    std::string name;            // "eth0"
    std::string mac;             // canonical virtual MAC
    std::string ip;              // canonical IPv4, empty when none
    int vlan = 0;                // 0: untagged; 1..4094
    std::string macPool, ipPool; // where they came from (empty: given explicitly)
    bool operator==(const VNic&) const = default;
};

struct VHba {
    std::string name; // "fc0"
    std::string wwpn; // canonical virtual WWPN
    std::string wwpnPool;
    bool operator==(const VHba&) const = default;
};

struct BootVolume {
    std::string volume;     // the SAN volume (LUN) the server boots from
    std::uint32_t lun = 0;  // its LUN id
    std::string targetWwpn; // the storage target port, empty when the SAN has one
    bool operator==(const BootVolume&) const = default;
};

struct HardwareRequirements {
    int minCpus = 0;
    int minMemoryGiB = 0;
    std::string modelFamily; // the blade's model must start with this (empty: any)

    // Empty when the blade meets them, else why not ("needs 64 GiB, has 32").
    [[nodiscard]] std::string unmetBy(const Blade& b) const;
    bool operator==(const HardwareRequirements&) const = default;
};

struct FailoverPolicy {
    std::string sparePool; // empty: no automatic failover target
    int priority = 0;      // higher first when spares are scarce
    bool automatic = true;
    bool operator==(const FailoverPolicy&) const = default;
};

enum class ServerState {
    Unbound, // no blade
    Binding, // identity being applied to a blade (a failover or migration runs)
    Running, // bound, verified
    Stopped, // bound, powered off as asked
    Down,    // its blade failed and no failover could bring it back
};
[[nodiscard]] const char* toString(ServerState s);
[[nodiscard]] std::optional<ServerState> serverStateFrom(const std::string& s);

struct LogicalServer {
    std::string name; // [a-z0-9][a-z0-9-]{0,62}: also the Redfish Id
    std::string uuid; // canonical
    std::string uuidPool;
    std::vector<VNic> vnics;
    std::vector<VHba> vhbas;
    BootVolume boot;
    HardwareRequirements requirements;
    FailoverPolicy policy;
    PowerIntent desiredPower = PowerIntent::On;
    std::optional<int> slot; // the blade it is bound to
    ServerState state = ServerState::Unbound;
    std::string stateReason;
    std::string origin;         // "config" when declared in the config file, else the user who created it
    std::int64_t createdMs = 0; // Unix ms
    std::int64_t updatedMs = 0;
    bool operator==(const LogicalServer&) const = default;
};

// What a request to create a logical server gives: each identity either
// explicitly or as a pool to draw from.
struct VNicSpec {
    std::string name;
    std::string mac, macPool;
    std::string ip, ipPool;
    int vlan = 0;
};
struct VHbaSpec {
    std::string name;
    std::string wwpn, wwpnPool;
};
struct LogicalServerSpec {
    std::string name;
    std::string uuid, uuidPool;
    std::vector<VNicSpec> vnics;
    std::vector<VHbaSpec> vhbas;
    BootVolume boot;
    HardwareRequirements requirements;
    FailoverPolicy policy;
    PowerIntent desiredPower = PowerIntent::On;
    std::optional<int> slot; // bind to this blade; nullopt: the service chooses (from the spare pool)
};

// Shape checks that need no state: the name, vNIC/vHBA names unique, at least
// one vNIC, VLAN range, a boot volume name, requirements not negative. Empty
// string or the problem (naming the field).
[[nodiscard]] std::string validateSpec(const LogicalServerSpec& s);
[[nodiscard]] bool validServerName(const std::string& name);

} // namespace cmc::domain
