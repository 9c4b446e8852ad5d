// /redfish/v1/Chassis/1: the blade enclosure, its network adapters (NIC and
// HBA) with their device functions and ports, and its sensors.
#include <charconv>
#include <cmath>

#include "hal/address_format.hpp"
#include "redfish/bmc_internal.hpp"

namespace cmc::bmc {

namespace {

const std::string kChassis = "/redfish/v1/Chassis/1";
const std::string kAdapters = kChassis + "/NetworkAdapters";

std::optional<std::size_t> parseIndex(const std::string& s, std::size_t count) {
    std::size_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < 1 || v > count || s[0] == '0') return std::nullopt;
    return v - 1;
}

json chassisJson(const hal::BladeHal& hal) {
    const auto& inv = hal.inventory();
    auto st = hal.chassisStatus();
    json r;
    r["@odata.id"] = kChassis;
    r["@odata.type"] = "#Chassis.v1_25_0.Chassis";
    r["Id"] = "1";
    r["Name"] = "Blade " + std::to_string(inv.slot);
    r["ChassisType"] = "Blade";
    r["Manufacturer"] = inv.manufacturer;
    r["Model"] = inv.model;
    r["SerialNumber"] = inv.serialNumber;
    r["PartNumber"] = inv.partNumber;
    r["AssetTag"] = inv.assetTag;
    r["PowerState"] = hal::toString(st.power);
    r["LocationIndicatorActive"] = st.identifyOn;
    r["Location"]["PartLocation"] = {{"ServiceLabel", "Slot " + std::to_string(inv.slot)},
                                     {"LocationType", "Slot"},
                                     {"LocationOrdinalValue", inv.slot}};
    r["Status"] = {{"State", "Enabled"}, {"Health", st.powerFault ? "Critical" : (st.coolingFault ? "Warning" : "OK")}};
    r["NetworkAdapters"] = odataId(kAdapters);
    r["Sensors"] = odataId(kChassis + "/Sensors");
    r["Links"]["ComputerSystems"] = json::array({odataId("/redfish/v1/Systems/1")});
    r["Links"]["ManagedBy"] = json::array({odataId("/redfish/v1/Managers/bmc")});
    return r;
}

// ---------------------------------------------------------------- adapters

struct AdapterRef {
    bool nic = true; // "NIC" (Ethernet) or "HBA" (Fibre Channel)
    std::string id;
    std::size_t count = 0;
};

std::optional<AdapterRef> adapter(const hal::BladeHal& hal, const std::string& id) {
    if (id == "NIC") return AdapterRef{true, id, hal.nics().size()};
    if (id == "HBA") return AdapterRef{false, id, hal.hbas().size()};
    return std::nullopt;
}

json adapterJson(const hal::BladeHal& hal, const AdapterRef& a) {
    const auto base = kAdapters + "/" + a.id;
    json r;
    r["@odata.id"] = base;
    r["@odata.type"] = "#NetworkAdapter.v1_11_0.NetworkAdapter";
    r["Id"] = a.id;
    r["Name"] = a.nic ? "Ethernet adapter" : "Fibre Channel HBA";
    r["Manufacturer"] = hal.inventory().manufacturer;
    r["Model"] = a.nic ? "SimNIC 25GbE dual port" : "SimHBA 32G FC dual port";
    r["Status"] = {{"State", "Enabled"}, {"Health", "OK"}};
    r["NetworkDeviceFunctions"] = odataId(base + "/NetworkDeviceFunctions");
    r["Ports"] = odataId(base + "/Ports");
    r["Controllers"] = json::array(
        {{{"ControllerCapabilities", {{"NetworkPortCount", a.count}, {"NetworkDeviceFunctionCount", a.count}}}}});
    return r;
}

json functionJson(const hal::BladeHal& hal, const AdapterRef& a, std::size_t i) {
    const auto base = kAdapters + "/" + a.id;
    const auto idx = std::to_string(i + 1);
    json r;
    r["@odata.id"] = base + "/NetworkDeviceFunctions/" + idx;
    r["@odata.type"] = "#NetworkDeviceFunction.v1_11_0.NetworkDeviceFunction";
    r["Id"] = idx;
    r["Name"] = (a.nic ? "Ethernet function " : "Fibre Channel function ") + idx;
    if (a.nic) {
        const auto& n = hal.nics()[i];
        r["NetDevFuncType"] = "Ethernet";
        r["NetDevFuncCapabilities"] = json::array({"Ethernet"});
        r["Ethernet"] = {{"MACAddress", n.mac}, {"PermanentMACAddress", n.permanentMac}, {"MTUSize", 1500}};
        r["BootMode"] = "Disabled";
        r["Status"] = {{"State", "Enabled"}, {"Health", n.linkUp ? "OK" : "Warning"}};
    } else {
        const auto& h = hal.hbas()[i];
        r["NetDevFuncType"] = "FibreChannel";
        r["NetDevFuncCapabilities"] = json::array({"FibreChannel"});
        json targets = json::array();
        int prio = 0;
        for (const auto& t : h.bootTargets) {
            targets.push_back({{"WWPN", t.targetWwpn}, {"LUNID", std::to_string(t.lun)}, {"BootPriority", prio++}});
        }
        r["FibreChannel"] = {{"WWPN", h.wwpn},
                             {"PermanentWWPN", h.permanentWwpn},
                             {"WWNN", h.wwnn},
                             {"PermanentWWNN", h.permanentWwnn},
                             {"WWNSource", h.wwpn == h.permanentWwpn ? "ProvidedByFabric" : "ConfiguredLocally"},
                             {"BootTargets", targets}};
        r["BootMode"] = h.bootTargets.empty() ? "Disabled" : "FibreChannel";
        r["Status"] = {{"State", "Enabled"}, {"Health", h.linkUp ? "OK" : "Warning"}};
    }
    r["Links"]["PhysicalPortAssignment"] = odataId(base + "/Ports/" + idx);
    return r;
}

json portJson(const hal::BladeHal& hal, const AdapterRef& a, std::size_t i) {
    const auto base = kAdapters + "/" + a.id;
    const auto idx = std::to_string(i + 1);
    bool up = a.nic ? hal.nics()[i].linkUp : hal.hbas()[i].linkUp;
    json r;
    r["@odata.id"] = base + "/Ports/" + idx;
    r["@odata.type"] = "#Port.v1_13_0.Port";
    r["Id"] = idx;
    r["Name"] = "Port " + idx;
    r["PortProtocol"] = a.nic ? "Ethernet" : "FC";
    r["LinkStatus"] = up ? "LinkUp" : "LinkDown";
    r["LinkState"] = "Enabled";
    r["Status"] = {{"State", "Enabled"}, {"Health", up ? "OK" : "Warning"}};
    return r;
}

http::Response patchFunction(Ctx& c, const AdapterRef& a, std::size_t i) {
    auto current = functionJson(c.hal, a, i);
    if (auto e = checkIfMatch(c, current)) return *e;
    json body;
    http::Response err;
    if (!redfish::parseJsonObject(c.req, body, err)) return err;
    PatchErrors pe;
    std::optional<std::string> mac, wwpn;
    std::optional<std::vector<hal::FcBootTarget>> targets;
    for (auto it = body.begin(); it != body.end(); ++it) {
        const auto& k = it.key();
        if (k.rfind('@', 0) == 0) continue;
        std::string group = a.nic ? "Ethernet" : "FibreChannel";
        if (k == group) {
            if (!it->is_object()) {
                pe.type(k, *it);
                continue;
            }
            for (auto p = it->begin(); p != it->end(); ++p) {
                std::string path = k + "/" + p.key();
                if (a.nic && p.key() == "MACAddress") {
                    if (!p->is_string())
                        pe.type(path, *p);
                    else if (auto m = hal::normalizeMac(p->get<std::string>()))
                        mac = *m;
                    else
                        pe.format(path, p->get<std::string>());
                } else if (!a.nic && p.key() == "WWPN") {
                    if (!p->is_string())
                        pe.type(path, *p);
                    else if (auto w = hal::normalizeWwn(p->get<std::string>()))
                        wwpn = *w;
                    else
                        pe.format(path, p->get<std::string>());
                } else if (!a.nic && p.key() == "BootTargets") {
                    if (!p->is_array() || p->size() > 4) {
                        pe.type(path, *p);
                        continue;
                    }
                    std::vector<hal::FcBootTarget> ts;
                    for (const auto& t : *p) {
                        if (!t.is_object()) {
                            pe.type(path, t);
                            continue;
                        }
                        hal::FcBootTarget bt;
                        for (auto f = t.begin(); f != t.end(); ++f) {
                            if (f.key() == "WWPN" && f->is_string()) {
                                auto w = hal::normalizeWwn(f->get<std::string>());
                                if (w)
                                    bt.targetWwpn = *w;
                                else
                                    pe.format(path + "/WWPN", f->get<std::string>());
                            } else if (f.key() == "LUNID" && f->is_string()) {
                                const auto s = f->get<std::string>();
                                std::uint32_t lun = 0;
                                auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), lun);
                                if (ec != std::errc() || ptr != s.data() + s.size() || lun > 16383)
                                    pe.format(path + "/LUNID", s);
                                else
                                    bt.lun = lun;
                            } else if (f.key() == "BootPriority" && f->is_number_unsigned()) {
                                // Order of the array is the priority.
                            } else if (f.key() == "WWPN" || f.key() == "LUNID" || f.key() == "BootPriority") {
                                pe.type(path + "/" + f.key(), *f);
                            } else {
                                pe.unknown(path + "/" + f.key());
                            }
                        }
                        ts.push_back(bt);
                    }
                    targets = ts;
                } else if (current[k].contains(p.key())) {
                    pe.readOnly(path);
                } else {
                    pe.unknown(path);
                }
            }
        } else if (current.contains(k)) {
            pe.readOnly(k);
        } else {
            pe.unknown(k);
        }
    }
    if (pe.any()) return pe.response();
    if (!mac && !wwpn && !targets) return pe.nothingToDo();
    if (mac && c.hal.setNicMac(i, *mac) != hal::HalError::Ok)
        return redfish::generalError("The NIC rejected the MAC address.");
    if (wwpn && c.hal.setHbaWwpn(i, *wwpn) != hal::HalError::Ok)
        return redfish::generalError("The HBA rejected the WWPN.");
    if (targets && c.hal.setHbaBootTargets(i, *targets) != hal::HalError::Ok) {
        return redfish::generalError("The HBA rejected the boot targets.");
    }
    return pe.applied(functionJson(c.hal, a, i));
}

