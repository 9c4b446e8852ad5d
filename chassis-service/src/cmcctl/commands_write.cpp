// The commands that change something: logical servers (create, delete,
// reset), moves (migrate, failover, failback), blade actions (maintenance,
// repair, evacuate) and the storm acknowledgement. A 202 answer names a Task:
// cmcctl follows it to its end (its phases on stderr) unless --no-wait.
#include <unistd.h>

#include <array>
#include <cctype>
#include <chrono>
#include <iostream>

#include "cmcctl/commands.hpp"
#include "cmcctl/output.hpp"
#include "common/json_reader.hpp"

namespace cmc::cmcctl {

namespace {

const std::string kSystems = "/redfish/v1/Systems";
const std::string kComposition = "/redfish/v1/CompositionService";
const std::string kBlocks = kComposition + "/ResourceBlocks";
constexpr std::chrono::milliseconds kPollInterval{250};

std::string blockUri(int slot) {
    return kBlocks + "/blade-" + std::to_string(slot);
}

bool terminalState(const std::string& s) {
    return s == "Completed" || s == "Exception" || s == "Killed" || s == "Cancelled";
}

// "https://host/redfish/..." -> "/redfish/..."
std::string pathOf(const std::string& location) {
    auto scheme = location.find("://");
    if (scheme == std::string::npos) return location;
    auto slash = location.find('/', scheme + 3);
    return slash == std::string::npos ? "/" : location.substr(slash);
}

// Follows a task until it ends; `final` is its last state. kOk, kTaskFailed, or the failure's code.
int awaitTask(Context& c, const std::string& uri, json& final) {
    const auto deadline = std::chrono::steady_clock::now() + c.waitTimeout;
    std::size_t shown = 0;
    for (;;) {
        Reply r = c.api().call("GET", uri);
        if (!r.transportOk || (r.status != 200 && r.status != 202)) return reportFailure("GET " + uri, r);
        final = r.body ? *r.body : json::object();
        if (const json* msgs = jsonr::array(final, "Messages"); msgs && !c.json) {
            for (; shown < msgs->size(); ++shown)
                std::cerr << "  " << cell((*msgs)[shown], {"Message"}) << "\n";
        }
        auto state = jsonr::text(final, "TaskState");
        if (state && terminalState(*state)) return *state == "Completed" ? kOk : kTaskFailed;
        if (!state && r.status == 200) return kOk; // a task monitor's final answer
        const std::string id = cell(final, {"Id"});
        if (std::chrono::steady_clock::now() >= deadline) {
            std::cerr << "cmcctl: task " << id << " is still " << state.value_or("running") << " after "
                      << c.waitTimeout.count() << " s; follow it with: cmcctl task " << id << "\n";
            return kUnreachable;
        }
        if (!c.api().pause(kPollInterval)) {
            std::cerr << "cmcctl: interrupted; task " << id << " goes on: cmcctl task " << id << "\n";
            return 130;
        }
    }
}

// The remarks of a successful answer ("blade 4 runs no logical server").
void printRemarks(const Reply& r) {
    const json* infos = r.body ? jsonr::array(*r.body, "@Message.ExtendedInfo") : nullptr;
    if (!infos) return;
    for (const auto& m : *infos) {
        auto id = jsonr::text(m, "MessageId").value_or("");
        auto res = jsonr::text(m, "Resolution");
        if (id.ends_with(".Success") && res && *res != "None.") std::cout << "  " << *res << "\n";
    }
}

bool confirm(const std::string& question) {
    std::cerr << question << " [y/N] " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "y" || answer == "Y" || answer == "yes";
}

// POSTs an action and finishes it.
int action(Context& c, const std::string& target, const json& body, const std::string& what, const std::string& done) {
    if (int rc = c.connect(); rc != kOk) return rc;
    Reply r = c.api().call("POST", target, &body);
    return finishWrite(c, what, r, done);
}

int move(Context& c, const std::string& name, const std::string& act, const json& body, const std::string& what) {
    return action(c, kSystems + "/" + name + "/Actions/Oem/OpenCMC." + act, body, what, what + ": done");
}

} // namespace

std::string taskSummary(const json& t) {
    std::string s = cell(t, {"Name"}) + ": " + cell(t, {"TaskState"});
    const json* elapsed = at(t, {"Oem", "OpenCMC", "ElapsedMs"});
    if (elapsed) s += " after " + duration(elapsed);
    auto from = slotOfUri(linkAt(t, {"Oem", "OpenCMC", "FromBlade"}));
    auto to = slotOfUri(linkAt(t, {"Oem", "OpenCMC", "ToBlade"}));
    if (from || to) s += ", blade " + slotText(from) + " -> " + slotText(to);
    auto state = jsonr::text(t, "TaskState").value_or("");
    if (state != "Completed" && state != "Running") {
        if (const json* why = at(t, {"Oem", "OpenCMC", "Reason"}); why && why->is_string() && !why->empty())
            s += ": " + why->get<std::string>();
    }
    return s;
}

int waitTask(Context& c, const std::string& uri) {
    json final;
    int rc = awaitTask(c, uri, final);
    if (rc != kOk && rc != kTaskFailed) return rc;
    if (c.json)
        printJson(final);
    else
        std::cout << taskSummary(final) << "\n";
    return rc;
}

int finishWrite(Context& c, const std::string& what, const Reply& r, const std::string& done) {
    if (!r.ok()) return reportFailure(what, r);
    if (r.status == 202) {
        std::string task;
        if (const std::string* loc = r.header("Location")) task = pathOf(*loc);
        if (task.empty() && r.body) task = jsonr::text(*r.body, "@odata.id").value_or("");
        if (task.empty()) {
            std::cout << what << ": accepted\n";
            return kOk;
        }
        if (!c.wait) {
            if (c.json)
                printJson(r.body ? *r.body : json{{"@odata.id", task}});
            else
                std::cout << what << ": task " << lastSegment(task) << " started (cmcctl task " << lastSegment(task)
                          << ")\n";
            return kOk;
        }
        if (!c.json) std::cerr << what << ": task " << lastSegment(task) << "\n";
        return waitTask(c, task);
    }
    if (c.json) {
        printJson(r.body ? *r.body : json::object());
    } else {
        std::cout << done << "\n";
        printRemarks(r);
    }
    return kOk;
}

int runServerCreate(Context& c, Args& a) {
    auto blade = a.value("--blade");
    auto pool = a.value("--pool");
    auto mac = a.value("--mac"), macPool = a.value("--mac-pool");
    auto ip = a.value("--ip"), ipPool = a.value("--ip-pool");
    bool noIp = a.flag("--no-ip");
    auto vlan = a.number("--vlan", 0, 4094);
    auto wwpn = a.value("--wwpn"), wwpnPool = a.value("--wwpn-pool");
    bool noHba = a.flag("--no-hba");
    auto uuid = a.value("--uuid"), uuidPool = a.value("--uuid-pool");
    auto volume = a.value("--volume");
    auto lun = a.number("--lun", 0, 16383);
    auto priority = a.number("--priority", -1000000, 1000000);
    bool manual = a.flag("--manual");
    auto power = a.value("--power");
    auto minCpus = a.number("--min-cpus", 0, 4096);
    auto minMemory = a.number("--min-memory", 0, 1 << 20);
    auto family = a.value("--model-family");
    std::vector<std::string> pos;
    if (!a.positionals(1, 1, pos) || a.failed()) return kUsage;
    const std::string& name = pos[0];
    if (!validName(name)) return a.usage("NAME may hold letters, digits, '.', '_' and '-', not '" + name + "'");
    std::optional<int> slot;
    if (blade) {
        slot = parseSlot(*blade);
        if (!slot) return a.usage("--blade wants a slot number, not '" + *blade + "'");
    }
    if (mac && macPool) return a.usage("give --mac or --mac-pool, not both");
    if ((ip || ipPool) && noIp) return a.usage("--no-ip excludes --ip and --ip-pool");
    if (ip && ipPool) return a.usage("give --ip or --ip-pool, not both");
    if (wwpn && wwpnPool) return a.usage("give --wwpn or --wwpn-pool, not both");
    if ((wwpn || wwpnPool) && noHba) return a.usage("--no-hba excludes --wwpn and --wwpn-pool");
    if (uuid && uuidPool) return a.usage("give --uuid or --uuid-pool, not both");
    if (power && *power != "on" && *power != "off") return a.usage("--power is on or off, not '" + *power + "'");
    if (int rc = c.connect(); rc != kOk) return rc;

    if (!ip && !ipPool && !noIp) { // the only IPv4 pool, as the service does for the other kinds
        json cs;
        if (int rc = getJson(c, kComposition, cs); rc != kOk) return rc;
        std::vector<std::string> v4;
        if (const json* pools = at(cs, {"Oem", "OpenCMC", "IdentityPools"}); pools && pools->is_array()) {
            for (const auto& p : *pools)
                if (jsonr::text(p, "Kind") == "IPv4")
                    if (auto n = jsonr::text(p, "Name")) v4.push_back(*n);
        }
        if (v4.size() == 1) ipPool = v4[0];
    }
    json vnic{{"Name", "eth0"}};
    if (mac) vnic["MACAddress"] = *mac;
    if (macPool) vnic["MACPool"] = *macPool;
    if (ip) vnic["IPv4Address"] = *ip;
    if (ipPool) vnic["IPv4Pool"] = *ipPool;
    if (vlan) vnic["VLAN"] = *vlan;
    json oem;
    oem["VNICs"] = json::array({vnic});
    if (!noHba) {
        json vhba{{"Name", "fc0"}};
        if (wwpn) vhba["WWPN"] = *wwpn;
        if (wwpnPool) vhba["WWPNPool"] = *wwpnPool;
        oem["VHBAs"] = json::array({vhba});
    }
    if (uuidPool) oem["UuidPool"] = *uuidPool;
    oem["BootVolume"] = {{"Volume", volume.value_or(name + "-boot")}, {"LUN", lun.value_or(0)}};
    json policy = json::object();
    if (pool) policy["SparePool"] = *pool;
    if (priority) policy["Priority"] = *priority;
    if (manual) policy["Automatic"] = false;
    if (!policy.empty()) oem["FailoverPolicy"] = policy;
    json reqs = json::object();
    if (minCpus) reqs["MinCpus"] = *minCpus;
    if (minMemory) reqs["MinMemoryGiB"] = *minMemory;
    if (family) reqs["ModelFamily"] = *family;
    if (!reqs.empty()) oem["Requirements"] = reqs;
    if (power) oem["PowerState"] = *power == "on" ? "On" : "Off";
    json body{{"Name", name}, {"Oem", {{"OpenCMC", oem}}}};
    if (uuid) body["UUID"] = *uuid;
    if (slot) body["Links"] = {{"ResourceBlocks", json::array({{{"@odata.id", blockUri(*slot)}}})}};

    Reply r = c.api().call("POST", kSystems, &body);
    if (!r.ok()) return reportFailure("server create " + name, r);
    const json created = r.body ? *r.body : json::object();
    std::string task = linkAt(created, {"Oem", "OpenCMC", "ActiveFailover"});
    if (!c.json) {
        std::cout << "created " << name;
        if (!task.empty()) std::cout << " (binding: task " << lastSegment(task) << ")";
        std::cout << "\n";
    }
    if (task.empty() || !c.wait) {
        if (c.json) printJson(created);
        return kOk;
    }
    json final;
    int rc = awaitTask(c, task, final);
    if (rc != kOk && rc != kTaskFailed) return rc;
    if (c.json) {
        Reply now = c.api().call("GET", kSystems + "/" + name);
        printJson(now.ok() && now.body ? *now.body : created);
    } else {
        std::cout << taskSummary(final) << "\n";
    }
    return rc;
}

int runServerDelete(Context& c, Args& a) {
    bool yes = a.flag("--yes") || a.flag("-y");
    std::vector<std::string> pos;
    if (!a.positionals(1, 1, pos)) return kUsage;
    const std::string& name = pos[0];
    if (!validName(name)) return a.usage("NAME is a server name, not '" + name + "'");
    if (!yes) {
        if (!::isatty(STDIN_FILENO)) return a.usage("refusing to delete without --yes (no terminal to ask on)");
        if (!confirm("Delete logical server " + name + "? Its blade is powered off and its identity released.")) {
            std::cerr << "cmcctl: not deleted\n";
            return kOk;
        }
    }
    if (int rc = c.connect(); rc != kOk) return rc;
    Reply r = c.api().call("DELETE", kSystems + "/" + name);
    if (r.ok() && r.status != 202 && c.json) {
        printJson({{"deleted", kSystems + "/" + name}});
        return kOk;
    }
    return finishWrite(c, "server delete " + name, r, "deleted " + name + " (its identity is back in the pools)");
}

int runServerReset(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(2, 2, pos)) return kUsage;
    const std::string& name = pos[0];
    if (!validName(name)) return a.usage("NAME is a server name, not '" + name + "'");
    static const std::array<const char*, 9> kTypes = {
        "On",         "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart",
        "PowerCycle", "Nmi",      "ForceOn",          "PushPowerButton"};
    std::string type;
    for (const char* t : kTypes) {
        std::string lower = t, given = pos[1];
        for (auto& ch : lower)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        for (auto& ch : given)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (lower == given) type = t;
    }
    if (type.empty())
        return a.usage("TYPE is a Redfish ResetType (On, ForceOff, GracefulShutdown, ...), not '" + pos[1] + "'");
    return action(c, kSystems + "/" + name + "/Actions/ComputerSystem.Reset", {{"ResetType", type}},
                  "server reset " + name + " " + type, "reset " + name + ": " + type + " done");
}

