#include "redfish/bmc_redfish.hpp"

#include <boost/asio/io_context.hpp>

#include <map>

#include "http/http_server.hpp"
#include "redfish/bmc_internal.hpp"
#include "redfish/event_service.hpp"
#include "redfish/query.hpp"
#include "redfish/redfish_sessions.hpp"

namespace cmc::bmc {

const char* toString(Role r) {
    switch (r) {
    case Role::ReadOnly: return "ReadOnly";
    case Role::Operator: return "Operator";
    case Role::Administrator: return "Administrator";
    }
    return "ReadOnly";
}

// ---------------------------------------------------------------- shared helpers

http::Response getOnly(const Ctx& c, const json& body) {
    if (c.req.method == "GET" || c.req.method == "HEAD") return redfish::jsonResponse(200, body);
    return redfish::methodNotAllowed("GET, HEAD");
}

MaybeResponse checkIfMatch(const Ctx& c, const json& current) {
    const auto* im = c.req.header("If-Match");
    if (!im || *im == "*") return std::nullopt;
    auto tag = redfish::etagOf(current);
    // Accept the weak or strong form of our tag; a list of tags is allowed.
    auto strong = tag.substr(2);
    if (im->find(tag) != std::string::npos || im->find(strong) != std::string::npos) return std::nullopt;
    return redfish::preconditionFailed();
}

std::string healthOf(hal::Severity s) {
    switch (s) {
    case hal::Severity::Ok: return "OK";
    case hal::Severity::Warning: return "Warning";
    case hal::Severity::Critical: return "Critical";
    }
    return "OK";
}

// ---------------------------------------------------------------- service

struct RedfishService::Impl {
    Impl(boost::asio::io_context& io, hal::BladeHal& h, RedfishOptions o)
        : io_(io), hal_(h), options_(std::move(o)), sessions_(options_.sessionTimeout, options_.maxSessions),
          events_(io, h, EventServiceOptions{options_.maxEventStreams, options_.keepAliveInterval}) {}

    const Account* findAccount(const std::string& user) const {
        for (const auto& a : options_.accounts) {
            if (a.username == user) return &a;
        }
        return nullptr;
    }

    // Authenticated role, or nullopt.
    std::optional<std::pair<Role, std::string>> authenticate(const http::Request& req) {
        if (const auto* tok = req.header("X-Auth-Token")) {
            const auto* session = sessions_.authenticate(*tok);
            if (!session) return std::nullopt;
            return std::make_pair(static_cast<Role>(session->role), session->user);
        }
        if (const auto* auth = req.header("Authorization")) {
            if (auto cred = http::parseBasicAuth(*auth)) {
                const auto* a = findAccount(cred->first);
                if (a && redfish::secretEquals(a->password, cred->second)) return std::make_pair(a->role, cred->first);
            }
        }
        return std::nullopt;
    }

    void handleAsync(http::Request&& req, http::Responder done) {
        // Every resource answers at once; streams (SSE) carry their own callback.
        done(handle(req));
    }

    // DSP0266 around every answer: the OData-Version check, If-Match on
    // writes (against the GET of the same path), the query options, Allow
    // and the schema Link on reads (redfish/query.hpp, shared with cmcd).
    http::Response handle(const http::Request& req) {
        if (auto refused = redfish::query::checkODataVersion(req)) return std::move(*refused);
        const bool read = req.method == "GET" || req.method == "HEAD";
        if (!read) {
            const auto* ifMatch = req.header("If-Match");
            if (ifMatch && (req.method == "PATCH" || req.method == "DELETE")) {
                auto current = route(internalGetOf(req, req.path));
                const auto* tag = current.header("ETag");
                if (current.status == 200 && tag && !redfish::query::ifMatchAccepts(*ifMatch, *tag)) {
                    return redfish::preconditionFailed();
                }
            }
            return route(req);
        }
        redfish::query::Query q;
        if (auto bad = redfish::query::parse(req.query, q)) return std::move(*bad);
        auto r = route(req);
        if (!q.empty()) {
            // Every fetch answers synchronously, so the expansion is done when apply() returns.
            auto fetch = [this, &req](const std::string& uri, redfish::query::Fetched got) {
                auto sub = route(internalGetOf(req, uri));
                auto body = sub.status == 200 && !sub.stream ? json::parse(sub.body, nullptr, false) : json();
                if (body.is_object())
                    got(std::move(body));
                else
                    got(std::nullopt);
            };
            http::Response out;
            redfish::query::apply(std::move(r), q, req.path, fetch, [&out](http::Response x) { out = std::move(x); });
            r = std::move(out);
        }
        redfish::query::addResourceHeaders(r, allowOf(req.path));
        return r;
    }

    // A GET of `uri` with the credentials of `req`.
    static http::Request internalGetOf(const http::Request& req, const std::string& uri) {
        http::Request get;
        get.method = "GET";
        get.target = uri;
        get.path = uri;
        for (const auto& h : req.headers) {
            if (http::iequals(h.name, "X-Auth-Token") || http::iequals(h.name, "Authorization"))
                get.headers.push_back(h);
        }
        get.remoteAddress = req.remoteAddress;
        get.localPort = req.localPort;
        return get;
    }

