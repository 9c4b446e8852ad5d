// /redfish/v1/Managers: cmcd itself (the enclosure manager) with its event
// log, and one BMC manager per blade.
#include <charconv>

#include "app/service.hpp"
#include "events/event_log.hpp"
#include "redfish/northbound.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::redfish {

using json = nlohmann::json;

namespace {

const std::string kLog = "/redfish/v1/Managers/cmc/LogServices/EventLog";

json eventJson(const domain::Event& e) {
    json j;
    auto id = std::to_string(e.id);
    j["@odata.id"] = kLog + "/Entries/" + id;
    j["@odata.type"] = "#LogEntry.v1_17_0.LogEntry";
    j["Id"] = id;
    j["Name"] = "Event " + id;
    j["EntryType"] = "Event";
    j["Created"] = events::rfc3339Ms(e.timeMs);
    j["Severity"] = e.severity;
    j["Message"] = e.message;
    j["MessageId"] = e.messageId;
    j["MessageArgs"] = e.args;
    if (!e.origin.empty()) j["Links"]["OriginOfCondition"] = link(e.origin);
    return j;
}

// $skip / $top paging of the event log (newest last, as ids grow).
http::Response entries(const Request& r) {
    const auto& all = r.service.events().recent();
    std::size_t skip = 0;
    std::size_t top = 1000;
    std::string q = r.http.query;
    std::size_t i = 0;
    while (i < q.size()) {
        auto j = q.find('&', i);
        if (j == std::string::npos) j = q.size();
        auto kv = q.substr(i, j - i);
        auto eq = kv.find('=');
        std::string k = kv.substr(0, eq);
        std::string v = eq == std::string::npos ? "" : kv.substr(eq + 1);
        std::size_t n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        bool number = !v.empty() && ec == std::errc() && p == v.data() + v.size();
        if ((k == "$skip" || k == "%24skip") && number)
            skip = n;
        else if ((k == "$top" || k == "%24top") && number && n > 0)
            top = std::min<std::size_t>(n, 1000);
        else
            return errorResponse(400, {message("QueryNotSupported")});
        i = j + 1;
    }
    json c = collectionOf(kLog + "/Entries", "#LogEntryCollection.LogEntryCollection", "Event Log Entries", {});
    json members = json::array();
    for (std::size_t k = skip; k < all.size() && members.size() < top; ++k)
        members.push_back(eventJson(all[k]));
    c["Members"] = members;
    c["Members@odata.count"] = all.size();
    if (skip + members.size() < all.size()) {
        c["Members@odata.nextLink"] =
            kLog + "/Entries?$skip=" + std::to_string(skip + members.size()) + "&$top=" + std::to_string(top);
    }
    return r.http.method == "GET" || r.http.method == "HEAD" ? jsonResponse(200, c) : methodNotAllowed("GET, HEAD");
}

json cmcJson(app::ChassisService& s) {
    json m;
    m["@odata.id"] = "/redfish/v1/Managers/cmc";
    m["@odata.type"] = "#Manager.v1_19_0.Manager";
    m["Id"] = "cmc";
    m["Name"] = "OpenCMC chassis management controller";
    m["ManagerType"] = "EnclosureManager";
    m["FirmwareVersion"] = app::kVersion;
    m["DateTime"] = events::rfc3339Ms(events::nowUnixMs());
    m["DateTimeLocalOffset"] = "+00:00";
    m["ServiceEntryPointUUID"] = "00000000-0000-0000-0000-000000000000";
    const auto& n = s.network();
    m["Status"] = {{"State", "Enabled"}, {"Health", n.suspect ? "Critical" : "OK"}};
    m["LogServices"] = link("/redfish/v1/Managers/cmc/LogServices");
    m["Links"]["ManagerForChassis"] = json::array({link("/redfish/v1/Chassis/chassis")});
    m["Oem"]["OpenCMC"] = {{"@odata.type", "#OpenCMCManager.v1_0_0.Manager"},
                           {"StartedAt", events::rfc3339Ms(s.startedUnixMs())},
                           {"ManagementNetwork",
                            {{"Suspect", n.suspect}, {"UnreachableBmcs", n.unreachable}, {"MonitoredBmcs", n.total}}}};
    const auto& c = s.counters();
    m["Oem"]["OpenCMC"]["Monitor"] = {{"IpmiPolls", c.ipmiPolls},
                                      {"IpmiPollFailures", c.ipmiFailures},
                                      {"SelReads", c.selReads},
                                      {"RedfishPolls", c.redfishPolls},
                                      {"RedfishPollFailures", c.redfishFailures},
                                      {"FabricPolls", c.fabricPolls},
                                      {"HealthTransitions", c.transitions},
                                      {"BmcEvents", c.redfishEvents},
                                      {"HandlerFailures", c.handlerFailures},
                                      {"Blades", s.blades().size()}};
    return m;
}

json bmcJson(const app::BladeRuntime& rt) {
    const auto& b = rt.blade;
    auto id = "bmc-" + std::to_string(b.slot);
    json m;
    m["@odata.id"] = "/redfish/v1/Managers/" + id;
    m["@odata.type"] = "#Manager.v1_19_0.Manager";
    m["Id"] = id;
    m["Name"] = "BMC of blade slot " + std::to_string(b.slot);
    m["ManagerType"] = "BMC";
    m["FirmwareVersion"] = b.bmcFirmwareVersion;
    bool reachable = rt.health && !rt.health->ipmi().bad && rt.ipmiUp;
    m["Status"] = {{"State", b.present ? "Enabled" : "Absent"},
                   {"Health", reachable || !b.present ? "OK" : "Critical"}};
    m["Links"]["ManagerForChassis"] = json::array({link("/redfish/v1/Chassis/blade-" + std::to_string(b.slot))});
    // Endpoints only: credentials are never shown.
    m["Oem"]["OpenCMC"] = {{"@odata.type", "#OpenCMCManager.v1_0_0.Manager"},
                           {"Ipmi",
                            {{"Host", b.bmc.ipmiHost},
                             {"Port", b.bmc.ipmiPort},
                             {"SessionUp", rt.ipmiUp},
                             {"LastRoundTripMs", rt.lastIpmiRttMs}}},
                           {"RedfishUrl", b.bmc.redfishUrl}};
    return m;
}

} // namespace

