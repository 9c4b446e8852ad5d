// The commands that read one kind of resource: chassis, blades, logical
// servers, and login; the shared GET helpers. Every value comes through
// output.hpp's accessors: what cmcd does not send shows as "-" (null in JSON).
#include <algorithm>
#include <charconv>
#include <iostream>

#include "cmcctl/commands.hpp"
#include "cmcctl/output.hpp"
#include "common/json_reader.hpp"

namespace cmc::cmcctl {

namespace {

const std::string kChassis = "/redfish/v1/Chassis";
const std::string kSystems = "/redfish/v1/Systems";
const std::string kComposition = "/redfish/v1/CompositionService";
const std::string kBlocks = kComposition + "/ResourceBlocks";

} // namespace

int getJson(Context& c, const std::string& path, json& out) {
    Reply r = c.api().call("GET", path);
    if (!r.ok()) return reportFailure("GET " + path, r);
    if (!r.body) {
        std::cerr << "cmcctl: GET " << path << ": the answer is not JSON\n";
        return kRefused;
    }
    out = std::move(*r.body);
    return kOk;
}

int memberIds(Context& c, const std::string& path, std::vector<std::string>& out) {
    std::string next = path;
    for (int page = 0; !next.empty() && page < 1000; ++page) {
        json body;
        if (int rc = getJson(c, next, body); rc != kOk) return rc;
        for (auto& id : jsonr::links(body, "Members"))
            out.push_back(std::move(id));
        next = jsonr::text(body, "Members@odata.nextLink").value_or("");
    }
    return kOk;
}

int members(Context& c, const std::string& path, std::vector<json>& out) {
    std::vector<std::string> ids;
    if (int rc = memberIds(c, path, ids); rc != kOk) return rc;
    auto replies = c.api().getAll(ids);
    for (std::size_t i = 0; i < replies.size(); ++i) {
        auto& r = replies[i];
        if (r.transportOk && r.status == 404) continue; // deleted meanwhile
        if (!r.ok()) return reportFailure("GET " + ids[i], r);
        out.push_back(r.body ? std::move(*r.body) : json::object());
    }
    return kOk;
}

int runLogin(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(0, 0, pos)) return kUsage;
    if (int rc = c.connect(); rc != kOk) return rc;
    if (c.api().token().empty()) {
        std::cerr << "cmcctl: login: this service has no SessionService (no token to print)\n";
        return kRefused;
    }
    c.api().keepSession();
    if (c.json)
        printJson({{"token", c.api().token()}, {"session", c.api().sessionUri()}});
    else
        std::cout << c.api().token() << "\n";
    return kOk;
}

int runChassis(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(0, 0, pos)) return kUsage;
    if (int rc = c.connect(); rc != kOk) return rc;
    json ch;
    if (int rc = getJson(c, kChassis + "/chassis", ch); rc != kOk) return rc;
    if (c.json) {
        printJson(ch);
        return kOk;
    }
    KeyValues kv;
    kv.add("Name", cell(ch, {"Name"}));
    kv.add("Type", cell(ch, {"ChassisType"}));
    kv.add("Model", cell(ch, {"Model"}));
    kv.add("Serial", cell(ch, {"SerialNumber"}));
    kv.add("State", cell(ch, {"Status", "State"}));
    kv.add("Health", cell(ch, {"Status", "Health"}));
    kv.add("Health of the blades", cell(ch, {"Status", "HealthRollup"}));
    kv.add("Slots", cell(ch, {"Oem", "OpenCMC", "Slots"}));
    const json* contains = at(ch, {"Links", "Contains"});
    kv.add("Blades", contains && contains->is_array() ? std::to_string(contains->size()) : "-");
    if (const json* ps = at(ch, {"PowerSubsystem"}))
        kv.add("Power subsystem", shortUri(jsonr::text(*ps, "@odata.id").value_or("")));
    if (const json* ts = at(ch, {"ThermalSubsystem"}))
        kv.add("Thermal subsystem", shortUri(jsonr::text(*ts, "@odata.id").value_or("")));
    kv.print(std::cout);
    return kOk;
}

