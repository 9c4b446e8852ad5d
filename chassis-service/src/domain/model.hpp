// The chassis service's domain model: plain C++ (no JSON, no SQL, no Beast).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cmc::domain {

enum class BladeRole { Unassigned, Active, Spare, Failed, Quarantined, Maintenance };

// Health of a blade as the monitor judges it.
enum class HealthState {
    Unknown, // not yet judged (just discovered / just restarted)
    Healthy,
    Suspect,        // one signal bad, below the confirmation thresholds
    Warning,        // degraded but serving (e.g. temperature above caution)
    Critical,       // serving, but a critical sensor (over-temperature)
    Failed,         // failure confirmed (hard signal or two independent signals)
    BmcUnreachable, // the BMC does not answer, the host still serves
    Absent,         // the slot is empty or the blade was removed
};

struct NicInfo {
    std::string permanentMac;
    std::string currentMac;
    bool operator==(const NicInfo&) const = default;
};

struct HbaInfo {
    std::string permanentWwpn;
    std::string currentWwpn;
    bool operator==(const HbaInfo&) const = default;
};

// How cmcd reaches a blade's BMC. The password never leaves the store and the
// southbound clients: it is not logged and not shown by the API.
struct BmcEndpoint {
    std::string ipmiHost;
    std::uint16_t ipmiPort = 0;
    std::string redfishUrl; // "http://host:port" or "https://host:port"; empty: no Redfish
    std::string username;   // IPMI credentials (and Redfish when redfishUsername is empty)
    std::string password;
    std::string redfishUsername;
    std::string redfishPassword;
    // How an https:// BMC is trusted: a pinned SHA-256 fingerprint, a CA file,
    // or an explicit insecure flag (else the system CA store).
    std::string tlsFingerprint;
    std::string tlsCaFile;
    bool tlsInsecure = false;
    bool redfishSessionAuth = true; // X-Auth-Token sessions; false: HTTP Basic
    std::string redfishSystem;      // the ComputerSystem URI when the service lists several

    [[nodiscard]] bool hasIpmi() const { return !ipmiHost.empty() && ipmiPort != 0; }
    [[nodiscard]] bool hasRedfish() const { return !redfishUrl.empty(); }
    [[nodiscard]] const std::string& redfishUser() const {
        return redfishUsername.empty() ? username : redfishUsername;
    }
    [[nodiscard]] const std::string& redfishSecret() const {
        return redfishUsername.empty() ? password : redfishPassword;
    }
    bool operator==(const BmcEndpoint&) const = default;
};

struct Blade {
    int slot = 0;
    bool present = true;
    std::string manufacturer;
    std::string model;
    std::string serialNumber; // FRU board serial: identifies the physical blade
    std::string partNumber;
    std::string uuid;
    std::string biosVersion;
    std::string bmcFirmwareVersion;
    int cpuCount = 0;   // 0: unknown
    int memoryGiB = 0;  // 0: unknown
    std::string bmcMac; // the BMC's own network interface
    std::vector<NicInfo> nics;
    std::vector<HbaInfo> hbas;
    BladeRole role = BladeRole::Unassigned;
    HealthState health = HealthState::Unknown;
    std::string powerState; // "On", "Off", ... as last read
    BmcEndpoint bmc;
    std::int64_t discoveredMs = 0; // Unix ms
    std::int64_t inventoryMs = 0;  // Unix ms of the last inventory read
    bool operator==(const Blade&) const = default;
};

struct Chassis {
    std::string id = "chassis";
    std::string name;
    std::string model;
    std::string serialNumber;
    int slots = 0;
};

// One health observation (persisted with retention and down-sampling).
struct HealthSample {
    int slot = 0;
    std::int64_t timeMs = 0; // Unix ms
    std::string signal;      // "ipmi", "redfish", "power", "sel", "heartbeat", "thermal"
    bool ok = true;
    double value = 0.0; // e.g. round-trip ms, temperature
    std::string detail;
};

struct HealthTransition {
    std::int64_t id = 0;
    int slot = 0;
    std::int64_t timeMs = 0; // Unix ms
    HealthState from = HealthState::Unknown;
    HealthState to = HealthState::Unknown;
    std::string reason;
    std::vector<std::string> badSignals;
    bool operator==(const HealthTransition&) const = default;
};

// A Redfish-registry event: monotonically increasing id, persisted, streamed.
struct Event {
    std::int64_t id = 0;
    std::int64_t timeMs = 0; // Unix ms
    std::string messageId;   // "OpenCMC.1.0.BladeFailed", "ResourceEvent.1.4.ResourceStatusChangedCritical"
    std::vector<std::string> args;
    std::string severity; // "OK", "Warning", "Critical"
    std::string message;
    std::string origin; // @odata.id of the origin of condition
};

const char* toString(BladeRole r);
const char* toString(HealthState h);
std::optional<BladeRole> bladeRoleFrom(const std::string& s);
std::optional<HealthState> healthStateFrom(const std::string& s);

} // namespace cmc::domain
