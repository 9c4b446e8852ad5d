// The simulator's control API (HTTP/JSON under /sim/v1), for tests and the demo.
#include <nlohmann/json.hpp>

#include <charconv>

#include "faults/faults.hpp"
#include "hal/address_format.hpp"
#include "http/http_server.hpp"
#include "rack/rack.hpp"
#include "rack/redfish_port.hpp"
#include "redfish/bmc_redfish.hpp"

namespace cmc::sim {

using json = nlohmann::json;

namespace {

http::Response reply(unsigned status, const json& body) {
    http::Response r;
    r.status = status;
    r.set("Content-Type", "application/json");
    r.set("Cache-Control", "no-store");
    r.body = body.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    return r;
}

http::Response error(unsigned status, const std::string& code, const std::string& message) {
    return reply(status, json{{"error", {{"code", code}, {"message", message}}}});
}

http::Response notFound(const std::string& what) {
    return error(404, "NotFound", what);
}
http::Response badRequest(const std::string& what) {
    return error(400, "BadRequest", what);
}
http::Response methodNotAllowed(const std::string& allow) {
    auto r = error(405, "MethodNotAllowed", "method not allowed; allowed: " + allow);
    r.set("Allow", allow);
    return r;
}

std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
        auto j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        if (j > i) out.push_back(path.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

std::optional<std::size_t> parseSlot(const std::string& s, std::size_t count) {
    std::size_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < 1 || v > count) return std::nullopt;
    return v;
}

// Parses a JSON object body, rejecting unknown keys; returns error message or empty.
std::string parseBody(const http::Request& req, json& out, std::initializer_list<const char*> allowed) {
    out = json::parse(req.body, nullptr, false);
    if (out.is_discarded()) return "the body is not valid JSON";
    if (!out.is_object()) return "the body must be a JSON object";
    for (auto it = out.begin(); it != out.end(); ++it) {
        bool known = false;
        for (const char* a : allowed)
            known = known || it.key() == a;
        if (!known) return "unknown property '" + it.key() + "'";
    }
    return {};
}

json portJson(const PortRef& p) {
    return json{{"slot", p.slot}, {"port", p.port}};
}

} // namespace

class ControlApi {
public:
    explicit ControlApi(Rack& rack) : rack_(rack) {}

    http::Response handle(const http::Request& req) {
        auto seg = split(req.path);
        if (seg.size() < 2 || seg[0] != "sim" || seg[1] != "v1") return notFound("no resource at " + req.path);
        seg.erase(seg.begin(), seg.begin() + 2);
        const auto& m = req.method;
        bool get = m == "GET" || m == "HEAD";
        if (seg.empty()) {
            if (!get) return methodNotAllowed("GET");
            return reply(200, index());
        }
        const auto& top = seg[0];
        if (top == "blades") return blades(req, seg);
        if (top == "chassis") return chassis(req, seg);
        if (top == "faults" && seg.size() == 1) {
            if (!get) return methodNotAllowed("GET");
            json a = json::array();
            for (const auto& f : faultCatalog())
                a.push_back({{"fault", f.name}, {"description", f.description}, {"parameters", f.parameters}});
            return reply(200, json{{"faults", a}});
        }
        if (top == "fabric") return fabric(req, seg);
        if (top == "volumes") return volumes(req, seg);
        if (top == "timings" && seg.size() == 1) return timings(req);
        if (top == "dhcp") return dhcp(req, seg);
        if (top == "probe") return probe(req, seg);
        if (top == "invariants" && seg.size() == 1) {
            if (!get) return methodNotAllowed("GET");
            return reply(200, invariants());
        }
        if (top == "manifest" && seg.size() == 1) {
            if (!get) return methodNotAllowed("GET");
            http::Response r = reply(200, json::parse(rack_.manifestJson()));
            return r;
        }
        return notFound("no resource at " + req.path);
    }

private:
    json index() const {
        return json{{"blades", rack_.blades().size()},
                    {"speed", rack_.options().speed},
                    {"seed", rack_.options().seed},
                    {"simTimeMs", rack_.clock().nowMs()},
                    {"links",
                     {"/sim/v1/blades", "/sim/v1/chassis", "/sim/v1/faults", "/sim/v1/fabric", "/sim/v1/volumes",
                      "/sim/v1/dhcp/reservations", "/sim/v1/probe", "/sim/v1/invariants", "/sim/v1/manifest",
                      "/sim/v1/timings"}}};
    }