    // The methods a path supports, for Allow (the routes below that take more than GET).
    static std::string allowOf(std::string_view path) {
        while (path.size() > 1 && path.back() == '/')
            path.remove_suffix(1);
        static const std::pair<const char*, const char*> kWritable[] = {
            {"/redfish/v1/Systems/1", "GET, HEAD, PATCH"},
            {"/redfish/v1/Chassis/1", "GET, HEAD, PATCH"},
            {"/redfish/v1/Chassis/1/NetworkAdapters/*/NetworkDeviceFunctions/*", "GET, HEAD, PATCH"},
            {"/redfish/v1/SessionService/Sessions", "GET, HEAD, POST"},
            {"/redfish/v1/SessionService/Sessions/*", "GET, HEAD, DELETE"},
            {"/redfish/v1/EventService/SSE", "GET"},
        };
        for (const auto& [pattern, allow] : kWritable) {
            std::string_view p = pattern;
            std::string_view s = path;
            bool ok = true;
            while (ok && !p.empty() && !s.empty()) {
                auto pe = p.find('/', 1), se = s.find('/', 1);
                auto ps = p.substr(0, pe), ss = s.substr(0, se);
                ok = ps == "/*" ? ss.size() > 1 : ps == ss;
                p = pe == std::string_view::npos ? std::string_view() : p.substr(pe);
                s = se == std::string_view::npos ? std::string_view() : s.substr(se);
            }
            if (ok && p.empty() && s.empty()) return allow;
        }
        return "GET, HEAD";
    }

    http::Response route(const http::Request& req) {
        std::string path = req.path;
        while (path.size() > 1 && path.back() == '/')
            path.pop_back();
        if (path == "/redfish") {
            if (req.method != "GET" && req.method != "HEAD") return redfish::methodNotAllowed("GET, HEAD");
            return redfish::jsonResponse(200, json{{"v1", "/redfish/v1/"}});
        }
        const std::string prefix = "/redfish/v1";
        if (path.rfind(prefix, 0) != 0 || (path.size() > prefix.size() && path[prefix.size()] != '/')) {
            return redfish::resourceNotFound("Resource", req.path);
        }
        std::vector<std::string> seg;
        std::size_t i = prefix.size();
        while (i < path.size()) {
            auto j = path.find('/', i + 1);
            if (j == std::string::npos) j = path.size();
            seg.push_back(path.substr(i + 1, j - i - 1));
            i = j;
        }
        for (const auto& s : seg) {
            if (s.empty()) return redfish::resourceNotFound("Resource", req.path);
        }
        // Unauthenticated: service root, OData documents, session login.
        if (seg.empty()) return serviceRoot(req);
        if (seg.size() == 1 && seg[0] == "odata") return odataDocument(req);
        // POST to the Sessions collection, or to its Members, logs in.
        if (seg.size() >= 2 && seg.size() <= 3 && seg[0] == "SessionService" && seg[1] == "Sessions" &&
            (seg.size() == 2 || seg[2] == "Members") && req.method == "POST") {
            return login(req);
        }
        auto who = authenticate(req);
        if (!who) return redfish::noValidSession("OpenCMC BMC");
        Ctx c{req, hal_, who->first, seg};
        if (c.role == Role::ReadOnly && req.method != "GET" && req.method != "HEAD") {
            // Session logout of one's own session is allowed below.
            bool ownLogout = seg.size() == 3 && seg[0] == "SessionService" && req.method == "DELETE";
            if (!ownLogout) return redfish::insufficientPrivilege();
        }
        if (seg[0] == "Systems") return routeSystems(c).value_or(redfish::resourceNotFound("Resource", req.path));
        if (seg[0] == "Chassis") return routeChassis(c).value_or(redfish::resourceNotFound("Resource", req.path));
        if (seg[0] == "Managers") return routeManagers(c).value_or(redfish::resourceNotFound("Resource", req.path));
        if (seg[0] == "SessionService") return sessions_.route(req, seg, who->second, c.role == Role::Administrator);
        if (seg[0] == "AccountService") return accountService(c);
        if (seg[0] == "EventService") return events_.route(c);
        return redfish::resourceNotFound("Resource", req.path);
    }

    http::Response serviceRoot(const http::Request& req) {
        if (req.method != "GET" && req.method != "HEAD") return redfish::methodNotAllowed("GET, HEAD");
        const auto& inv = hal_.inventory();
        json r;
        r["@odata.id"] = "/redfish/v1";
        r["@odata.type"] = "#ServiceRoot.v1_17_0.ServiceRoot";
        r["Id"] = "RootService";
        r["Name"] = "OpenCMC blade BMC";
        r["RedfishVersion"] = "1.21.0";
        r["UUID"] = inv.uuid;
        r["Vendor"] = "OpenCMC";
        r["Product"] = inv.model + " BMC";
        r["Systems"] = odataId("/redfish/v1/Systems");
        r["Chassis"] = odataId("/redfish/v1/Chassis");
        r["Managers"] = odataId("/redfish/v1/Managers");
        r["SessionService"] = odataId("/redfish/v1/SessionService");
        r["AccountService"] = odataId("/redfish/v1/AccountService");
        r["EventService"] = odataId("/redfish/v1/EventService");
        r["Links"]["Sessions"] = odataId("/redfish/v1/SessionService/Sessions");
        r["ProtocolFeaturesSupported"] = redfish::query::protocolFeatures(false);
        return redfish::jsonResponse(200, r);
    }

