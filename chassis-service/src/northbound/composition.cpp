// /redfish/v1/CompositionService: blades as ResourceBlocks (their role, spare
// pool, what-if answer and operator actions), spare pools as ResourceZones,
// and the service itself with the storm breaker, N+M coverage and identity
// pool usage.
#include <algorithm>

#include "common/json_reader.hpp"
#include "northbound/resources.hpp"
#include "redfish/base_messages.hpp"
#include "redfish/odata.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::northbound {

namespace {

using domain::BladeRole;
using domain::OperationResult;
using Code = domain::OperationResult::Code;
namespace base = redfish::base;

const std::string kService = "/redfish/v1/CompositionService";
const std::string kBlocks(kBlocksUri);
const std::string kZones = kService + "/ResourceZones";

std::string bladeId(int slot) {
    return "blade-" + std::to_string(slot);
}

// A blade that is usable as a spare now.
bool usableSpare(const domain::ResourceBlockView& v) {
    return v.role == BladeRole::Spare && !v.maintenance && v.health == domain::HealthState::Healthy;
}

const char* compositionState(const domain::ResourceBlockView& v, Backend& b) {
    if (v.role == BladeRole::Failed) return "Failed";
    if (v.maintenance || v.role == BladeRole::Maintenance || v.role == BladeRole::Quarantined) return "Unavailable";
    if (v.server) {
        auto s = b.logicalServerView(*v.server);
        return s && s->server.state == domain::ServerState::Binding ? "Composing" : "Composed";
    }
    return "Unused";
}

const char* blockState(const domain::ResourceBlockView& v) {
    if (v.health == domain::HealthState::Absent) return "Absent";
    if (v.role == BladeRole::Failed) return "UnavailableOffline";
    if (v.maintenance || v.role == BladeRole::Maintenance || v.role == BladeRole::Quarantined) return "Disabled";
    if (v.role == BladeRole::Spare) return "StandbySpare";
    if (v.powerState == "Off") return "StandbyOffline";
    return "Enabled";
}

json blockJson(Backend& b, const domain::ResourceBlockView& v) {
    const std::string id = blockUri(v.slot);
    json r;
    r["@odata.id"] = id;
    r["@odata.type"] = "#ResourceBlock.v1_4_3.ResourceBlock";
    r["Id"] = bladeId(v.slot);
    r["Name"] = "Blade slot " + std::to_string(v.slot);
    r["ResourceBlockType"] = json::array({"Compute"});
    r["Status"] = {{"State", blockState(v)}, {"Health", statusHealthOf(v.health)}};
    const char* state = compositionState(v, b);
    r["CompositionStatus"] = {{"CompositionState", state},
                              {"Reserved", v.reserved},
                              {"SharingCapable", false},
                              {"MaxCompositions", 1},
                              {"NumberOfCompositions", v.server ? 1 : 0}};
    json systems = json::array();
    if (v.server) systems.push_back(redfish::odataId(systemUri(*v.server)));
    json zones = json::array();
    if (v.sparePool) zones.push_back(redfish::odataId(zoneUri(*v.sparePool)));
    r["Links"]["Chassis"] = json::array({redfish::odataId("/redfish/v1/Chassis/" + bladeId(v.slot))});
    r["Links"]["ComputerSystems"] = systems;
    r["Links"]["Zones"] = zones;
    const auto w = b.whatIf(v.slot);
    json oem;
    oem["@odata.type"] = "#OpenCMCResourceBlock.v1_0_0.ResourceBlock";
    oem["Role"] = domain::toString(v.role);
    oem["RoleReason"] = v.roleReason;
    oem["Maintenance"] = v.maintenance;
    oem["SparePool"] = v.sparePool ? json(*v.sparePool) : json(nullptr);
    oem["SpareKind"] = v.spareKind ? json(domain::toString(*v.spareKind)) : json(nullptr);
    oem["Health"] = domain::toString(v.health);
    oem["PowerState"] = orNull(v.powerState);
    oem["Server"] = v.server ? json(*v.server) : json(nullptr);
    oem["WhatIf"] = {{"Server", w.server ? json(*w.server) : json(nullptr)},
                     {"Spare", w.spare ? redfish::odataId(blockUri(*w.spare)) : json(nullptr)},
                     {"Reason", w.reason}};
    r["Oem"]["OpenCMC"] = oem;
    r["Actions"]["Oem"]["#OpenCMC.SetMaintenance"] = {{"target", id + "/Actions/Oem/OpenCMC.SetMaintenance"},
                                                      {"title", "Take the blade out of (or back into) service"}};
    r["Actions"]["Oem"]["#OpenCMC.Repair"] = {{"target", id + "/Actions/Oem/OpenCMC.Repair"},
                                              {"title", "Return a Failed or Quarantined blade to service"}};
    r["Actions"]["Oem"]["#OpenCMC.Evacuate"] = {{"target", id + "/Actions/Oem/OpenCMC.Evacuate"},
                                                {"title", "Move the blade's logical server to a spare"}};
    return r;
}

json zoneJson(const domain::SparePoolView& p) {
    json r;
    r["@odata.id"] = zoneUri(p.pool.name);
    r["@odata.type"] = "#Zone.v1_6_3.Zone";
    r["Id"] = p.pool.name;
    r["Name"] = "Spare pool " + p.pool.name;
    r["Description"] = "Blades standing by for the logical servers that fail over into this pool";
    r["ZoneType"] = "ZoneOfResourceBlocks";
    bool anyUsable = std::any_of(p.members.begin(), p.members.end(), usableSpare);
    r["Status"] = {{"State", "Enabled"}, {"Health", anyUsable ? "OK" : "Warning"}};
    json blocks = json::array();
    json members = json::array();
    for (const auto& m : p.members) {
        blocks.push_back(redfish::odataId(blockUri(m.slot)));
        auto kind = p.pool.members.find(m.slot);
        members.push_back({{"Slot", m.slot},
                           {"ResourceBlock", redfish::odataId(blockUri(m.slot))},
                           {"Kind", kind != p.pool.members.end()
                                        ? json(domain::toString(kind->second))
                                        : (m.spareKind ? json(domain::toString(*m.spareKind)) : json(nullptr))},
                           {"Role", domain::toString(m.role)},
                           {"Health", domain::toString(m.health)},
                           {"PowerState", orNull(m.powerState)},
                           {"Maintenance", m.maintenance},
                           {"Server", m.server ? json(*m.server) : json(nullptr)},
                           {"Usable", usableSpare(m)}});
    }
    json servers = json::array();
    for (const auto& s : p.servers)
        servers.push_back({{"Name", s}, {"ComputerSystem", redfish::odataId(systemUri(s))}});
    r["Links"]["ResourceBlocks"] = blocks;
    r["Links"]["ResourceBlocks@odata.count"] = blocks.size();
    r["Oem"]["OpenCMC"] = {{"@odata.type", "#OpenCMCZone.v1_0_0.Zone"},
                           {"Members", members},
                           {"Servers", servers},
                           {"UsableSpares", std::count_if(p.members.begin(), p.members.end(), usableSpare)}};
    return r;
}

json serviceJson(Backend& b) {
    const auto storm = b.storm();
    json r;
    r["@odata.id"] = kService;
    r["@odata.type"] = "#CompositionService.v1_2_3.CompositionService";
    r["Id"] = "CompositionService";
    r["Name"] = "Composition Service";
    r["Description"] = "Logical servers composed on blades; spare pools for failover";
    r["Status"] = {{"State", "Enabled"}, {"Health", storm.tripped ? "Warning" : "OK"}};
    r["ServiceEnabled"] = true;
    r["AllowOverprovisioning"] = false;
    r["AllowZoneAffinity"] = true;
    r["ResourceBlocks"] = redfish::odataId(kBlocks);
    r["ResourceZones"] = redfish::odataId(kZones);
    json coverage = json::array();
    for (const auto& c : b.coverageReport()) {
        json spares = json::array();
        for (int s : c.spares)
            spares.push_back(s);
        coverage.push_back({{"Server", c.server},
                            {"ComputerSystem", redfish::odataId(systemUri(c.server))},
                            {"Blade", c.slot ? json(*c.slot) : json(nullptr)},
                            {"SparePool", orNull(c.pool)},
                            {"Covered", c.covered},
                            {"Spares", spares},
                            {"Reason", c.reason}});
    }
    json pools = json::array();
    for (const auto& p : b.identityPools()) {
        json j{{"Name", p.pool.name},
               {"Kind", domain::toString(p.pool.kind)},
               {"First", p.pool.format(p.pool.first)},
               {"Last", p.pool.format(p.pool.last)},
               {"Size", p.usage.size},
               {"Used", p.usage.used},
               {"Free", p.usage.size >= p.usage.used ? p.usage.size - p.usage.used : 0}};
        if (p.pool.kind == domain::IdentityKind::Ipv4) {
            j["PrefixLength"] = p.pool.prefixLength;
            j["Gateway"] = orNull(p.pool.gateway);
        }
        pools.push_back(std::move(j));
    }
    json oem;
    oem["@odata.type"] = "#OpenCMCCompositionService.v1_0_0.CompositionService";
    oem["Storm"] = {{"Tripped", storm.tripped},
                    {"Reason", storm.reason},
                    {"FailuresInWindow", storm.failuresInWindow},
                    {"Policy",
                     {{"MaxFraction", storm.policy.maxFraction},
                      {"MinFailures", storm.policy.minFailures},
                      {"WindowMs", storm.policy.windowMs}}}};
    oem["Coverage"] = coverage;
    oem["IdentityPools"] = pools;
    r["Oem"]["OpenCMC"] = oem;
    r["Actions"]["Oem"]["#OpenCMC.AcknowledgeStorm"] = {{"target", kService + "/Actions/Oem/OpenCMC.AcknowledgeStorm"},
                                                        {"title", "Resume automatic failover after a failure storm"}};
    return r;
}

// The answer to an operator action: 200 Success, 202 with the task, or the error.
void answer(Backend& b, const http::AsyncResp& res, const OperationResult& r) {
    if (r.code == Code::Accepted && r.taskId) {
        replyAccepted(res, b, *r.taskId);
    } else if (r.ok()) {
        if (r.message.empty()) {
            res->res = redfish::success();
        } else { // done, with a remark ("blade 4 runs no logical server")
            json body{{"@Message.ExtendedInfo", json::array({explained(base::success(), r.message)})}};
            res->res = redfish::jsonResponse(200, body, false);
        }
    } else if (r.code == Code::NotFound && r.resource == "Blade") {
        res->res = redfish::resourceNotFound("ResourceBlock", r.id);
    } else {
        res->res = operationError(r);
    }
}

// A blade action's body: no parameters but those named.
bool readActionBody(const http::RouteRequest& req, const http::AsyncResp& res, const std::string& action,
                    std::initializer_list<std::string_view> params, json& body) {
    http::Response error;
    if (!readBody(req.http, body, error, true)) {
        res->res = std::move(error);
        return false;
    }
    std::vector<json> problems;
    for (const auto& [k, v] : body.items()) {
        if (std::find(params.begin(), params.end(), k) == params.end())
            problems.push_back(base::actionParameterUnknown(action, k));
    }
    if (!problems.empty()) {
        res->res = redfish::errorResponse(400, std::move(problems));
        return false;
    }
    return true;
}

void handleBladeAction(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res, const std::string& name) {
    auto slot = slotFromId(req.params[0], "blade-");
    if (!slot || !b.resourceBlock(*slot)) {
        res->res = redfish::resourceNotFound("ResourceBlock", req.params[0]);
        return;
    }
    const std::string action = "OpenCMC." + name;
    json body;
    if (!readActionBody(req, res, action,
                        name == "SetMaintenance" ? std::initializer_list<std::string_view>{"Enabled"}
                                                 : std::initializer_list<std::string_view>{},
                        body))
        return;
    domain::BladeAction a = domain::BladeAction::Repair;
    if (name == "SetMaintenance") {
        const json* e = jsonr::member(body, "Enabled");
        if (!e) {
            res->res = redfish::errorResponse(400, {base::actionParameterMissing(action, "Enabled")});
            return;
        }
        if (!e->is_boolean()) {
            res->res = redfish::errorResponse(
                400, {base::actionParameterValueTypeError(WriteReader::shown(*e), "Enabled", action)});
            return;
        }
        a = e->get<bool>() ? domain::BladeAction::MaintenanceOn : domain::BladeAction::MaintenanceOff;
    } else if (name == "Evacuate") {
        a = domain::BladeAction::Evacuate;
    }
    b.bladeAction(*slot, a, req.principal.user,
                  [&b, res, action](const OperationResult& r) { guarded(b, action, res, [&] { answer(b, res, r); }); });
}

} // namespace