MaybeResponse routeAdapters(Ctx& c) {
    const auto& seg = c.seg; // Chassis 1 NetworkAdapters [id [NetworkDeviceFunctions|Ports [n]]]
    if (seg.size() == 3) {
        return getOnly(c, collection(kAdapters, "#NetworkAdapterCollection.NetworkAdapterCollection",
                                     "Network Adapters", {kAdapters + "/NIC", kAdapters + "/HBA"}));
    }
    auto a = adapter(c.hal, seg[3]);
    if (!a) return redfish::resourceNotFound("NetworkAdapter", seg[3]);
    if (seg.size() == 4) return getOnly(c, adapterJson(c.hal, *a));
    const auto base = kAdapters + "/" + a->id;
    bool functions = seg[4] == "NetworkDeviceFunctions";
    if (!functions && seg[4] != "Ports") return std::nullopt;
    if (seg.size() == 5) {
        std::vector<std::string> members;
        for (std::size_t i = 0; i < a->count; ++i)
            members.push_back(base + "/" + seg[4] + "/" + std::to_string(i + 1));
        return getOnly(c, collection(base + "/" + seg[4],
                                     functions ? "#NetworkDeviceFunctionCollection.NetworkDeviceFunctionCollection"
                                               : "#PortCollection.PortCollection",
                                     functions ? "Network Device Functions" : "Ports", members));
    }
    if (seg.size() != 6) return std::nullopt;
    auto i = parseIndex(seg[5], a->count);
    if (!i) return redfish::resourceNotFound(functions ? "NetworkDeviceFunction" : "Port", seg[5]);
    if (!functions) return getOnly(c, portJson(c.hal, *a, *i));
    if (c.req.method == "PATCH") return patchFunction(c, *a, *i);
    if (c.req.method == "GET" || c.req.method == "HEAD") return redfish::jsonResponse(200, functionJson(c.hal, *a, *i));
    return redfish::methodNotAllowed("GET, HEAD, PATCH");
}

