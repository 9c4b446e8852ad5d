// /redfish/v1/Chassis: the enclosure and one Blade chassis per slot, with
// Oem.OpenCMC.Health (state, bad signals, last transition), the inventory with
// permanent and current addresses, and how cmcd reaches the blade's BMC. Each
// blade's NetworkAdapters (NIC, HBA) -> NetworkDeviceFunctions show the
// current (virtual) MAC/WWPN beside the permanent one; the enclosure's power,
// thermal and sensor resources are in chassis_enclosure.cpp.
#include <algorithm>
#include <memory>

#include "events/event_log.hpp"
#include "northbound/resources.hpp"
#include "redfish/odata.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::northbound {

using domain::HealthState;

namespace {

// Redfish Status.Health of a blade health state.
const char* statusHealth(HealthState h) {
    switch (h) {
    case HealthState::Healthy: return "OK";
    case HealthState::Unknown: return "OK";
    case HealthState::Suspect: return "Warning";
    case HealthState::Warning: return "Warning";
    case HealthState::BmcUnreachable: return "Warning";
    case HealthState::Critical: return "Critical";
    case HealthState::Failed: return "Critical";
    case HealthState::Absent: return "OK";
    }
    return "OK";
}

json signalJson(const domain::SignalStatus& s, std::int64_t now) {
    json j{{"Known", s.known}, {"Bad", s.bad}};
    if (s.failingSinceMs >= 0) j["FailingForMs"] = std::max<std::int64_t>(0, now - s.failingSinceMs);
    if (!s.detail.empty()) j["Detail"] = s.detail;
    return j;
}

json bladeJson(const domain::BladeView& v) {
    const auto& b = v.blade;
    auto id = "blade-" + std::to_string(b.slot);
    json r;
    r["@odata.id"] = "/redfish/v1/Chassis/" + id;
    r["@odata.type"] = "#Chassis.v1_28_0.Chassis";
    r["Id"] = id;
    r["Name"] = "Blade slot " + std::to_string(b.slot);
    r["ChassisType"] = "Blade";
    r["Manufacturer"] = orNull(b.manufacturer);
    r["Model"] = orNull(b.model);
    r["SerialNumber"] = orNull(b.serialNumber);
    r["PartNumber"] = orNull(b.partNumber);
    if (!b.uuid.empty()) r["UUID"] = b.uuid;
    if (!b.powerState.empty()) r["PowerState"] = b.powerState;
    r["Location"]["PartLocation"] = {
        {"ServiceLabel", "Slot " + std::to_string(b.slot)}, {"LocationType", "Slot"}, {"LocationOrdinalValue", b.slot}};
    std::string state = !b.present
                            ? "Absent"
                            : (v.state == HealthState::Failed ? "UnavailableOffline"
                                                              : (b.powerState == "Off" ? "StandbyOffline" : "Enabled"));
    r["Status"] = {{"State", state}, {"Health", statusHealth(v.state)}};
    r["NetworkAdapters"] = redfish::odataId("/redfish/v1/Chassis/" + id + "/NetworkAdapters");
    r["Links"]["ContainedBy"] = redfish::odataId("/redfish/v1/Chassis/chassis");
    r["Links"]["ManagedBy"] = json::array({redfish::odataId("/redfish/v1/Managers/bmc-" + std::to_string(b.slot))});
    json health;
    health["State"] = domain::toString(v.state);
    health["BadSignals"] = v.badSignals;
    health["Reason"] = v.reason;
    health["QuarantineRecommended"] = v.quarantineRecommended;
    if (const auto& t = v.lastTransition) {
        health["LastTransition"] = {{"Time", events::rfc3339Ms(t->timeMs)},
                                    {"From", domain::toString(t->from)},
                                    {"To", domain::toString(t->to)},
                                    {"Reason", t->reason}};
    } else {
        health["LastTransition"] = nullptr;
    }
    health["Signals"] = {{"Ipmi", signalJson(v.ipmi, v.steadyNowMs)},
                         {"Redfish", signalJson(v.redfish, v.steadyNowMs)},
                         {"Heartbeat", signalJson(v.heartbeat, v.steadyNowMs)}};
    // What cmcd does not know (the BMC did not say) is null, never a made-up value.
    json inventory;
    inventory["CpuCount"] = b.cpuCount > 0 ? json(b.cpuCount) : json(nullptr);
    inventory["MemoryGiB"] = b.memoryGiB > 0 ? json(b.memoryGiB) : json(nullptr);
    inventory["BmcFirmwareVersion"] = orNull(b.bmcFirmwareVersion);
    inventory["BiosVersion"] = orNull(b.biosVersion);
    inventory["BmcMACAddress"] = orNull(b.bmcMac);
    json nics = json::array();
    for (const auto& n : b.nics)
        nics.push_back({{"PermanentMACAddress", orNull(n.permanentMac)}, {"MACAddress", orNull(n.currentMac)}});
    json hbas = json::array();
    for (const auto& h : b.hbas)
        hbas.push_back({{"PermanentWWPN", orNull(h.permanentWwpn)}, {"WWPN", orNull(h.currentWwpn)}});
    inventory["Nics"] = nics;
    inventory["Hbas"] = hbas;
    inventory["LogicalIPs"] = v.logicalIps;
    json paths{{"Ipmi", b.bmc.hasIpmi()},
               {"Redfish", orNull(b.bmc.redfishUrl)},
               {"RedfishSystem", orNull(v.redfishSystem)},
               {"EventStream", v.eventStream}};
    json intent = nullptr;
    if (const auto& pi = v.powerIntent) {
        intent = {{"Intent", domain::toString(pi->intent)},
                  {"Reason", pi->reason},
                  {"Since", events::rfc3339Ms(pi->setMs)},
                  {"Learned", pi->learned}};
    }
    r["Oem"]["OpenCMC"] = {{"@odata.type", "#OpenCMCChassis.v1_0_0.Chassis"},
                           {"Role", domain::toString(b.role)},
                           {"Health", health},
                           {"Inventory", inventory},
                           {"ManagementPaths", paths},
                           {"PowerIntent", intent}};
    return r;
}

// The view as the cache compares it: "now" matters only while a signal is
// failing (FailingForMs); otherwise it would make every request a rebuild.
domain::BladeView comparable(domain::BladeView v) {
    if (v.ipmi.failingSinceMs < 0 && v.redfish.failingSinceMs < 0 && v.heartbeat.failingSinceMs < 0) v.steadyNowMs = 0;
    return v;
}

json enclosureJson(Backend& b) {
    const auto c = b.chassisInfo();
    json r;
    r["@odata.id"] = "/redfish/v1/Chassis/chassis";
    r["@odata.type"] = "#Chassis.v1_28_0.Chassis";
    r["Id"] = "chassis";
    r["Name"] = c.name.empty() ? "Chassis" : c.name;
    r["ChassisType"] = "Enclosure";
    r["Model"] = c.model;
    r["SerialNumber"] = c.serialNumber;
    std::string worst = "OK";
    json contains = json::array();
    for (int slot : b.bladeSlots())
        contains.push_back(redfish::odataId("/redfish/v1/Chassis/blade-" + std::to_string(slot)));
    auto worse = [&worst](const std::string& h) {
        if (h == "Critical" || (h == "Warning" && worst == "OK")) worst = h;
    };
    for (auto state : b.bladeStates())
        worse(statusHealth(state));
    // The power supplies and fans count in the roll-up once the seat read them.
    const auto e = b.enclosure();
    for (const auto& p : e.powerSupplies)
        if (p.failed.value_or(false)) worse(e.redundancy == "Lost" ? "Critical" : "Warning");
    for (const auto& f : e.fans)
        if (f.failed.value_or(false)) worse("Warning");
    r["Status"] = {{"State", "Enabled"}, {"Health", "OK"}, {"HealthRollup", worst}};
    r["PowerSubsystem"] = redfish::odataId("/redfish/v1/Chassis/chassis/PowerSubsystem");
    r["ThermalSubsystem"] = redfish::odataId("/redfish/v1/Chassis/chassis/ThermalSubsystem");
    r["Sensors"] = redfish::odataId("/redfish/v1/Chassis/chassis/Sensors");
    r["Links"]["Contains"] = contains;
    r["Links"]["ManagedBy"] = json::array({redfish::odataId("/redfish/v1/Managers/cmc")});
    r["Oem"]["OpenCMC"] = {{"@odata.type", "#OpenCMCChassis.v1_0_0.Chassis"}, {"Slots", c.slots}};
    return r;
}

// NetworkAdapters of a blade: "NIC" (its Ethernet ports) and "HBA" (its Fibre
// Channel ports) as the BMC reported them, one NetworkDeviceFunction per port.
const char* const kNic = "NIC";
const char* const kHba = "HBA";

std::string adaptersUri(int slot) {
    return "/redfish/v1/Chassis/blade-" + std::to_string(slot) + "/NetworkAdapters";
}

std::vector<std::string> adapterIds(const domain::Blade& b) {
    std::vector<std::string> ids;
    if (!b.nics.empty()) ids.emplace_back(kNic);
    if (!b.hbas.empty()) ids.emplace_back(kHba);
    return ids;
}

std::size_t functionCount(const domain::Blade& b, const std::string& adapter) {
    return adapter == kNic ? b.nics.size() : b.hbas.size();
}

json adapterJson(const domain::Blade& b, const std::string& adapter) {
    const auto base = adaptersUri(b.slot) + "/" + adapter;
    const bool nic = adapter == kNic;
    json r;
    r["@odata.id"] = base;
    r["@odata.type"] = "#NetworkAdapter.v1_14_0.NetworkAdapter";
    r["Id"] = adapter;
    r["Name"] = nic ? "Ethernet adapter" : "Fibre Channel HBA";
    r["NetworkDeviceFunctions"] = redfish::odataId(base + "/NetworkDeviceFunctions");
    r["Controllers"] = json::array({{{"ControllerCapabilities",
                                      {{"NetworkPortCount", functionCount(b, adapter)},
                                       {"NetworkDeviceFunctionCount", functionCount(b, adapter)}}}}});
    return r;
}

// Function `index` (0-based) of the adapter: the current address (what cmcd
// wrote for a bound logical server, else the burned-in one) and the permanent one.
json functionJson(const domain::Blade& b, const std::string& adapter, std::size_t index) {
    const auto id = std::to_string(index + 1);
    json r;
    r["@odata.id"] = adaptersUri(b.slot) + "/" + adapter + "/NetworkDeviceFunctions/" + id;
    r["@odata.type"] = "#NetworkDeviceFunction.v1_11_1.NetworkDeviceFunction";
    r["Id"] = id;
    if (adapter == kNic) {
        const auto& n = b.nics[index];
        r["Name"] = "Ethernet function " + id;
        r["NetDevFuncType"] = "Ethernet";
        r["NetDevFuncCapabilities"] = json::array({"Ethernet"});
        r["Ethernet"] = {{"MACAddress", orNull(n.currentMac)}, {"PermanentMACAddress", orNull(n.permanentMac)}};
    } else {
        const auto& h = b.hbas[index];
        r["Name"] = "Fibre Channel function " + id;
        r["NetDevFuncType"] = "FibreChannel";
        r["NetDevFuncCapabilities"] = json::array({"FibreChannel"});
        r["FibreChannel"] = {{"WWPN", orNull(h.currentWwpn)}, {"PermanentWWPN", orNull(h.permanentWwpn)}};
    }
    return r;
}

// The blade of a /Chassis/blade-{slot}/... request, or a 404 answered.
std::optional<domain::BladeView> bladeOf(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res) {
    auto slot = slotFromId(req.params[0], "blade-");
    auto v = slot ? b.bladeView(*slot) : std::nullopt;
    if (!v) res->res = redfish::resourceNotFound("Chassis", req.params[0]);
    return v;
}

// The adapter named in params[1] of a blade, or a 404 answered.
bool adapterOf(const domain::Blade& blade, const http::RouteRequest& req, const http::AsyncResp& res) {
    auto ids = adapterIds(blade);
    if (std::find(ids.begin(), ids.end(), req.params[1]) != ids.end()) return true;
    res->res = redfish::resourceNotFound("NetworkAdapter", req.params[1]);
    return false;
}

void addNetworkAdapterRoutes(http::Router& r, Backend& b) {
    r.route(
        "/redfish/v1/Chassis/<str>/NetworkAdapters")([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        auto v = bladeOf(b, req, res);
        if (!v) return;
        std::vector<std::string> members;
        for (const auto& id : adapterIds(v->blade))
            members.push_back(adaptersUri(v->blade.slot) + "/" + id);
        reply(res, redfish::collection(adaptersUri(v->blade.slot), "#NetworkAdapterCollection.NetworkAdapterCollection",
                                       "Network adapters", members));
    });
    r.route("/redfish/v1/Chassis/<str>/NetworkAdapters/<str>")(
        [&b](const http::RouteRequest& req, const http::AsyncResp& res) {
            auto v = bladeOf(b, req, res);
            if (!v || !adapterOf(v->blade, req, res)) return;
            reply(res, adapterJson(v->blade, req.params[1]));
        });
    r.route("/redfish/v1/Chassis/<str>/NetworkAdapters/<str>/NetworkDeviceFunctions")(
        [&b](const http::RouteRequest& req, const http::AsyncResp& res) {
            auto v = bladeOf(b, req, res);
            if (!v || !adapterOf(v->blade, req, res)) return;
            const auto base = adaptersUri(v->blade.slot) + "/" + req.params[1] + "/NetworkDeviceFunctions";
            std::vector<std::string> members;
            for (std::size_t i = 0; i < functionCount(v->blade, req.params[1]); ++i)
                members.push_back(base + "/" + std::to_string(i + 1));
            reply(res, redfish::collection(base, "#NetworkDeviceFunctionCollection.NetworkDeviceFunctionCollection",
                                           "Network device functions", members));
        });
    r.route("/redfish/v1/Chassis/<str>/NetworkAdapters/<str>/NetworkDeviceFunctions/<str>")(
        [&b](const http::RouteRequest& req, const http::AsyncResp& res) {
            auto v = bladeOf(b, req, res);
            if (!v || !adapterOf(v->blade, req, res)) return;
            auto n = slotFromId("f" + req.params[2], "f"); // 1-based, no leading zeros
            if (!n || static_cast<std::size_t>(*n) > functionCount(v->blade, req.params[1])) {
                res->res = redfish::resourceNotFound("NetworkDeviceFunction", req.params[2]);
                return;
            }
            reply(res, functionJson(v->blade, req.params[1], static_cast<std::size_t>(*n) - 1));
        });
}

} // namespace

