// Plain request/response types of the HTTP server. Handlers include only this
// header (no Beast), so they compile fast.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cmc::http {

struct Header {
    std::string name;
    std::string value;
};

// Case-insensitive ASCII comparison (header names).
[[nodiscard]] bool iequals(std::string_view a, std::string_view b);

struct Request {
    std::string method; // "GET", "PATCH", ...
    std::string target; // raw request target, e.g. "/redfish/v1/Systems?x=1"
    std::string path;   // percent-decoded path, no query
    std::string query;  // raw query string, no '?'
    std::vector<Header> headers;
    std::string body;
    std::string remoteAddress;
    std::uint16_t localPort = 0;

    [[nodiscard]] const std::string* header(std::string_view name) const;
};

struct Response {
    unsigned status = 200;
    std::vector<Header> headers;
    std::string body;
    bool close = false;                 // close the connection after this response
    bool hang = false;                  // never answer (simulated hung service)
    std::chrono::milliseconds delay{0}; // answer this much later

    void set(std::string name, std::string value);
    [[nodiscard]] const std::string* header(std::string_view name) const;
};

// A handler answers exactly once through the responder, now or later.
using Responder = std::function<void(Response)>;
using Handler = std::function<void(Request&&, Responder)>;

struct ServerOptions {
    std::size_t bodyLimit = 1024 * 1024;
    std::size_t headerLimit = 16 * 1024;
    std::chrono::milliseconds readTimeout{30000};  // whole request, once started
    std::chrono::milliseconds idleTimeout{60000};  // keep-alive idle
    std::chrono::milliseconds hangTimeout{120000}; // hung answers close after this
    std::size_t maxConnections = 512;
    std::string serverName = "OpenCMC";
    // Builds the body of protocol-level errors (400 parse error, 413 too large,
    // 503 too many connections). Default: a plain text body.
    std::function<Response(unsigned status, std::string_view message)> errorResponse;
};

// RFC 4648 base64 (HTTP Basic credentials).
[[nodiscard]] std::string base64Encode(std::string_view in);
[[nodiscard]] std::optional<std::string> base64Decode(std::string_view in);

// Splits "Basic <base64(user:password)>" into user and password.
[[nodiscard]] std::optional<std::pair<std::string, std::string>> parseBasicAuth(std::string_view header);

// Percent-decode a path; nullopt when malformed (bad escape or NUL).
[[nodiscard]] std::optional<std::string> percentDecode(std::string_view in);

} // namespace cmc::http