int runBlades(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(0, 0, pos)) return kUsage;
    if (int rc = c.connect(); rc != kOk) return rc;
    std::vector<std::string> ids;
    if (int rc = memberIds(c, kChassis, ids); rc != kOk) return rc;
    std::vector<std::pair<int, std::string>> slots;
    for (const auto& id : ids) {
        if (auto s = slotOfUri(id)) slots.emplace_back(*s, id);
    }
    std::sort(slots.begin(), slots.end());
    std::vector<std::string> targets;
    for (const auto& [slot, id] : slots) {
        targets.push_back(id);
        targets.push_back(kBlocks + "/blade-" + std::to_string(slot));
    }
    auto replies = c.api().getAll(targets);
    Table t({"SLOT", "MODEL", "POWER", "HEALTH", "ROLE", "SERVER", "MAINT"});
    json rows = json::array();
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const Reply& ch = replies[2 * i];
        const Reply& rb = replies[2 * i + 1];
        if (ch.transportOk && ch.status == 404) continue; // removed meanwhile
        if (!ch.ok()) return reportFailure("GET " + targets[2 * i], ch);
        if (!rb.transportOk) return reportFailure("GET " + targets[2 * i + 1], rb);
        static const json kNone = json::object();
        const json& b = ch.body ? *ch.body : kNone;
        const json& r = rb.ok() && rb.body ? *rb.body : kNone;
        const json* role = at(r, {"Oem", "OpenCMC", "Role"});
        if (!role) role = at(b, {"Oem", "OpenCMC", "Role"});
        json row{{"slot", slots[i].first},
                 {"model", field(b, {"Model"})},
                 {"power", field(b, {"PowerState"})},
                 {"health", field(b, {"Oem", "OpenCMC", "Health", "State"})},
                 {"statusHealth", field(b, {"Status", "Health"})},
                 {"role", role && role->is_string() ? *role : json(nullptr)},
                 {"server", field(r, {"Oem", "OpenCMC", "Server"})},
                 {"maintenance", field(r, {"Oem", "OpenCMC", "Maintenance"})},
                 {"@odata.id", slots[i].second}};
        rows.push_back(row);
        t.add({std::to_string(slots[i].first), cell(b, {"Model"}), cell(b, {"PowerState"}),
               cell(b, {"Oem", "OpenCMC", "Health", "State"}), cellOf(role), cell(r, {"Oem", "OpenCMC", "Server"}),
               cell(r, {"Oem", "OpenCMC", "Maintenance"})});
    }
    if (c.json)
        printJson(rows);
    else
        t.print(std::cout);
    return kOk;
}

