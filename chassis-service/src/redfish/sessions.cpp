// /redfish/v1/SessionService: Redfish sessions (X-Auth-Token) for the
// configured administrator, kept in memory with an idle timeout.
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <chrono>
#include <map>

#include "app/service.hpp"
#include "redfish/northbound.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::redfish {

using json = nlohmann::json;

namespace {

constexpr std::chrono::seconds kSessionTimeout{1800};
constexpr std::size_t kMaxSessions = 256;
const std::string kSessions = "/redfish/v1/SessionService/Sessions";

struct Session {
    std::string id;
    std::string token;
    std::string user;
    std::chrono::steady_clock::time_point lastUsed;
};

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

json sessionJson(const Session& s) {
    return json{{"@odata.id", kSessions + "/" + s.id},
                {"@odata.type", "#Session.v1_7_0.Session"},
                {"Id", s.id},
                {"Name", "User Session"},
                {"UserName", s.user},
                {"SessionType", "Redfish"}};
}

} // namespace

struct SessionTable {
    std::map<std::string, Session> sessions;

    void expire() {
        auto now = std::chrono::steady_clock::now();
        for (auto it = sessions.begin(); it != sessions.end();) {
            if (now - it->second.lastUsed > kSessionTimeout)
                it = sessions.erase(it);
            else
                ++it;
        }
    }
};

std::shared_ptr<SessionTable> makeSessionTable() {
    return std::make_shared<SessionTable>();
}

std::optional<std::string> sessionUser(SessionTable& t, const std::string& token) {
    t.expire();
    for (auto& [id, s] : t.sessions) {
        if (s.token.size() == token.size() && CRYPTO_memcmp(s.token.data(), token.data(), token.size()) == 0) {
            s.lastUsed = std::chrono::steady_clock::now();
            return s.user;
        }
    }
    return std::nullopt;
}

http::Response login(SessionTable& t, app::ChassisService& service, const http::Request& req) {
    json body;
    http::Response err;
    if (!parseJsonObject(req, body, err)) return err;
    std::vector<json> problems;
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (it.key() != "UserName" && it.key() != "Password") {
            problems.push_back(message("PropertyUnknown", {it.key()}, jsonPointer(it.key())));
        }
    }
    for (const char* k : {"UserName", "Password"}) {
        if (!body.contains(k))
            problems.push_back(message("CreateFailedMissingReqProperties", {k}, jsonPointer(k)));
        else if (!body[k].is_string())
            problems.push_back(message("PropertyValueTypeError", {body[k].dump(), k}, jsonPointer(k)));
    }
    if (!problems.empty()) return errorResponse(400, problems);
    auto user = body["UserName"].get<std::string>();
    if (!service.verifyAdmin(user, body["Password"].get<std::string>()))
        return errorResponse(401, {message("NoValidSession")});
    t.expire();
    if (t.sessions.size() >= kMaxSessions) return serviceUnavailable(5);
    Session s{randomHex(8), randomHex(24), user, std::chrono::steady_clock::now()};
    if (s.id.empty() || s.token.empty()) return generalError("No random numbers are available; retry.");
    auto r = jsonResponse(201, sessionJson(s), false);
    r.set("X-Auth-Token", s.token);
    r.set("Location", kSessions + "/" + s.id);
    t.sessions[s.id] = s;
    return r;
}

Maybe routeSessions(SessionTable& t, Request& r) {
    const auto& seg = r.seg;
    if (seg.size() == 1) {
        json s{{"@odata.id", "/redfish/v1/SessionService"},
               {"@odata.type", "#SessionService.v1_1_9.SessionService"},
               {"Id", "SessionService"},
               {"Name", "Session Service"},
               {"ServiceEnabled", true},
               {"SessionTimeout", kSessionTimeout.count()},
               {"Sessions", link(kSessions)}};
        return readOnly(r, s);
    }
    if (seg[1] != "Sessions") return std::nullopt;
    t.expire();
    if (seg.size() == 2) {
        if (r.http.method == "POST") return login(t, r.service, r.http);
        std::vector<std::string> members;
        for (const auto& [id, s] : t.sessions)
            members.push_back(kSessions + "/" + id);
        if (r.http.method != "GET" && r.http.method != "HEAD") return methodNotAllowed("GET, HEAD, POST");
        return jsonResponse(200, collectionOf(kSessions, "#SessionCollection.SessionCollection", "Sessions", members));
    }
    if (seg.size() != 3) return std::nullopt;
    auto it = t.sessions.find(seg[2]);
    if (it == t.sessions.end()) return resourceNotFound("Session", seg[2]);
    if (r.http.method == "DELETE") {
        t.sessions.erase(it);
        return success();
    }
    return readOnly(r, sessionJson(it->second));
}

} // namespace cmc::redfish
