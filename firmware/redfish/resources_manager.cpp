// /redfish/v1/Managers/bmc: the BMC itself and its System Event Log.
#include <ctime>

#include "redfish/bmc_internal.hpp"

namespace cmc::bmc {

namespace {

const std::string kManager = "/redfish/v1/Managers/bmc";
const std::string kSel = kManager + "/LogServices/SEL";

std::string rfc3339(std::uint32_t seconds) {
    std::time_t t = seconds;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

const char* sensorTypeName(std::uint8_t t) {
    switch (t) {
    case 0x01: return "Temperature";
    case 0x02: return "Voltage";
    case 0x04: return "Fan";
    case 0x08: return "Power Supply / Converter";
    case 0x09: return "PowerUnit";
    case 0x0c: return "Memory";
    case 0x0f: return "System Firmware Progress";
    case 0x10: return "Event Logging Disabled";
    case 0x12: return "System Event";
    case 0x1d: return "System Boot/Restart";
    case 0x20: return "OS Stop/Shutdown";
    case 0x23: return "Watchdog";
    default: return "OEM";
    }
}

json managerJson(const hal::BladeHal& hal) {
    const auto& inv = hal.inventory();
    json r;
    r["@odata.id"] = kManager;
    r["@odata.type"] = "#Manager.v1_19_0.Manager";
    r["Id"] = "bmc";
    r["Name"] = "Blade " + std::to_string(inv.slot) + " BMC";
    r["ManagerType"] = "BMC";
    r["Manufacturer"] = "OpenCMC";
    r["Model"] = "OpenCMC simulated BMC";
    r["FirmwareVersion"] = inv.bmcFirmwareVersion;
    r["UUID"] = inv.uuid;
    r["PowerState"] = "On";
    r["Status"] = {{"State", "Enabled"}, {"Health", "OK"}};
    auto now = static_cast<std::uint32_t>(std::time(nullptr));
    r["DateTime"] = rfc3339(now);
    r["DateTimeLocalOffset"] = "+00:00";
    r["LogServices"] = odataId(kManager + "/LogServices");
    r["Links"]["ManagerForServers"] = json::array({odataId("/redfish/v1/Systems/1")});
    r["Links"]["ManagerForChassis"] = json::array({odataId("/redfish/v1/Chassis/1")});
    return r;
}

json selServiceJson(const hal::BladeHal& hal) {
    json r;
    r["@odata.id"] = kSel;
    r["@odata.type"] = "#LogService.v1_7_0.LogService";
    r["Id"] = "SEL";
    r["Name"] = "System Event Log";
    r["LogEntryType"] = "SEL";
    r["MaxNumberOfRecords"] = hal.selCapacity();
    r["OverWritePolicy"] = "WrapsWhenFull";
    r["ServiceEnabled"] = true;
    r["DateTime"] = rfc3339(static_cast<std::uint32_t>(std::time(nullptr)));
    r["Status"] = {{"State", "Enabled"}, {"Health", "OK"}};
    r["Entries"] = odataId(kSel + "/Entries");
    r["Actions"]["#LogService.ClearLog"] = {{"target", kSel + "/Actions/LogService.ClearLog"}};
    return r;
}

json entryJson(const hal::SelRecord& e) {
    json r;
    auto id = std::to_string(e.id);
    r["@odata.id"] = kSel + "/Entries/" + id;
    r["@odata.type"] = "#LogEntry.v1_17_0.LogEntry";
    r["Id"] = id;
    r["Name"] = "SEL entry " + id;
    r["EntryType"] = "SEL";
    r["Created"] = rfc3339(e.timestamp);
    r["Severity"] = healthOf(e.severity);
    r["Message"] = e.message;
    r["SensorType"] = sensorTypeName(e.sensorType);
    r["SensorNumber"] = e.sensorNumber;
    r["EntryCode"] = (e.eventDirType & 0x80) ? "Deassert" : "Assert";
    char raw[64];
    std::snprintf(raw, sizeof raw, "0x%02X 0x%02X 0x%02X 0x%02X 0x%02X 0x%02X", e.sensorType, e.sensorNumber,
                  e.eventDirType, e.eventData[0], e.eventData[1], e.eventData[2]);
    r["Oem"]["OpenCMC"] = {{"@odata.type", "#OpenCMCLogEntry.v1_0_0.LogEntry"}, {"RawEventData", raw}};
    return r;
}

} // namespace

MaybeResponse routeManagers(Ctx& c) {
    const auto& seg = c.seg;
    if (seg.size() == 1) {
        return getOnly(c, collection("/redfish/v1/Managers", "#ManagerCollection.ManagerCollection",
                                     "Manager Collection", {kManager}));
    }
    if (seg[1] != "bmc") return redfish::resourceNotFound("Manager", seg[1]);
    if (seg.size() == 2) return getOnly(c, managerJson(c.hal));
    if (seg[2] != "LogServices") return std::nullopt;
    if (seg.size() == 3) {
        return getOnly(c, collection(kManager + "/LogServices", "#LogServiceCollection.LogServiceCollection",
                                     "Log Services", {kSel}));
    }
    if (seg[3] != "SEL") return redfish::resourceNotFound("LogService", seg[3]);
    if (seg.size() == 4) return getOnly(c, selServiceJson(c.hal));
    if (seg.size() == 6 && seg[4] == "Actions") {
        if (seg[5] != "LogService.ClearLog")
            return redfish::errorResponse(404, {redfish::base::actionNotSupported(seg[5])});
        if (c.req.method != "POST") return redfish::methodNotAllowed("POST");
        c.hal.clearSel();
        return redfish::success();
    }
    if (seg[4] != "Entries") return std::nullopt;
    const auto& sel = c.hal.sel();
    if (seg.size() == 5) {
        json coll = collection(kSel + "/Entries", "#LogEntryCollection.LogEntryCollection", "SEL Entries", {});
        json members = json::array();
        for (const auto& e : sel)
            members.push_back(entryJson(e)); // expanded, as BMCs usually do
        coll["Members"] = members;
        coll["Members@odata.count"] = sel.size();
        return getOnly(c, coll);
    }
    if (seg.size() != 6) return std::nullopt;
    for (const auto& e : sel) {
        if (std::to_string(e.id) == seg[5]) return getOnly(c, entryJson(e));
    }
    return redfish::resourceNotFound("LogEntry", seg[5]);
}

} // namespace cmc::bmc