int runBlade(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(1, 1, pos)) return kUsage;
    auto slot = parseSlot(pos[0]);
    if (!slot) return a.usage("SLOT is a slot number (or blade-N), not '" + pos[0] + "'");
    if (int rc = c.connect(); rc != kOk) return rc;
    const std::string id = "blade-" + std::to_string(*slot);
    json b;
    if (int rc = getJson(c, kChassis + "/" + id, b); rc != kOk) return rc;
    Reply rr = c.api().call("GET", kBlocks + "/" + id);
    json r = rr.ok() && rr.body ? *rr.body : json::object();
    if (c.json) {
        printJson({{"Chassis", b}, {"ResourceBlock", rr.ok() && rr.body ? *rr.body : json(nullptr)}});
        return kOk;
    }
    KeyValues kv;
    const auto oem = [&](std::initializer_list<std::string_view> p) {
        std::vector<std::string_view> full{"Oem", "OpenCMC"};
        full.insert(full.end(), p.begin(), p.end());
        const json* v = &b;
        for (auto k : full) {
            v = jsonr::member(*v, k);
            if (!v) return std::string("-");
        }
        return cellOf(v);
    };
    kv.add("Slot", std::to_string(*slot));
    kv.add("Model", cell(b, {"Model"}));
    kv.add("Manufacturer", cell(b, {"Manufacturer"}));
    kv.add("Serial", cell(b, {"SerialNumber"}));
    kv.add("Power", cell(b, {"PowerState"}));
    kv.add("Health", oem({"Health", "State"}) + " (Status " + cell(b, {"Status", "State"}) + "/" +
                         cell(b, {"Status", "Health"}) + ")");
    kv.add("Reason", oem({"Health", "Reason"}));
    {
        std::string bad;
        if (const json* a2 = at(b, {"Oem", "OpenCMC", "Health", "BadSignals"}); a2 && a2->is_array()) {
            for (const auto& e : *a2)
                if (e.is_string()) bad += (bad.empty() ? "" : ", ") + e.get<std::string>();
        }
        kv.add("Bad signals", bad.empty() ? "none" : bad);
    }
    for (const char* sig : {"Ipmi", "Redfish", "Heartbeat"}) {
        const json* s = at(b, {"Oem", "OpenCMC", "Health", "Signals", sig});
        std::string v =
            !s ? "-" : (cell(*s, {"Known"}) == "no" ? "unknown" : (cell(*s, {"Bad"}) == "yes" ? "BAD" : "good"));
        if (s && jsonr::member(*s, "Detail")) v += " (" + cell(*s, {"Detail"}) + ")";
        kv.add(std::string("Signal ") + sig, v);
    }
    kv.add("Quarantine recommended", oem({"Health", "QuarantineRecommended"}));
    kv.add("Last transition", oem({"Health", "LastTransition", "Time"}) + " " +
                                  oem({"Health", "LastTransition", "From"}) + " -> " +
                                  oem({"Health", "LastTransition", "To"}));
    const json* role = at(r, {"Oem", "OpenCMC", "Role"});
    kv.add("Role", role ? cellOf(role) : oem({"Role"}));
    kv.add("Role reason", cell(r, {"Oem", "OpenCMC", "RoleReason"}));
    kv.add("Composition", cell(r, {"CompositionStatus", "CompositionState"}));
    kv.add("Maintenance", cell(r, {"Oem", "OpenCMC", "Maintenance"}));
    kv.add("Server", cell(r, {"Oem", "OpenCMC", "Server"}));
    kv.add("Spare pool", withNote(cell(r, {"Oem", "OpenCMC", "SparePool"}), cell(r, {"Oem", "OpenCMC", "SpareKind"})));
    kv.add("If it failed", cell(r, {"Oem", "OpenCMC", "WhatIf", "Reason"}));
    kv.add("CPUs", oem({"Inventory", "CpuCount"}));
    kv.add("Memory GiB", oem({"Inventory", "MemoryGiB"}));
    kv.add("BIOS", oem({"Inventory", "BiosVersion"}));
    kv.add("BMC firmware", oem({"Inventory", "BmcFirmwareVersion"}));
    kv.add("BMC MAC", oem({"Inventory", "BmcMACAddress"}));
    kv.add("BMC Redfish", oem({"ManagementPaths", "Redfish"}));
    kv.add("BMC IPMI", oem({"ManagementPaths", "Ipmi"}));
    kv.add("BMC event stream", oem({"ManagementPaths", "EventStream"}));
    for (const char* kind : {"Nics", "Hbas"}) {
        const json* list = at(b, {"Oem", "OpenCMC", "Inventory", kind});
        if (!list || !list->is_array()) continue;
        bool nic = std::string_view(kind) == "Nics";
        for (std::size_t i = 0; i < list->size(); ++i) {
            const json& e = (*list)[i];
            kv.add(std::string(nic ? "NIC " : "HBA ") + std::to_string(i + 1),
                   cell(e, {nic ? "MACAddress" : "WWPN"}) + " (burned-in " +
                       cell(e, {nic ? "PermanentMACAddress" : "PermanentWWPN"}) + ")");
        }
    }
    {
        std::string ips;
        if (const json* l = at(b, {"Oem", "OpenCMC", "Inventory", "LogicalIPs"}); l && l->is_array()) {
            for (const auto& e : *l)
                if (e.is_string()) ips += (ips.empty() ? "" : ", ") + e.get<std::string>();
        }
        kv.add("Logical IPs", ips.empty() ? "-" : ips);
    }
    kv.add("Power intent", withNote(oem({"PowerIntent", "Intent"}), oem({"PowerIntent", "Reason"})));
    kv.print(std::cout);
    return kOk;
}

int runServers(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(0, 0, pos)) return kUsage;
    if (int rc = c.connect(); rc != kOk) return rc;
    std::vector<json> systems;
    if (int rc = members(c, kSystems, systems); rc != kOk) return rc;
    Table t({"NAME", "STATE", "POWER", "BLADE", "MAC", "IP", "POOL", "AUTO", "COVERED"});
    json rows = json::array();
    for (const auto& s : systems) {
        auto slot = slotOfUri(firstLinkAt(s, {"Links", "Chassis"}));
        json macs = stringsAt(s, {"Oem", "OpenCMC", "VNICs"}, "MACAddress");
        json ips = stringsAt(s, {"Oem", "OpenCMC", "VNICs"}, "IPv4Address");
        json wwpns = stringsAt(s, {"Oem", "OpenCMC", "VHBAs"}, "WWPN");
        rows.push_back({{"name", field(s, {"Id"})},
                        {"state", field(s, {"Oem", "OpenCMC", "State"})},
                        {"power", field(s, {"PowerState"})},
                        {"blade", slotJson(slot)},
                        {"uuid", field(s, {"UUID"})},
                        {"macs", macs},
                        {"ips", ips},
                        {"wwpns", wwpns},
                        {"sparePool", field(s, {"Oem", "OpenCMC", "FailoverPolicy", "SparePool"})},
                        {"automatic", field(s, {"Oem", "OpenCMC", "FailoverPolicy", "Automatic"})},
                        {"covered", field(s, {"Oem", "OpenCMC", "Coverage", "Covered"})},
                        {"@odata.id", field(s, {"@odata.id"})}});
        t.add({cell(s, {"Id"}), cell(s, {"Oem", "OpenCMC", "State"}), cell(s, {"PowerState"}), slotText(slot),
               joined(macs), joined(ips), cell(s, {"Oem", "OpenCMC", "FailoverPolicy", "SparePool"}),
               cell(s, {"Oem", "OpenCMC", "FailoverPolicy", "Automatic"}),
               cell(s, {"Oem", "OpenCMC", "Coverage", "Covered"})});
    }
    if (c.json)
        printJson(rows);
    else
        t.print(std::cout);
    return kOk;
}

