// /redfish/v1/AccountService: the policy (GET Login, PATCH ConfigureUsers),
// Accounts (ManagerAccount: ConfigureUsers for everything; a user may read
// their own account and change their own Password with ConfigureSelf) and the
// predefined Roles. Password is null in every response; a change that ends
// an account's credentials (deleted, disabled, renamed, new password) ends
// its sessions too.
#include <algorithm>
#include <charconv>

#include "northbound/resources.hpp"
#include "redfish/base_messages.hpp"
#include "redfish/odata.hpp"
#include "redfish/redfish_errors.hpp"
#include "redfish/redfish_sessions.hpp"

namespace cmc::northbound {

namespace {

constexpr const char* kAccountService = "/redfish/v1/AccountService";
constexpr const char* kAccounts = "/redfish/v1/AccountService/Accounts";
constexpr const char* kRoles = "/redfish/v1/AccountService/Roles";

std::string accountUri(std::int64_t id) {
    return std::string(kAccounts) + "/" + std::to_string(id);
}

std::optional<std::int64_t> accountId(const std::string& s) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || s[0] == '0' || ec != std::errc() || p != s.data() + s.size() || v < 1) return std::nullopt;
    return v;
}

json accountJson(const domain::AccountView& a) {
    return json{{"@odata.id", accountUri(a.id)},
                {"@odata.type", "#ManagerAccount.v1_14_1.ManagerAccount"},
                {"Id", std::to_string(a.id)},
                {"Name", "User Account"},
                {"Description", "A cmcd user account"},
                {"UserName", a.userName},
                {"RoleId", a.roleId},
                {"Enabled", a.enabled},
                {"Locked", a.locked},
                {"Password", nullptr},
                {"AccountTypes", a.accountTypes},
                {"Links", {{"Role", redfish::odataId(std::string(kRoles) + "/" + a.roleId)}}}};
}

json roleJson(std::string_view role) {
    std::string r(role);
    return json{{"@odata.id", std::string(kRoles) + "/" + r},
                {"@odata.type", "#Role.v1_3_3.Role"},
                {"Id", r},
                {"Name", r + " Role"},
                {"Description", "A predefined Redfish role"},
                {"RoleId", r},
                {"IsPredefined", true},
                {"AssignedPrivileges", domain::rolePrivileges(role)}};
}

json serviceJson(const domain::AccountPolicy& p) {
    return json{{"@odata.id", kAccountService},
                {"@odata.type", "#AccountService.v1_18_1.AccountService"},
                {"Id", "AccountService"},
                {"Name", "Account Service"},
                {"Description", "cmcd's local accounts"},
                {"ServiceEnabled", true},
                {"LocalAccountAuth", "Enabled"},
                {"MinPasswordLength", p.minPasswordLength},
                {"MaxPasswordLength", p.maxPasswordLength},
                {"AccountLockoutThreshold", p.lockoutThreshold},
                {"AccountLockoutDuration", p.lockoutDurationSeconds},
                {"AccountLockoutCounterResetAfter", p.lockoutCounterResetSeconds},
                {"AccountLockoutCounterResetEnabled", true},
                {"Accounts", redfish::odataId(kAccounts)},
                {"Roles", redfish::odataId(kRoles)}};
}

json collectionJson(const char* uri, const char* type, const char* name, const std::vector<std::string>& members) {
    json m = json::array();
    for (const auto& id : members)
        m.push_back(redfish::odataId(id));
    return json{{"@odata.id", uri},
                {"@odata.type", type},
                {"Name", name},
                {"Members", m},
                {"Members@odata.count", members.size()}};
}

