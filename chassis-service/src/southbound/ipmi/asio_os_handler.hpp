// OpenIPMI os_handler_t on a Boost.Asio io_context: file-descriptor waits are
// stream_descriptor::async_wait, timers are steady_timer, no locks (one
// thread), random bytes from OpenSSL, log lines to a sink. Process-wide:
// OpenIPMI takes one os handler in ipmi_init(), so there is one instance,
// bound to the io_context of the live IpmiClient.
#pragma once

#include <functional>
#include <string>

namespace boost::asio {
class io_context;
}
struct os_handler_s;

namespace cmc::southbound::ipmi {

using LogSink = std::function<void(const std::string& line)>;

// Binds the process-wide handler to `io` (and `log`) and runs ipmi_init()
// the first time. Returns the handler to pass to OpenIPMI.
[[nodiscard]] os_handler_s* bindOsHandler(boost::asio::io_context& io, LogSink log);
// Detaches the handler from its io_context (the client is going away).
// Returns the number of fd waits and running timers still registered.
std::size_t unbindOsHandler();
// Fd waits + running timers currently registered (for tests and checks).
[[nodiscard]] std::size_t osHandlerActiveCount();

} // namespace cmc::southbound::ipmi
