// Southbound IPMI 2.0 client of cmcd: one persistent RMCP+ session per BMC
// (OpenIPMI low-level LAN connections), driven on cmcd's io_context by an
// Asio-based OpenIPMI os_handler. Every call answers exactly once, on the
// io_context thread, within its timeout.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace cmc::southbound {

struct IpmiEndpoint {
    std::string host;
    std::uint16_t port = 623;
    std::string username;
    std::string password; // never logged
};

enum class IpmiError {
    Ok,
    Timeout,        // no answer within the request timeout
    NotConnected,   // the session is down (reconnecting in the background)
    AuthFailed,     // RAKP failed: wrong user name or password
    CompletionCode, // the BMC answered with a non-zero completion code
    Malformed,      // the answer was too short or inconsistent
    Busy,           // too many requests queued for this BMC
    Closed,         // the connection was closed by cmcd
};

const char* toString(IpmiError e);

template <typename T> struct IpmiResult {
    IpmiError error = IpmiError::Ok;
    std::uint8_t completionCode = 0;
    std::string message; // human readable, no secrets
    T value{};
    [[nodiscard]] bool ok() const { return error == IpmiError::Ok; }
};

struct IpmiChassisStatus {
    bool powerOn = false;
    bool powerOverload = false;
    bool powerInterlock = false;
    bool powerFault = false; // main power fault
    bool powerControlFault = false;
    std::uint8_t lastPowerEvent =
        0; // byte 2 of the response (bit 0 AC failed, 1 overload, 2 interlock, 3 fault, 4 by command)
    bool intrusion = false;
    bool coolingFault = false;
    bool identifyOn = false;
};

struct IpmiDeviceId {
    std::uint8_t deviceId = 0;
    std::uint8_t deviceRevision = 0;
    std::string firmwareVersion;  // "major.minor"
    std::uint8_t ipmiVersion = 0; // 0x02 for IPMI 2.0
    std::uint32_t manufacturerId = 0;
    std::uint16_t productId = 0;
};

struct IpmiFru {
    std::string boardManufacturer;
    std::string boardProductName;
    std::string boardSerialNumber;
    std::string boardPartNumber;
    std::string productManufacturer;
    std::string productName;
    std::string productPartNumber;
    std::string productVersion;
    std::string productSerialNumber;
    std::string productAssetTag;
};

struct IpmiSelInfo {
    std::uint16_t entries = 0;
    std::uint32_t lastAddTimestamp = 0;
    std::uint32_t lastEraseTimestamp = 0;
};

struct IpmiSelEntry {
    std::uint16_t recordId = 0;
    std::uint8_t recordType = 0; // 0x02 system event
    std::uint32_t timestamp = 0;
    std::uint8_t sensorType = 0;
    std::uint8_t sensorNumber = 0;
    std::uint8_t eventDirType = 0; // bit 7 deassertion
    std::array<std::uint8_t, 3> eventData{};
};

struct IpmiWatchdog {
    std::uint8_t timerUse = 0; // bits 2..0
    bool running = false;
    std::uint8_t action = 0; // 0 none, 1 hard reset, 2 power down, 3 power cycle
    std::uint8_t expirationFlags = 0;
    std::uint16_t initialCountdown = 0; // 100 ms units
    std::uint16_t presentCountdown = 0;
};

enum class ChassisControl : std::uint8_t {
    PowerDown = 0,
    PowerUp = 1,
    PowerCycle = 2,
    HardReset = 3,
    SoftShutdown = 5
};

struct IpmiClientOptions {
    std::chrono::milliseconds requestTimeout{1000};
    std::size_t maxQueuedPerBmc = 16;
    std::chrono::milliseconds reconnectMin{500}; // backoff after a failed connect/lost session
    std::chrono::milliseconds reconnectMax{10000};
    std::uint8_t privilege = 4; // 3 operator, 4 administrator
    // Log sink for OpenIPMI and client messages (one line each, no secrets).
    std::function<void(const std::string& line)> log;
};

// Notes on the calls below:
// - `endpoint.host` must be an IPv4/IPv6 literal (OpenIPMI would resolve
//   names with a blocking lookup on the io_context thread).
// - requestTimeout applies to each IPMI command; readFru and readSel send
//   several commands one after the other and fail on the first error.
// - raw() answers CompletionCode (with the answer bytes in `value`) for a
//   non-zero completion code, Ok otherwise.
// - AuthFailed: the BMC refused the user (RMCP+ status) or the password did
//   not match (OpenIPMI's RAKP 2 check); calls made while the session is down
//   answer the reason of the last failed attempt (AuthFailed/NotConnected).
// One BMC's persistent session. Created by IpmiClient::connect; reconnects by
// itself with backoff until close() or destruction.
class IpmiConnection {
public:
    virtual ~IpmiConnection() = default;
    [[nodiscard]] virtual bool up() const = 0;
    [[nodiscard]] virtual const IpmiEndpoint& endpoint() const = 0;

    virtual void getDeviceId(std::function<void(IpmiResult<IpmiDeviceId>)> done) = 0;
    virtual void getChassisStatus(std::function<void(IpmiResult<IpmiChassisStatus>)> done) = 0;
    virtual void chassisControl(ChassisControl op, std::function<void(IpmiResult<bool>)> done) = 0;
    virtual void readFru(std::function<void(IpmiResult<IpmiFru>)> done) = 0; // FRU device 0
    virtual void getSelInfo(std::function<void(IpmiResult<IpmiSelInfo>)> done) = 0;
    // Entries with record id >= firstId in SEL order, at most `max` of them.
    virtual void readSel(std::uint16_t firstId, std::size_t max,
                         std::function<void(IpmiResult<std::vector<IpmiSelEntry>>)> done) = 0;
    virtual void getWatchdog(std::function<void(IpmiResult<IpmiWatchdog>)> done) = 0;
    // Any command: answer bytes start with the completion code.
    virtual void raw(std::uint8_t netfn, std::uint8_t cmd, std::vector<std::uint8_t> data,
                     std::function<void(IpmiResult<std::vector<std::uint8_t>>)> done) = 0;
    // Closes the session; pending calls answer Closed.
    virtual void close() = 0;
};

// Process-wide (OpenIPMI allows one os_handler per process): create one.
class IpmiClient {
public:
    IpmiClient(boost::asio::io_context& io, IpmiClientOptions options);
    ~IpmiClient();
    IpmiClient(const IpmiClient&) = delete;
    IpmiClient& operator=(const IpmiClient&) = delete;

    // Starts connecting at once. `onState(up, reason)` runs on each session up/down change.
    [[nodiscard]] std::shared_ptr<IpmiConnection>
    connect(const IpmiEndpoint& endpoint, std::function<void(bool up, const std::string& reason)> onState);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace cmc::southbound