http::Response accountError(const domain::AccountResult& r) {
    using Code = domain::AccountResult::Code;
    const std::string ptr = r.property.empty() ? std::string() : redfish::jsonPointer(r.property);
    switch (r.code) {
    case Code::NotFound: return redfish::resourceNotFound("ManagerAccount", r.message);
    case Code::Duplicate:
        return redfish::errorResponse(
            409,
            {explained(redfish::base::resourceAlreadyExists("ManagerAccount", "UserName", r.message, ptr), r.message)});
    case Code::BadRole:
        return redfish::errorResponse(
            400, {explained(redfish::base::propertyValueNotInList(r.message, "RoleId", ptr), r.message)});
    case Code::PasswordLength:
        return redfish::errorResponse(400, {explained(redfish::base::passwordIncorrectLength(ptr), r.message)});
    case Code::PasswordRule:
        return redfish::errorResponse(400, {explained(redfish::base::passwordComplexityNotMet(ptr), r.message)});
    case Code::BadValue:
        return redfish::errorResponse(
            400, {explained(redfish::base::propertyValueIncorrect(r.property, "(the value given)", ptr), r.message)});
    case Code::LastAdministrator:
        return redfish::errorResponse(409, {explained(redfish::base::resourceInUse(), r.message)});
    case Code::Unavailable: {
        auto res =
            redfish::errorResponse(503, {explained(redfish::base::serviceTemporarilyUnavailable("1"), r.message)});
        res.set("Retry-After", "1");
        return res;
    }
    case Code::Ok: break;
    }
    return internalError();
}

// The RoleId of a request: BadRole carries the value shown in the message.
domain::AccountResult badRole(const std::string& value) {
    domain::AccountResult r;
    r.code = domain::AccountResult::Code::BadRole;
    r.property = "RoleId";
    r.message = value;
    return r;
}

// Reads the writable properties of a POST or PATCH of an account.
bool readAccount(const http::RouteRequest& req, domain::AccountRequest& out, http::Response& error) {
    json body;
    if (!readBody(req.http, body, error)) return false;
    WriteReader w;
    w.only(body, "", {"UserName", "Password", "RoleId", "Enabled", "Locked", "AccountTypes"},
           {"Id", "Name", "Description", "Links", "PasswordChangeRequired", "PasswordExpiration"});
    out.userName = w.str(body, "UserName", "UserName");
    out.password = w.str(body, "Password", "Password");
    out.roleId = w.str(body, "RoleId", "RoleId");
    out.enabled = w.boolean(body, "Enabled", "Enabled");
    out.locked = w.boolean(body, "Locked", "Locked");
    if (const json* types = w.array(body, "AccountTypes", "AccountTypes")) {
        for (const auto& t : *types) {
            if (!t.is_string() || t.get<std::string>() != "Redfish")
                w.add(redfish::base::propertyValueNotInList(WriteReader::shown(t), "AccountTypes",
                                                            redfish::jsonPointer("AccountTypes")));
        }
    }
    if (out.roleId && !domain::isRole(*out.roleId)) {
        error = accountError(badRole(*out.roleId));
        return false;
    }
    if (w.failed()) {
        error = w.response();
        return false;
    }
    return true;
}

bool ownAccount(const http::RouteRequest& req, const std::optional<domain::AccountView>& a) {
    return a && a->userName == req.principal.user;
}

std::optional<domain::AccountView> findAccount(Backend& b, std::int64_t id) {
    for (auto& a : b.accounts()) {
        if (a.id == id) return a;
    }
    return std::nullopt;
}

// If-Match on a PATCH or DELETE: 412 when it names another version.
bool preconditionHolds(const http::RouteRequest& req, const json& current) {
    const auto* match = req.http.header("If-Match");
    return !match || *match == "*" || *match == redfish::etagOf(current);
}

