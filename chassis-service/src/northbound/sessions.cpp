// /redfish/v1/SessionService: logging in needs no credentials (POST to
// Sessions); everything else needs Login, and another user's session needs
// ConfigureManager. A session records its account's credential stamp: the
// account being deleted, disabled, renamed or given a new password ends it
// (northbound.cpp asks Backend::sessionPrincipal on every request), and it
// ends after sessions.idleTimeoutSeconds unused. DELETE logs out.
#include "northbound/resources.hpp"
#include "redfish/base_messages.hpp"
#include "redfish/redfish_errors.hpp"
#include "redfish/redfish_sessions.hpp"

namespace cmc::northbound {

namespace {

int roleValue(const std::string& role) {
    return role == "Administrator" ? 2 : (role == "Operator" ? 1 : 0);
}

void delegate(redfish::SessionService& s, const http::RouteRequest& req, const http::AsyncResp& res,
              std::vector<std::string> seg) {
    res->res = s.route(req.http, seg, req.principal.user, req.principal.has("ConfigureManager"));
}

} // namespace

void addSessionRoutes(http::Router& r, Backend& b, redfish::SessionService& s) {
    r.route("/redfish/v1/SessionService")(
        [&s](const http::RouteRequest& req, const http::AsyncResp& res) { delegate(s, req, res, {"SessionService"}); });
    r.route("/redfish/v1/SessionService/Sessions")([&s](const http::RouteRequest& req, const http::AsyncResp& res) {
        delegate(s, req, res, {"SessionService", "Sessions"});
    });
    r.route("/redfish/v1/SessionService/Sessions")
        .methods({"POST"})
        .publicAccess()([&b, &s](const http::RouteRequest& req, const http::AsyncResp& res) {
            std::string user, password;
            http::Response error;
            if (!redfish::SessionService::parseLogin(req.http, user, password, error)) {
                res->res = std::move(error);
                return;
            }
            // `res` stays held until the password is checked.
            b.authenticate(user, password, [&b, &s, res, user](std::optional<http::Principal> who, bool busy) {
                if (busy)
                    res->res = redfish::serviceUnavailable(1);
                else
                    res->res = who ? s.open(user, roleValue(who->role), b.accountStamp(user))
                                   : redfish::errorResponse(401, {redfish::base::noValidSession()});
            });
        });
    r.route("/redfish/v1/SessionService/Sessions/<str>")
        .methods({"GET", "DELETE"})([&s](const http::RouteRequest& req, const http::AsyncResp& res) {
            delegate(s, req, res, {"SessionService", "Sessions", req.params[0]});
        });
}

} // namespace cmc::northbound