    json bladeJson(BladeUnit& u, bool detail) {
        auto& b = *u.blade;
        auto& fab = rack_.fabric();
        auto st = b.chassisStatus();
        json j;
        j["slot"] = b.slot();
        j["model"] = b.inventory().model;
        j["serialNumber"] = b.inventory().serialNumber;
        j["uuid"] = b.inventory().uuid;
        j["power"] = hal::toString(st.power);
        j["powerFault"] = st.powerFault;
        j["host"] = hal::toString(b.hostState());
        j["bootVolume"] = b.bootVolume() ? json(*b.bootVolume()) : json(nullptr);
        j["bootCount"] = b.bootCount();
        j["faults"] = activeFaults(b.faults());
        json nics = json::array();
        for (std::size_t i = 0; i < b.nics().size(); ++i) {
            const auto& n = b.nics()[i];
            PortRef p{b.slot(), static_cast<std::uint8_t>(i + 1)};
            json nj{{"index", i + 1},
                    {"permanentMac", n.permanentMac},
                    {"mac", n.mac},
                    {"linkUp", n.linkUp},
                    {"switchPortEnabled", fab.switchPortEnabled(p)}};
            nj["lease"] = i < b.leases().size() && !b.leases()[i].empty() ? json(b.leases()[i]) : json(nullptr);
            nics.push_back(nj);
        }
        j["nics"] = nics;
        json hbas = json::array();
        for (std::size_t i = 0; i < b.hbas().size(); ++i) {
            const auto& h = b.hbas()[i];
            PortRef p{b.slot(), static_cast<std::uint8_t>(i + 1)};
            hbas.push_back({{"index", i + 1},
                            {"permanentWwpn", h.permanentWwpn},
                            {"wwpn", h.wwpn},
                            {"linkUp", h.linkUp},
                            {"sanPortEnabled", fab.sanPortEnabled(p)},
                            {"visibleVolumes", fab.visibleVolumes(b, i)}});
        }
        j["hbas"] = hbas;
        bool https = rack_.options().redfishScheme == RedfishScheme::Https;
        j["bmc"] = {{"redfish", (https ? "https://" : "http://") + rack_.options().bindAddress + ":" +
                                    std::to_string(u.redfishPort)},
                    {"ipmiPort", u.ipmiPort}};
        if (detail && u.redfishNet) {
            // Open TCP connections of the Redfish port, SSE streams, requests held by the link model.
            j["bmc"]["redfishConnections"] = u.redfishNet->connectionCount();
            j["bmc"]["eventStreams"] = u.redfish->eventStreamCount();
            j["bmc"]["heldRequests"] = u.redfishNet->heldCount();
        }
        if (detail) {
            auto bo = b.bootOverride();
            j["bootOverride"] = {{"target", hal::toString(bo.target)}, {"enabled", hal::toString(bo.enabled)}};
            auto wd = b.watchdog();
            j["watchdog"] = {{"running", wd.running},
                             {"countdownMs", wd.presentCountdown * 100},
                             {"timerUse", wd.timerUse},
                             {"expirationFlags", wd.expirationFlags}};
            json sensors = json::array();
            for (const auto& s : b.sensors()) {
                sensors.push_back({{"id", s.id},
                                   {"name", s.name},
                                   {"value", s.value},
                                   {"units", s.units},
                                   {"available", s.available}});
            }
            j["sensors"] = sensors;
            j["identify"] = st.identifyOn;
            j["selEntries"] = b.sel().size();
            auto link = b.managementLink();
            j["managementLink"] = {{"up", link.up},
                                   {"bmcHung", link.bmcHung},
                                   {"lossRatio", link.lossRatio},
                                   {"latencyMs", link.latency.count()},
                                   {"bmcDelayMs", link.bmcDelay.count()}};
        }
        return j;
    }

