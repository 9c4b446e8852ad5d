// Discovery and inventory: import the rack manifest, connect to every BMC,
// read FRU and device id over IPMI, system and addresses over Redfish.
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "app/service.hpp"
#include "events/event_log.hpp"
#include "southbound/ipmi/ipmi_client.hpp"
#include "southbound/redfish/http_client.hpp"
#include "store/store.hpp"

namespace cmc::app {

using json = nlohmann::json;

namespace {

// Validates one manifest blade entry; empty string when good.
std::string readManifestBlade(const json& b, domain::Blade& out) {
    if (!b.is_object()) return "entry is not an object";
    if (!b.contains("slot") || !b["slot"].is_number_unsigned() || b["slot"].get<unsigned>() < 1 ||
        b["slot"].get<unsigned>() > 1000) {
        return "'slot' must be an integer 1..1000";
    }
    out.slot = b["slot"].get<int>();
    auto str = [&](const json& o, const char* k, std::string& dst) -> bool {
        if (!o.contains(k)) return false;
        if (!o[k].is_string()) return false;
        dst = o[k].get<std::string>();
        return true;
    };
    if (b.contains("model")) (void)str(b, "model", out.model);
    if (b.contains("serialNumber")) (void)str(b, "serialNumber", out.serialNumber);
    if (b.contains("uuid")) (void)str(b, "uuid", out.uuid);
    if (!b.contains("ipmi") || !b["ipmi"].is_object()) return "'ipmi' object missing";
    const auto& ip = b["ipmi"];
    if (!str(ip, "host", out.bmc.ipmiHost) || !ip.contains("port") || !ip["port"].is_number_unsigned() ||
        ip["port"].get<unsigned>() > 65535 || !str(ip, "username", out.bmc.username) ||
        !str(ip, "password", out.bmc.password)) {
        return "'ipmi' needs host, port (0..65535), username and password";
    }
    out.bmc.ipmiPort = static_cast<std::uint16_t>(ip["port"].get<unsigned>());
    if (b.contains("redfish")) {
        if (!b["redfish"].is_object() || !str(b["redfish"], "url", out.bmc.redfishUrl) ||
            out.bmc.redfishUrl.rfind("http://", 0) != 0) {
            return "'redfish.url' must be an http:// URL";
        }
    }
    out.nics.clear();
    out.hbas.clear();
    if (b.contains("nics")) {
        if (!b["nics"].is_array()) return "'nics' must be an array";
        for (const auto& n : b["nics"]) {
            domain::NicInfo ni;
            if (!n.is_object() || !str(n, "permanentMac", ni.permanentMac))
                return "'nics[].permanentMac' must be a string";
            ni.currentMac = ni.permanentMac;
            out.nics.push_back(ni);
        }
    }
    if (b.contains("hbas")) {
        if (!b["hbas"].is_array()) return "'hbas' must be an array";
        for (const auto& h : b["hbas"]) {
            domain::HbaInfo hi;
            if (!h.is_object() || !str(h, "permanentWwpn", hi.permanentWwpn))
                return "'hbas[].permanentWwpn' must be a string";
            hi.currentWwpn = hi.permanentWwpn;
            out.hbas.push_back(hi);
        }
    }
    return {};
}

} // namespace

std::string ChassisService::importManifest(const std::string& path, bool& badInput) {
    std::ifstream in(path);
    if (!in) {
        badInput = true;
        return "cannot read rack manifest '" + path + "'";
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto m = json::parse(ss.str(), nullptr, false);
    if (m.is_discarded() || !m.is_object()) {
        badInput = true;
        return "rack manifest '" + path + "' is not valid JSON (truncated or malformed)";
    }
    if (!m.contains("blades") || !m["blades"].is_array()) {
        badInput = true;
        return "rack manifest '" + path + "': 'blades' must be an array";
    }
    if (m.contains("chassis") && m["chassis"].is_object()) {
        const auto& c = m["chassis"];
        chassis_.id = "chassis";
        chassis_.name = c.value("name", std::string("Chassis"));
        chassis_.model = c.value("model", std::string());
        chassis_.serialNumber = c.value("serialNumber", std::string());
        chassis_.slots = c.contains("slots") && c["slots"].is_number_unsigned() ? c["slots"].get<int>()
                                                                                : static_cast<int>(m["blades"].size());
        store_->saveChassis(chassis_);
    }
    if (cfg_.fabricUrl.empty() && m.contains("control") && m["control"].is_string()) {
        cfg_.fabricUrl = m["control"].get<std::string>();
    }
    std::set<int> seen;
    std::size_t imported = 0;
    for (std::size_t i = 0; i < m["blades"].size(); ++i) {
        domain::Blade mb;
        auto err = readManifestBlade(m["blades"][i], mb);
        if (err.empty() && seen.contains(mb.slot)) err = "slot " + std::to_string(mb.slot) + " listed twice";
        if (!err.empty()) {
            std::cerr << "cmcd: rack manifest '" << path << "': blade entry " << i << " skipped: " << err << "\n";
            continue;
        }
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
            b.bmc = mb.bmc;
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
            store_->markBladeAbsent(slot);
            events_->raise("BladeRemoved", {std::to_string(slot)}, "/redfish/v1/Chassis/blade-" + std::to_string(slot));
        }
    }
    if (chassis_.slots == 0) chassis_.slots = static_cast<int>(blades_.size());
    std::cout << "cmcd: rack manifest " << path << ": " << imported << " blades imported\n";
    return {};
}

void ChassisService::connectBlade(BladeRuntime& b) {
    if (b.ipmi || b.blade.bmc.ipmiPort == 0) return;
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
                std::cerr << "cmcd: blade=" << slot << " FRU read failed: " << f.message << "\n";
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
            readRedfishInventory(slot);
        });
    });
}

