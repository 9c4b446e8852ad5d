#include "northbound/northbound.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

#include "common/json_reader.hpp"
#include "northbound/resources.hpp"
#include "redfish/base_messages.hpp"
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

http::Response noContent() {
    http::Response r;
    r.status = 204;
    r.set("OData-Version", "4.0");
    r.set("Cache-Control", "no-store");
    return r;
}

http::Response internalError() {
    auto r = redfish::generalError("An internal error occurred; it was logged. Retry the request.");
    r.status = 500;
    return r;
}

std::string systemUri(const std::string& name) {
    return "/redfish/v1/Systems/" + name;
}
std::string blockUri(int slot) {
    return std::string(kBlocksUri) + "/blade-" + std::to_string(slot);
}
std::string zoneUri(const std::string& pool) {
    return "/redfish/v1/CompositionService/ResourceZones/" + pool;
}
std::string taskUri(std::int64_t id) {
    return "/redfish/v1/TaskService/Tasks/" + std::to_string(id);
}

bool readBody(const http::Request& req, json& out, http::Response& error, bool emptyIsObject) {
    if (emptyIsObject && req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        out = json::object();
        return true;
    }
    return redfish::parseJsonObject(req, out, error);
}

json explained(json message, const std::string& why) {
    if (why.empty()) return message;
    std::string text = why;
    text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    if (text.back() != '.') text += '.';
    const auto* res = message.contains("Resolution") ? message["Resolution"].get_ptr<const std::string*>() : nullptr;
    if (res && *res != "None.") text += " " + *res;
    message["Resolution"] = text;
    return message;
}

http::Response operationError(const domain::OperationResult& r) {
    using Code = domain::OperationResult::Code;
    switch (r.code) {
    case Code::NotFound:
        return redfish::errorResponse(
            404, {explained(redfish::base::resourceNotFound(r.resource.empty() ? "Resource" : r.resource, r.id),
                            r.message)});
    case Code::Conflict: return redfish::errorResponse(409, {explained(redfish::base::resourceInUse(), r.message)});
    case Code::BadRequest:
        return redfish::errorResponse(
            400,
            {explained(redfish::base::propertyValueIncorrect(
                           r.property, r.value, r.property.empty() ? std::string() : redfish::jsonPointer(r.property)),
                       r.message)});
    case Code::Unavailable: {
        auto res =
            redfish::errorResponse(503, {explained(redfish::base::serviceTemporarilyUnavailable("5"), r.message)});
        res.set("Retry-After", "5");
        return res;
    }
    case Code::Ok:
    case Code::Accepted: break;
    }
    return internalError(); // not an error: a caller bug, answered as one
}

namespace {
std::string joined(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "/" + std::string(key);
}
} // namespace

void WriteReader::only(const json& o, const std::string& path, std::initializer_list<std::string_view> writable,
                       std::initializer_list<std::string_view> readOnly) {
    if (!o.is_object()) return;
    for (const auto& [k, v] : o.items()) {
        if (k.rfind("@odata.", 0) == 0) continue;
        if (std::find(writable.begin(), writable.end(), k) != writable.end()) continue;
        const std::string at = joined(path, k);
        if (std::find(readOnly.begin(), readOnly.end(), k) != readOnly.end())
            add(redfish::base::propertyNotWritable(at, redfish::jsonPointer(at)));
        else
            add(redfish::base::propertyUnknown(at, redfish::jsonPointer(at)));
    }
}

std::optional<std::string> WriteReader::str(const json& o, std::string_view key, const std::string& path) {
    const json* m = jsonr::member(o, key);
    if (!m) return std::nullopt;
    if (!m->is_string()) {
        add(redfish::base::propertyValueTypeError(shown(*m), path, redfish::jsonPointer(path)));
        return std::nullopt;
    }
    return m->get_ref<const std::string&>();
}

std::optional<std::int64_t> WriteReader::integer(const json& o, std::string_view key, const std::string& path,
                                                 std::int64_t lo, std::int64_t hi) {
    const json* m = jsonr::member(o, key);
    if (!m) return std::nullopt;
    auto v = m->is_boolean() ? std::nullopt : jsonr::integer(o, key);
    if (!v) {
        add(redfish::base::propertyValueTypeError(shown(*m), path, redfish::jsonPointer(path)));
        return std::nullopt;
    }
    if (*v < lo || *v > hi) {
        add(redfish::base::propertyValueOutOfRange(shown(*m), path, redfish::jsonPointer(path)));
        return std::nullopt;
    }
    return v;
}

std::optional<bool> WriteReader::boolean(const json& o, std::string_view key, const std::string& path) {
    const json* m = jsonr::member(o, key);
    if (!m) return std::nullopt;
    if (!m->is_boolean()) {
        add(redfish::base::propertyValueTypeError(shown(*m), path, redfish::jsonPointer(path)));
        return std::nullopt;
    }
    return m->get<bool>();
}

const json* WriteReader::object(const json& o, std::string_view key, const std::string& path) {
    const json* m = jsonr::member(o, key);
    if (!m) return nullptr;
    if (!m->is_object()) {
        add(redfish::base::propertyValueTypeError(shown(*m), path, redfish::jsonPointer(path)));
        return nullptr;
    }
    return m;
}

const json* WriteReader::array(const json& o, std::string_view key, const std::string& path) {
    const json* m = jsonr::member(o, key);
    if (!m) return nullptr;
    if (!m->is_array()) {
        add(redfish::base::propertyValueTypeError(shown(*m), path, redfish::jsonPointer(path)));
        return nullptr;
    }
    return m;
}

void WriteReader::add(json message) {
    std::string path;
    if (const json* rel = jsonr::array(message, "RelatedProperties"); rel && !rel->empty() && (*rel)[0].is_string()) {
        path = (*rel)[0].get<std::string>();
        if (path.rfind("#/", 0) == 0) path.erase(0, 2);
    }
    paths_.push_back(std::move(path));
    problems_.push_back(std::move(message));
}

bool WriteReader::failed(const std::string& path) const {
    return std::find(paths_.begin(), paths_.end(), path) != paths_.end();
}

http::Response WriteReader::response() const {
    return redfish::errorResponse(400, problems_);
}

std::string WriteReader::shown(const json& v) {
    std::string s = v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (s.size() > 80) s = s.substr(0, 77) + "...";
    return s;
}

const char* statusHealthOf(domain::HealthState h) {
    using domain::HealthState;
    switch (h) {
    case HealthState::Healthy:
    case HealthState::Unknown:
    case HealthState::Absent: return "OK";
    case HealthState::Suspect:
    case HealthState::Warning:
    case HealthState::BmcUnreachable: return "Warning";
    case HealthState::Critical:
    case HealthState::Failed: return "Critical";
    }
    return "OK";
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
        addSystemRoutes(router, backend);
        addCompositionRoutes(router, backend);
        addTaskRoutes(router, backend);
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
        res->res = internalError();
    } catch (...) {
        api.backend.reportFailure("northbound " + rr.http.method + " " + rr.http.path, "unknown exception");
        res->res = internalError();
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
