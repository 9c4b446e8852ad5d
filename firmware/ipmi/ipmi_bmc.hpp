// The blade BMC's IPMI 2.0 LAN (RMCP/RMCP+) service.
//
// One IpmiBmc per blade, each on its own UDP port, all on one io_context.
// Sessions, authentication and crypto come from OpenIPMI's libIPMIlanserv;
// the pre-session filter (lan_filter.hpp) and the command set
// (command_handler.hpp) are ours. Not thread-safe: every call, like every
// HAL call, is made on the io_context thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace cmc::hal {
class BladeHal;
}

namespace cmc::ipmi {

// IPMI privilege levels (IPMI 2.0 table 6-1 values).
enum class Privilege : std::uint8_t { User = 2, Operator = 3, Administrator = 4 };

struct User {
    std::string name;     // 1..16 bytes, no NUL
    std::string password; // 0..20 bytes
    Privilege privilege = Privilege::User;
};

struct BmcOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0; // 0 = any free port
    std::vector<User> users;
    std::uint64_t seed = 1; // fault injection (datagram loss) RNG
};

struct BmcStats {
    std::uint64_t datagramsIn = 0;
    std::uint64_t datagramsDropped = 0;
    std::uint64_t commandsHandled = 0;
};

// Destroy an IpmiBmc before its io_context and its HAL; after stop() or
// destruction no handler touches the HAL again.
class IpmiBmc {
public:
    IpmiBmc(boost::asio::io_context& io, hal::BladeHal& hal, BmcOptions options);
    ~IpmiBmc();
    IpmiBmc(const IpmiBmc&) = delete;
    IpmiBmc& operator=(const IpmiBmc&) = delete;

    // Validates the users, sets up the session layer and binds the UDP port.
    // False with a message in `error` on failure.
    [[nodiscard]] bool start(std::string& error);
    [[nodiscard]] std::uint16_t port() const; // bound port, 0 before start()
    void stop();
    [[nodiscard]] BmcStats stats() const;

    class Impl;

private:
    std::shared_ptr<Impl> impl_;
};

} // namespace cmc::ipmi
