// A blade BMC's Redfish port on the simulated management network: the
// listening HTTP(S) server of the BMC, with the management-link model of the
// blade applied in front of the firmware (the firmware knows nothing of it).
//   link down or BMC hung  -> the request is never answered; after holdLimit
//                             the connection is closed without an answer
//   packet loss (ratio)    -> each request independently lost, as above
//   latency + slow BMC     -> the answer leaves that much later
// A client that gives up meanwhile is noticed by the server and freed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "hal/blade_hal.hpp"
#include "http/http_types.hpp"

namespace boost::asio {
class io_context;
}
namespace cmc::bmc {
class RedfishService;
}

namespace cmc::sim {

struct RedfishPortOptions {
    std::uint64_t seed = 1;                      // loss decisions
    std::chrono::milliseconds holdLimit{120000}; // a dropped request's connection closes after this
    std::size_t maxHeld = 256;                   // beyond this, the oldest held request is closed at once
    std::optional<http::TlsIdentity> tls;        // HTTPS with this identity
};

class RedfishPort {
public:
    RedfishPort(boost::asio::io_context& io, const hal::BladeHal& hal, bmc::RedfishService& service,
                RedfishPortOptions options);
    ~RedfishPort();
    RedfishPort(const RedfishPort&) = delete;
    RedfishPort& operator=(const RedfishPort&) = delete;

    [[nodiscard]] bool listen(const std::string& address, std::uint16_t port, std::string& error);
    [[nodiscard]] std::uint16_t port() const;
    [[nodiscard]] std::size_t connectionCount() const;
    // Requests held without an answer (hung or lost) or waiting for their delay.
    [[nodiscard]] std::size_t heldCount() const;
    void stop();

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

} // namespace cmc::sim
