#include "rack/rack.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <random>

#include "http/http_server.hpp"
#include "http/self_signed.hpp"
#include "rack/redfish_port.hpp"
#include "redfish/bmc_redfish.hpp"
#ifdef CMC_HAVE_IPMI
#include "ipmi/ipmi_bmc.hpp"
#else
namespace cmc::ipmi {
class IpmiBmc {}; // IPMI firmware not built (CMake found no firmware/ipmi)
} // namespace cmc::ipmi
#endif

namespace cmc::sim {

using json = nlohmann::json;

namespace {

std::string makePassword(std::mt19937_64& rng) {
    static const char kChars[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::string p;
    for (int i = 0; i < 16; ++i)
        p += kChars[rng() % (sizeof kChars - 1)];
    return p;
}

} // namespace

BladeUnit::BladeUnit() = default;
BladeUnit::~BladeUnit() = default;
BladeUnit::BladeUnit(BladeUnit&&) noexcept = default;
BladeUnit& BladeUnit::operator=(BladeUnit&&) noexcept = default;

Rack::Rack(boost::asio::io_context& io, RackOptions options)
    : io_(io), options_(std::move(options)), clock_(options_.speed), fabric_(io, clock_) {
    std::mt19937_64 rng(options_.seed);
    std::vector<Blade*> raw;
    blades_.reserve(options_.blades);
    for (std::size_t i = 0; i < options_.blades; ++i) {
        BladeUnit u;
        BladeSpec spec;
        spec.slot = static_cast<std::uint16_t>(i + 1);
        spec.seed = options_.seed;
        spec.timings = options_.timings;
        u.blade = std::make_unique<Blade>(io_, clock_, fabric_, spec);
        // Real BMCs ship with per-unit passwords; so do ours (reproducible from the seed).
        u.accounts = {{"admin", makePassword(rng), "Administrator"},
                      {"operator", makePassword(rng), "Operator"},
                      {"readonly", makePassword(rng), "ReadOnly"}};
        bmc::RedfishOptions ro;
        ro.accounts = {{u.accounts[0].username, u.accounts[0].password, bmc::Role::Administrator},
                       {u.accounts[1].username, u.accounts[1].password, bmc::Role::Operator},
                       {u.accounts[2].username, u.accounts[2].password, bmc::Role::ReadOnly}};
        u.redfish = std::make_unique<bmc::RedfishService>(io_, *u.blade, ro);
        // The port (and its certificate) is made in start(), where errors can be reported.
#ifdef CMC_HAVE_IPMI
        ipmi::BmcOptions io2;
        io2.address = options_.bindAddress;
        io2.seed = options_.seed * 37 + i;
        // IPMI (UDP) listens on the same port number as Redfish (TCP) when ports are fixed.
        io2.port = options_.bmcBasePort && options_.bmcBasePort + i <= 65535
                       ? static_cast<std::uint16_t>(options_.bmcBasePort + i)
                       : 0;
        io2.users = {{u.accounts[0].username, u.accounts[0].password, ipmi::Privilege::Administrator},
                     {u.accounts[1].username, u.accounts[1].password, ipmi::Privilege::Operator},
                     {u.accounts[2].username, u.accounts[2].password, ipmi::Privilege::User}};
        u.ipmi = std::make_unique<ipmi::IpmiBmc>(io_, *u.blade, io2);
#endif
        raw.push_back(u.blade.get());
        blades_.push_back(std::move(u));
    }
    fabric_.attach(raw);
    for (int i = 1; i <= 4; ++i)
        psus_.push_back({i, false, 3000});
}

Rack::~Rack() {
    stop();
}

bool Rack::start(std::string& error) {
    for (std::size_t i = 0; i < blades_.size(); ++i) {
        auto& u = blades_[i];
        std::uint16_t port = options_.bmcBasePort ? static_cast<std::uint16_t>(options_.bmcBasePort + i) : 0;
        if (options_.bmcBasePort && options_.bmcBasePort + i > 65535) {
            error = "--bmc-base-port " + std::to_string(options_.bmcBasePort) + " leaves no room for " +
                    std::to_string(blades_.size()) + " blades below port 65536";
            return false;
        }
        std::string err;
        RedfishPortOptions po;
        po.seed = options_.seed * 31 + i;
        if (options_.redfishScheme == RedfishScheme::Https) {
            // Every BMC has its own self-signed certificate, as shipped hardware does.
            auto id = http::makeSelfSignedIdentity("blade-" + std::to_string(i + 1) + "-bmc", options_.bindAddress,
                                                   3650, err);
            if (!id) {
                error = "blade " + std::to_string(i + 1) + " TLS certificate: " + err;
                return false;
            }
            po.tls = std::move(id->identity);
            u.tlsFingerprint = std::move(id->fingerprintSha256);
        }
        u.redfishNet = std::make_unique<RedfishPort>(io_, *u.blade, *u.redfish, std::move(po));
        if (!u.redfishNet->listen(options_.bindAddress, port, err)) {
            error = "blade " + std::to_string(i + 1) + " Redfish: " + err;
            return false;
        }
        u.redfishPort = u.redfishNet->port();
#ifdef CMC_HAVE_IPMI
        if (!u.ipmi->start(err)) {
            error = "blade " + std::to_string(i + 1) + " IPMI: " + err;
            return false;
        }
        u.ipmiPort = u.ipmi->port();
#endif
    }
    control_ = makeControlServer(io_, *this);
    std::string err;
    if (!control_->listen(options_.bindAddress, options_.controlPort, err)) {
        error = "control API: " + err;
        return false;
    }
    fabric_.start();
    if (!options_.manifestPath.empty() && !writeManifest(error)) return false;
    return true;
}

void Rack::stop() {
    if (control_) control_->stop();
    for (auto& u : blades_) {
        if (u.redfishNet) u.redfishNet->stop();
        if (u.redfish) u.redfish->stop();
#ifdef CMC_HAVE_IPMI
        if (u.ipmi) u.ipmi->stop();
#endif
    }
}

std::uint16_t Rack::controlPort() const {
    return control_ ? control_->port() : 0;
}

void Rack::powerSuppliesChanged() {
    // N+1: the chassis runs on any 3 of its 4 supplies; with fewer, every blade loses input power.
    std::size_t ok = 0;
    for (const auto& p : psus_)
        ok += p.failed ? 0 : 1;
    bool starved = ok < 3;
    for (auto& u : blades_) {
        auto f = u.blade->faults();
        if (f.powerLoss != starved) {
            f.powerLoss = starved;
            u.blade->applyFaults(f);
        }
    }
}

void Rack::setBladeTimings(const BladeTimings& timings) {
    options_.timings = timings;
    for (auto& u : blades_)
        u.blade->setTimings(timings);
}

std::string Rack::manifestJson() const {
    json m;
    m["chassis"] = {{"id", "chassis"},
                    {"name", "OpenCMC simulated chassis"},
                    {"model", "OpenChassis C16"},
                    {"slots", blades_.size()},
                    {"serialNumber", "SIMCH" + std::to_string(options_.seed)}};
    m["control"] = "http://" + options_.bindAddress + ":" + std::to_string(controlPort());
    m["seed"] = options_.seed;
    m["speed"] = options_.speed;
    json bl = json::array();
    for (const auto& u : blades_) {
        const auto& inv = u.blade->inventory();
        json b;
        b["slot"] = inv.slot;
        b["model"] = inv.model;
        b["serialNumber"] = inv.serialNumber;
        b["uuid"] = inv.uuid;
        b["ipmi"] = {{"host", options_.bindAddress},
                     {"port", u.ipmiPort},
                     {"username", u.accounts[0].username},
                     {"password", u.accounts[0].password}};
        bool https = options_.redfishScheme == RedfishScheme::Https;
        b["redfish"] = {
            {"url", (https ? "https://" : "http://") + options_.bindAddress + ":" + std::to_string(u.redfishPort)},
            {"username", u.accounts[0].username},
            {"password", u.accounts[0].password}};
        if (https) b["redfish"]["tls"] = {{"fingerprintSha256", u.tlsFingerprint}};
        json acc = json::array();
        for (const auto& a : u.accounts)
            acc.push_back({{"username", a.username}, {"password", a.password}, {"role", a.role}});
        b["accounts"] = acc;
        json nics = json::array();
        for (const auto& n : u.blade->nics())
            nics.push_back({{"permanentMac", n.permanentMac}});
        b["nics"] = nics;
        json hbas = json::array();
        for (const auto& h : u.blade->hbas())
            hbas.push_back({{"permanentWwpn", h.permanentWwpn}});
        b["hbas"] = hbas;
        bl.push_back(b);
    }
    m["blades"] = bl;
    return m.dump(2);
}

bool Rack::writeManifest(std::string& error) const {
    // Write to a temporary file then rename: readers never see half a manifest.
    auto tmp = options_.manifestPath + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) {
            error = "cannot write manifest '" + tmp + "'";
            return false;
        }
        out << manifestJson() << "\n";
        if (!out.good()) {
            error = "cannot write manifest '" + tmp + "'";
            return false;
        }
    }
    if (std::rename(tmp.c_str(), options_.manifestPath.c_str()) != 0) {
        error = "cannot rename manifest to '" + options_.manifestPath + "'";
        return false;
    }
    return true;
}

} // namespace cmc::sim
