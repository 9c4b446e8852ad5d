// The simulated fabric: an L2 switch (a port per blade NIC, MAC learning,
// port enable/disable), a SAN (volumes, LUN masking by initiator WWPN, port
// enable/disable, a record of writers), DHCP reservations, the invariant
// monitor and the client probe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hardware/blade.hpp"

namespace cmc::sim {

struct Volume {
    std::string name;
    std::uint32_t lun = 0;
    std::uint32_t sizeGiB = 100;
    std::vector<std::string> initiators; // WWPNs the volume is masked to
};

struct PortRef {
    std::uint16_t slot = 0;
    std::uint8_t port = 0; // 1-based NIC or HBA index
    // clang-tidy 14 reports modernize-use-nullptr inside a defaulted <=> (a false positive).
    // NOLINTNEXTLINE(modernize-use-nullptr)
    auto operator<=>(const PortRef&) const = default;
};

struct MacEntry {
    std::string mac;
    PortRef port;
    std::int64_t learnedMs = 0;
};

struct WriterRecord {
    std::string volume;
    PortRef initiatorPort;
    std::string wwpn;
    std::int64_t firstMs = 0;
    std::int64_t lastMs = 0;
    bool active = false;
};

struct Violation {
    std::uint64_t id = 0;
    std::string kind;    // "duplicate-mac", "shared-volume-writer", "duplicate-ip"
    std::string subject; // the MAC, volume name or IP
    std::vector<PortRef> parties;
    std::int64_t startMs = 0;
    std::optional<std::int64_t> endMs;
    std::string startWall; // RFC 3339
};

struct Outage {
    std::string ip;
    std::int64_t startMs = 0;
    std::optional<std::int64_t> endMs;
    std::string startWall;
};

struct ProbeTarget {
    std::string ip;
    bool reachable = false;
    std::vector<std::uint16_t> answeredBy; // slots
    std::uint64_t checks = 0;
    std::uint64_t failures = 0;
};

class Fabric final : public BladeEnvironment {
public:
    Fabric(boost::asio::io_context& io, const SimClock& clock);
    void attach(std::vector<Blade*> blades);
    void start();

    // BladeEnvironment
    [[nodiscard]] std::optional<std::string> findBootVolume(const Blade& blade) override;
    void bladeChanged(const Blade& blade) override;

    // Switch and SAN ports (slot and port 1-based). False: no such port.
    [[nodiscard]] bool setSwitchPort(PortRef p, bool enabled);
    [[nodiscard]] bool setSanPort(PortRef p, bool enabled);
    [[nodiscard]] bool switchPortEnabled(PortRef p) const { return !disabledSwitch_.contains(p); }
    [[nodiscard]] bool sanPortEnabled(PortRef p) const { return !disabledSan_.contains(p); }

    // SAN volumes. Returns an error message, empty on success.
    [[nodiscard]] std::string putVolume(Volume v);
    [[nodiscard]] bool removeVolume(const std::string& name);
    [[nodiscard]] const std::map<std::string, Volume>& volumes() const { return volumes_; }

    // DHCP reservations (MAC -> IP), canonical MAC.
    [[nodiscard]] std::string putReservation(const std::string& mac, const std::string& ip);
    [[nodiscard]] bool removeReservation(const std::string& mac);
    [[nodiscard]] const std::map<std::string, std::string>& reservations() const { return reservations_; }

    // Client probe.
    [[nodiscard]] std::string addProbeTarget(const std::string& ip);
    [[nodiscard]] bool removeProbeTarget(const std::string& ip);
    [[nodiscard]] const std::map<std::string, ProbeTarget>& probeTargets() const { return probe_; }
    [[nodiscard]] const std::vector<Outage>& outages() const { return outages_; }

    [[nodiscard]] std::vector<MacEntry> macTable() const;
    [[nodiscard]] const std::vector<WriterRecord>& writers() const { return writers_; }
    // The WWPNs with an active session on the volume (an active writer record),
    // sorted, each once: the SAN's view of who is logged in to it.
    [[nodiscard]] std::vector<std::string> logins(const std::string& volume) const;
    [[nodiscard]] const std::vector<Violation>& violations() const { return violations_; }
    // Slots that answer for the IP right now.
    [[nodiscard]] std::vector<std::uint16_t> answering(const std::string& ip) const;
    // The volumes a blade's HBA port sees (masking + port state).
    [[nodiscard]] std::vector<std::string> visibleVolumes(const Blade& blade, std::size_t hba) const;

    [[nodiscard]] static bool validIpv4(const std::string& ip);

private:
    void scheduleEvaluate();
    void evaluate();
    void probeTick();
    void raise(const std::string& kind, const std::string& subject, std::vector<PortRef> parties,
               std::set<std::string>& seen);
    [[nodiscard]] std::string wallNow() const;

    boost::asio::io_context& io_;
    const SimClock& clock_;
    std::vector<Blade*> blades_; // index slot-1
    std::set<PortRef> disabledSwitch_;
    std::set<PortRef> disabledSan_;
    std::map<std::string, Volume> volumes_;
    std::map<std::string, std::string> reservations_;
    std::map<std::string, ProbeTarget> probe_;
    std::map<std::string, std::size_t> openOutage_; // ip -> index in outages_
    std::vector<Outage> outages_;
    std::map<std::string, MacEntry> learned_; // mac|slot|nic -> entry
    std::vector<WriterRecord> writers_;
    std::vector<Violation> violations_;
    std::map<std::string, std::size_t> activeViolation_; // kind|subject -> index
    std::uint64_t nextViolationId_ = 1;
    bool evaluatePending_ = false;
    boost::asio::steady_timer probeTimer_;
};

} // namespace cmc::sim
