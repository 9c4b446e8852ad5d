#include "redfish/northbound.hpp"

#include <charconv>

#include "app/service.hpp"
#include "events/event_log.hpp"
#include "redfish/redfish_errors.hpp"
#include "redfish/redfish_sessions.hpp"

namespace cmc::redfish {

using json = nlohmann::json;

json link(const std::string& id) {
    return json{{"@odata.id", id}};
}

json collectionOf(const std::string& id, const std::string& type, const std::string& name,
                  const std::vector<std::string>& members) {
    json c{{"@odata.id", id}, {"@odata.type", type}, {"Name", name}};
    json m = json::array();
    for (const auto& s : members)
        m.push_back(link(s));
    c["Members"] = m;
    c["Members@odata.count"] = members.size();
    return c;
}

std::optional<int> slotFromId(const std::string& id, std::string_view prefix) {
    if (id.size() <= prefix.size() || id.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    std::string_view digits(id.data() + prefix.size(), id.size() - prefix.size());
    int v = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || digits[0] == '0') return std::nullopt;
    return v;
}

http::Response readOnly(const Request& r, const json& body) {
    if (r.http.method == "GET" || r.http.method == "HEAD") return jsonResponse(200, body);
    return methodNotAllowed("GET, HEAD");
}

namespace {

json serviceRoot(app::ChassisService& s) {
    json r;
    r["@odata.id"] = "/redfish/v1";
    r["@odata.type"] = "#ServiceRoot.v1_17_0.ServiceRoot";
    r["Id"] = "RootService";
    r["Name"] = "OpenCMC chassis management controller";
    r["RedfishVersion"] = "1.21.0";
    r["Vendor"] = "OpenCMC";
    r["Product"] = "OpenCMC cmcd";
    r["Chassis"] = link("/redfish/v1/Chassis");
    r["Managers"] = link("/redfish/v1/Managers");
    r["Registries"] = link("/redfish/v1/Registries");
    r["SessionService"] = link("/redfish/v1/SessionService");
    r["Links"]["Sessions"] = link("/redfish/v1/SessionService/Sessions");
    r["Oem"]["OpenCMC"] = {{"@odata.type", "#OpenCMCServiceRoot.v1_0_0.ServiceRoot"},
                           {"Version", app::kVersion},
                           {"Blades", s.blades().size()}};
    return r;
}

Maybe routeRegistries(Request& r) {
    const auto& reg = r.service.events().registry();
    const std::string id = reg.prefix() + "." + reg.version();
    if (r.seg.size() == 1) {
        return readOnly(r, collectionOf("/redfish/v1/Registries",
                                        "#MessageRegistryFileCollection.MessageRegistryFileCollection",
                                        "Registry File Collection", {"/redfish/v1/Registries/" + id}));
    }
    if (r.seg[1] != id) return resourceNotFound("MessageRegistryFile", r.seg[1]);
    if (r.seg.size() == 2) {
        json f;
        f["@odata.id"] = "/redfish/v1/Registries/" + id;
        f["@odata.type"] = "#MessageRegistryFile.v1_1_4.MessageRegistryFile";
        f["Id"] = id;
        f["Name"] = "OpenCMC Message Registry File";
        f["Registry"] = id;
        f["Languages"] = json::array({"en"});
        f["Location"] = json::array({{{"Language", "en"}, {"Uri", "/redfish/v1/Registries/" + id + "/Registry"}}});
        return readOnly(r, f);
    }
    if (r.seg.size() == 3 && r.seg[2] == "Registry") {
        auto j = json::parse(reg.json(), nullptr, false);
        j["@odata.id"] = "/redfish/v1/Registries/" + id + "/Registry";
        return readOnly(r, j);
    }
    return std::nullopt;
}

} // namespace

http::Handler makeNorthboundHandler(app::ChassisService& service) {
    // cmcd has one account, the administrator; sessions last 30 minutes idle.
    auto sessions = std::make_shared<SessionService>(std::chrono::seconds(1800), 256);
    return [&service, sessions](http::Request&& req, http::Responder done) {
        std::string path = req.path;
        while (path.size() > 1 && path.back() == '/')
            path.pop_back();
        if (path == "/redfish") {
            done(req.method == "GET" || req.method == "HEAD" ? jsonResponse(200, json{{"v1", "/redfish/v1/"}})
                                                             : methodNotAllowed("GET, HEAD"));
            return;
        }
        const std::string prefix = "/redfish/v1";
        if (path.rfind(prefix, 0) != 0 || (path.size() > prefix.size() && path[prefix.size()] != '/')) {
            done(resourceNotFound("Resource", req.path));
            return;
        }
        std::vector<std::string> seg;
        for (std::size_t i = prefix.size(); i < path.size();) {
            auto j = path.find('/', i + 1);
            if (j == std::string::npos) j = path.size();
            seg.push_back(path.substr(i + 1, j - i - 1));
            i = j;
        }
        for (const auto& s : seg) {
            if (s.empty()) {
                done(resourceNotFound("Resource", req.path));
                return;
            }
        }
        if (seg.empty()) {
            done(req.method == "GET" || req.method == "HEAD" ? jsonResponse(200, serviceRoot(service))
                                                             : methodNotAllowed("GET, HEAD"));
            return;
        }
        if (seg.size() == 2 && seg[0] == "SessionService" && seg[1] == "Sessions" && req.method == "POST") {
            // Logging in needs no prior authentication.
            std::string user, password;
            http::Response error;
            if (!SessionService::parseLogin(req, user, password, error)) {
                done(std::move(error));
                return;
            }
            service.verifyAdmin(user, password, [sessions, user, done](bool ok) {
                done(ok ? sessions->open(user, 0) : errorResponse(401, {message("NoValidSession")}));
            });
            return;
        }
        // Authenticated below; the route runs when the credentials are checked.
        auto shared =
            std::make_shared<std::pair<http::Request, std::vector<std::string>>>(std::move(req), std::move(seg));
        auto route = [&service, sessions, shared, done](bool authorized) {
            const auto& [request, segments] = *shared;
            if (!authorized) {
                done(noValidSession("OpenCMC"));
                return;
            }
            Request r{request, service, segments};
            Maybe out;
            if (segments[0] == "Chassis")
                out = routeChassis(r);
            else if (segments[0] == "Managers")
                out = routeManagers(r);
            else if (segments[0] == "Registries")
                out = routeRegistries(r);
            else if (segments[0] == "SessionService")
                out = sessions->route(request, segments, service.config().admin.username, true);
            done(out ? std::move(*out) : resourceNotFound("Resource", request.path));
        };
        const auto& request = shared->first;
        if (const auto* token = request.header("X-Auth-Token")) {
            route(sessions->authenticate(*token) != nullptr);
        } else if (const auto* auth = request.header("Authorization"); auth && http::parseBasicAuth(*auth)) {
            auto cred = *http::parseBasicAuth(*auth);
            service.verifyAdmin(cred.first, cred.second, route);
        } else {
            route(false);
        }
    };
}

} // namespace cmc::redfish