    http::Response blades(const http::Request& req, const std::vector<std::string>& seg) {
        bool get = req.method == "GET" || req.method == "HEAD";
        auto& units = rack_.blades();
        if (seg.size() == 1) {
            if (!get) return methodNotAllowed("GET");
            json a = json::array();
            for (auto& u : units)
                a.push_back(bladeJson(u, false));
            return reply(200, json{{"blades", a}});
        }
        auto slot = parseSlot(seg[1], units.size());
        if (!slot)
            return notFound("no blade in slot '" + seg[1] + "' (slots are 1.." + std::to_string(units.size()) + ")");
        auto& u = units[*slot - 1];
        if (seg.size() == 2) {
            if (!get) return methodNotAllowed("GET");
            return reply(200, bladeJson(u, true));
        }
        if (seg[2] != "faults") return notFound("no resource at " + req.path);
        if (seg.size() == 3) {
            if (get) return reply(200, json{{"faults", activeFaults(u.blade->faults())}});
            if (req.method != "POST") return methodNotAllowed("GET, POST");
            json body = json::parse(req.body, nullptr, false);
            if (body.is_discarded()) return badRequest("the body is not valid JSON");
            BladeFaults f = u.blade->faults();
            std::string name;
            bool oneShot = false;
            auto err = addFault(f, body, u.blade->nics().size(), name, oneShot);
            if (!err.empty()) return badRequest(err);
            u.blade->applyFaults(f);
            if (oneShot) u.blade->crashHost("injected kernel panic");
            auto r = reply(201, json{{"slot", *slot}, {"fault", name}, {"faults", activeFaults(u.blade->faults())}});
            r.set("Location", "/sim/v1/blades/" + std::to_string(*slot) + "/faults/" + name);
            return r;
        }
        if (seg.size() != 4) return notFound("no resource at " + req.path);
        if (req.method != "DELETE") return methodNotAllowed("DELETE");
        BladeFaults f = u.blade->faults();
        bool was = false;
        if (!clearFault(f, seg[3], was)) return notFound("unknown fault '" + seg[3] + "'");
        u.blade->applyFaults(f);
        return reply(200, json{{"slot", *slot},
                               {"cleared", seg[3]},
                               {"wasActive", was},
                               {"faults", activeFaults(u.blade->faults())}});
    }

    http::Response chassis(const http::Request& req, const std::vector<std::string>& seg) {
        bool get = req.method == "GET" || req.method == "HEAD";
        auto& psus = rack_.powerSupplies();
        if (seg.size() == 1) {
            if (!get) return methodNotAllowed("GET");
            double load = 0;
            for (auto& u : rack_.blades()) {
                for (const auto& s : u.blade->sensors()) {
                    if (s.id == "power") load += s.value;
                }
            }
            std::size_t ok = 0;
            for (const auto& p : psus)
                ok += p.failed ? 0 : 1;
            json ps = json::array();
            for (const auto& p : psus) {
                ps.push_back({{"id", p.id},
                              {"state", p.failed ? "Failed" : "OK"},
                              {"capacityW", p.capacityW},
                              {"outputW", p.failed || ok == 0 ? 0.0 : load / static_cast<double>(ok)}});
            }
            json fans = json::array();
            for (int i = 1; i <= 6; ++i)
                fans.push_back({{"id", i}, {"rpm", 5200 + 40 * i}, {"state", "OK"}});
            return reply(200, json{{"slots", rack_.blades().size()},
                                   {"inletTemperatureC", 22.0},
                                   {"powerSupplies", ps},
                                   {"redundancy", ok >= 4 ? "N+1" : (ok == 3 ? "Degraded" : "Lost")},
                                   {"fans", fans},
                                   {"loadW", load}});
        }
        if (seg[1] != "faults") return notFound("no resource at " + req.path);
        if (seg.size() == 2 && req.method == "POST") {
            json body;
            auto err = parseBody(req, body, {"fault", "psu"});
            if (!err.empty()) return badRequest(err);
            if (!body.contains("fault") || body["fault"] != "psu-fault")
                return badRequest("chassis faults: only 'psu-fault' (with 'psu': 1..4)");
            if (!body.contains("psu") || !body["psu"].is_number_integer() || body["psu"].get<int>() < 1 ||
                body["psu"].get<int>() > static_cast<int>(psus.size())) {
                return badRequest("'psu' must be an integer 1.." + std::to_string(psus.size()));
            }
            psus[body["psu"].get<std::size_t>() - 1].failed = true;
            rack_.powerSuppliesChanged();
            return reply(201, json{{"fault", "psu-fault"}, {"psu", body["psu"]}});
        }
        if (seg.size() == 3 && req.method == "DELETE") {
            if (seg[2] != "psu-fault") return notFound("unknown chassis fault '" + seg[2] + "'");
            for (auto& p : psus)
                p.failed = false;
            rack_.powerSuppliesChanged();
            return reply(200, json{{"cleared", "psu-fault"}});
        }
        return methodNotAllowed(seg.size() == 2 ? "POST" : "DELETE");
    }

