// cmcctl's connection to cmcd: one io_context run by the calling thread, the
// project's HTTP(S) client, a Redfish session (logged out at exit unless a
// token was given), and the answers classified for the exit codes.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_types.hpp"
#include "southbound/redfish/http_client.hpp"

namespace cmc::cmcctl {

using json = nlohmann::json;

// The documented exit codes (cmcctl --help, README).
inline constexpr int kOk = 0;
inline constexpr int kRefused = 1;     // the API answered 4xx/5xx (not 401/404)
inline constexpr int kUsage = 2;       // bad flags or arguments
inline constexpr int kAuthFailed = 3;  // 401/403 on login (or a given token refused)
inline constexpr int kNotFound = 4;    // 404
inline constexpr int kUnreachable = 5; // cannot connect, TLS, timeout
inline constexpr int kTaskFailed = 6;  // a waited task ended in Exception/Killed/Cancelled

struct Settings {
    std::string url; // "http://127.0.0.1:8080" (no path)
    std::string user;
    std::string password;
    std::string token; // given: used as X-Auth-Token, no login or logout
    southbound::TlsPolicy tls;
    std::chrono::milliseconds timeout{10000};
};

struct Reply {
    bool transportOk = false;
    bool tlsError = false;
    unsigned status = 0;
    std::string error; // transport error
    std::vector<http::Header> headers;
    std::optional<json> body; // absent when the body is not JSON (or empty)

    [[nodiscard]] bool ok() const { return transportOk && status >= 200 && status < 300; }
    [[nodiscard]] const std::string* header(std::string_view name) const;
};

class Client {
public:
    explicit Client(Settings s);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Opens a session (or adopts the given token); on failure prints why and
    // returns the exit code.
    [[nodiscard]] int login();
    // Deletes the session this process opened (nothing with a given token).
    void logout();
    // The session stays open at exit (`cmcctl login`).
    void keepSession() { keep_ = true; }
    [[nodiscard]] const std::string& token() const { return token_; }
    [[nodiscard]] const std::string& sessionUri() const { return sessionUri_; }
    [[nodiscard]] const Settings& settings() const { return settings_; }

    // One request; runs the io_context until it is answered.
    [[nodiscard]] Reply call(const std::string& method, const std::string& target, const json* body = nullptr);
    // GETs in parallel, answers in the order of `targets`.
    [[nodiscard]] std::vector<Reply> getAll(const std::vector<std::string>& targets);
    // Waits; false when SIGINT/SIGTERM arrived meanwhile (or before).
    bool pause(std::chrono::milliseconds d);
    [[nodiscard]] bool interrupted() const;

    // A streamed GET (SSE) until it ends or the process is interrupted.
    // onHeaders returns false to stop; the return value is why it ended.
    std::string stream(const std::string& target, std::vector<http::Header> headers,
                       const std::function<bool(unsigned status)>& onHeaders,
                       const std::function<void(std::string_view chunk)>& onData);

private:
    [[nodiscard]] std::vector<http::Header> authHeaders() const;

    struct Impl;
    std::unique_ptr<Impl> impl_;
    Settings settings_;
    std::string token_;
    std::string sessionUri_;
    std::string basic_; // "Basic ..." when the service has no SessionService
    bool keep_ = false;
};

// Prints a failed reply (transport error, or the DMTF error's message and
// MessageIds) to stderr as "cmcctl: WHAT: ..." and returns its exit code.
int reportFailure(const std::string& what, const Reply& r, bool login = false);

} // namespace cmc::cmcctl