void addChassisRoutes(http::Router& r, Backend& b) {
    addEnclosureRoutes(r, b);
    addNetworkAdapterRoutes(r, b);
    r.route("/redfish/v1/Chassis")([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        std::vector<std::string> members{"/redfish/v1/Chassis/chassis"};
        for (int slot : b.bladeSlots())
            members.push_back("/redfish/v1/Chassis/blade-" + std::to_string(slot));
        reply(res, redfish::collection("/redfish/v1/Chassis", "#ChassisCollection.ChassisCollection",
                                       "Chassis Collection", members));
    });
    r.route("/redfish/v1/Chassis/chassis")(
        [&b](const http::RouteRequest&, const http::AsyncResp& res) { reply(res, enclosureJson(b)); });
    auto blades = std::make_shared<ViewCache<int, domain::BladeView>>();
    r.route("/redfish/v1/Chassis/<str>")([&b, blades](const http::RouteRequest& req, const http::AsyncResp& res) {
        auto slot = slotFromId(req.params[0], "blade-");
        auto v = slot ? b.bladeView(*slot) : std::nullopt;
        if (!v) {
            res->res = redfish::resourceNotFound("Chassis", req.params[0]);
            return;
        }
        blades->reply(res, *slot, comparable(std::move(*v)), bladeJson);
    });
}

} // namespace cmc::northbound