    http::Response fabric(const http::Request& req, const std::vector<std::string>& seg) {
        auto& fab = rack_.fabric();
        bool get = req.method == "GET" || req.method == "HEAD";
        if (seg.size() == 1) {
            if (!get) return methodNotAllowed("GET");
            json macs = json::array();
            for (const auto& e : fab.macTable())
                macs.push_back(
                    {{"mac", e.mac}, {"slot", e.port.slot}, {"port", e.port.port}, {"learnedMs", e.learnedMs}});
            json vols = json::array();
            for (const auto& [n, v] : fab.volumes())
                vols.push_back(volumeJson(v));
            json sessions = json::array();
            for (auto& u : rack_.blades()) {
                const auto& b = *u.blade;
                for (std::size_t h = 0; h < b.hbas().size(); ++h) {
                    auto vis = fab.visibleVolumes(b, h);
                    if (vis.empty()) continue;
                    sessions.push_back(
                        {{"slot", b.slot()}, {"port", h + 1}, {"wwpn", b.hbas()[h].wwpn}, {"volumes", vis}});
                }
            }
            json writers = json::array();
            for (const auto& w : fab.writers()) {
                writers.push_back({{"volume", w.volume},
                                   {"slot", w.initiatorPort.slot},
                                   {"port", w.initiatorPort.port},
                                   {"wwpn", w.wwpn},
                                   {"firstMs", w.firstMs},
                                   {"lastMs", w.lastMs},
                                   {"active", w.active}});
            }
            json res = json::array();
            for (const auto& [mac, ip] : fab.reservations())
                res.push_back({{"mac", mac}, {"ip", ip}});
            json disabled = json::array();
            for (auto& u : rack_.blades()) {
                for (std::size_t n = 0; n < u.blade->nics().size(); ++n) {
                    PortRef p{u.blade->slot(), static_cast<std::uint8_t>(n + 1)};
                    if (!fab.switchPortEnabled(p))
                        disabled.push_back({{"fabric", "switch"}, {"slot", p.slot}, {"port", p.port}});
                }
                for (std::size_t h = 0; h < u.blade->hbas().size(); ++h) {
                    PortRef p{u.blade->slot(), static_cast<std::uint8_t>(h + 1)};
                    if (!fab.sanPortEnabled(p))
                        disabled.push_back({{"fabric", "san"}, {"slot", p.slot}, {"port", p.port}});
                }
            }
            return reply(200, json{{"switch", {{"macTable", macs}}},
                                   {"san", {{"volumes", vols}, {"sessions", sessions}, {"writers", writers}}},
                                   {"dhcp", {{"reservations", res}}},
                                   {"disabledPorts", disabled}});
        }
        if (seg.size() == 2 && seg[1] == "ports") {
            if (req.method != "POST") return methodNotAllowed("POST");
            json body;
            auto err = parseBody(req, body, {"fabric", "slot", "port", "enabled"});
            if (!err.empty()) return badRequest(err);
            if (!body.contains("fabric") || (body["fabric"] != "switch" && body["fabric"] != "san"))
                return badRequest("'fabric' must be \"switch\" or \"san\"");
            if (!body.contains("slot") || !body["slot"].is_number_unsigned())
                return badRequest("'slot' must be a positive integer");
            if (!body.contains("port") || !body["port"].is_number_unsigned())
                return badRequest("'port' must be a positive integer");
            if (!body.contains("enabled") || !body["enabled"].is_boolean())
                return badRequest("'enabled' must be a boolean");
            auto slot = body["slot"].get<unsigned>();
            auto port = body["port"].get<unsigned>();
            if (slot > 65535 || port > 255) return notFound("no such port");
            PortRef p{static_cast<std::uint16_t>(slot), static_cast<std::uint8_t>(port)};
            bool ok = body["fabric"] == "switch" ? fab.setSwitchPort(p, body["enabled"].get<bool>())
                                                 : fab.setSanPort(p, body["enabled"].get<bool>());
            if (!ok)
                return notFound("no " + body["fabric"].get<std::string>() + " port " + std::to_string(port) +
                                " on slot " + std::to_string(slot));
            return reply(
                200, json{{"fabric", body["fabric"]}, {"slot", slot}, {"port", port}, {"enabled", body["enabled"]}});
        }
        return notFound("no resource at " + req.path);
    }