int runServer(Context& c, Args& a) {
    std::vector<std::string> pos;
    if (!a.positionals(1, 1, pos)) return kUsage;
    if (!validName(pos[0])) return a.usage("NAME is a server name, not '" + pos[0] + "'");
    if (int rc = c.connect(); rc != kOk) return rc;
    json s;
    if (int rc = getJson(c, kSystems + "/" + pos[0], s); rc != kOk) return rc;
    if (c.json) {
        printJson(s);
        return kOk;
    }
    KeyValues kv;
    kv.add("Name", cell(s, {"Id"}));
    kv.add("State", withNote(cell(s, {"Oem", "OpenCMC", "State"}), cell(s, {"Oem", "OpenCMC", "StateReason"})));
    kv.add("Power", cell(s, {"PowerState"}) + " (desired " + cell(s, {"Oem", "OpenCMC", "DesiredPowerState"}) + ")");
    kv.add("Blade", slotText(slotOfUri(firstLinkAt(s, {"Links", "Chassis"}))));
    kv.add("UUID", withNote(cell(s, {"UUID"}), "pool " + cell(s, {"Oem", "OpenCMC", "UuidPool"})));
    if (const json* v = at(s, {"Oem", "OpenCMC", "VNICs"}); v && v->is_array()) {
        for (const auto& n : *v) {
            kv.add("vNIC " + cell(n, {"Name"}), "MAC " + cell(n, {"MACAddress"}) + ", IP " + cell(n, {"IPv4Address"}) +
                                                    ", VLAN " + cell(n, {"VLAN"}) + " (pools " + cell(n, {"MACPool"}) +
                                                    ", " + cell(n, {"IPv4Pool"}) + ")");
        }
    }
    if (const json* v = at(s, {"Oem", "OpenCMC", "VHBAs"}); v && v->is_array()) {
        for (const auto& h : *v)
            kv.add("vHBA " + cell(h, {"Name"}), "WWPN " + cell(h, {"WWPN"}) + " (pool " + cell(h, {"WWPNPool"}) + ")");
    }
    kv.add("Boot volume", cell(s, {"Oem", "OpenCMC", "BootVolume", "Volume"}) + " LUN " +
                              cell(s, {"Oem", "OpenCMC", "BootVolume", "LUN"}));
    kv.add("Spare pool", cell(s, {"Oem", "OpenCMC", "FailoverPolicy", "SparePool"}));
    kv.add("Failover",
           std::string(cell(s, {"Oem", "OpenCMC", "FailoverPolicy", "Automatic"}) == "yes" ? "automatic" : "manual") +
               ", priority " + cell(s, {"Oem", "OpenCMC", "FailoverPolicy", "Priority"}));
    kv.add("Requirements", "CPUs >= " + cell(s, {"Oem", "OpenCMC", "Requirements", "MinCpus"}) +
                               ", memory >= " + cell(s, {"Oem", "OpenCMC", "Requirements", "MinMemoryGiB"}) +
                               " GiB, model " + cell(s, {"Oem", "OpenCMC", "Requirements", "ModelFamily"}));
    kv.add("Covered", withNote(cell(s, {"Oem", "OpenCMC", "Coverage", "Covered"}),
                               cell(s, {"Oem", "OpenCMC", "Coverage", "Reason"})));
    auto task = [&](const char* k) {
        auto l = linkAt(s, {"Oem", "OpenCMC", k});
        return l.empty() ? std::string("-") : lastSegment(l);
    };
    kv.add("Active task", task("ActiveFailover"));
    kv.add("Last task", task("LastFailover"));
    kv.add("Origin", cell(s, {"Oem", "OpenCMC", "Origin"}));
    kv.add("Created", cell(s, {"Oem", "OpenCMC", "Created"}));
    kv.print(std::cout);
    return kOk;
}

} // namespace cmc::cmcctl