void addCompositionRoutes(http::Router& r, Backend& b) {
    r.route(kService)([&b](const http::RouteRequest&, const http::AsyncResp& res) { reply(res, serviceJson(b)); });
    r.route(kService + "/Actions/Oem/OpenCMC.AcknowledgeStorm")
        .methods({"POST"})
        .privileges({"ConfigureComponents"})([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
            json body;
            if (!readActionBody(req, res, "OpenCMC.AcknowledgeStorm", {}, body)) return;
            b.acknowledgeStorm(req.principal.user, [&b, res](const OperationResult& o) {
                guarded(b, "OpenCMC.AcknowledgeStorm", res, [&] { answer(b, res, o); });
            });
        });
    r.route(kBlocks)([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        std::vector<std::string> members;
        for (int slot : b.bladeSlots())
            members.push_back(blockUri(slot));
        reply(res, redfish::collection(kBlocks, "#ResourceBlockCollection.ResourceBlockCollection",
                                       "Resource Block Collection", members));
    });
    r.route(kBlocks + "/<str>")([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        auto slot = slotFromId(req.params[0], "blade-");
        auto v = slot ? b.resourceBlock(*slot) : std::nullopt;
        if (!v) {
            res->res = redfish::resourceNotFound("ResourceBlock", req.params[0]);
            return;
        }
        reply(res, blockJson(b, *v));
    });
    for (const char* name : {"SetMaintenance", "Repair", "Evacuate"}) {
        std::string action = name;
        r.route(kBlocks + "/<str>/Actions/Oem/OpenCMC." + action)
            .methods({"POST"})
            .privileges({"ConfigureComponents"})(
                [&b, action](const http::RouteRequest& req, const http::AsyncResp& res) {
                    handleBladeAction(b, req, res, action);
                });
    }
    r.route(kZones)([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        std::vector<std::string> members;
        for (const auto& p : b.sparePools())
            members.push_back(zoneUri(p.pool.name));
        reply(res, redfish::collection(kZones, "#ZoneCollection.ZoneCollection", "Resource Zone Collection", members));
    });
    r.route(kZones + "/<str>")([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        for (const auto& p : b.sparePools()) {
            if (p.pool.name == req.params[0]) {
                reply(res, zoneJson(p));
                return;
            }
        }
        res->res = redfish::resourceNotFound("Zone", req.params[0]);
    });
}

} // namespace cmc::northbound
