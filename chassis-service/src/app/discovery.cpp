// Discovery and inventory: import the rack manifest, connect to every BMC,
// read FRU and device id over IPMI, system and addresses over Redfish.

#include <iostream>
#include <set>

#include "app/manifest.hpp"
#include "app/service.hpp"
#include "events/event_log.hpp"
#include "southbound/ipmi/ipmi_client.hpp"
#include "southbound/redfish/http_client.hpp"
#include "southbound/redfish/redfish_bmc.hpp"
#include "store/store.hpp"

namespace cmc::app {

namespace {
constexpr std::int64_t kInventoryRetryMs = 30000;
} // namespace

std::string ChassisService::importManifest(const std::string& path, bool& badInput) {
    ParsedManifest m;
    auto error = readManifestFile(path, m);
    if (!error.empty()) {
        badInput = true;
        return error;
    }
    for (const auto& skipped : m.skipped)
        std::cerr << "cmcd: rack manifest '" << path << "': " << skipped << "\n";
    if (m.chassis) {
        chassis_ = *m.chassis;
        store_->saveChassis(chassis_);
    }
    if (cfg_.fabricUrl.empty() && m.control) cfg_.fabricUrl = *m.control;
    std::set<int> seen;
    std::size_t imported = 0;
    for (auto& mb : m.blades) {
        seen.insert(mb.slot);
        ++imported;
        auto it = blades_.find(mb.slot);
        if (it == blades_.end()) {
            BladeRuntime rt;
            mb.discoveredMs = events::nowUnixMs();
            rt.blade = mb;
            rt.health = std::make_unique<domain::BladeHealth>(mb.slot, cfg_.monitor.thresholds);
            it = blades_.emplace(mb.slot, std::move(rt)).first;
        } else {
            auto& b = it->second.blade;
            bool endpointChanged = b.bmc.ipmiHost != mb.bmc.ipmiHost || b.bmc.ipmiPort != mb.bmc.ipmiPort ||
                                   b.bmc.username != mb.bmc.username || b.bmc.password != mb.bmc.password;
            bool redfishChanged =
                b.bmc.redfishUrl != mb.bmc.redfishUrl || b.bmc.redfishUser() != mb.bmc.redfishUser() ||
                b.bmc.redfishSecret() != mb.bmc.redfishSecret() || b.bmc.tlsFingerprint != mb.bmc.tlsFingerprint ||
                b.bmc.tlsCaFile != mb.bmc.tlsCaFile || b.bmc.tlsInsecure != mb.bmc.tlsInsecure ||
                b.bmc.redfishSessionAuth != mb.bmc.redfishSessionAuth || b.bmc.redfishSystem != mb.bmc.redfishSystem;
            b.bmc = mb.bmc;
            if (redfishChanged && it->second.redfish) {
                it->second.redfish->close();
                it->second.redfish.reset();
            }
            b.present = true;
            if (b.nics.empty()) b.nics = mb.nics;
            if (b.hbas.empty()) b.hbas = mb.hbas;
            if (b.model.empty()) b.model = mb.model;
            if (endpointChanged && it->second.ipmi) {
                it->second.ipmi->close();
                it->second.ipmi.reset();
            }
        }
        store_->saveBlade(it->second.blade);
    }
    // Blades the manifest no longer lists are gone.
    for (auto& [slot, b] : blades_) {
        if (!seen.contains(slot) && b.blade.present) {
            b.blade.present = false;
            b.blade.health = domain::HealthState::Absent;
            if (b.ipmi) {
                b.ipmi->close();
                b.ipmi.reset();
            }
            if (b.redfish) {
                b.redfish->close();
                b.redfish.reset();
            }
            store_->markBladeAbsent(slot);
            events_->raise("BladeRemoved", {std::to_string(slot)}, "/redfish/v1/Chassis/blade-" + std::to_string(slot));
        }
    }
    if (chassis_.slots == 0) chassis_.slots = static_cast<int>(blades_.size());
    std::cout << "cmcd: rack manifest " << path << ": " << imported << " blades imported\n";
    return {};
}

void ChassisService::connectBlade(BladeRuntime& b) {
    b.health->setPaths(b.blade.bmc.hasIpmi(), b.blade.bmc.hasRedfish());
    if (!b.redfish && b.blade.bmc.hasRedfish()) {
        const auto& m = b.blade.bmc;
        southbound::RedfishEndpoint ep;
        ep.url = m.redfishUrl;
        ep.username = m.redfishUser();
        ep.password = m.redfishSecret();
        ep.tls.fingerprintSha256 = m.tlsFingerprint;
        ep.tls.caFile = m.tlsCaFile;
        ep.tls.insecure = m.tlsInsecure;
        ep.sessionAuth = m.redfishSessionAuth;
        ep.systemPath = m.redfishSystem;
        int slot = b.blade.slot;
        b.redfish = southbound::RedfishBmc::create(io_, *http_, ep, [slot](const std::string& line) {
            std::cout << "cmcd: blade=" << slot << " " << line << "\n";
        });
        b.redfishDiscovered = false;
        b.nextRedfishDiscoverMs = 0;
    }
    if (b.ipmi || !b.blade.bmc.hasIpmi()) return;
    southbound::IpmiEndpoint ep{b.blade.bmc.ipmiHost, b.blade.bmc.ipmiPort, b.blade.bmc.username, b.blade.bmc.password};
    int slot = b.blade.slot;
    b.ipmi = ipmiClient_->connect(ep, [this, slot](bool up, const std::string& reason) {
        auto it = blades_.find(slot);
        if (it == blades_.end()) return;
        it->second.ipmiUp = up;
        std::cout << "cmcd: blade=" << slot << " ipmi session " << (up ? "up" : "down")
                  << (reason.empty() ? "" : " (" + reason + ")") << "\n";
        if (up && !it->second.inventoryDone) readInventory(slot);
    });
}

void ChassisService::readInventory(int slot) {
    auto it = blades_.find(slot);
    if (it == blades_.end() || it->second.inventoryInFlight || !it->second.ipmi) return;
    if (steadyMs() < it->second.nextInventoryMs) return;
    it->second.inventoryInFlight = true;
    it->second.ipmi->getDeviceId([this, slot](southbound::IpmiResult<southbound::IpmiDeviceId> r) {
        auto it2 = blades_.find(slot);
        if (it2 == blades_.end()) return;
        if (r.ok()) it2->second.blade.bmcFirmwareVersion = r.value.firmwareVersion;
        if (!it2->second.ipmi) {
            it2->second.inventoryInFlight = false;
            return;
        }
        it2->second.ipmi->readFru([this, slot](southbound::IpmiResult<southbound::IpmiFru> f) {
            auto it3 = blades_.find(slot);
            if (it3 == blades_.end()) return;
            auto& rt = it3->second;
            rt.inventoryInFlight = false;
            if (!f.ok()) {
                // A BMC without a readable FRU is asked again later, not on every tick.
                rt.nextInventoryMs = steadyMs() + kInventoryRetryMs;
                std::cerr << "cmcd: blade=" << slot << " FRU read failed: " << f.message << " (retrying in "
                          << kInventoryRetryMs / 1000 << " s)\n";
                return;
            }
            auto& b = rt.blade;
            std::string oldSerial = b.serialNumber;
            std::string newSerial =
                !f.value.boardSerialNumber.empty() ? f.value.boardSerialNumber : f.value.productSerialNumber;
            bool first = b.inventoryMs == 0;
            b.manufacturer =
                !f.value.boardManufacturer.empty() ? f.value.boardManufacturer : f.value.productManufacturer;
            if (!f.value.productName.empty())
                b.model = f.value.productName;
            else if (!f.value.boardProductName.empty())
                b.model = f.value.boardProductName;
            b.partNumber = !f.value.boardPartNumber.empty() ? f.value.boardPartNumber : f.value.productPartNumber;
            b.serialNumber = newSerial;
            b.inventoryMs = events::nowUnixMs();
            rt.inventoryDone = true;
            std::string origin = "/redfish/v1/Chassis/blade-" + std::to_string(slot);
            if (!oldSerial.empty() && oldSerial != newSerial) {
                events_->raise("BladeReplaced", {std::to_string(slot), oldSerial, newSerial}, origin);
            } else if (first) {
                events_->raise("BladeDiscovered", {std::to_string(slot), b.model, newSerial}, origin);
            }
            store_->saveBlade(b);
        });
    });
}

namespace {

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

} // namespace

void ChassisService::discoverRedfish(int slot) {
    auto it = blades_.find(slot);
    if (it == blades_.end() || !it->second.redfish || it->second.redfishDiscoverInFlight) return;
    it->second.redfishDiscoverInFlight = true;
    it->second.redfish->discover([this, slot](southbound::RedfishResult<southbound::RedfishInventory> r) {
        guarded("redfish discovery", slot, [&] { applyRedfishInventory(slot, std::move(r)); });
    });
}

void ChassisService::applyRedfishInventory(int slot, southbound::RedfishResult<southbound::RedfishInventory> r) {
    auto it = blades_.find(slot);
    if (it == blades_.end()) return;
    auto& rt = it->second;
    rt.redfishDiscoverInFlight = false;
    if (!r.ok()) {
        rt.nextRedfishDiscoverMs = steadyMs() + 5000;
        if (r.message != rt.lastRedfishError) {
            rt.lastRedfishError = r.message;
            std::cerr << "cmcd: blade=" << slot << " Redfish discovery failed: " << southbound::toString(r.error)
                      << ": " << r.message << " (retrying every 5 s)\n";
        }
        return;
    }
    rt.lastRedfishError.clear();
    const auto& inv = r.value;
    auto& b = rt.blade;
    const bool redfishOnly = !b.bmc.hasIpmi();
    // With IPMI the FRU is authoritative for identity; Redfish fills in what
    // it lacks. A Redfish-only blade shows exactly what its BMC says now:
    // what the BMC does not say is unknown.
    auto take = [redfishOnly](std::string& field, const std::optional<std::string>& v) {
        if (redfishOnly)
            field = v.value_or("");
        else if (field.empty() && v)
            field = *v;
    };
    std::string oldSerial = b.serialNumber;
    take(b.manufacturer, inv.manufacturer);
    take(b.model, inv.model);
    take(b.serialNumber, inv.serialNumber);
    take(b.partNumber, inv.partNumber);
    take(b.bmcFirmwareVersion, inv.bmcFirmwareVersion);
    if (inv.uuid || redfishOnly) b.uuid = inv.uuid.value_or("");
    if (inv.biosVersion || redfishOnly) b.biosVersion = inv.biosVersion.value_or("");
    b.cpuCount = inv.cpuCount ? static_cast<int>(*inv.cpuCount) : 0;
    b.memoryGiB = inv.memoryGiB ? static_cast<int>(*inv.memoryGiB + 0.5) : 0;
    b.bmcMac = lower(inv.bmcMac.value_or(""));
    if (inv.powerState) b.powerState = *inv.powerState;
    rt.nicPaths.clear();
    rt.hbaPaths.clear();
    for (const auto& n : inv.nics)
        rt.nicPaths.push_back(n.path);
    for (const auto& h : inv.hbas)
        rt.hbaPaths.push_back(h.path);
    if (!inv.nics.empty()) {
        std::vector<domain::NicInfo> nics;
        for (std::size_t i = 0; i < inv.nics.size(); ++i) {
            domain::NicInfo n;
            n.permanentMac = lower(inv.nics[i].permanentMac.value_or(i < b.nics.size() ? b.nics[i].permanentMac : ""));
            n.currentMac = lower(inv.nics[i].mac.value_or(""));
            nics.push_back(n);
        }
        b.nics = std::move(nics);
    }
    if (!inv.hbas.empty()) {
        std::vector<domain::HbaInfo> hbas;
        for (std::size_t i = 0; i < inv.hbas.size(); ++i) {
            domain::HbaInfo h;
            h.permanentWwpn =
                lower(inv.hbas[i].permanentWwpn.value_or(i < b.hbas.size() ? b.hbas[i].permanentWwpn : ""));
            h.currentWwpn = lower(inv.hbas[i].wwpn.value_or(""));
            hbas.push_back(h);
        }
        b.hbas = std::move(hbas);
    }
    for (const auto& w : inv.warnings)
        std::cout << "cmcd: blade=" << slot << " Redfish discovery: " << w << "\n";
    if (inv.systemCount > 1 && b.bmc.redfishSystem.empty()) {
        std::cout << "cmcd: blade=" << slot << " Redfish service lists " << inv.systemCount << " systems; using "
                  << inv.systemPath << " (set redfish.system in the manifest to choose)\n";
    }
    std::string origin = "/redfish/v1/Chassis/blade-" + std::to_string(slot);
    bool first = !rt.redfishDiscovered && b.inventoryMs == 0;
    if (redfishOnly) {
        if (!oldSerial.empty() && !b.serialNumber.empty() && oldSerial != b.serialNumber) {
            events_->raise("BladeReplaced", {std::to_string(slot), oldSerial, b.serialNumber}, origin);
        } else if (first) {
            events_->raise("BladeDiscovered", {std::to_string(slot), b.model, b.serialNumber}, origin);
        }
        b.inventoryMs = events::nowUnixMs();
        rt.inventoryDone = true;
    }
    rt.redfishDiscovered = true;
    std::cout << "cmcd: blade=" << slot << " Redfish " << b.bmc.redfishUrl << " system " << inv.systemPath
              << " model=" << (b.model.empty() ? "unknown" : b.model) << " nics=" << b.nics.size()
              << " events=" << (inv.sseUri.empty() ? "none (polling)" : "SSE " + inv.sseUri) << "\n";
    store_->saveBlade(b);
    if (cfg_.monitor.redfishEvents && !inv.sseUri.empty()) subscribeEvents(slot);
}

} // namespace cmc::app
