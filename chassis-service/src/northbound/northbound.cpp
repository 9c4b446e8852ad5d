#include "northbound/northbound.hpp"

#include <charconv>
#include <memory>

#include "northbound/resources.hpp"
#include "redfish/odata.hpp"
#include "redfish/redfish_errors.hpp"
#include "redfish/redfish_sessions.hpp"

namespace cmc::northbound {

std::optional<int> slotFromId(const std::string& id, std::string_view prefix) {
    if (id.size() <= prefix.size() || id.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    std::string_view digits(id.data() + prefix.size(), id.size() - prefix.size());
    int v = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || digits[0] == '0') return std::nullopt;
    return v;
}

json orNull(const std::string& s) {
    return s.empty() ? json(nullptr) : json(s);
}

void reply(const http::AsyncResp& res, const json& body) {
    res->res = redfish::jsonResponse(200, body);
}

std::vector<std::string> privilegesOf(const std::string& role) {
    if (role == "Administrator")
        return {"Login", "ConfigureManager", "ConfigureUsers", "ConfigureComponents", "ConfigureSelf"};
    if (role == "Operator") return {"Login", "ConfigureComponents", "ConfigureSelf"};
    if (role == "ReadOnly") return {"Login", "ConfigureSelf"};
    return {};
}

namespace {

// What the router and the authentication share for the life of the server.
struct Api {
    explicit Api(Backend& b) : backend(b), sessions(std::chrono::seconds(1800), 256) {
        addServiceRootRoutes(router, backend);
        addChassisRoutes(router, backend);
        addManagerRoutes(router, backend);
        addRegistryRoutes(router, backend);
        addSessionRoutes(router, backend, sessions);
    }
    Backend& backend;
    redfish::SessionService sessions;
    http::Router router;
};

// Runs a route's handler; an exception is an internal error answered with a
// DMTF body (and counted), never a dropped connection.
void run(Api& api, const http::Router::Method& m, const http::RouteRequest& rr, const http::AsyncResp& res) {
    try {
        m.handler(rr, res);
    } catch (const std::exception& e) {
        api.backend.reportFailure("northbound " + rr.http.method + " " + rr.http.path, e.what());
        res->res = redfish::generalError("An internal error occurred; it was logged. Retry the request.");
        res->res.status = 500;
    } catch (...) {
        api.backend.reportFailure("northbound " + rr.http.method + " " + rr.http.path, "unknown exception");
        res->res = redfish::generalError("An internal error occurred; it was logged. Retry the request.");
        res->res.status = 500;
    }
}

} // namespace

http::Handler makeHandler(Backend& backend) {
    auto api = std::make_shared<Api>(backend);
    return [api](http::Request&& req, http::Responder done) {
        auto initial = redfish::generalError("The request was not answered.");
        initial.status = 500;
        auto res = std::make_shared<http::AsyncResponse>(std::move(done), std::move(initial));
        auto segments = http::pathSegments(req.target);
        if (!segments) {
            res->res = redfish::resourceNotFound("Resource", req.path);
            return;
        }
        auto match = api->router.match(*segments, req.method);
        if (match.kind == http::Router::Match::Kind::NotFound) {
            res->res = redfish::resourceNotFound("Resource", req.path);
            return;
        }
        if (match.kind == http::Router::Match::Kind::MethodNotAllowed) {
            res->res = redfish::methodNotAllowed(match.allow);
            return;
        }
        const http::Router::Method* method = match.method;
        if (method->publicAccess) {
            static const http::Principal anonymous;
            run(*api, *method, http::RouteRequest{req, anonymous, std::move(match.params)}, res);
            return;
        }
        // Authenticated below; the handler runs once the credentials are checked.
        auto shared = std::make_shared<http::Request>(std::move(req));
        auto params = std::make_shared<std::vector<std::string>>(std::move(match.params));
        auto proceed = [api, method, shared, params, res](std::optional<http::Principal> who, bool busy) {
            if (busy) {
                res->res = redfish::serviceUnavailable(1); // too many password checks queued: retry shortly
                return;
            }
            if (!who) {
                res->res = redfish::noValidSession("OpenCMC");
                return;
            }
            if (!who->hasAll(method->privileges)) {
                res->res = redfish::insufficientPrivilege();
                return;
            }
            run(*api, *method, http::RouteRequest{*shared, *who, *params}, res);
        };
        const auto& r = *shared;
        if (const auto* token = r.header("X-Auth-Token")) {
            const auto* s = api->sessions.authenticate(*token);
            if (!s) {
                proceed(std::nullopt, false);
                return;
            }
            static const char* roles[] = {"ReadOnly", "Operator", "Administrator"};
            std::string role = s->role >= 0 && s->role < 3 ? roles[s->role] : "ReadOnly";
            proceed(http::Principal{s->user, role, privilegesOf(role)}, false);
        } else if (const auto* auth = r.header("Authorization"); auth && http::parseBasicAuth(*auth)) {
            auto cred = *http::parseBasicAuth(*auth);
            api->backend.authenticate(cred.first, cred.second, proceed);
        } else {
            proceed(std::nullopt, false);
        }
    };
}

} // namespace cmc::northbound
