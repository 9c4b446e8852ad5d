// The commands that read lists and state: spare pools and coverage,
// identity pools, tasks, the event log, accounts and the storm breaker.
#include <algorithm>
#include <charconv>
#include <iostream>

#include "cmcctl/commands.hpp"
#include "cmcctl/output.hpp"
#include "common/json_reader.hpp"

namespace cmc::cmcctl {

namespace {

const std::string kComposition = "/redfish/v1/CompositionService";
const std::string kZones = kComposition + "/ResourceZones";
const std::string kTasks = "/redfish/v1/TaskService/Tasks";
const std::string kEntries = "/redfish/v1/Managers/cmc/LogServices/EventLog/Entries";

} // namespace

int runSpares(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(0, 0, pos)) return kUsage;
    if (int rc = c.connect(); rc != kOk) return rc;
    std::vector<json> zones;
    if (int rc = members(c, kZones, zones); rc != kOk) return rc;
    json cs;
    if (int rc = getJson(c, kComposition, cs); rc != kOk) return rc;
    Table spares({"POOL", "SLOT", "KIND", "ROLE", "HEALTH", "POWER", "MAINT", "SERVER", "USABLE"});
    json spareRows = json::array();
    for (const auto& z : zones) {
        const json* ms = at(z, {"Oem", "OpenCMC", "Members"});
        if (!ms || !ms->is_array()) continue;
        for (const auto& m : *ms) {
            spareRows.push_back({{"pool", field(z, {"Id"})},
                                 {"slot", field(m, {"Slot"})},
                                 {"kind", field(m, {"Kind"})},
                                 {"role", field(m, {"Role"})},
                                 {"health", field(m, {"Health"})},
                                 {"power", field(m, {"PowerState"})},
                                 {"maintenance", field(m, {"Maintenance"})},
                                 {"server", field(m, {"Server"})},
                                 {"usable", field(m, {"Usable"})}});
            spares.add({cell(z, {"Id"}), cell(m, {"Slot"}), cell(m, {"Kind"}), cell(m, {"Role"}), cell(m, {"Health"}),
                        cell(m, {"PowerState"}), cell(m, {"Maintenance"}), cell(m, {"Server"}), cell(m, {"Usable"})});
        }
    }
    Table cover({"SERVER", "BLADE", "POOL", "COVERED", "SPARES", "REASON"});
    json coverRows = json::array();
    if (const json* cov = at(cs, {"Oem", "OpenCMC", "Coverage"}); cov && cov->is_array()) {
        for (const auto& e : *cov) {
            std::string list;
            json slots = json::array();
            if (const json* sp = jsonr::array(e, "Spares")) {
                for (const auto& v : *sp) {
                    if (!v.is_number_integer()) continue;
                    slots.push_back(v);
                    list += (list.empty() ? "" : ", ") + v.dump();
                }
            }
            coverRows.push_back({{"server", field(e, {"Server"})},
                                 {"blade", field(e, {"Blade"})},
                                 {"pool", field(e, {"SparePool"})},
                                 {"covered", field(e, {"Covered"})},
                                 {"spares", slots},
                                 {"reason", field(e, {"Reason"})}});
            cover.add({cell(e, {"Server"}), cell(e, {"Blade"}), cell(e, {"SparePool"}), cell(e, {"Covered"}),
                       list.empty() ? "-" : list, cell(e, {"Reason"})});
        }
    }
    if (c.json) {
        printJson({{"spares", spareRows}, {"coverage", coverRows}});
        return kOk;
    }
    spares.print(std::cout);
    std::cout << "\n";
    cover.print(std::cout);
    return kOk;
}

int runPools(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(0, 0, pos)) return kUsage;
    if (int rc = c.connect(); rc != kOk) return rc;
    json cs;
    if (int rc = getJson(c, kComposition, cs); rc != kOk) return rc;
    Table t({"NAME", "KIND", "FIRST", "LAST", "SIZE", "USED", "FREE"});
    json rows = json::array();
    if (const json* pools = at(cs, {"Oem", "OpenCMC", "IdentityPools"}); pools && pools->is_array()) {
        for (const auto& p : *pools) {
            rows.push_back({{"name", field(p, {"Name"})},
                            {"kind", field(p, {"Kind"})},
                            {"first", field(p, {"First"})},
                            {"last", field(p, {"Last"})},
                            {"size", field(p, {"Size"})},
                            {"used", field(p, {"Used"})},
                            {"free", field(p, {"Free"})}});
            t.add({cell(p, {"Name"}), cell(p, {"Kind"}), cell(p, {"First"}), cell(p, {"Last"}), cell(p, {"Size"}),
                   cell(p, {"Used"}), cell(p, {"Free"})});
        }
    }
    if (c.json)
        printJson(rows);
    else
        t.print(std::cout);
    return kOk;
}