int runMigrate(Context& c, Args& a) {
    auto to = a.value("--to");
    std::vector<std::string> pos;
    if (!a.positionals(1, 1, pos) || a.failed()) return kUsage;
    if (!validName(pos[0])) return a.usage("NAME is a server name, not '" + pos[0] + "'");
    json body = json::object();
    if (to) {
        auto slot = parseSlot(*to);
        if (!slot) return a.usage("--to wants a slot number, not '" + *to + "'");
        body["Target"] = {{"@odata.id", blockUri(*slot)}};
    }
    return move(c, pos[0], "Migrate", body, "migrate " + pos[0]);
}

int runFailover(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(1, 1, pos)) return kUsage;
    if (!validName(pos[0])) return a.usage("NAME is a server name, not '" + pos[0] + "'");
    return move(c, pos[0], "Migrate", json::object(), "failover " + pos[0]);
}

int runFailback(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(1, 1, pos)) return kUsage;
    if (!validName(pos[0])) return a.usage("NAME is a server name, not '" + pos[0] + "'");
    return move(c, pos[0], "Failback", json::object(), "failback " + pos[0]);
}

namespace {

int bladeAction(Context& c, Args& a, const std::string& act, std::size_t extra, const std::string& verb) {
    std::vector<std::string> pos;
    if (!a.positionals(1 + extra, 1 + extra, pos)) return kUsage;
    auto slot = parseSlot(pos[0]);
    if (!slot) return a.usage("SLOT is a slot number (or blade-N), not '" + pos[0] + "'");
    json body = json::object();
    std::string done = "blade " + std::to_string(*slot) + ": " + verb;
    if (act == "SetMaintenance") {
        if (pos[1] != "on" && pos[1] != "off") return a.usage("the second argument is on or off, not '" + pos[1] + "'");
        body["Enabled"] = pos[1] == "on";
        done += " " + pos[1];
    }
    return action(c, blockUri(*slot) + "/Actions/Oem/OpenCMC." + act, body, verb + " " + pos[0], done);
}

} // namespace

int runMaintenance(Context& c, Args& a) {
    return bladeAction(c, a, "SetMaintenance", 1, "maintenance");
}

int runRepair(Context& c, Args& a) {
    return bladeAction(c, a, "Repair", 0, "repaired");
}

int runEvacuate(Context& c, Args& a) {
    return bladeAction(c, a, "Evacuate", 0, "evacuated");
}

int runStormAck(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(0, 0, pos)) return kUsage;
    return action(c, kComposition + "/Actions/Oem/OpenCMC.AcknowledgeStorm", json::object(), "storm ack",
                  "storm acknowledged: automatic failover resumes");
}

} // namespace cmc::cmcctl
