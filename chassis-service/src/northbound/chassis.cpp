// /redfish/v1/Chassis: the enclosure and one Blade chassis per slot, with
// Oem.OpenCMC.Health (state, bad signals, last transition), the inventory with
// permanent and current addresses, and how cmcd reaches the blade's BMC.
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
    r["@odata.type"] = "#Chassis.v1_25_0.Chassis";
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

json enclosureJson(Backend& b) {
    const auto c = b.chassisInfo();
    json r;
    r["@odata.id"] = "/redfish/v1/Chassis/chassis";
    r["@odata.type"] = "#Chassis.v1_25_0.Chassis";
    r["Id"] = "chassis";
    r["Name"] = c.name.empty() ? "Chassis" : c.name;
    r["ChassisType"] = "Enclosure";
    r["Model"] = c.model;
    r["SerialNumber"] = c.serialNumber;
    std::string worst = "OK";
    json contains = json::array();
    for (int slot : b.bladeSlots())
        contains.push_back(redfish::odataId("/redfish/v1/Chassis/blade-" + std::to_string(slot)));
    for (auto state : b.bladeStates()) {
        std::string h = statusHealth(state);
        if (h == "Critical" || (h == "Warning" && worst == "OK")) worst = h;
    }
    r["Status"] = {{"State", "Enabled"}, {"Health", "OK"}, {"HealthRollup", worst}};
    r["Links"]["Contains"] = contains;
    r["Links"]["ManagedBy"] = json::array({redfish::odataId("/redfish/v1/Managers/cmc")});
    r["Oem"]["OpenCMC"] = {{"@odata.type", "#OpenCMCChassis.v1_0_0.Chassis"}, {"Slots", c.slots}};
    return r;
}

} // namespace

void addChassisRoutes(http::Router& r, Backend& b) {
    r.route("/redfish/v1/Chassis")([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        std::vector<std::string> members{"/redfish/v1/Chassis/chassis"};
        for (int slot : b.bladeSlots())
            members.push_back("/redfish/v1/Chassis/blade-" + std::to_string(slot));
        reply(res, redfish::collection("/redfish/v1/Chassis", "#ChassisCollection.ChassisCollection",
                                       "Chassis Collection", members));
    });
    r.route("/redfish/v1/Chassis/chassis")(
        [&b](const http::RouteRequest&, const http::AsyncResp& res) { reply(res, enclosureJson(b)); });
    r.route("/redfish/v1/Chassis/<str>")([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        auto slot = slotFromId(req.params[0], "blade-");
        auto v = slot ? b.bladeView(*slot) : std::nullopt;
        if (!v) {
            res->res = redfish::resourceNotFound("Chassis", req.params[0]);
            return;
        }
        reply(res, bladeJson(*v));
    });
}

} // namespace cmc::northbound
