// /redfish/v1/Managers: cmcd itself (the enclosure manager) with its event
// log and its audit log (who asked for what: from the store, off the loop),
// and one BMC manager per blade with the URI of the blade's own Redfish service.
#include <charconv>

#include "events/event_log.hpp"
#include "northbound/resources.hpp"
#include "redfish/base_messages.hpp"
#include "redfish/odata.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::northbound {

namespace {

const std::string kLog = "/redfish/v1/Managers/cmc/LogServices/EventLog";
const std::string kAudit = "/redfish/v1/Managers/cmc/LogServices/AuditLog";
constexpr std::size_t kAuditEntriesMax = 10000; // the oldest records of one answer; nextLink beyond

json eventJson(const domain::Event& e) {
    json j;
    auto id = std::to_string(e.id);
    j["@odata.id"] = kLog + "/Entries/" + id;
    j["@odata.type"] = "#LogEntry.v1_21_0.LogEntry";
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

// The $skip and $top of a log's Entries (at most 1000 a page); false for any
// other query parameter or a value that is not a number.
bool paging(const std::string& q, std::size_t& skip, std::size_t& top) {
    skip = 0;
    top = 1000;
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
            return false;
        i = j + 1;
    }
    return true;
}

// $skip / $top paging of the event log (newest last, as ids grow).
http::Response entries(Backend& b, const http::Request& req) {
    const auto& all = b.eventLog().recent();
    std::size_t skip = 0;
    std::size_t top = 1000;
    if (!paging(req.query, skip, top)) return redfish::errorResponse(400, {redfish::base::queryNotSupported()});
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

// An audit record as a LogEntry: EntryType Oem, the record in Oem.OpenCMC.Audit.
json auditJson(const domain::AuditEntry& a) {
    json j;
    auto id = std::to_string(a.id);
    j["@odata.id"] = kAudit + "/Entries/" + id;
    j["@odata.type"] = "#LogEntry.v1_21_0.LogEntry";
    j["Id"] = id;
    j["Name"] = "Audit record " + id;
    j["EntryType"] = "Oem";
    j["OemRecordFormat"] = "OpenCMCAudit";
    j["Created"] = events::rfc3339Ms(a.timeMs);
    const bool refused = a.outcome.rfind("refused", 0) == 0 || a.outcome.rfind("failed", 0) == 0;
    j["Severity"] = refused ? "Warning" : "OK";
    std::string msg = a.who + ": " + a.action + (a.subject.empty() ? "" : " " + a.subject) + ": " + a.outcome;
    if (!a.reason.empty()) msg += " (" + a.reason + ")";
    j["Message"] = msg;
    if (a.who != "policy") j["Username"] = a.who;
    j["Oem"]["OpenCMC"] = {
        {"@odata.type", "#OpenCMCLogEntry.v1_1_0.LogEntry"},
        {"Audit",
         {{"Who", a.who}, {"Action", a.action}, {"Subject", a.subject}, {"Reason", a.reason}, {"Outcome", a.outcome}}}};
    return j;
}

json auditPageJson(const domain::AuditPage& p, std::size_t skip, std::size_t top) {
    json c =
        redfish::collection(kAudit + "/Entries", "#LogEntryCollection.LogEntryCollection", "Audit Log Entries", {});
    json members = json::array();
    for (const auto& a : p.entries)
        members.push_back(auditJson(a));
    c["Members"] = members;
    c["Members@odata.count"] = p.total;
    if (static_cast<std::int64_t>(skip + p.entries.size()) < p.total) {
        c["Members@odata.nextLink"] =
            kAudit + "/Entries?$skip=" + std::to_string(skip + p.entries.size()) + "&$top=" + std::to_string(top);
    }
    return c;
}

json logServiceJson(const std::string& uri, const char* id, const char* name, const char* entryType) {
    json l;
    l["@odata.id"] = uri;
    l["@odata.type"] = "#LogService.v1_9_0.LogService";
    l["Id"] = id;
    l["Name"] = name;
    l["LogEntryType"] = entryType;
    l["ServiceEnabled"] = true;
    l["DateTime"] = events::rfc3339Ms(events::nowUnixMs());
    l["DateTimeLocalOffset"] = "+00:00";
    l["Entries"] = redfish::odataId(uri + "/Entries");
    return l;
}

// The Redfish service root of a blade's BMC from its manifest URL (no user
// information, no path): "https://10.0.3.13" -> "https://10.0.3.13/redfish/v1".
json remoteServiceUri(const std::string& url) {
    auto scheme = url.find("://");
    if (url.empty() || scheme == std::string::npos) return nullptr;
    auto hostStart = scheme + 3;
    auto hostEnd = url.find_first_of("/?#", hostStart);
    std::string authority =
        url.substr(hostStart, hostEnd == std::string::npos ? std::string::npos : hostEnd - hostStart);
    if (auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
    if (authority.empty()) return nullptr;
    return url.substr(0, hostStart) + authority + "/redfish/v1";
}

json cmcJson(Backend& b) {
    const auto v = b.managerView();
    json m;
    m["@odata.id"] = "/redfish/v1/Managers/cmc";
    m["@odata.type"] = "#Manager.v1_24_0.Manager";
    m["Id"] = "cmc";
    m["Name"] = "OpenCMC chassis management controller";
    m["ManagerType"] = "EnclosureManager";
    m["FirmwareVersion"] = v.version;
    m["DateTime"] = events::rfc3339Ms(events::nowUnixMs());
    m["DateTimeLocalOffset"] = "+00:00";
    m["ServiceEntryPointUUID"] = b.serviceUuid(); // the ServiceRoot's UUID: cmcd hosts the service
    m["UUID"] = b.serviceUuid();
    const auto& n = v.network;
    m["Status"] = {{"State", "Enabled"}, {"Health", n.suspect ? "Critical" : "OK"}};
    m["LogServices"] = redfish::odataId("/redfish/v1/Managers/cmc/LogServices");
    m["NetworkProtocol"] = redfish::odataId("/redfish/v1/Managers/cmc/NetworkProtocol");
    m["Links"]["ManagerForChassis"] = json::array({redfish::odataId("/redfish/v1/Chassis/chassis")});
    m["Links"]["ManagerInChassis"] = redfish::odataId("/redfish/v1/Chassis/chassis");
    json bmcs = json::array();
    for (int slot : b.bladeSlots())
        bmcs.push_back(redfish::odataId("/redfish/v1/Managers/bmc-" + std::to_string(slot)));
    m["Links"]["ManagerForManagers"] = bmcs;
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
    m["@odata.type"] = "#Manager.v1_24_0.Manager";
    m["Id"] = id;
    m["Name"] = "BMC of blade slot " + std::to_string(b.slot);
    m["ManagerType"] = "BMC";
    m["FirmwareVersion"] = orNull(b.bmcFirmwareVersion);
    // The blade's own Redfish service (an aggregated service's manager); endpoints only.
    if (!b.bmc.redfishUrl.empty()) m["RemoteRedfishServiceUri"] = remoteServiceUri(b.bmc.redfishUrl);
    m["Status"] = {{"State", b.present ? "Enabled" : "Absent"},
                   {"Health", v.bmcReachable || !b.present ? "OK" : "Critical"}};
    m["Links"]["ManagerForChassis"] =
        json::array({redfish::odataId("/redfish/v1/Chassis/blade-" + std::to_string(b.slot))});
    m["Links"]["ManagerInChassis"] = redfish::odataId("/redfish/v1/Chassis/blade-" + std::to_string(b.slot));
    m["Links"]["ManagedBy"] = json::array({redfish::odataId("/redfish/v1/Managers/cmc")});
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
                                       "#LogServiceCollection.LogServiceCollection", "Log Services", {kLog, kAudit}));
    });
    r.route("/redfish/v1/Managers/cmc/LogServices/EventLog")(
        [&b](const http::RouteRequest&, const http::AsyncResp& res) {
            json l = logServiceJson(kLog, "EventLog", "Chassis event log", "Event");
            l["OverWritePolicy"] = "WrapsWhenFull";
            l["MaxNumberOfRecords"] = b.managerView().eventRetention;
            l["LogPurposes"] = json::array({"Operations"});
            reply(res, l);
        });
    r.route("/redfish/v1/Managers/cmc/LogServices/AuditLog")([](const http::RouteRequest&, const http::AsyncResp& res) {
        json l = logServiceJson(kAudit, "AuditLog", "Audit log: who asked for what, and what came of it", "OEM");
        l["OverWritePolicy"] = "NeverOverWrites";
        l["LogPurposes"] = json::array({"Security"});
        reply(res, l);
    });
    r.route("/redfish/v1/Managers/cmc/LogServices/AuditLog/Entries")
        .paging()([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
            // Paged in the store ($skip/$top; the dispatcher checked their syntax).
            std::size_t skip = 0;
            std::size_t top = kAuditEntriesMax;
            if (!paging(req.http.query, skip, top)) {
                res->res = redfish::errorResponse(400, {redfish::base::queryNotSupported()});
                return;
            }
            top = std::min(top, kAuditEntriesMax);
            b.auditPage(skip, top, [&b, res, skip, top](domain::AuditPage p) {
                guarded(b, "audit log entries", res, [&] {
                    if (!p.ok) {
                        res->res = redfish::serviceUnavailable(1); // the store could not answer: retry
                        return;
                    }
                    reply(res, auditPageJson(p, skip, top));
                });
            });
        });
    r.route("/redfish/v1/Managers/cmc/LogServices/AuditLog/Entries/<str>")(
        [&b](const http::RouteRequest& req, const http::AsyncResp& res) {
            auto id = slotFromId(req.params[0], "");
            if (!id) {
                res->res = redfish::resourceNotFound("LogEntry", req.params[0]);
                return;
            }
            b.auditEntry(*id, [&b, res, name = req.params[0]](domain::AuditPage p) {
                guarded(b, "audit log entry", res, [&] {
                    if (!p.ok) {
                        res->res = redfish::serviceUnavailable(1);
                        return;
                    }
                    if (p.entries.empty()) {
                        res->res = redfish::resourceNotFound("LogEntry", name);
                        return;
                    }
                    reply(res, auditJson(p.entries.front()));
                });
            });
        });
    r.route("/redfish/v1/Managers/cmc/LogServices/<str>")(
        [](const http::RouteRequest& req, const http::AsyncResp& res) {
            res->res = redfish::resourceNotFound("LogService", req.params[0]);
        });
    r.route("/redfish/v1/Managers/cmc/LogServices/EventLog/Entries")
        .paging()([&b](const http::RouteRequest& req, const http::AsyncResp& res) { res->res = entries(b, req.http); });
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
