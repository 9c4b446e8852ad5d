// The fabric seat: what cmcd needs from the data-centre network and SAN to
// make an identity real (switch ports, SAN masking, DHCP reservations) and to
// see it live (which blade answers for each logical IP: the heartbeat). The
// simulator's control API is one implementation; a real site plugs in its
// switch and SAN managers (DMTF Redfish Fabrics, or a vendor API) behind the
// same interface. Every call answers exactly once, on the io_context.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cmc::southbound {

class HttpClient;

template <class T> struct [[nodiscard]] FabricResult {
    bool ok = false;
    std::string message; // what failed and why, when !ok
    T value{};
};

// The fabric's view of one logical IP.
struct LogicalIpState {
    std::string ip;
    bool reachable = false;
    std::optional<int> answeredBySlot; // the blade whose switch port answered
};

enum class FabricPlane { Switch, San };

// The enclosure's shared parts as the seat reads them: power supplies, fans
// and the inlet temperature. What the seat does not say is nullopt.
struct PowerSupplyReading {
    int id = 0; // 1-based
    std::optional<bool> failed;
    std::optional<double> capacityW;
    std::optional<double> outputW;
};
struct FanReading {
    int id = 0;
    std::optional<bool> failed;
    std::optional<double> rpm;
};
struct EnclosureReading {
    std::vector<PowerSupplyReading> powerSupplies;
    std::vector<FanReading> fans;
    std::optional<double> inletC;
    std::optional<double> loadW; // what the blades draw in all
    std::string redundancy;      // "N+1", "Degraded", "Lost"; "" when not said
};

class Fabric {
public:
    virtual ~Fabric() = default;
    // Which logical IPs answer, and through which blade.
    virtual void probe(std::function<void(FabricResult<std::vector<LogicalIpState>>)> done) = 0;
    // Enables or disables one port of a blade on the switch or the SAN (fencing at the fabric).
    virtual void setPort(FabricPlane plane, int slot, int port, bool enabled,
                         std::function<void(FabricResult<bool>)> done) = 0;
    // The initiator WWPNs that may see a volume (LUN masking).
    virtual void setVolumeInitiators(const std::string& volume, std::vector<std::string> initiators,
                                     std::function<void(FabricResult<bool>)> done) = 0;
    // The DHCP reservation MAC -> IP.
    virtual void setDhcpReservation(const std::string& mac, const std::string& ip,
                                    std::function<void(FabricResult<bool>)> done) = 0;
    // The initiator WWPNs logged in to a volume now (the SAN sees the host);
    // nullopt when this fabric does not report logins.
    virtual void volumeLogins(const std::string& volume,
                              std::function<void(FabricResult<std::optional<std::vector<std::string>>>)> done) = 0;
    // Asks the fabric to watch a logical IP (the heartbeat of `probe`).
    virtual void watchIp(const std::string& ip, std::function<void(FabricResult<bool>)> done) = 0;
    // The enclosure's power supplies, fans and inlet temperature.
    virtual void enclosure(std::function<void(FabricResult<EnclosureReading>)> done) = 0;
    [[nodiscard]] virtual std::string describe() const = 0; // for logs: "cmcsim control API http://..."
};

// The simulator's fabric, through its control API (GET /sim/v1/probe, POST
// /sim/v1/fabric/ports, /sim/v1/volumes, /sim/v1/dhcp/reservations,
// /sim/v1/probe/targets; the enclosure from GET /sim/v1/chassis).
[[nodiscard]] std::unique_ptr<Fabric> makeSimulatorFabric(HttpClient& http, std::string controlUrl);

} // namespace cmc::southbound