// ---------------------------------------------------------------- sensors

const char* readingType(hal::SensorKind k) {
    switch (k) {
    case hal::SensorKind::Temperature: return "Temperature";
    case hal::SensorKind::Voltage: return "Voltage";
    case hal::SensorKind::Power: return "Power";
    case hal::SensorKind::Fan: return "Rotational";
    }
    return "Temperature";
}

json sensorJson(const hal::SensorReading& s) {
    json r;
    r["@odata.id"] = kChassis + "/Sensors/" + s.id;
    r["@odata.type"] = "#Sensor.v1_10_0.Sensor";
    r["Id"] = s.id;
    r["Name"] = s.name;
    r["ReadingType"] = readingType(s.kind);
    r["ReadingUnits"] = s.units;
    r["Reading"] = s.available ? json(std::round(s.value * 100.0) / 100.0) : json(nullptr);
    std::string health = "OK";
    const auto& t = s.thresholds;
    if (s.available) {
        if ((t.upperCritical && s.value >= *t.upperCritical) || (t.lowerCritical && s.value <= *t.lowerCritical))
            health = "Critical";
        else if ((t.upperNonCritical && s.value >= *t.upperNonCritical) ||
                 (t.lowerNonCritical && s.value <= *t.lowerNonCritical))
            health = "Warning";
    }
    r["Status"] = {{"State", s.available ? "Enabled" : "StandbyOffline"}, {"Health", health}};
    json th = json::object();
    if (t.lowerCritical) th["LowerCritical"] = {{"Reading", *t.lowerCritical}};
    if (t.lowerNonCritical) th["LowerCaution"] = {{"Reading", *t.lowerNonCritical}};
    if (t.upperNonCritical) th["UpperCaution"] = {{"Reading", *t.upperNonCritical}};
    if (t.upperCritical) th["UpperCritical"] = {{"Reading", *t.upperCritical}};
    r["Thresholds"] = th;
    return r;
}

