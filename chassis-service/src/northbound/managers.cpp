// /redfish/v1/Managers: cmcd itself (the enclosure manager) with its event
// log, and one BMC manager per blade.
#include <charconv>

#include "events/event_log.hpp"
#include "northbound/resources.hpp"
#include "redfish/base_messages.hpp"
#include "redfish/odata.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::northbound {

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
    if (!e.origin.empty()) j["Links"]["OriginOfCondition"] = redfish::odataId(e.origin);
    return j;
}

// $skip / $top paging of the event log (newest last, as ids grow).
http::Response entries(Backend& b, const http::Request& req) {
    const auto& all = b.eventLog().recent();
    std::size_t skip = 0;
    std::size_t top = 1000;
    const std::string& q = req.query;
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
            return redfish::errorResponse(400, {redfish::base::queryNotSupported()});
        i = j + 1;
    }
    json c = redfish::collection(kLog + "/Entries", "#LogEntryCollection.LogEntryCollection", "Event Log Entries", {});
    json members = json::array();
    for (std::size_t k = skip; k < all.size() && members.size() < top; ++k)
        members.push_back(eventJson(all[k]));
    c["Members"] = members;
    c["Members@odata.count"] = all.size();
    if (skip + members.size() < all.size()) {
        c["Members@odata.nextLink"] =
            kLog + "/Entries?$skip=" + std::to_string(skip + members.size()) + "&$top=" + std::to_string(top);
    }
    return redfish::jsonResponse(200, c);
}

json cmcJson(Backend& b) {
    const auto v = b.managerView();
    json m;
    m["@odata.id"] = "/redfish/v1/Managers/cmc";
    m["@odata.type"] = "#Manager.v1_19_0.Manager";
    m["Id"] = "cmc";
    m["Name"] = "OpenCMC chassis management controller";
    m["ManagerType"] = "EnclosureManager";
    m["FirmwareVersion"] = v.version;
    m["DateTime"] = events::rfc3339Ms(events::nowUnixMs());
    m["DateTimeLocalOffset"] = "+00:00";
    m["ServiceEntryPointUUID"] = "00000000-0000-0000-0000-000000000000";
    const auto& n = v.network;
    m["Status"] = {{"State", "Enabled"}, {"Health", n.suspect ? "Critical" : "OK"}};
    m["LogServices"] = redfish::odataId("/redfish/v1/Managers/cmc/LogServices");
    m["Links"]["ManagerForChassis"] = json::array({redfish::odataId("/redfish/v1/Chassis/chassis")});
    m["Oem"]["OpenCMC"] = {{"@odata.type", "#OpenCMCManager.v1_0_0.Manager"},
                           {"StartedAt", events::rfc3339Ms(v.startedUnixMs)},
                           {"ManagementNetwork",
                            {{"Suspect", n.suspect}, {"UnreachableBmcs", n.unreachable}, {"MonitoredBmcs", n.total}}}};
    const auto& c = v.counters;
    m["Oem"]["OpenCMC"]["Monitor"] = {{"IpmiPolls", c.ipmiPolls},
                                      {"IpmiPollFailures", c.ipmiFailures},
                                      {"SelReads", c.selReads},
                                      {"RedfishPolls", c.redfishPolls},
                                      {"RedfishPollFailures", c.redfishFailures},
                                      {"FabricPolls", c.fabricPolls},
                                      {"HealthTransitions", c.transitions},
                                      {"BmcEvents", c.redfishEvents},
                                      {"HandlerFailures", c.handlerFailures},
                                      {"Blades", v.blades}};
    return m;
}

