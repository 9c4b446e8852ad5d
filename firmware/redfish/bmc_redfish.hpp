// The blade-local Redfish service of a BMC, on the HAL: ServiceRoot,
// Systems/1, Chassis/1 (NetworkAdapters, NetworkDeviceFunctions, Sensors),
// Managers/bmc with the SEL, SessionService, AccountService and EventService
// (Server-Sent Events of power, SEL and sensor changes).
//
// Two ways in: listen() opens the BMC's own HTTP(S) server; handle() is the
// request path for a front-end that owns the listening socket itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hal/blade_hal.hpp"
#include "http/http_types.hpp"

namespace boost::asio {
class io_context;
}

namespace cmc::bmc {

enum class Role { ReadOnly, Operator, Administrator };

struct Account {
    std::string username;
    std::string password;
    Role role = Role::ReadOnly;
};

struct RedfishOptions {
    std::vector<Account> accounts;
    std::chrono::seconds sessionTimeout{1800};
    std::size_t maxSessions = 64;
    std::size_t maxEventStreams = 8;                    // concurrent SSE clients
    std::chrono::milliseconds keepAliveInterval{15000}; // SSE comment line when idle
    std::optional<http::TlsIdentity> tls;               // listen() speaks HTTPS with it
};

class RedfishService {
public:
    RedfishService(boost::asio::io_context& io, hal::BladeHal& hal, RedfishOptions options);
    ~RedfishService();
    RedfishService(const RedfishService&) = delete;
    RedfishService& operator=(const RedfishService&) = delete;

    // Opens the BMC's own server (HTTPS when options.tls is set).
    [[nodiscard]] bool listen(const std::string& address, std::uint16_t port, std::string& error);
    [[nodiscard]] std::uint16_t port() const;
    // Closes the listener, every connection and every event stream.
    void stop();

    // Answers one request, now or later, exactly once through `done`.
    void handle(http::Request&& req, http::Responder done);
    // The server options listen() uses (body limit, DMTF error bodies); a
    // front-end with its own server should use them too.
    [[nodiscard]] static http::ServerOptions serverOptions();
    // Open SSE streams.
    [[nodiscard]] std::size_t eventStreamCount() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

const char* toString(Role r);

} // namespace cmc::bmc
