// The blade BMC's IPMI command set (everything after session setup).
//
// Transport-free: takes a request body, returns a response body whose first
// byte is the completion code. Never throws on any input.
#pragma once

#include "ipmi/ipmi_bmc.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace cmc::hal {
class BladeHal;
struct SensorReading;
} // namespace cmc::hal

namespace cmc::ipmi {

namespace netfn {
inline constexpr std::uint8_t kChassis = 0x00;
inline constexpr std::uint8_t kSensorEvent = 0x04;
inline constexpr std::uint8_t kApp = 0x06;
inline constexpr std::uint8_t kStorage = 0x0A;
inline constexpr std::uint8_t kOem = 0x30; // OpenCMC OEM group, see README.md
} // namespace netfn

struct CommandRequest {
    std::uint8_t netFn = 0;
    std::uint8_t cmd = 0;
    std::span<const std::uint8_t> data;
    Privilege privilege = Privilege::User; // of the session
};

struct UserEntry {
    std::string name;
    Privilege privilege = Privilege::User;
};

class CommandHandler {
public:
    using Bytes = std::vector<std::uint8_t>;
    using WallClock = std::function<std::uint32_t()>; // seconds since the epoch

    CommandHandler(hal::BladeHal& hal, std::vector<UserEntry> users, WallClock clock = {});

    [[nodiscard]] Bytes handle(const CommandRequest& request);

    // Source of the active session count reported by Get Channel Info.
    void setSessionCounter(std::function<std::uint8_t()> counter) { sessionCounter_ = std::move(counter); }

    // Privilege a command needs; commands we do not know need User (they are
    // answered 0xC1).
    [[nodiscard]] static Privilege requiredPrivilege(std::uint8_t netFn, std::uint8_t cmd);

    // IPMI user id of users[i] (slot 1 is the disabled null user).
    static constexpr std::uint8_t kFirstUserId = 2;

private:
    Bytes handleApp(const CommandRequest& rq);
    Bytes handleChassis(const CommandRequest& rq);
    Bytes handleStorage(const CommandRequest& rq);
    Bytes handleSensor(const CommandRequest& rq);
    Bytes handleOem(const CommandRequest& rq);

    // App
    Bytes getDeviceId();
    Bytes getSystemGuid();
    Bytes getChannelInfo(std::span<const std::uint8_t> d);
    Bytes getChannelAccess(std::span<const std::uint8_t> d);
    Bytes getUserAccess(std::span<const std::uint8_t> d);
    Bytes getUserName(std::span<const std::uint8_t> d);
    Bytes resetWatchdog();
    Bytes setWatchdog(std::span<const std::uint8_t> d);
    Bytes getWatchdog();
    // Chassis
    Bytes getChassisStatus();
    Bytes chassisControl(std::span<const std::uint8_t> d);
    Bytes chassisIdentify(std::span<const std::uint8_t> d);
    Bytes setBootOptions(std::span<const std::uint8_t> d);
    Bytes getBootOptions(std::span<const std::uint8_t> d);
    // Storage
    Bytes getSdrRepositoryInfo();
    Bytes getSdr(std::span<const std::uint8_t> d);
    Bytes getSelInfo();
    Bytes getSelEntry(std::span<const std::uint8_t> d);
    Bytes addSelEntry(std::span<const std::uint8_t> d);
    Bytes clearSel(std::span<const std::uint8_t> d);
    Bytes getFruAreaInfo(std::span<const std::uint8_t> d);
    Bytes readFruData(std::span<const std::uint8_t> d);
    // Sensor
    const hal::SensorReading* findSensor(const std::vector<hal::SensorReading>& all, std::uint8_t number) const;
    Bytes getSensorReading(std::span<const std::uint8_t> d);
    Bytes getSensorThresholds(std::span<const std::uint8_t> d);
    Bytes getSensorEventEnable(std::span<const std::uint8_t> d);
    // OEM
    Bytes getPortCounts();
    Bytes getVirtualAddress(std::span<const std::uint8_t> d);

    std::uint16_t nextReservation(std::uint16_t& slot);
    std::uint32_t now() const;

    hal::BladeHal& hal_;
    std::vector<UserEntry> users_;
    WallClock clock_;
    std::function<std::uint8_t()> sessionCounter_;
    std::uint16_t sdrReservation_ = 0;
    std::uint16_t selReservation_ = 0;
    std::uint16_t reservationCounter_ = 0;
    std::uint8_t bootParamSetInProgress_ = 0;
    std::uint8_t bootInfoAck_ = 0;
    std::uint32_t sdrAddTime_ = 0;
};

} // namespace cmc::ipmi