void handleAccountPatch(Backend& b, redfish::SessionService& s, const http::RouteRequest& req,
                        const http::AsyncResp& res) {
    auto id = accountId(req.params[0]);
    auto current = id ? findAccount(b, *id) : std::nullopt;
    bool admin = req.principal.has("ConfigureUsers");
    if (!current) {
        // Without ConfigureUsers nobody learns which accounts exist.
        res->res =
            admin ? redfish::resourceNotFound("ManagerAccount", req.params[0]) : redfish::insufficientPrivilege();
        return;
    }
    domain::AccountRequest patch;
    http::Response error;
    if (!readAccount(req, patch, error)) {
        res->res = std::move(error);
        return;
    }
    bool onlyPassword = patch.password && !patch.userName && !patch.roleId && !patch.enabled && !patch.locked;
    if (!admin && !(ownAccount(req, current) && req.principal.has("ConfigureSelf") && onlyPassword)) {
        res->res = redfish::insufficientPrivilege();
        return;
    }
    if (!preconditionHolds(req, accountJson(*current))) {
        res->res = redfish::preconditionFailed();
        return;
    }
    // A new password, a new name or disabling ends the account's sessions
    // (the stamp check would refuse them anyway; this also drops them from the list).
    bool ends = patch.password || (patch.userName && *patch.userName != current->userName) ||
                (patch.enabled && !*patch.enabled);
    b.updateAccount(*id, std::move(patch), req.principal.user,
                    [&b, &s, res, ends, user = current->userName](domain::AccountResult r) {
                        guarded(b, "PATCH account", res, [&] {
                            if (!r.ok() || !r.account) {
                                res->res = accountError(r);
                                return;
                            }
                            if (ends) s.closeUser(user);
                            reply(res, accountJson(*r.account));
                        });
                    });
}

void addAccountServiceRoutes(http::Router& router, Backend& b) {
    router.route(kAccountService)(
        [&b](const http::RouteRequest&, const http::AsyncResp& res) { reply(res, serviceJson(b.accountPolicy())); });
    router.route(kAccountService)
        .methods({"PATCH"})
        .privileges({"ConfigureUsers"})([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
            json body;
            http::Response error;
            if (!readBody(req.http, body, error)) {
                res->res = std::move(error);
                return;
            }
            auto p = b.accountPolicy();
            if (!preconditionHolds(req, serviceJson(p))) {
                res->res = redfish::preconditionFailed();
                return;
            }
            WriteReader w;
            w.only(body, "",
                   {"MinPasswordLength", "MaxPasswordLength", "AccountLockoutThreshold", "AccountLockoutDuration",
                    "AccountLockoutCounterResetAfter"},
                   {"Id", "Name", "Description", "ServiceEnabled", "LocalAccountAuth", "Accounts", "Roles",
                    "AccountLockoutCounterResetEnabled"});
            auto set = [&](const char* key, std::int64_t& field, std::int64_t lo, std::int64_t hi) {
                if (auto v = w.integer(body, key, key, lo, hi)) field = *v;
            };
            set("MinPasswordLength", p.minPasswordLength, 1, 256);
            set("MaxPasswordLength", p.maxPasswordLength, 1, 256);
            set("AccountLockoutThreshold", p.lockoutThreshold, 0, 1000);
            set("AccountLockoutDuration", p.lockoutDurationSeconds, 0, 86400);
            set("AccountLockoutCounterResetAfter", p.lockoutCounterResetSeconds, 0, 86400);
            if (w.failed()) {
                res->res = w.response();
                return;
            }
            b.setAccountPolicy(p, req.principal.user, [&b, res](domain::AccountResult r) {
                guarded(b, "PATCH AccountService", res, [&] {
                    if (!r.ok()) {
                        res->res = accountError(r);
                        return;
                    }
                    reply(res, serviceJson(b.accountPolicy()));
                });
            });
        });
}