MaybeResponse routeSensors(Ctx& c) {
    const auto& seg = c.seg;
    auto sensors = c.hal.sensors();
    if (seg.size() == 3) {
        std::vector<std::string> members;
        members.reserve(sensors.size());
        for (const auto& s : sensors)
            members.push_back(kChassis + "/Sensors/" + s.id);
        return getOnly(c, collection(kChassis + "/Sensors", "#SensorCollection.SensorCollection", "Sensors", members));
    }
    if (seg.size() != 4) return std::nullopt;
    for (const auto& s : sensors) {
        if (s.id == seg[3]) return getOnly(c, sensorJson(s));
    }
    return redfish::resourceNotFound("Sensor", seg[3]);
}

} // namespace

MaybeResponse routeChassis(Ctx& c) {
    const auto& seg = c.seg;
    if (seg.size() == 1) {
        return getOnly(c, collection("/redfish/v1/Chassis", "#ChassisCollection.ChassisCollection",
                                     "Chassis Collection", {kChassis}));
    }
    if (seg[1] != "1") return redfish::resourceNotFound("Chassis", seg[1]);
    if (seg.size() == 2) {
        if (c.req.method == "PATCH") {
            auto current = chassisJson(c.hal);
            if (auto e = checkIfMatch(c, current)) return *e;
            json body;
            http::Response err;
            if (!redfish::parseJsonObject(c.req, body, err)) return err;
            PatchErrors pe;
            std::optional<bool> ident;
            for (auto it = body.begin(); it != body.end(); ++it) {
                if (it.key() == "LocationIndicatorActive") {
                    if (it->is_boolean())
                        ident = it->get<bool>();
                    else
                        pe.type(it.key(), *it);
                } else if (current.contains(it.key())) {
                    pe.readOnly(it.key());
                } else if (it.key().rfind('@', 0) != 0) {
                    pe.unknown(it.key());
                }
            }
            if (pe.any()) return pe.response();
            if (!ident) return pe.nothingToDo();
            c.hal.setIdentify(*ident, std::chrono::seconds(0));
            return pe.applied(chassisJson(c.hal));
        }
        if (c.req.method == "GET" || c.req.method == "HEAD") return redfish::jsonResponse(200, chassisJson(c.hal));
        return redfish::methodNotAllowed("GET, HEAD, PATCH");
    }
    if (seg[2] == "NetworkAdapters") return routeAdapters(c);
    if (seg[2] == "Sensors") return routeSensors(c);
    return std::nullopt;
}

} // namespace cmc::bmc