int runFailovers(Context& c, Args& a) {
    auto limit = a.number("--limit", 0, 1000000);
    std::vector<std::string> pos;
    if (!a.positionals(0, 0, pos)) return kUsage;
    if (int rc = c.connect(); rc != kOk) return rc;
    std::vector<std::string> ids;
    if (int rc = memberIds(c, kTasks, ids); rc != kOk) return rc;
    std::sort(ids.begin(), ids.end(), [](const std::string& x, const std::string& y) {
        return x.size() != y.size() ? x.size() < y.size() : x < y; // numeric ids
    });
    if (limit && *limit > 0 && ids.size() > static_cast<std::size_t>(*limit))
        ids.erase(ids.begin(), ids.end() - *limit);
    auto replies = c.api().getAll(ids);
    std::vector<json> tasks;
    for (std::size_t i = 0; i < replies.size(); ++i) {
        if (replies[i].transportOk && replies[i].status == 404) continue;
        if (!replies[i].ok()) return reportFailure("GET " + ids[i], replies[i]);
        tasks.push_back(replies[i].body ? std::move(*replies[i].body) : json::object());
    }
    sortByNumericId(tasks);
    Table t({"ID", "KIND", "SERVER", "FROM", "TO", "STATE", "PHASE", "DURATION", "STARTED"});
    json rows = json::array();
    for (const auto& k : tasks) {
        auto from = slotOfUri(linkAt(k, {"Oem", "OpenCMC", "FromBlade"}));
        auto to = slotOfUri(linkAt(k, {"Oem", "OpenCMC", "ToBlade"}));
        const json* durations = at(k, {"Oem", "OpenCMC", "PhaseDurationsMs"});
        rows.push_back({{"id", field(k, {"Id"})},
                        {"kind", field(k, {"Oem", "OpenCMC", "Kind"})},
                        {"server", field(k, {"Oem", "OpenCMC", "ServerName"})},
                        {"from", slotJson(from)},
                        {"to", slotJson(to)},
                        {"state", field(k, {"TaskState"})},
                        {"status", field(k, {"TaskStatus"})},
                        {"phase", field(k, {"Oem", "OpenCMC", "Phase"})},
                        {"elapsedMs", field(k, {"Oem", "OpenCMC", "ElapsedMs"})},
                        {"phaseDurationsMs", durations && durations->is_object() ? *durations : json(nullptr)},
                        {"start", field(k, {"StartTime"})},
                        {"end", field(k, {"EndTime"})},
                        {"reason", field(k, {"Oem", "OpenCMC", "Reason"})},
                        {"@odata.id", field(k, {"@odata.id"})}});
        t.add({cell(k, {"Id"}), cell(k, {"Oem", "OpenCMC", "Kind"}), cell(k, {"Oem", "OpenCMC", "ServerName"}),
               slotText(from), slotText(to), cell(k, {"TaskState"}), cell(k, {"Oem", "OpenCMC", "Phase"}),
               duration(at(k, {"Oem", "OpenCMC", "ElapsedMs"})), cell(k, {"StartTime"})});
    }
    if (c.json)
        printJson(rows);
    else
        t.print(std::cout);
    return kOk;
}

