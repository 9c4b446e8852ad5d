// /redfish/v1/EventService of the blade BMC: the service resource, an empty
// read-only Subscriptions collection, and the Server-Sent Events stream
// /redfish/v1/EventService/SSE. Events come from the HAL (HalObserver pushes,
// plus a poll on the keep-alive tick for HALs that cannot push): power state
// changes (ResourceEvent), new SEL records and SEL clears (ResourceEvent,
// LogService) and sensor threshold crossings (SensorEvent). The last events
// are kept for Last-Event-ID replay.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "hal/blade_hal.hpp"
#include "http/http_types.hpp"

namespace boost::asio {
class io_context;
}

namespace cmc::bmc {

struct Ctx;

struct EventServiceOptions {
    std::size_t maxStreams = 8;
    std::chrono::milliseconds keepAliveInterval{15000};
    std::size_t replayEvents = 64; // kept for Last-Event-ID
};

class EventService {
public:
    EventService(boost::asio::io_context& io, hal::BladeHal& hal, EventServiceOptions options);
    ~EventService();
    EventService(const EventService&) = delete;
    EventService& operator=(const EventService&) = delete;

    // An authenticated request under /redfish/v1/EventService.
    [[nodiscard]] http::Response route(const Ctx& c);
    [[nodiscard]] std::size_t streamCount() const;
    // Closes every stream; no new ones are accepted.
    void stop();

    static constexpr const char* kSseUri = "/redfish/v1/EventService/SSE";

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

} // namespace cmc::bmc
