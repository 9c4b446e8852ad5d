// The Redfish SessionService (X-Auth-Token sessions kept in memory with an
// idle timeout), shared by the blade BMC and cmcd. Callers supply how a user
// name and password are verified and what role the user gets.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "http/http_types.hpp"

namespace cmc::redfish {

class SessionService {
public:
    struct Session {
        std::string id;
        std::string token;
        std::string user;
        int role = 0; // the caller's role value, opaque here
        std::chrono::steady_clock::time_point lastUsed;
        std::uint64_t stamp = 0; // the caller's credential stamp, opaque here (cmcd ends sessions when it changes)
    };
    // Returns the role of a valid user name and password, nullopt otherwise.
    using Verify = std::function<std::optional<int>(const std::string& user, const std::string& password)>;

    SessionService(std::chrono::seconds timeout, std::size_t maxSessions);

    // The session of an X-Auth-Token (its idle timer restarts), or nullptr.
    [[nodiscard]] const Session* authenticate(const std::string& token);
    // POST /redfish/v1/SessionService/Sessions: 201 with X-Auth-Token and Location.
    [[nodiscard]] http::Response login(const http::Request& req, const Verify& verify);
    // The two halves of login, for callers that verify asynchronously: the
    // body's UserName and Password (false: `error` is the 4xx to send), then
    // a new session for a verified user.
    [[nodiscard]] static bool parseLogin(const http::Request& req, std::string& user, std::string& password,
                                         http::Response& error);
    [[nodiscard]] http::Response open(const std::string& user, int role, std::uint64_t stamp = 0);
    // Ends every session of `user` (account deleted, disabled, password
    // changed); returns how many ended.
    std::size_t closeUser(const std::string& user);
    // Ends one session by id (its account no longer allows it).
    void close(std::string id) { sessions_.erase(id); }
    [[nodiscard]] std::chrono::seconds timeout() const { return timeout_; }
    // /redfish/v1/SessionService[/Sessions[/{id}]] for an authenticated `user`
    // (segments after /redfish/v1). `seeAll`: may list and delete every session.
    [[nodiscard]] http::Response route(const http::Request& req, const std::vector<std::string>& seg,
                                       const std::string& user, bool seeAll);

private:
    void expire();

    std::chrono::seconds timeout_;
    std::size_t maxSessions_;
    std::map<std::string, Session> sessions_;
};

// Constant-time comparison of secrets.
[[nodiscard]] bool secretEquals(const std::string& a, const std::string& b);

} // namespace cmc::redfish