int runTask(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(1, 1, pos)) return kUsage;
    std::string id = pos[0];
    if (id.rfind(kTasks + "/", 0) == 0) id = id.substr(kTasks.size() + 1);
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
        return a.usage("ID is a task number, not '" + pos[0] + "'");
    if (int rc = c.connect(); rc != kOk) return rc;
    json k;
    if (int rc = getJson(c, kTasks + "/" + id, k); rc != kOk) return rc;
    if (c.json) {
        printJson(k);
        return kOk;
    }
    KeyValues kv;
    kv.add("Task", withNote(cell(k, {"Name"}), "id " + cell(k, {"Id"})));
    kv.add("Kind", cell(k, {"Oem", "OpenCMC", "Kind"}));
    kv.add("Server", cell(k, {"Oem", "OpenCMC", "ServerName"}));
    kv.add("State",
           cell(k, {"TaskState"}) + " (" + cell(k, {"TaskStatus"}) + ", " + cell(k, {"PercentComplete"}) + "%)");
    kv.add("Phase", cell(k, {"Oem", "OpenCMC", "Phase"}));
    kv.add("Cause", cell(k, {"Oem", "OpenCMC", "Cause"}));
    kv.add("Requested by", cell(k, {"Oem", "OpenCMC", "RequestedBy"}));
    kv.add("From blade", slotText(slotOfUri(linkAt(k, {"Oem", "OpenCMC", "FromBlade"}))));
    kv.add("To blade", slotText(slotOfUri(linkAt(k, {"Oem", "OpenCMC", "ToBlade"}))));
    kv.add("Target blade", slotText(slotOfUri(linkAt(k, {"Oem", "OpenCMC", "TargetBlade"}))));
    kv.add("Blades tried", slotsOfLinks(k, {"Oem", "OpenCMC", "TriedBlades"}));
    kv.add("Fence", cell(k, {"Oem", "OpenCMC", "Fence"}));
    kv.add("Reason", cell(k, {"Oem", "OpenCMC", "Reason"}));
    kv.add("Started", cell(k, {"StartTime"}));
    kv.add("Ended", cell(k, {"EndTime"}));
    kv.add("Duration", duration(at(k, {"Oem", "OpenCMC", "ElapsedMs"})));
    kv.print(std::cout);
    static const std::pair<const char*, const char*> kPhases[] = {
        {"Detected", "Detect"},    {"Fencing", "Fence"},    {"Allocating", "Allocate"}, {"Programming", "Program"},
        {"PoweringOn", "PowerOn"}, {"Verifying", "Verify"}, {"Completed", nullptr},     {"Failed", nullptr}};
    Table phases({"PHASE", "ENTERED", "TIME IN PHASE"});
    for (const auto& [phase, key] : kPhases) {
        const json* when = at(k, {"Oem", "OpenCMC", "PhaseTimes", phase});
        if (!when) continue;
        phases.add({phase, cellOf(when), key ? duration(at(k, {"Oem", "OpenCMC", "PhaseDurationsMs", key})) : "-"});
    }
    if (phases.size()) {
        std::cout << "\n";
        phases.print(std::cout);
    }
    if (const json* msgs = at(k, {"Messages"}); msgs && msgs->is_array() && !msgs->empty()) {
        std::cout << "\nMessages:\n";
        for (const auto& m : *msgs)
            std::cout << "  " << cell(m, {"Message"}) << "\n";
    }
    return kOk;
}

int runEvents(Context& c, Args& a) {
    auto limit = a.number("--limit", 0, 1000000);
    std::vector<std::string> pos;
    if (!a.positionals(0, 0, pos) || a.failed()) return kUsage;
    if (int rc = c.connect(); rc != kOk) return rc;
    std::size_t want = limit ? static_cast<std::size_t>(*limit) : 20;
    json head;
    if (int rc = getJson(c, kEntries + "?$top=1", head); rc != kOk) return rc;
    auto count = jsonr::integer(head, "Members@odata.count", 0).value_or(0);
    std::size_t skip =
        want == 0 || static_cast<std::size_t>(count) <= want ? 0 : static_cast<std::size_t>(count) - want;
    std::vector<json> entries;
    std::string next = kEntries + "?$skip=" + std::to_string(skip) +
                       "&$top=" + std::to_string(want == 0 ? 1000 : std::min<std::size_t>(want, 1000));
    while (!next.empty()) {
        json page;
        if (int rc = getJson(c, next, page); rc != kOk) return rc;
        if (const json* m = jsonr::array(page, "Members")) {
            for (const auto& e : *m)
                if (want == 0 || entries.size() < want) entries.push_back(e);
        }
        next = want != 0 && entries.size() >= want ? "" : jsonr::text(page, "Members@odata.nextLink").value_or("");
    }
    if (skip > 0 && entries.empty() && count > 0) {
        // A service that applied $skip twice answers an empty page: take the tail of the first one.
        json first;
        if (int rc = getJson(c, kEntries, first); rc != kOk) return rc;
        if (const json* m = jsonr::array(first, "Members")) {
            std::size_t from = want == 0 || m->size() <= want ? 0 : m->size() - want;
            for (std::size_t i = from; i < m->size(); ++i)
                entries.push_back((*m)[i]);
        }
    }
    Table t({"ID", "TIME", "SEVERITY", "EVENT", "ORIGIN", "MESSAGE"});
    json rows = json::array();
    for (const auto& e : entries) {
        std::string mid = cell(e, {"MessageId"});
        auto origin = linkAt(e, {"Links", "OriginOfCondition"});
        json args = json::array();
        if (const json* ar = jsonr::array(e, "MessageArgs")) {
            for (const auto& v : *ar)
                if (v.is_string()) args.push_back(v);
        }
        rows.push_back({{"id", field(e, {"Id"})},
                        {"created", field(e, {"Created"})},
                        {"severity", field(e, {"Severity"})},
                        {"messageId", field(e, {"MessageId"})},
                        {"messageArgs", args},
                        {"origin", origin.empty() ? json(nullptr) : json(origin)},
                        {"message", field(e, {"Message"})}});
        t.add({cell(e, {"Id"}), cell(e, {"Created"}), cell(e, {"Severity"}), mid.substr(mid.rfind('.') + 1),
               origin.empty() ? "-" : shortUri(origin), cell(e, {"Message"})});
    }
    if (c.json)
        printJson(rows);
    else
        t.print(std::cout);
    return kOk;
}

