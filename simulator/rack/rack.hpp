// The simulated rack: one chassis, N blades each with its BMC firmware
// (Redfish and IPMI), the fabric, the chassis power and cooling, and the
// control API. Everything runs on one io_context.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <vector>

#include "fabric/fabric.hpp"
#include "hardware/blade.hpp"
#include "hardware/sim_clock.hpp"

namespace cmc::bmc {
class RedfishService;
}
namespace cmc::ipmi {
class IpmiBmc;
}
namespace cmc::http {
class Server;
}

namespace cmc::sim {

class RedfishPort;

enum class RedfishScheme { Http, Https };

struct RackOptions {
    std::size_t blades = 16;
    std::string manifestPath;
    std::string bindAddress = "127.0.0.1";
    std::uint16_t controlPort = 7070;
    std::uint16_t bmcBasePort = 20000; // 0: any free ports
    std::uint64_t seed = 1;
    double speed = 1.0;
    RedfishScheme redfishScheme = RedfishScheme::Http;
    BladeTimings timings;
};

struct BmcCredentials {
    std::string username;
    std::string password;
    std::string role; // Administrator, Operator, ReadOnly
};

struct PowerSupply {
    int id = 0;
    bool failed = false;
    double capacityW = 3000;
};

struct BladeUnit {
    BladeUnit();
    ~BladeUnit();
    BladeUnit(BladeUnit&&) noexcept;
    BladeUnit& operator=(BladeUnit&&) noexcept;

    std::unique_ptr<Blade> blade;
    std::unique_ptr<bmc::RedfishService> redfish;
    std::unique_ptr<RedfishPort> redfishNet; // the BMC's Redfish port, with the management-link model
    std::unique_ptr<ipmi::IpmiBmc> ipmi;
    std::vector<BmcCredentials> accounts;
    std::string tlsFingerprint; // SHA-256 of the BMC's certificate (HTTPS only)
    std::uint16_t redfishPort = 0;
    std::uint16_t ipmiPort = 0;
};

class Rack {
public:
    Rack(boost::asio::io_context& io, RackOptions options);
    ~Rack();

    // Starts every BMC and the control API, then writes the manifest.
    [[nodiscard]] bool start(std::string& error);
    void stop();

    [[nodiscard]] std::uint16_t controlPort() const;
    [[nodiscard]] const RackOptions& options() const { return options_; }
    [[nodiscard]] std::vector<BladeUnit>& blades() { return blades_; }
    [[nodiscard]] Fabric& fabric() { return fabric_; }
    [[nodiscard]] const SimClock& clock() const { return clock_; }
    [[nodiscard]] std::vector<PowerSupply>& powerSupplies() { return psus_; }
    [[nodiscard]] std::string manifestJson() const;
    void powerSuppliesChanged();
    // The hardware timings every blade uses (--hardware-delays, PATCH /sim/v1/timings).
    [[nodiscard]] const BladeTimings& bladeTimings() const { return options_.timings; }
    // New phases of every blade use these; phases already scheduled keep their delay.
    void setBladeTimings(const BladeTimings& timings);

private:
    [[nodiscard]] bool writeManifest(std::string& error) const;

    boost::asio::io_context& io_;
    RackOptions options_;
    SimClock clock_;
    Fabric fabric_;
    std::vector<BladeUnit> blades_;
    std::vector<PowerSupply> psus_;
    std::unique_ptr<http::Server> control_;
    friend class ControlApi;
};

// The control API's request handler (control_api.cpp).
class ControlApi;
[[nodiscard]] std::unique_ptr<http::Server> makeControlServer(boost::asio::io_context& io, Rack& rack);

} // namespace cmc::sim