    http::Response odataDocument(const http::Request& req) {
        if (req.method != "GET" && req.method != "HEAD") return redfish::methodNotAllowed("GET, HEAD");
        json v = json::array();
        for (const char* n : {"Systems", "Chassis", "Managers", "SessionService", "AccountService", "EventService"}) {
            v.push_back({{"name", n}, {"kind", "Singleton"}, {"url", std::string("/redfish/v1/") + n}});
        }
        return redfish::jsonResponse(200, json{{"@odata.context", "/redfish/v1/$metadata"}, {"value", v}});
    }

    http::Response login(const http::Request& req) {
        return sessions_.login(req, [this](const std::string& user, const std::string& password) -> std::optional<int> {
            const auto* a = findAccount(user);
            if (!a || !redfish::secretEquals(a->password, password)) return std::nullopt;
            return static_cast<int>(a->role);
        });
    }

    http::Response accountService(Ctx& c) {
        const auto& seg = c.seg;
        if (seg.size() == 1) {
            json r;
            r["@odata.id"] = "/redfish/v1/AccountService";
            r["@odata.type"] = "#AccountService.v1_15_0.AccountService";
            r["Id"] = "AccountService";
            r["Name"] = "Account Service";
            r["ServiceEnabled"] = true;
            r["Accounts"] = odataId("/redfish/v1/AccountService/Accounts");
            return getOnly(c, r);
        }
        if (seg[1] != "Accounts" || seg.size() > 3) return redfish::resourceNotFound("Resource", c.req.path);
        if (c.role != Role::Administrator) return redfish::insufficientPrivilege();
        if (seg.size() == 2) {
            std::vector<std::string> ids;
            for (const auto& a : options_.accounts)
                ids.push_back("/redfish/v1/AccountService/Accounts/" + a.username);
            return getOnly(c, collection("/redfish/v1/AccountService/Accounts",
                                         "#ManagerAccountCollection.ManagerAccountCollection", "Accounts", ids));
        }
        const auto* a = findAccount(seg[2]);
        if (!a) return redfish::resourceNotFound("ManagerAccount", seg[2]);
        json r;
        r["@odata.id"] = "/redfish/v1/AccountService/Accounts/" + a->username;
        r["@odata.type"] = "#ManagerAccount.v1_12_0.ManagerAccount";
        r["Id"] = a->username;
        r["Name"] = "User Account";
        r["UserName"] = a->username;
        r["RoleId"] = toString(a->role);
        r["AccountTypes"] = json::array({"Redfish"}); // required by ManagerAccount
        r["Enabled"] = true;
        r["Locked"] = false;
        r["Password"] = nullptr; // DSP0266: the password reads as null, never its value
        return getOnly(c, r);
    }

    boost::asio::io_context& io_;
    hal::BladeHal& hal_;
    RedfishOptions options_;
    redfish::SessionService sessions_;
    EventService events_;
    std::unique_ptr<http::Server> server_; // only when the BMC listens itself
};

RedfishService::RedfishService(boost::asio::io_context& io, hal::BladeHal& hal, RedfishOptions options)
    : impl_(std::make_unique<Impl>(io, hal, std::move(options))) {}

RedfishService::~RedfishService() {
    stop();
}

http::ServerOptions RedfishService::serverOptions() {
    http::ServerOptions so;
    so.bodyLimit = 64 * 1024;
    so.serverName = "OpenCMC-BMC";
    so.maxConnections = 64;
    so.errorResponse = [](unsigned status, std::string_view detail) { return redfish::protocolError(status, detail); };
    return so;
}

bool RedfishService::listen(const std::string& address, std::uint16_t port, std::string& error) {
    if (impl_->server_) {
        error = "the Redfish service already listens";
        return false;
    }
    auto so = serverOptions();
    so.tls = impl_->options_.tls;
    impl_->server_ = std::make_unique<http::Server>(
        impl_->io_,
        [impl = impl_.get()](http::Request&& r, http::Responder done) {
            impl->handleAsync(std::move(r), std::move(done));
        },
        std::move(so));
    return impl_->server_->listen(address, port, error);
}

std::uint16_t RedfishService::port() const {
    return impl_->server_ ? impl_->server_->port() : 0;
}

void RedfishService::stop() {
    impl_->events_.stop();
    if (impl_->server_) impl_->server_->stop();
}

void RedfishService::handle(http::Request&& req, http::Responder done) {
    impl_->handleAsync(std::move(req), std::move(done));
}

std::size_t RedfishService::eventStreamCount() const {
    return impl_->events_.streamCount();
}

} // namespace cmc::bmc
