// /redfish/v1/Chassis: the enclosure and one Blade chassis per slot, with
// Oem.OpenCMC.Health (state, bad signals, last transition).
#include <charconv>

#include "app/service.hpp"
#include "events/event_log.hpp"
#include "redfish/northbound.hpp"
#include "redfish/redfish_errors.hpp"
#include "southbound/redfish/redfish_bmc.hpp"

namespace cmc::redfish {

using json = nlohmann::json;
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

json orNull(const std::string& s) {
    return s.empty() ? json(nullptr) : json(s);
}

json signalJson(const domain::SignalStatus& s) {
    json j{{"Known", s.known}, {"Bad", s.bad}};
    if (s.failingSinceMs >= 0) j["FailingForMs"] = app::steadyMs() - s.failingSinceMs;
    if (!s.detail.empty()) j["Detail"] = s.detail;
    return j;
}

json bladeJson(const app::BladeRuntime& rt) {
    const auto& b = rt.blade;
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
    std::string state =
        !b.present ? "Absent"
                   : (b.health == HealthState::Failed ? "UnavailableOffline"
                                                      : (b.powerState == "Off" ? "StandbyOffline" : "Enabled"));
    r["Status"] = {{"State", state}, {"Health", statusHealth(b.health)}};
    r["Links"]["ContainedBy"] = link("/redfish/v1/Chassis/chassis");
    r["Links"]["ManagedBy"] = json::array({link("/redfish/v1/Managers/bmc-" + std::to_string(b.slot))});
    json health;
    health["State"] = domain::toString(b.health);
    health["BadSignals"] = rt.health ? rt.health->badSignals() : std::vector<std::string>{};
    health["Reason"] = rt.health ? rt.health->reason() : "";
    health["QuarantineRecommended"] = rt.health && rt.health->quarantineRecommended();
    if (const auto& t = rt.lastTransition) {
        health["LastTransition"] = {{"Time", events::rfc3339Ms(t->timeMs)},
                                    {"From", domain::toString(t->from)},
                                    {"To", domain::toString(t->to)},
                                    {"Reason", t->reason}};
    } else {
        health["LastTransition"] = nullptr;
    }
    if (rt.health) {
        health["Signals"] = {{"Ipmi", signalJson(rt.health->ipmi())},
                             {"Redfish", signalJson(rt.health->redfish())},
                             {"Heartbeat", signalJson(rt.health->heartbeatSignal())}};
    }
    json inventory;
    // What cmcd does not know (the BMC did not say) is null, never a made-up value.
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
    inventory["LogicalIPs"] = rt.logicalIps;
    json paths{{"Ipmi", b.bmc.hasIpmi()},
               {"Redfish", orNull(b.bmc.redfishUrl)},
               {"RedfishSystem",
                rt.redfish && !rt.redfish->systemPath().empty() ? json(rt.redfish->systemPath()) : json(nullptr)},
               {"EventStream", rt.redfish && rt.redfish->subscribed()}};
    r["Oem"]["OpenCMC"] = {{"@odata.type", "#OpenCMCChassis.v1_0_0.Chassis"},
                           {"Role", domain::toString(b.role)},
                           {"Health", health},
                           {"Inventory", inventory},
                           {"ManagementPaths", paths}};
    return r;
}

json enclosureJson(app::ChassisService& s) {
    const auto& c = s.chassis();
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
    for (const auto& [slot, b] : s.blades()) {
        contains.push_back(link("/redfish/v1/Chassis/blade-" + std::to_string(slot)));
        std::string h = statusHealth(b.blade.health);
        if (h == "Critical" || (h == "Warning" && worst == "OK")) worst = h;
    }
    r["Status"] = {{"State", "Enabled"}, {"Health", "OK"}, {"HealthRollup", worst}};
    r["Links"]["Contains"] = contains;
    r["Links"]["ManagedBy"] = json::array({link("/redfish/v1/Managers/cmc")});
    r["Oem"]["OpenCMC"] = {{"@odata.type", "#OpenCMCChassis.v1_0_0.Chassis"}, {"Slots", c.slots}};
    return r;
}

} // namespace

Maybe routeChassis(Request& r) {
    auto& s = r.service;
    if (r.seg.size() == 1) {
        std::vector<std::string> members{"/redfish/v1/Chassis/chassis"};
        for (const auto& [slot, b] : s.blades())
            members.push_back("/redfish/v1/Chassis/blade-" + std::to_string(slot));
        return readOnly(r, collectionOf("/redfish/v1/Chassis", "#ChassisCollection.ChassisCollection",
                                        "Chassis Collection", members));
    }
    if (r.seg.size() != 2) return std::nullopt;
    if (r.seg[1] == "chassis") return readOnly(r, enclosureJson(s));
    auto slot = slotFromId(r.seg[1], "blade-");
    if (!slot) return resourceNotFound("Chassis", r.seg[1]);
    auto it = s.blades().find(*slot);
    if (it == s.blades().end()) return resourceNotFound("Chassis", r.seg[1]);
    return readOnly(r, bladeJson(it->second));
}

} // namespace cmc::redfish
