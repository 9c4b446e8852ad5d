// /redfish/v1/Systems: the blade's host (ComputerSystem "1"), its Reset
// action and boot override.
#include <map>

#include "redfish/bmc_internal.hpp"

namespace cmc::bmc {

namespace {

const std::string kSystem = "/redfish/v1/Systems/1";

const std::map<std::string, hal::BootSource>& bootTargets() {
    static const std::map<std::string, hal::BootSource> k = {
        {"None", hal::BootSource::None},
        {"Pxe", hal::BootSource::Pxe},
        {"Hdd", hal::BootSource::Hdd},
        {"RemoteDrive", hal::BootSource::RemoteDrive},
        {"Cd", hal::BootSource::Cd},
        {"Usb", hal::BootSource::Usb},
        {"BiosSetup", hal::BootSource::BiosSetup},
        {"Diags", hal::BootSource::Diags},
    };
    return k;
}

const std::map<std::string, hal::ResetType>& resetTypes() {
    static const std::map<std::string, hal::ResetType> k = {
        {"On", hal::ResetType::On},
        {"ForceOff", hal::ResetType::ForceOff},
        {"GracefulShutdown", hal::ResetType::GracefulShutdown},
        {"ForceRestart", hal::ResetType::ForceRestart},
        {"GracefulRestart", hal::ResetType::GracefulRestart},
        {"PowerCycle", hal::ResetType::PowerCycle},
        {"Nmi", hal::ResetType::Nmi},
    };
    return k;
}

json bootProgress(hal::HostState h) {
    switch (h) {
    case hal::HostState::Off: return {{"LastState", "None"}};
    case hal::HostState::Post: return {{"LastState", "PrimaryProcessorInitializationStarted"}};
    case hal::HostState::Firmware: return {{"LastState", "SystemHardwareInitializationComplete"}};
    case hal::HostState::PxeBoot: return {{"LastState", "OEM"}, {"OemLastState", "PxeBoot"}};
    case hal::HostState::BootingOs: return {{"LastState", "OSBootStarted"}};
    case hal::HostState::Running: return {{"LastState", "OSRunning"}};
    case hal::HostState::Hung: return {{"LastState", "OSRunning"}};
    case hal::HostState::Crashed: return {{"LastState", "OEM"}, {"OemLastState", "OSCrashed"}};
    }
    return {{"LastState", "None"}};
}

// Health of the host as the BMC sees it: power faults and critical sensors.
std::string systemHealth(const hal::BladeHal& hal) {
    auto st = hal.chassisStatus();
    if (st.powerFault) return "Critical";
    std::string worst = "OK";
    for (const auto& s : hal.sensors()) {
        if (!s.available) continue;
        const auto& t = s.thresholds;
        if ((t.upperCritical && s.value >= *t.upperCritical) || (t.lowerCritical && s.value <= *t.lowerCritical)) {
            return "Critical";
        }
        if ((t.upperNonCritical && s.value >= *t.upperNonCritical) ||
            (t.lowerNonCritical && s.value <= *t.lowerNonCritical)) {
            worst = "Warning";
        }
    }
    return worst;
}

json systemJson(const hal::BladeHal& hal) {
    const auto& inv = hal.inventory();
    auto st = hal.chassisStatus();
    auto boot = hal.bootOverride();
    auto wd = hal.watchdog();
    json r;
    r["@odata.id"] = kSystem;
    r["@odata.type"] = "#ComputerSystem.v1_22_0.ComputerSystem";
    r["Id"] = "1";
    r["Name"] = "Blade " + std::to_string(inv.slot) + " host";
    r["SystemType"] = "Physical";
    r["Manufacturer"] = inv.manufacturer;
    r["Model"] = inv.model;
    r["SerialNumber"] = inv.serialNumber;
    r["PartNumber"] = inv.partNumber;
    r["AssetTag"] = inv.assetTag;
    r["UUID"] = inv.uuid;
    r["BiosVersion"] = inv.biosVersion;
    r["PowerState"] = hal::toString(st.power);
    r["LocationIndicatorActive"] = st.identifyOn;
    r["Status"] = {{"State", st.power == hal::PowerState::Off ? "StandbyOffline" : "Enabled"},
                   {"Health", systemHealth(hal)}};
    r["BootProgress"] = bootProgress(hal.hostState());
    r["ProcessorSummary"] = {{"Count", inv.cpuCount}, {"Model", inv.cpuModel}};
    r["MemorySummary"] = {{"TotalSystemMemoryGiB", inv.memoryGiB}};
    json b;
    b["BootSourceOverrideTarget"] = hal::toString(boot.target);
    b["BootSourceOverrideEnabled"] = hal::toString(boot.enabled);
    b["BootSourceOverrideMode"] = boot.uefi ? "UEFI" : "Legacy";
    json allowed = json::array();
    for (const auto& [name, v] : bootTargets())
        allowed.push_back(name);
    b["BootSourceOverrideTarget@Redfish.AllowableValues"] = allowed;
    r["Boot"] = b;
    static const char* kAction[] = {"None", "ResetSystem", "PowerDown", "PowerCycle"};
    r["HostWatchdogTimer"] = {{"FunctionEnabled", wd.running},
                              {"TimeoutAction", kAction[static_cast<int>(wd.action)]},
                              {"Status", {{"State", wd.running ? "Enabled" : "Disabled"}}}};
    r["Actions"]["#ComputerSystem.Reset"] = {{"target", kSystem + "/Actions/ComputerSystem.Reset"},
                                             {"@Redfish.ActionInfo", kSystem + "/ResetActionInfo"}};
    r["Links"]["Chassis"] = json::array({odataId("/redfish/v1/Chassis/1")});
    r["Links"]["ManagedBy"] = json::array({odataId("/redfish/v1/Managers/bmc")});
    return r;
}

http::Response patchSystem(Ctx& c) {
    auto current = systemJson(c.hal);
    if (auto e = checkIfMatch(c, current)) return *e;
    json body;
    http::Response err;
    if (!redfish::parseJsonObject(c.req, body, err)) return err;
    PatchErrors pe;
    std::optional<hal::BootOverride> newBoot;
    std::optional<bool> newIdentify;
    for (auto it = body.begin(); it != body.end(); ++it) {
        const auto& k = it.key();
        if (k.rfind('@', 0) == 0) continue;
        if (k == "Boot") {
            if (!it->is_object()) {
                pe.type("Boot", *it);
                continue;
            }
            hal::BootOverride b = c.hal.bootOverride();
            for (auto bt = it->begin(); bt != it->end(); ++bt) {
                std::string path = "Boot/" + bt.key();
                if (bt.key() == "BootSourceOverrideTarget") {
                    if (!bt->is_string())
                        pe.type(path, *bt);
                    else if (auto f = bootTargets().find(bt->get<std::string>()); f == bootTargets().end())
                        pe.notInList(path, bt->get<std::string>());
                    else
                        b.target = f->second;
                } else if (bt.key() == "BootSourceOverrideEnabled") {
                    if (!bt->is_string())
                        pe.type(path, *bt);
                    else if (*bt == "Disabled")
                        b.enabled = hal::BootEnabled::Disabled;
                    else if (*bt == "Once")
                        b.enabled = hal::BootEnabled::Once;
                    else if (*bt == "Continuous")
                        b.enabled = hal::BootEnabled::Continuous;
                    else
                        pe.notInList(path, bt->get<std::string>());
                } else if (bt.key() == "BootSourceOverrideMode") {
                    if (!bt->is_string())
                        pe.type(path, *bt);
                    else if (*bt == "UEFI")
                        b.uefi = true;
                    else if (*bt == "Legacy")
                        b.uefi = false;
                    else
                        pe.notInList(path, bt->get<std::string>());
                } else if (bt.key() == "BootSourceOverrideTarget@Redfish.AllowableValues") {
                    pe.readOnly(path);
                } else {
                    pe.unknown(path);
                }
            }
            newBoot = b;
        } else if (k == "LocationIndicatorActive") {
            if (!it->is_boolean())
                pe.type(k, *it);
            else
                newIdentify = it->get<bool>();
        } else if (current.contains(k)) {
            pe.readOnly(k);
        } else {
            pe.unknown(k);
        }
    }
    if (pe.any()) return pe.response();
    if (!newBoot && !newIdentify) return pe.nothingToDo();
    if (newBoot) c.hal.setBootOverride(*newBoot);
    if (newIdentify) c.hal.setIdentify(*newIdentify, std::chrono::seconds(0));
    return pe.applied(systemJson(c.hal));
}

http::Response resetAction(Ctx& c) {
    if (c.req.method != "POST") return redfish::methodNotAllowed("POST");
    json body;
    http::Response err;
    if (c.req.body.empty())
        body = json::object();
    else if (!redfish::parseJsonObject(c.req, body, err))
        return err;
    const std::string action = "ComputerSystem.Reset";
    std::vector<json> problems;
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (it.key() != "ResetType") problems.push_back(redfish::base::actionParameterUnknown(action, it.key()));
    }
    if (!body.contains("ResetType"))
        problems.push_back(redfish::base::actionParameterMissing(action, "ResetType"));
    else if (!body["ResetType"].is_string())
        problems.push_back(redfish::base::actionParameterValueTypeError(body["ResetType"].dump(), "ResetType", action));
    else if (!resetTypes().contains(body["ResetType"].get<std::string>()))
        problems.push_back(
            redfish::base::actionParameterValueNotInList(body["ResetType"].get<std::string>(), "ResetType", action));
    if (!problems.empty()) return redfish::errorResponse(400, problems);
    auto rc = c.hal.reset(resetTypes().at(body["ResetType"].get<std::string>()));
    if (rc == hal::HalError::PowerFault) {
        auto m = redfish::base::resourceInUse();
        m["Resolution"] = "The blade has a power fault (power input or power supply); clear the fault and retry.";
        return redfish::errorResponse(409, {m});
    }
    if (rc != hal::HalError::Ok) return redfish::generalError("The reset could not be performed.");
    return redfish::success();
}

json resetActionInfo() {
    json r;
    r["@odata.id"] = kSystem + "/ResetActionInfo";
    r["@odata.type"] = "#ActionInfo.v1_4_0.ActionInfo";
    r["Id"] = "ResetActionInfo";
    r["Name"] = "Reset Action Info";
    json allowed = json::array();
    for (const auto& [name, t] : resetTypes())
        allowed.push_back(name);
    r["Parameters"] = json::array(
        {{{"Name", "ResetType"}, {"Required", true}, {"DataType", "String"}, {"AllowableValues", allowed}}});
    return r;
}

} // namespace

MaybeResponse routeSystems(Ctx& c) {
    const auto& seg = c.seg;
    if (seg.size() == 1) {
        return getOnly(c, collection("/redfish/v1/Systems", "#ComputerSystemCollection.ComputerSystemCollection",
                                     "Computer System Collection", {kSystem}));
    }
    if (seg[1] != "1") return redfish::resourceNotFound("ComputerSystem", seg[1]);
    if (seg.size() == 2) {
        if (c.req.method == "PATCH") return patchSystem(c);
        if (c.req.method == "GET" || c.req.method == "HEAD") return redfish::jsonResponse(200, systemJson(c.hal));
        return redfish::methodNotAllowed("GET, HEAD, PATCH");
    }
    if (seg.size() == 3 && seg[2] == "ResetActionInfo") return getOnly(c, resetActionInfo());
    if (seg.size() == 4 && seg[2] == "Actions") {
        if (seg[3] == "ComputerSystem.Reset") return resetAction(c);
        return redfish::errorResponse(404, {redfish::base::actionNotSupported(seg[3])});
    }
    return std::nullopt;
}

} // namespace cmc::bmc
