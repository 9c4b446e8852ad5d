// /redfish/v1/Systems: one composed ComputerSystem per logical server. POST
// composes one (identity from pools or given explicitly, bound to a named
// blade or to a spare of its pool), PATCH changes its failover policy and
// requirements, DELETE releases it; Reset powers it, the OEM actions Migrate
// and Failback start a task. The request bodies (untrusted) are read in
// system_requests.cpp, every problem reported with its property.
#include <memory>

#include "common/json_reader.hpp"
#include "northbound/resources.hpp"
#include "northbound/system_requests.hpp"
#include "redfish/base_messages.hpp"
#include "redfish/odata.hpp"
#include "redfish/query.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::northbound {

namespace {

using domain::OperationResult;
using domain::ServerState;
using Code = domain::OperationResult::Code;
namespace base = redfish::base;

const std::string kSystems = "/redfish/v1/Systems";
const std::string kOem = "Oem/OpenCMC";

struct StatusOf {
    const char* state;
    const char* health;
};

StatusOf statusOf(ServerState s) {
    switch (s) {
    case ServerState::Running: return {"Enabled", "OK"};
    case ServerState::Binding: return {"Starting", "Warning"};
    case ServerState::Down: return {"UnavailableOffline", "Critical"};
    case ServerState::Stopped:
    case ServerState::Unbound: return {"StandbyOffline", "OK"};
    }
    return {"Enabled", "OK"};
}

// The bound blade's power state as Redfish spells it; Off when unbound, null
// when the blade's state is not known yet.
json powerStateOf(const domain::LogicalServerView& v) {
    if (!v.server.slot) return "Off";
    if (!v.blade) return nullptr;
    const auto& p = v.blade->powerState;
    if (p == "On" || p == "Off" || p == "PoweringOn" || p == "PoweringOff" || p == "Paused") return p;
    return nullptr;
}

json systemJson(const domain::LogicalServerView& v) {
    const auto& s = v.server;
    const std::string id = systemUri(s.name);
    json r;
    r["@odata.id"] = id;
    r["@odata.type"] = "#ComputerSystem.v1_27_0.ComputerSystem";
    r["Id"] = s.name;
    r["Name"] = s.name;
    r["Description"] = "Logical server " + s.name + ": an identity bound to whichever blade is healthy";
    r["SystemType"] = "Composed";
    r["UUID"] = s.uuid;
    r["PowerState"] = powerStateOf(v);
    const auto st = statusOf(s.state);
    r["Status"] = {{"State", st.state}, {"Health", st.health}};
    r["Boot"] = {{"BootSourceOverrideTarget", "RemoteDrive"}, {"BootSourceOverrideEnabled", "Continuous"}};
    r["EthernetInterfaces"] = redfish::odataId(id + "/EthernetInterfaces");
    r["Actions"]["#ComputerSystem.Reset"] = {
        {"target", id + "/Actions/ComputerSystem.Reset"},
        {"ResetType@Redfish.AllowableValues", json::array({"On", "ForceOff", "GracefulShutdown"})}};
    r["Actions"]["Oem"]["#OpenCMC.Migrate"] = {{"target", id + "/Actions/Oem/OpenCMC.Migrate"},
                                               {"title", "Move the server to a spare or to the Target blade"}};
    r["Actions"]["Oem"]["#OpenCMC.Failback"] = {{"target", id + "/Actions/Oem/OpenCMC.Failback"},
                                                {"title", "Move the server back to the blade it failed over from"}};
    json blocks = json::array();
    json chassis = json::array();
    if (s.slot) {
        blocks.push_back(redfish::odataId(blockUri(*s.slot)));
        chassis.push_back(redfish::odataId("/redfish/v1/Chassis/blade-" + std::to_string(*s.slot)));
    }
    r["Links"]["ResourceBlocks"] = blocks;
    r["Links"]["ResourceBlocks@odata.count"] = blocks.size();
    r["Links"]["Chassis"] = chassis;
    r["Links"]["Chassis@odata.count"] = chassis.size();

    json vnics = json::array();
    for (const auto& n : s.vnics) {
        vnics.push_back({{"Name", n.name},
                         {"MACAddress", n.mac},
                         {"MACPool", orNull(n.macPool)},
                         {"IPv4Address", orNull(n.ip)},
                         {"IPv4Pool", orNull(n.ipPool)},
                         {"VLAN", n.vlan},
                         {"EthernetInterface", redfish::odataId(id + "/EthernetInterfaces/" + n.name)}});
    }
    json vhbas = json::array();
    for (const auto& h : s.vhbas)
        vhbas.push_back({{"Name", h.name}, {"WWPN", h.wwpn}, {"WWPNPool", orNull(h.wwpnPool)}});
    const auto& c = v.coverage;
    json oem;
    oem["@odata.type"] = "#OpenCMCComputerSystem.v1_0_0.ComputerSystem";
    oem["UuidPool"] = orNull(s.uuidPool);
    oem["VNICs"] = vnics;
    oem["VHBAs"] = vhbas;
    oem["BootVolume"] = {{"Volume", s.boot.volume}, {"LUN", s.boot.lun}, {"TargetWWPN", orNull(s.boot.targetWwpn)}};
    oem["Requirements"] = {{"MinCpus", s.requirements.minCpus},
                           {"MinMemoryGiB", s.requirements.minMemoryGiB},
                           {"ModelFamily", orNull(s.requirements.modelFamily)}};
    oem["FailoverPolicy"] = {
        {"SparePool", orNull(s.policy.sparePool)}, {"Priority", s.policy.priority}, {"Automatic", s.policy.automatic}};
    oem["DesiredPowerState"] = domain::toString(s.desiredPower);
    oem["State"] = domain::toString(s.state);
    oem["StateReason"] = s.stateReason;
    oem["Coverage"] = {{"Covered", c.covered}, {"Spares", c.spares}, {"Reason", c.reason}};
    oem["ActiveFailover"] = taskLink(v.activeFailover);
    oem["LastFailover"] = taskLink(v.lastFailover);
    oem["Origin"] = s.origin;
    oem["Created"] = s.createdMs > 0 ? json(redfish::rfc3339Ms(s.createdMs)) : json(nullptr);
    oem["Updated"] = s.updatedMs > 0 ? json(redfish::rfc3339Ms(s.updatedMs)) : json(nullptr);
    r["Oem"]["OpenCMC"] = oem;
    return r;
}

// "255.255.255.0" of a prefix length.
std::string maskOf(int prefixLength) {
    if (prefixLength <= 0) return "0.0.0.0";
    std::uint32_t m = prefixLength >= 32 ? 0xffffffffU : ~((1U << (32 - prefixLength)) - 1U);
    return domain::formatIpv4(m);
}

json ethernetJson(const domain::LogicalServerView& v, const domain::VNic& n,
                  const std::vector<domain::IdentityPoolView>& pools) {
    const std::string id = systemUri(v.server.name) + "/EthernetInterfaces/" + n.name;
    json e;
    e["@odata.id"] = id;
    e["@odata.type"] = "#EthernetInterface.v1_12_4.EthernetInterface";
    e["Id"] = n.name;
    e["Name"] = "vNIC " + n.name + " of " + v.server.name;
    e["Description"] = "Virtual NIC: its MAC address and IP move with the logical server to whichever blade runs it";
    e["MACAddress"] = n.mac;
    e["InterfaceEnabled"] = true;
    bool running = v.server.state == ServerState::Running;
    e["Status"] = {{"State", running ? "Enabled" : "StandbyOffline"}, {"Health", "OK"}};
    json v4 = json::array();
    if (!n.ip.empty()) {
        json a{{"Address", n.ip}, {"AddressOrigin", "DHCP"}};
        for (const auto& p : pools) {
            if (p.pool.kind != domain::IdentityKind::Ipv4) continue;
            if (p.pool.name == n.ipPool || (n.ipPool.empty() && p.pool.contains(n.ip))) {
                a["SubnetMask"] = maskOf(p.pool.prefixLength);
                a["Gateway"] = orNull(p.pool.gateway);
                break;
            }
        }
        v4.push_back(a);
    }
    e["IPv4Addresses"] = v4;
    e["VLAN"] = {{"VLANEnable", n.vlan != 0}, {"VLANId", n.vlan != 0 ? json(n.vlan) : json(nullptr)}};
    e["Links"]["Chassis"] =
        v.server.slot ? redfish::odataId("/redfish/v1/Chassis/blade-" + std::to_string(*v.server.slot)) : json(nullptr);
    if (e["Links"]["Chassis"].is_null()) e["Links"].erase("Chassis");
    return e;
}

// ------------------------------------------------------------------ handlers

using CollectionCache = ViewCache<int, std::vector<std::string>>;

void handleCollectionGet(Backend& b, CollectionCache& cache, const http::AsyncResp& res) {
    std::vector<std::string> members;
    for (const auto& name : b.logicalServerNames())
        members.push_back(systemUri(name));
    cache.reply(res, 0, std::move(members), [](const std::vector<std::string>& m) {
        return redfish::collection(kSystems, "#ComputerSystemCollection.ComputerSystemCollection",
                                   "Computer System Collection", m);
    });
}

void handleCreate(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res) {
    json body;
    http::Response error;
    if (!readBody(req.http, body, error)) {
        res->res = std::move(error);
        return;
    }
    WriteReader rd;
    auto spec = readCreate(rd, body, b.identityPools());
    if (rd.failed()) {
        res->res = rd.response();
        return;
    }
    auto keep = spec; // for the error, which names the request's properties
    b.createLogicalServer(std::move(spec), req.principal.user, [&b, res, keep](const OperationResult& r) {
        guarded(b, "POST " + kSystems, res, [&] {
            if (!r.ok()) {
                res->res = createError(r, keep);
                return;
            }
            auto v = b.logicalServerView(keep.name);
            json created = v ? systemJson(*v) : redfish::odataId(systemUri(keep.name));
            if (!v && r.taskId) created["Oem"]["OpenCMC"]["ActiveFailover"] = taskLink(r.taskId);
            res->res = redfish::jsonResponse(201, created);
            res->res.set("Location", systemUri(keep.name));
        });
    });
}

using SystemCache = ViewCache<std::string, domain::LogicalServerView>;

void handleGet(Backend& b, SystemCache& cache, const http::RouteRequest& req, const http::AsyncResp& res) {
    auto v = b.logicalServerView(req.params[0]);
    if (!v) {
        res->res = redfish::resourceNotFound("ComputerSystem", req.params[0]);
        return;
    }
    cache.reply(res, req.params[0], std::move(*v), systemJson);
}

void handlePatch(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res) {
    const std::string name = req.params[0];
    auto v = b.logicalServerView(name);
    if (!v) {
        res->res = redfish::resourceNotFound("ComputerSystem", name);
        return;
    }
    if (const auto* match = req.http.header("If-Match")) {
        if (!redfish::query::ifMatchAccepts(*match, redfish::etagOf(systemJson(*v)))) {
            res->res = redfish::preconditionFailed();
            return;
        }
    }
    json body;
    http::Response error;
    if (!readBody(req.http, body, error)) {
        res->res = std::move(error);
        return;
    }
    WriteReader rd;
    rd.only(body, "", {"Oem"},
            {"Id", "Name", "Description", "SystemType", "UUID", "PowerState", "Status", "Boot", "Actions",
             "EthernetInterfaces", "Links"});
    auto policy = v->server.policy;
    auto reqs = v->server.requirements;
    bool any = false;
    if (const json* oem = rd.object(body, "Oem", "Oem")) {
        rd.only(*oem, "Oem", {"OpenCMC"}, {});
        if (const json* oc = rd.object(*oem, "OpenCMC", kOem)) {
            rd.only(*oc, kOem, {"Requirements", "FailoverPolicy"},
                    {"UuidPool", "VNICs", "VHBAs", "BootVolume", "PowerState", "DesiredPowerState", "State",
                     "StateReason", "Coverage", "ActiveFailover", "LastFailover", "Origin", "Created", "Updated"});
            any = oc->contains("Requirements") || oc->contains("FailoverPolicy");
            readRequirements(rd, *oc, reqs);
            readPolicy(rd, *oc, policy);
        }
    }
    // DSP0266: unknown and read-only properties are skipped (and reported) when something else applies.
    const bool partly = any && rd.onlySkipped();
    if (!rd.failed() && !any) rd.add(base::noOperation());
    if (rd.failed() && !partly) {
        res->res = rd.response();
        return;
    }
    auto skipped = rd.skipped(); // reported beside the changed resource
    b.updateLogicalServer(name, policy, reqs, req.principal.user, [&b, res, name, skipped](const OperationResult& r) {
        guarded(b, "PATCH " + systemUri(name), res, [&] {
            if (r.code == Code::NotFound && r.resource == "SparePool") {
                res->res = redfish::errorResponse(
                    400, {explained(base::resourceMissingAtUri(
                                        zoneUri(r.id), redfish::jsonPointer(kOem + "/FailoverPolicy/SparePool")),
                                    r.message)});
                return;
            }
            if (!r.ok()) {
                res->res =
                    r.code == Code::NotFound ? redfish::resourceNotFound("ComputerSystem", name) : operationError(r);
                return;
            }
            auto now = b.logicalServerView(name);
            if (!now) {
                res->res = redfish::resourceNotFound("ComputerSystem", name);
                return;
            }
            res->res = WriteReader::applied(systemJson(*now), skipped);
        });
    });
}

void handleDelete(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res) {
    const std::string name = req.params[0];
    b.deleteLogicalServer(name, req.principal.user, [&b, res, name](const OperationResult& r) {
        guarded(b, "DELETE " + systemUri(name), res, [&] {
            if (r.ok())
                res->res = noContent();
            else
                res->res =
                    r.code == Code::NotFound ? redfish::resourceNotFound("ComputerSystem", name) : operationError(r);
        });
    });
}

// The answer to a server action: 200 Success, 202 with the task, or the error.
void answerAction(Backend& b, const http::AsyncResp& res, const std::string& name, const OperationResult& r,
                  const std::optional<int>& target) {
    if (r.code == Code::Accepted && r.taskId) {
        replyAccepted(res, b, *r.taskId);
    } else if (r.ok()) {
        res->res = redfish::success();
    } else if (r.code == Code::NotFound && r.resource == "Blade") {
        res->res = redfish::errorResponse(
            400, {explained(base::resourceMissingAtUri(target ? blockUri(*target) : r.id), r.message)});
    } else if (r.code == Code::NotFound) {
        res->res = redfish::resourceNotFound("ComputerSystem", name);
    } else {
        res->res = operationError(r);
    }
}

void handleReset(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res) {
    static const std::string kAction = "ComputerSystem.Reset";
    const std::string name = req.params[0];
    if (!b.logicalServerView(name)) {
        res->res = redfish::resourceNotFound("ComputerSystem", name);
        return;
    }
    json body;
    http::Response error;
    if (!readBody(req.http, body, error)) {
        res->res = std::move(error);
        return;
    }
    std::vector<json> problems;
    for (const auto& [k, v] : body.items()) {
        if (k != "ResetType") problems.push_back(base::actionParameterUnknown(kAction, k));
    }
    const json* t = jsonr::member(body, "ResetType");
    std::optional<domain::ServerAction> action;
    if (!t) {
        problems.push_back(base::actionParameterMissing(kAction, "ResetType"));
    } else if (!t->is_string()) {
        problems.push_back(base::actionParameterValueTypeError(WriteReader::shown(*t), "ResetType", kAction));
    } else {
        const auto& s = t->get_ref<const std::string&>();
        if (s == "On")
            action = domain::ServerAction::PowerOn;
        else if (s == "ForceOff" || s == "GracefulShutdown")
            action = domain::ServerAction::PowerOff;
        else
            problems.push_back(base::actionParameterValueNotInList(s, "ResetType", kAction));
    }
    if (!problems.empty()) {
        res->res = redfish::errorResponse(400, std::move(problems));
        return;
    }
    b.serverAction(name, *action, std::nullopt, req.principal.user, [&b, res, name](const OperationResult& r) {
        guarded(b, "Reset " + name, res, [&] { answerAction(b, res, name, r, std::nullopt); });
    });
}

void handleMove(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res, domain::ServerAction action) {
    const std::string kAction = action == domain::ServerAction::Migrate ? "OpenCMC.Migrate" : "OpenCMC.Failback";
    const std::string name = req.params[0];
    if (!b.logicalServerView(name)) {
        res->res = redfish::resourceNotFound("ComputerSystem", name);
        return;
    }
    json body;
    http::Response error;
    if (!readBody(req.http, body, error, true)) {
        res->res = std::move(error);
        return;
    }
    std::vector<json> problems;
    std::optional<int> target;
    for (const auto& [k, v] : body.items()) {
        if (k != "Target" || action != domain::ServerAction::Migrate)
            problems.push_back(base::actionParameterUnknown(kAction, k));
    }
    if (const json* t = jsonr::member(body, "Target"); t && action == domain::ServerAction::Migrate) {
        // A URI, or a link object {"@odata.id": URI}.
        std::optional<std::string> uri;
        if (t->is_string())
            uri = t->get_ref<const std::string&>();
        else
            uri = jsonr::text(*t, "@odata.id");
        if (!uri) {
            problems.push_back(base::actionParameterValueTypeError(WriteReader::shown(*t), "Target", kAction));
        } else if (auto slot = slotOfBlockUri(*uri)) {
            target = *slot;
        } else {
            problems.push_back(base::resourceMissingAtUri(*uri));
        }
    }
    if (!problems.empty()) {
        res->res = redfish::errorResponse(400, std::move(problems));
        return;
    }
    b.serverAction(name, action, target, req.principal.user,
                   [&b, res, name, target, kAction](const OperationResult& r) {
                       guarded(b, kAction + " " + name, res, [&] { answerAction(b, res, name, r, target); });
                   });
}

void handleInterfaces(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res) {
    auto v = b.logicalServerView(req.params[0]);
    if (!v) {
        res->res = redfish::resourceNotFound("ComputerSystem", req.params[0]);
        return;
    }
    const std::string id = systemUri(v->server.name) + "/EthernetInterfaces";
    std::vector<std::string> members;
    for (const auto& n : v->server.vnics)
        members.push_back(id + "/" + n.name);
    reply(res, redfish::collection(id, "#EthernetInterfaceCollection.EthernetInterfaceCollection",
                                   "Ethernet Interface Collection", members));
}

void handleInterface(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res) {
    auto v = b.logicalServerView(req.params[0]);
    if (!v) {
        res->res = redfish::resourceNotFound("ComputerSystem", req.params[0]);
        return;
    }
    for (const auto& n : v->server.vnics) {
        if (n.name == req.params[1]) {
            reply(res, ethernetJson(*v, n, b.identityPools()));
            return;
        }
    }
    res->res = redfish::resourceNotFound("EthernetInterface", req.params[1]);
}

} // namespace