    // A volume with "logins": the WWPNs the SAN has an active session from.
    json volumeJson(const Volume& v) {
        return json{{"name", v.name},
                    {"lun", v.lun},
                    {"sizeGiB", v.sizeGiB},
                    {"initiators", v.initiators},
                    {"logins", rack_.fabric().logins(v.name)}};
    }

    http::Response volumes(const http::Request& req, const std::vector<std::string>& seg) {
        auto& fab = rack_.fabric();
        if (seg.size() == 1) {
            if (req.method == "GET" || req.method == "HEAD") {
                json vols = json::array();
                for (const auto& [n, v] : fab.volumes())
                    vols.push_back(volumeJson(v));
                return reply(200, json{{"volumes", vols}});
            }
            if (req.method != "POST") return methodNotAllowed("GET, POST");
            json body;
            auto err = parseBody(req, body, {"name", "lun", "sizeGiB", "initiators"});
            if (!err.empty()) return badRequest(err);
            if (!body.contains("name") || !body["name"].is_string()) return badRequest("'name' (string) is required");
            // An existing volume keeps the values the body leaves out; a new one starts from the defaults.
            Volume v;
            v.name = body["name"];
            bool existed = false;
            if (auto it = fab.volumes().find(v.name); it != fab.volumes().end()) {
                v = it->second;
                existed = true;
            }
            if (body.contains("lun")) {
                if (!body["lun"].is_number_unsigned() || body["lun"].get<std::uint64_t>() > 16383)
                    return badRequest("'lun' must be an integer 0..16383");
                v.lun = body["lun"].get<std::uint32_t>();
            }
            if (body.contains("sizeGiB")) {
                if (!body["sizeGiB"].is_number_unsigned() || body["sizeGiB"].get<std::uint64_t>() < 1 ||
                    body["sizeGiB"].get<std::uint64_t>() > 1'000'000) {
                    return badRequest("'sizeGiB' must be an integer 1..1000000");
                }
                v.sizeGiB = body["sizeGiB"].get<std::uint32_t>();
            }
            if (body.contains("initiators")) {
                if (!body["initiators"].is_array()) return badRequest("'initiators' must be an array of WWPN strings");
                std::vector<std::string> initiators;
                for (const auto& w : body["initiators"]) {
                    if (!w.is_string()) return badRequest("'initiators' must be an array of WWPN strings");
                    initiators.push_back(w);
                }
                v.initiators = std::move(initiators);
            }
            auto name = v.name;
            err = fab.putVolume(std::move(v));
            if (!err.empty()) return badRequest(err);
            auto r = reply(existed ? 200 : 201, volumeJson(fab.volumes().at(name)));
            r.set("Location", "/sim/v1/volumes/" + name);
            return r;
        }
        if (seg.size() == 2) {
            if (req.method == "DELETE") {
                if (!fab.removeVolume(seg[1])) return notFound("no volume '" + seg[1] + "'");
                return reply(200, json{{"deleted", seg[1]}});
            }
            if (req.method == "GET") {
                auto it = fab.volumes().find(seg[1]);
                if (it == fab.volumes().end()) return notFound("no volume '" + seg[1] + "'");
                return reply(200, volumeJson(it->second));
            }
            return methodNotAllowed("GET, DELETE");
        }
        return notFound("no resource at " + req.path);
    }

