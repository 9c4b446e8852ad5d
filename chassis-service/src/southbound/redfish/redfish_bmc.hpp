// A client for one blade's Redfish service, written against DMTF's model, not
// our own BMC: every path is found from the service root (Systems, Chassis,
// Managers members, links between them), JSON from the BMC is read through
// common/json_reader.hpp (a missing, null or wrong-typed property is unknown),
// HTTPS peers are checked by the endpoint's TLS policy, and it authenticates
// with a Redfish session (X-Auth-Token, re-login on 401) or HTTP Basic.
// Every call answers exactly once, on the io_context.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "southbound/redfish/http_client.hpp"

namespace boost::asio {
class io_context;
}

namespace cmc::southbound {

struct RedfishEndpoint {
    std::string url; // "http://host:port" or "https://host:port"
    std::string username;
    std::string password;
    TlsPolicy tls;
    bool sessionAuth = true; // false: HTTP Basic on every request
    std::string systemPath;  // which ComputerSystem is this blade when the service lists several
};

enum class RedfishError { None, Transport, Tls, Unauthorized, HttpStatus, NotJson, Missing, Unsupported, Internal };
[[nodiscard]] const char* toString(RedfishError e);

template <class T> struct [[nodiscard]] RedfishResult {
    RedfishError error = RedfishError::None;
    std::string message; // what failed and why, naming the URI
    unsigned status = 0; // HTTP status when there was one
    T value{};

    [[nodiscard]] bool ok() const { return error == RedfishError::None; }
};

struct RedfishNic {
    std::string path;               // the EthernetInterface or NetworkDeviceFunction
    std::optional<std::string> mac; // current (possibly virtual)
    std::optional<std::string> permanentMac;
};

struct RedfishHba {
    std::string path;
    std::optional<std::string> wwpn;
    std::optional<std::string> permanentWwpn;
};

struct RedfishInventory {
    std::string systemPath;
    std::string chassisPath;
    std::string managerPath;
    std::size_t systemCount = 0; // members of the Systems collection
    std::optional<std::string> manufacturer, model, serialNumber, partNumber, uuid, biosVersion;
    std::optional<std::int64_t> cpuCount;
    std::optional<double> memoryGiB;
    std::optional<std::string> powerState, health;
    std::vector<RedfishNic> nics;
    std::vector<RedfishHba> hbas;
    std::optional<std::string> bmcFirmwareVersion, bmcModel, bmcMac;
    std::string resetTarget;
    std::vector<std::string> resetTypes;
    std::string sseUri;                              // EventService ServerSentEventUri, empty when none
    std::string thermalPath, powerPath, sensorsPath; // whichever the chassis offers (newer subsystems first)
    std::vector<std::string> logServices;            // the manager's LogServices members
    std::vector<std::string> warnings;               // parts that could not be read (discovery went on)
};

struct RedfishSystemState {
    std::optional<std::string> powerState; // "On", "Off", "PoweringOn", ...
    std::optional<std::string> health;     // Status.Health: "OK", "Warning", "Critical"
    std::optional<std::string> state;      // Status.State: "Enabled", "Absent", ...
};

// One entry of a Redfish Event pushed by the BMC.
struct RedfishEvent {
    std::string eventId;
    std::string messageId;
    std::string message;
    std::string severity;
    std::string origin; // OriginOfCondition @odata.id
    std::vector<std::string> args;
};

class RedfishBmc : public std::enable_shared_from_this<RedfishBmc> {
public:
    using Log = std::function<void(const std::string&)>;
    static std::shared_ptr<RedfishBmc> create(boost::asio::io_context& io, HttpClient& http, RedfishEndpoint endpoint,
                                              Log log);
    ~RedfishBmc();

    // Reads the service root, the blade's system, chassis and manager.
    void discover(std::function<void(RedfishResult<RedfishInventory>)> done);
    // Power state and Status of the system (discovered first if needed).
    void readSystem(std::function<void(RedfishResult<RedfishSystemState>)> done);
    // POSTs #ComputerSystem.Reset with the given ResetType.
    void reset(const std::string& resetType, std::function<void(RedfishResult<bool>)> done);
    // Fence: ForceOff, then read PowerState back until it is Off (an already
    // off system counts: value false, "nothing to do"; value true: it was
    // on and is now read back Off). Not confirmed Off within `timeout` is a failure.
    void forceOffConfirmed(std::chrono::milliseconds timeout, std::function<void(RedfishResult<bool>)> done);
    // An authenticated PATCH of any URI (2xx is success).
    void patch(const std::string& path, const nlohmann::json& body, std::function<void(RedfishResult<bool>)> done);
    // An authenticated GET of any URI of the service.
    void get(const std::string& path, std::function<void(RedfishResult<nlohmann::json>)> done);

    // Opens the EventService SSE stream (when discovery found one). onEvent
    // runs per event entry; onEnd once when the stream ends (the caller may
    // subscribe again later). Returns false when the BMC offers no SSE.
    bool subscribe(std::function<void(const RedfishEvent&)> onEvent, std::function<void(const std::string&)> onEnd);
    [[nodiscard]] bool subscribed() const;

    // Ends the stream and logs the session out (best effort).
    void close();

    [[nodiscard]] const RedfishEndpoint& endpoint() const { return endpoint_; }
    [[nodiscard]] const std::string& systemPath() const { return systemPath_; }
    [[nodiscard]] const std::string& sseUri() const { return sseUri_; }

    struct Impl;

private:
    friend struct RedfishBmcTasks;
    RedfishBmc(boost::asio::io_context& io, HttpClient& http, RedfishEndpoint endpoint, Log log);

    boost::asio::io_context& io_;
    HttpClient& http_;
    RedfishEndpoint endpoint_;
    Log log_;
    std::string systemPath_;
    std::string resetTarget_;
    std::string sseUri_;
    std::unique_ptr<Impl> impl_;
};

} // namespace cmc::southbound