void ChassisService::redfishGet(const BladeRuntime& b, const std::string& path,
                                std::function<void(bool, int, std::string)> done) {
    if (b.blade.bmc.redfishUrl.empty()) {
        done(false, 0, "no Redfish endpoint");
        return;
    }
    http_->request(b.blade.bmc.redfishUrl, "GET", path, {},
                   {{"Authorization", southbound::basicAuth(b.blade.bmc.username, b.blade.bmc.password)},
                    {"Accept", "application/json"}},
                   [done = std::move(done)](southbound::HttpResult r) {
                       if (!r.transportOk) {
                           done(false, 0, r.error);
                           return;
                       }
                       done(r.status == 200, static_cast<int>(r.status), std::move(r.body));
                   });
}

void ChassisService::readRedfishInventory(int slot) {
    auto it = blades_.find(slot);
    if (it == blades_.end()) return;
    redfishGet(it->second, "/redfish/v1/Systems/1", [this, slot](bool ok, int, std::string body) {
        auto it2 = blades_.find(slot);
        if (it2 == blades_.end() || !ok) return;
        auto j = json::parse(body, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            std::cerr << "cmcd: blade=" << slot << " Redfish system answer is not JSON\n";
            return;
        }
        auto& b = it2->second.blade;
        if (j.contains("UUID") && j["UUID"].is_string()) b.uuid = j["UUID"];
        if (j.contains("BiosVersion") && j["BiosVersion"].is_string()) b.biosVersion = j["BiosVersion"];
        if (j.contains("ProcessorSummary") && j["ProcessorSummary"].is_object() &&
            j["ProcessorSummary"].value("Count", json()).is_number_unsigned()) {
            b.cpuCount = j["ProcessorSummary"]["Count"].get<int>();
        }
        if (j.contains("MemorySummary") && j["MemorySummary"].is_object() &&
            j["MemorySummary"].value("TotalSystemMemoryGiB", json()).is_number()) {
            b.memoryGiB = static_cast<int>(j["MemorySummary"]["TotalSystemMemoryGiB"].get<double>());
        }
        store_->saveBlade(b);
        // Current (virtual) against permanent addresses.
        auto readFunctions = [this, slot](const std::string& adapter, bool nic) {
            auto it3 = blades_.find(slot);
            if (it3 == blades_.end()) return;
            std::size_t count = nic ? it3->second.blade.nics.size() : it3->second.blade.hbas.size();
            for (std::size_t i = 0; i < count; ++i) {
                auto path = "/redfish/v1/Chassis/1/NetworkAdapters/" + adapter + "/NetworkDeviceFunctions/" +
                            std::to_string(i + 1);
                redfishGet(it3->second, path, [this, slot, nic, i](bool ok2, int, std::string body2) {
                    auto it4 = blades_.find(slot);
                    if (it4 == blades_.end() || !ok2) return;
                    auto f = json::parse(body2, nullptr, false);
                    if (f.is_discarded() || !f.is_object()) return;
                    auto& bl = it4->second.blade;
                    if (nic && i < bl.nics.size() && f.contains("Ethernet") && f["Ethernet"].is_object()) {
                        bl.nics[i].currentMac = f["Ethernet"].value("MACAddress", bl.nics[i].currentMac);
                        bl.nics[i].permanentMac = f["Ethernet"].value("PermanentMACAddress", bl.nics[i].permanentMac);
                    } else if (!nic && i < bl.hbas.size() && f.contains("FibreChannel") &&
                               f["FibreChannel"].is_object()) {
                        bl.hbas[i].currentWwpn = f["FibreChannel"].value("WWPN", bl.hbas[i].currentWwpn);
                        bl.hbas[i].permanentWwpn = f["FibreChannel"].value("PermanentWWPN", bl.hbas[i].permanentWwpn);
                    }
                    store_->saveBlade(bl);
                });
            }
        };
        readFunctions("NIC", true);
        readFunctions("HBA", false);
    });
}

} // namespace cmc::app