    // The hardware timings of every blade, in simulated ms.
    http::Response timings(const http::Request& req) {
        if (req.method == "GET" || req.method == "HEAD") return reply(200, timingsJson(rack_.bladeTimings()));
        if (req.method != "PATCH") return methodNotAllowed("GET, PATCH");
        json body;
        auto err =
            parseBody(req, body, {"powerOnMs", "powerOffMs", "postMs", "osBootMs", "osShutdownMs", "crashRebootMs"});
        if (!err.empty()) return badRequest(err);
        BladeTimings t = rack_.bladeTimings();
        const std::pair<const char*, SimDuration*> fields[] = {
            {"powerOnMs", &t.powerOn}, {"powerOffMs", &t.powerOff},     {"postMs", &t.post},
            {"osBootMs", &t.osBoot},   {"osShutdownMs", &t.osShutdown}, {"crashRebootMs", &t.crashReboot}};
        for (const auto& [key, field] : fields) {
            if (!body.contains(key)) continue;
            const auto& v = body[key];
            if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > kMaxTimingMs)
                return badRequest(std::string("'") + key + "' must be an integer 0.." + std::to_string(kMaxTimingMs));
            *field = SimDuration{v.get<std::int64_t>()};
        }
        rack_.setBladeTimings(t); // nothing is changed unless every field was valid
        return reply(200, timingsJson(t));
    }

    static json timingsJson(const BladeTimings& t) {
        return json{{"powerOnMs", t.powerOn.count()},
                    {"powerOffMs", t.powerOff.count()},
                    {"postMs", t.post.count()},
                    {"osBootMs", t.osBoot.count()},
                    {"osShutdownMs", t.osShutdown.count()},
                    {"crashRebootMs", t.crashReboot.count()}};
    }

    static constexpr std::int64_t kMaxTimingMs = 3'600'000;

    http::Response dhcp(const http::Request& req, const std::vector<std::string>& seg) {
        auto& fab = rack_.fabric();
        if (seg.size() < 2 || seg[1] != "reservations") return notFound("no resource at " + req.path);
        if (seg.size() == 2) {
            if (req.method == "GET" || req.method == "HEAD") {
                json res = json::array();
                for (const auto& [mac, ip] : fab.reservations())
                    res.push_back({{"mac", mac}, {"ip", ip}});
                return reply(200, json{{"reservations", res}});
            }
            if (req.method != "POST") return methodNotAllowed("GET, POST");
            json body;
            auto err = parseBody(req, body, {"mac", "ip"});
            if (!err.empty()) return badRequest(err);
            if (!body.contains("mac") || !body["mac"].is_string() || !body.contains("ip") || !body["ip"].is_string()) {
                return badRequest("'mac' and 'ip' (strings) are required");
            }
            err = fab.putReservation(body["mac"], body["ip"]);
            if (!err.empty()) return badRequest(err);
            return reply(201, json{{"mac", *hal::normalizeMac(body["mac"].get<std::string>())}, {"ip", body["ip"]}});
        }
        if (seg.size() == 3 && req.method == "DELETE") {
            if (!fab.removeReservation(seg[2])) return notFound("no reservation for '" + seg[2] + "'");
            return reply(200, json{{"deleted", seg[2]}});
        }
        return methodNotAllowed("DELETE");
    }