Maybe routeManagers(Request& r) {
    auto& s = r.service;
    const auto& seg = r.seg;
    if (seg.size() == 1) {
        std::vector<std::string> members{"/redfish/v1/Managers/cmc"};
        for (const auto& [slot, b] : s.blades())
            members.push_back("/redfish/v1/Managers/bmc-" + std::to_string(slot));
        return readOnly(r, collectionOf("/redfish/v1/Managers", "#ManagerCollection.ManagerCollection",
                                        "Manager Collection", members));
    }
    if (seg[1] == "cmc") {
        if (seg.size() == 2) return readOnly(r, cmcJson(s));
        if (seg[2] != "LogServices") return std::nullopt;
        if (seg.size() == 3) {
            return readOnly(r, collectionOf("/redfish/v1/Managers/cmc/LogServices",
                                            "#LogServiceCollection.LogServiceCollection", "Log Services", {kLog}));
        }
        if (seg[3] != "EventLog") return resourceNotFound("LogService", seg[3]);
        if (seg.size() == 4) {
            json l;
            l["@odata.id"] = kLog;
            l["@odata.type"] = "#LogService.v1_7_0.LogService";
            l["Id"] = "EventLog";
            l["Name"] = "Chassis event log";
            l["LogEntryType"] = "Event";
            l["OverWritePolicy"] = "WrapsWhenFull";
            l["MaxNumberOfRecords"] = s.config().eventRetention;
            l["ServiceEnabled"] = true;
            l["DateTime"] = events::rfc3339Ms(events::nowUnixMs());
            l["Entries"] = link(kLog + "/Entries");
            return readOnly(r, l);
        }
        if (seg[4] != "Entries") return std::nullopt;
        if (seg.size() == 5) return entries(r);
        if (seg.size() != 6) return std::nullopt;
        for (const auto& e : s.events().recent()) {
            if (std::to_string(e.id) == seg[5]) return readOnly(r, eventJson(e));
        }
        return resourceNotFound("LogEntry", seg[5]);
    }
    if (auto slot = slotFromId(seg[1], "bmc-"); slot && seg.size() == 2) {
        auto it = s.blades().find(*slot);
        if (it != s.blades().end()) return readOnly(r, bmcJson(it->second));
    }
    return resourceNotFound("Manager", seg[1]);
}

} // namespace cmc::redfish