int runAccounts(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(0, 0, pos)) return kUsage;
    if (int rc = c.connect(); rc != kOk) return rc;
    Reply svc = c.api().call("GET", "/redfish/v1/AccountService");
    if (svc.transportOk && svc.status == 404) {
        std::cerr << "cmcctl: accounts: this cmcd has no AccountService (/redfish/v1/AccountService: 404)\n";
        return kNotFound;
    }
    if (!svc.ok()) return reportFailure("GET /redfish/v1/AccountService", svc);
    std::string path = svc.body ? linkAt(*svc.body, {"Accounts"}) : "";
    if (path.empty()) path = "/redfish/v1/AccountService/Accounts";
    std::vector<json> accounts;
    if (int rc = members(c, path, accounts); rc != kOk) return rc;
    Table t({"USER", "ROLE", "ENABLED", "LOCKED", "TYPES"});
    json rows = json::array();
    for (const auto& acc : accounts) {
        json types = json::array();
        if (const json* ty = jsonr::array(acc, "AccountTypes")) {
            for (const auto& v : *ty)
                if (v.is_string()) types.push_back(v);
        }
        rows.push_back({{"user", field(acc, {"UserName"})},
                        {"role", field(acc, {"RoleId"})},
                        {"enabled", field(acc, {"Enabled"})},
                        {"locked", field(acc, {"Locked"})},
                        {"accountTypes", types},
                        {"@odata.id", field(acc, {"@odata.id"})}});
        t.add({cell(acc, {"UserName"}), cell(acc, {"RoleId"}), cell(acc, {"Enabled"}), cell(acc, {"Locked"}),
               joined(types)});
    }
    if (c.json)
        printJson(rows);
    else
        t.print(std::cout);
    return kOk;
}

int runStorm(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(0, 0, pos)) return kUsage;
    if (int rc = c.connect(); rc != kOk) return rc;
    json cs;
    if (int rc = getJson(c, kComposition, cs); rc != kOk) return rc;
    const json* storm = at(cs, {"Oem", "OpenCMC", "Storm"});
    if (c.json) {
        printJson(storm ? *storm : json(nullptr));
        return kOk;
    }
    static const json kNone = json::object();
    const json& s = storm ? *storm : kNone;
    KeyValues kv;
    kv.add("Tripped", cell(s, {"Tripped"}));
    kv.add("Reason", cell(s, {"Reason"}));
    kv.add("Failures in window", cell(s, {"FailuresInWindow"}));
    kv.add("Policy", "more than " + cell(s, {"Policy", "MaxFraction"}) + " of the blades and at least " +
                         cell(s, {"Policy", "MinFailures"}) + " within " + duration(at(s, {"Policy", "WindowMs"})));
    kv.print(std::cout);
    return kOk;
}

} // namespace cmc::cmcctl