    http::Response probe(const http::Request& req, const std::vector<std::string>& seg) {
        auto& fab = rack_.fabric();
        bool get = req.method == "GET" || req.method == "HEAD";
        if (seg.size() == 1) {
            if (!get) return methodNotAllowed("GET");
            return reply(200, probeJson());
        }
        if (seg[1] != "targets") return notFound("no resource at " + req.path);
        if (seg.size() == 2) {
            if (get) return reply(200, probeJson());
            if (req.method != "POST") return methodNotAllowed("GET, POST");
            json body;
            auto err = parseBody(req, body, {"ip", "mac"});
            if (!err.empty()) return badRequest(err);
            if (!body.contains("ip") || !body["ip"].is_string()) return badRequest("'ip' (string) is required");
            if (body.contains("mac")) {
                if (!body["mac"].is_string()) return badRequest("'mac' must be a string");
                err = fab.putReservation(body["mac"], body["ip"]);
                if (!err.empty()) return badRequest(err);
            }
            err = fab.addProbeTarget(body["ip"]);
            if (!err.empty()) return badRequest(err);
            return reply(201, json{{"ip", body["ip"]}});
        }
        if (seg.size() == 3 && req.method == "DELETE") {
            if (!fab.removeProbeTarget(seg[2])) return notFound("no probe target '" + seg[2] + "'");
            return reply(200, json{{"deleted", seg[2]}});
        }
        return methodNotAllowed("DELETE");
    }

    json probeJson() {
        auto& fab = rack_.fabric();
        auto now = rack_.clock().nowMs();
        json targets = json::array();
        for (const auto& [ip, t] : fab.probeTargets()) {
            targets.push_back({{"ip", ip},
                               {"reachable", t.reachable},
                               {"answeredBy", t.answeredBy},
                               {"checks", t.checks},
                               {"failures", t.failures}});
        }
        json outages = json::array();
        for (const auto& o : fab.outages()) {
            json j{{"ip", o.ip}, {"startMs", o.startMs}, {"start", o.startWall}, {"ongoing", !o.endMs.has_value()}};
            j["endMs"] = o.endMs ? json(*o.endMs) : json(nullptr);
            j["durationMs"] = (o.endMs ? *o.endMs : now) - o.startMs;
            outages.push_back(j);
        }
        return json{{"intervalMs", 100}, {"simTimeMs", now}, {"targets", targets}, {"outages", outages}};
    }

    json invariants() {
        auto& fab = rack_.fabric();
        json v = json::array();
        for (const auto& x : fab.violations()) {
            json parties = json::array();
            for (const auto& p : x.parties)
                parties.push_back(portJson(p));
            json j{
                {"id", x.id},           {"kind", x.kind},       {"subject", x.subject},          {"parties", parties},
                {"startMs", x.startMs}, {"start", x.startWall}, {"active", !x.endMs.has_value()}};
            j["endMs"] = x.endMs ? json(*x.endMs) : json(nullptr);
            v.push_back(j);
        }
        return json{{"violations", v}};
    }

    Rack& rack_;
};

std::unique_ptr<http::Server> makeControlServer(boost::asio::io_context& io, Rack& rack) {
    auto api = std::make_shared<ControlApi>(rack);
    http::ServerOptions o;
    o.bodyLimit = 256 * 1024;
    o.serverName = "cmcsim";
    o.errorResponse = [](unsigned status, std::string_view message) {
        return error(status, status == 413 ? "PayloadTooLarge" : "BadRequest", std::string(message));
    };
    return std::make_unique<http::Server>(
        io, [api](http::Request&& req, http::Responder done) { done(api->handle(req)); }, o);
}

} // namespace cmc::sim