json bmcJson(const domain::BladeView& v) {
    const auto& b = v.blade;
    auto id = "bmc-" + std::to_string(b.slot);
    json m;
    m["@odata.id"] = "/redfish/v1/Managers/" + id;
    m["@odata.type"] = "#Manager.v1_19_0.Manager";
    m["Id"] = id;
    m["Name"] = "BMC of blade slot " + std::to_string(b.slot);
    m["ManagerType"] = "BMC";
    m["FirmwareVersion"] = b.bmcFirmwareVersion;
    m["Status"] = {{"State", b.present ? "Enabled" : "Absent"},
                   {"Health", v.bmcReachable || !b.present ? "OK" : "Critical"}};
    m["Links"]["ManagerForChassis"] =
        json::array({redfish::odataId("/redfish/v1/Chassis/blade-" + std::to_string(b.slot))});
    // Endpoints only: credentials are never shown.
    m["Oem"]["OpenCMC"] = {{"@odata.type", "#OpenCMCManager.v1_0_0.Manager"},
                           {"Ipmi",
                            {{"Host", b.bmc.ipmiHost},
                             {"Port", b.bmc.ipmiPort},
                             {"SessionUp", v.ipmiSessionUp},
                             {"LastRoundTripMs", v.lastIpmiRttMs}}},
                           {"RedfishUrl", b.bmc.redfishUrl}};
    return m;
}

} // namespace

void addManagerRoutes(http::Router& r, Backend& b) {
    r.route("/redfish/v1/Managers")([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        std::vector<std::string> members{"/redfish/v1/Managers/cmc"};
        for (int slot : b.bladeSlots())
            members.push_back("/redfish/v1/Managers/bmc-" + std::to_string(slot));
        reply(res, redfish::collection("/redfish/v1/Managers", "#ManagerCollection.ManagerCollection",
                                       "Manager Collection", members));
    });
    r.route("/redfish/v1/Managers/cmc")(
        [&b](const http::RouteRequest&, const http::AsyncResp& res) { reply(res, cmcJson(b)); });
    r.route("/redfish/v1/Managers/cmc/LogServices")([](const http::RouteRequest&, const http::AsyncResp& res) {
        reply(res, redfish::collection("/redfish/v1/Managers/cmc/LogServices",
                                       "#LogServiceCollection.LogServiceCollection", "Log Services", {kLog}));
    });
    r.route("/redfish/v1/Managers/cmc/LogServices/EventLog")(
        [&b](const http::RouteRequest&, const http::AsyncResp& res) {
            json l;
            l["@odata.id"] = kLog;
            l["@odata.type"] = "#LogService.v1_7_0.LogService";
            l["Id"] = "EventLog";
            l["Name"] = "Chassis event log";
            l["LogEntryType"] = "Event";
            l["OverWritePolicy"] = "WrapsWhenFull";
            l["MaxNumberOfRecords"] = b.managerView().eventRetention;
            l["ServiceEnabled"] = true;
            l["DateTime"] = events::rfc3339Ms(events::nowUnixMs());
            l["Entries"] = redfish::odataId(kLog + "/Entries");
            reply(res, l);
        });
    r.route("/redfish/v1/Managers/cmc/LogServices/<str>")(
        [](const http::RouteRequest& req, const http::AsyncResp& res) {
            res->res = redfish::resourceNotFound("LogService", req.params[0]);
        });
    r.route("/redfish/v1/Managers/cmc/LogServices/EventLog/Entries")(
        [&b](const http::RouteRequest& req, const http::AsyncResp& res) { res->res = entries(b, req.http); });
    r.route("/redfish/v1/Managers/cmc/LogServices/EventLog/Entries/<str>")(
        [&b](const http::RouteRequest& req, const http::AsyncResp& res) {
            for (const auto& e : b.eventLog().recent()) {
                if (std::to_string(e.id) == req.params[0]) {
                    reply(res, eventJson(e));
                    return;
                }
            }
            res->res = redfish::resourceNotFound("LogEntry", req.params[0]);
        });
    r.route("/redfish/v1/Managers/<str>")([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        auto slot = slotFromId(req.params[0], "bmc-");
        auto v = slot ? b.bladeView(*slot) : std::nullopt;
        if (!v) {
            res->res = redfish::resourceNotFound("Manager", req.params[0]);
            return;
        }
        reply(res, bmcJson(*v));
    });
}

} // namespace cmc::northbound