void addSystemRoutes(http::Router& r, Backend& b) {
    auto collection = std::make_shared<CollectionCache>();
    r.route(kSystems)([&b, collection](const http::RouteRequest&, const http::AsyncResp& res) {
        handleCollectionGet(b, *collection, res);
    });
    r.route(kSystems).methods({"POST"}).privileges({"ConfigureComponents"})(
        [&b](const http::RouteRequest& req, const http::AsyncResp& res) { handleCreate(b, req, res); });
    auto systems = std::make_shared<SystemCache>();
    r.route(kSystems + "/<str>")(
        [&b, systems](const http::RouteRequest& req, const http::AsyncResp& res) { handleGet(b, *systems, req, res); });
    r.route(kSystems + "/<str>")
        .methods({"PATCH"})
        .privileges({"ConfigureComponents"})(
            [&b](const http::RouteRequest& req, const http::AsyncResp& res) { handlePatch(b, req, res); });
    r.route(kSystems + "/<str>")
        .methods({"DELETE"})
        .privileges({"ConfigureComponents"})(
            [&b](const http::RouteRequest& req, const http::AsyncResp& res) { handleDelete(b, req, res); });
    r.route(kSystems + "/<str>/Actions/ComputerSystem.Reset")
        .methods({"POST"})
        .privileges({"ConfigureComponents"})(
            [&b](const http::RouteRequest& req, const http::AsyncResp& res) { handleReset(b, req, res); });
    r.route(kSystems + "/<str>/Actions/Oem/OpenCMC.Migrate")
        .methods({"POST"})
        .privileges({"ConfigureComponents"})([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
            handleMove(b, req, res, domain::ServerAction::Migrate);
        });
    r.route(kSystems + "/<str>/Actions/Oem/OpenCMC.Failback")
        .methods({"POST"})
        .privileges({"ConfigureComponents"})([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
            handleMove(b, req, res, domain::ServerAction::Failback);
        });
    r.route(kSystems + "/<str>/EthernetInterfaces")(
        [&b](const http::RouteRequest& req, const http::AsyncResp& res) { handleInterfaces(b, req, res); });
    r.route(kSystems + "/<str>/EthernetInterfaces/<str>")(
        [&b](const http::RouteRequest& req, const http::AsyncResp& res) { handleInterface(b, req, res); });
}

} // namespace cmc::northbound