void addAccountCollectionRoutes(http::Router& router, Backend& b) {
    router.route(kAccounts)([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        // ConfigureUsers sees every account; anyone else only their own.
        bool all = req.principal.has("ConfigureUsers");
        std::vector<std::string> ids;
        for (const auto& a : b.accounts()) {
            if (all || (a.userName == req.principal.user && req.principal.has("ConfigureSelf")))
                ids.push_back(accountUri(a.id));
        }
        reply(res, collectionJson(kAccounts, "#ManagerAccountCollection.ManagerAccountCollection", "Accounts", ids));
    });
    router.route(kAccounts).methods({"POST"}).privileges(
        {"ConfigureUsers"})([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        domain::AccountRequest create;
        http::Response error;
        if (!readAccount(req, create, error)) {
            res->res = std::move(error);
            return;
        }
        std::vector<json> missing;
        for (auto [name, present] :
             {std::pair{"UserName", create.userName.has_value()}, std::pair{"Password", create.password.has_value()},
              std::pair{"RoleId", create.roleId.has_value()}}) {
            if (!present)
                missing.push_back(redfish::base::createFailedMissingReqProperties(name, redfish::jsonPointer(name)));
        }
        if (!missing.empty()) {
            res->res = redfish::errorResponse(400, missing);
            return;
        }
        b.createAccount(std::move(create), req.principal.user, [&b, res](domain::AccountResult r) {
            guarded(b, "POST account", res, [&] {
                if (!r.ok() || !r.account) {
                    res->res = accountError(r);
                    return;
                }
                auto out = redfish::jsonResponse(201, accountJson(*r.account));
                out.set("Location", accountUri(r.account->id));
                res->res = std::move(out);
            });
        });
    });
}

void addAccountMemberRoutes(http::Router& router, Backend& b, redfish::SessionService& s) {
    const std::string member = std::string(kAccounts) + "/<str>";
    router.route(member)([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        auto id = accountId(req.params[0]);
        auto a = id ? findAccount(b, *id) : std::nullopt;
        if (req.principal.has("ConfigureUsers")) {
            if (!a)
                res->res = redfish::resourceNotFound("ManagerAccount", req.params[0]);
            else
                reply(res, accountJson(*a));
            return;
        }
        if (ownAccount(req, a) && req.principal.has("ConfigureSelf"))
            reply(res, accountJson(*a));
        else
            res->res = redfish::insufficientPrivilege();
    });
    router.route(member).methods({"PATCH"})(
        [&b, &s](const http::RouteRequest& req, const http::AsyncResp& res) { handleAccountPatch(b, s, req, res); });
    router.route(member)
        .methods({"DELETE"})
        .privileges({"ConfigureUsers"})([&b, &s](const http::RouteRequest& req, const http::AsyncResp& res) {
            auto id = accountId(req.params[0]);
            auto a = id ? findAccount(b, *id) : std::nullopt;
            if (!a) {
                res->res = redfish::resourceNotFound("ManagerAccount", req.params[0]);
                return;
            }
            if (!preconditionHolds(req, accountJson(*a))) {
                res->res = redfish::preconditionFailed();
                return;
            }
            b.deleteAccount(*id, req.principal.user, [&b, &s, res, user = a->userName](domain::AccountResult r) {
                guarded(b, "DELETE account", res, [&] {
                    if (!r.ok()) {
                        res->res = accountError(r);
                        return;
                    }
                    s.closeUser(user);
                    res->res = noContent();
                });
            });
        });
}

void addRoleRoutes(http::Router& router) {
    router.route(kRoles)([](const http::RouteRequest&, const http::AsyncResp& res) {
        std::vector<std::string> ids;
        for (auto role : domain::kRoles)
            ids.push_back(std::string(kRoles) + "/" + std::string(role));
        reply(res, collectionJson(kRoles, "#RoleCollection.RoleCollection", "Roles", ids));
    });
    router.route(std::string(kRoles) + "/<str>")([](const http::RouteRequest& req, const http::AsyncResp& res) {
        if (!domain::isRole(req.params[0])) {
            res->res = redfish::resourceNotFound("Role", req.params[0]);
            return;
        }
        reply(res, roleJson(req.params[0]));
    });
}

} // namespace

void addAccountRoutes(http::Router& r, Backend& b, redfish::SessionService& sessions) {
    addAccountServiceRoutes(r, b);
    addAccountCollectionRoutes(r, b);
    addAccountMemberRoutes(r, b, sessions);
    addRoleRoutes(r);
}

} // namespace cmc::northbound
