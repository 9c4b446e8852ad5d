#include "redfish/redfish_sessions.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "redfish/base_messages.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::redfish {

namespace {

const std::string kSessions = "/redfish/v1/SessionService/Sessions";

// Hex of `bytes` random bytes; empty when the system has no randomness.
std::string randomHex(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) return {};
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (auto b : buf) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
    }
    return out;
}

json sessionJson(const SessionService::Session& s) {
    return json{{"@odata.id", kSessions + "/" + s.id},
                {"@odata.type", "#Session.v1_7_0.Session"},
                {"Id", s.id},
                {"Name", "User Session"},
                {"UserName", s.user},
                {"SessionType", "Redfish"}};
}

json collection(const std::vector<std::string>& members) {
    json m = json::array();
    for (const auto& id : members)
        m.push_back({{"@odata.id", id}});
    return json{{"@odata.id", kSessions},
                {"@odata.type", "#SessionCollection.SessionCollection"},
                {"Name", "Sessions"},
                {"Members", m},
                {"Members@odata.count", members.size()}};
}

} // namespace

bool secretEquals(const std::string& a, const std::string& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SessionService::SessionService(std::chrono::seconds timeout, std::size_t maxSessions)
    : timeout_(timeout), maxSessions_(maxSessions) {}

void SessionService::expire() {
    auto now = std::chrono::steady_clock::now();
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (now - it->second.lastUsed > timeout_)
            it = sessions_.erase(it);
        else
            ++it;
    }
}

const SessionService::Session* SessionService::authenticate(const std::string& token) {
    expire();
    for (auto& [id, s] : sessions_) {
        if (secretEquals(s.token, token)) {
            s.lastUsed = std::chrono::steady_clock::now();
            return &s;
        }
    }
    return nullptr;
}

bool SessionService::parseLogin(const http::Request& req, std::string& user, std::string& password,
                                http::Response& error) {
    json body;
    if (!parseJsonObject(req, body, error)) return false;
    std::vector<json> problems;
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (it.key() != "UserName" && it.key() != "Password" && it.key().rfind('@', 0) != 0) {
            problems.push_back(base::propertyUnknown(it.key(), jsonPointer(it.key())));
        }
    }
    for (const char* k : {"UserName", "Password"}) {
        if (!body.contains(k))
            problems.push_back(redfish::base::createFailedMissingReqProperties(k, redfish::jsonPointer(k)));
        else if (!body[k].is_string())
            problems.push_back(redfish::base::propertyValueTypeError(body[k].dump(), k, redfish::jsonPointer(k)));
    }
    if (!problems.empty()) {
        error = errorResponse(400, problems);
        return false;
    }
    user = body["UserName"].get<std::string>();
    password = body["Password"].get<std::string>();
    return true;
}

std::size_t SessionService::closeUser(const std::string& user) {
    std::size_t n = 0;
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (it->second.user == user) {
            it = sessions_.erase(it);
            ++n;
        } else {
            ++it;
        }
    }
    return n;
}

http::Response SessionService::open(const std::string& user, int role, std::uint64_t stamp) {
    expire();
    if (sessions_.size() >= maxSessions_) return serviceUnavailable(5);
    Session s{randomHex(8), randomHex(24), user, role, std::chrono::steady_clock::now(), stamp};
    if (s.id.empty() || s.token.empty()) return generalError("No random numbers are available; retry.");
    auto r = jsonResponse(201, sessionJson(s), false);
    r.set("X-Auth-Token", s.token);
    r.set("Location", kSessions + "/" + s.id);
    sessions_[s.id] = std::move(s);
    return r;
}

http::Response SessionService::login(const http::Request& req, const Verify& verify) {
    std::string user, password;
    http::Response error;
    if (!parseLogin(req, user, password, error)) return error;
    auto role = verify(user, password);
    if (!role) return errorResponse(401, {redfish::base::noValidSession()});
    return open(user, *role);
}

http::Response SessionService::route(const http::Request& req, const std::vector<std::string>& seg,
                                     const std::string& user, bool seeAll) {
    bool read = req.method == "GET" || req.method == "HEAD";
    if (seg.size() == 1) {
        if (!read) return methodNotAllowed("GET, HEAD");
        return jsonResponse(200, json{{"@odata.id", "/redfish/v1/SessionService"},
                                      {"@odata.type", "#SessionService.v1_1_9.SessionService"},
                                      {"Id", "SessionService"},
                                      {"Name", "Session Service"},
                                      {"ServiceEnabled", true},
                                      {"SessionTimeout", timeout_.count()},
                                      {"Sessions", {{"@odata.id", kSessions}}}});
    }
    if (seg[1] != "Sessions" || seg.size() > 3) return resourceNotFound("Resource", req.path);
    expire();
    if (seg.size() == 2) {
        if (!read) return methodNotAllowed("GET, HEAD, POST");
        std::vector<std::string> ids;
        for (const auto& [id, s] : sessions_) {
            if (seeAll || s.user == user) ids.push_back(kSessions + "/" + id);
        }
        return jsonResponse(200, collection(ids));
    }
    auto it = sessions_.find(seg[2]);
    if (it == sessions_.end() || (!seeAll && it->second.user != user)) return resourceNotFound("Session", seg[2]);
    if (req.method == "DELETE") {
        sessions_.erase(it);
        return success();
    }
    if (!read) return methodNotAllowed("GET, HEAD, DELETE");
    return jsonResponse(200, sessionJson(it->second));
}

} // namespace cmc::redfish
