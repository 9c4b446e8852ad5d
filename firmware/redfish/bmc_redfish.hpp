// The blade-local Redfish service of a BMC, on the HAL: ServiceRoot,
// Systems/1, Chassis/1 (NetworkAdapters, NetworkDeviceFunctions, Sensors),
// Managers/bmc with the SEL, SessionService and AccountService.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
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
    std::uint64_t seed = 1; // loss decisions of the management-link model
};

class RedfishService {
public:
    RedfishService(boost::asio::io_context& io, hal::BladeHal& hal, RedfishOptions options);
    ~RedfishService();
    RedfishService(const RedfishService&) = delete;
    RedfishService& operator=(const RedfishService&) = delete;

    [[nodiscard]] bool listen(const std::string& address, std::uint16_t port, std::string& error);
    [[nodiscard]] std::uint16_t port() const;
    void stop();

    // The request path without the network front-end (management-link faults
    // not applied); for tests and benchmarks.
    [[nodiscard]] http::Response handle(const http::Request& req);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

const char* toString(Role r);

} // namespace cmc::bmc
