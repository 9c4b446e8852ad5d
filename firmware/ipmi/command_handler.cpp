// Dispatch, privileges and the App network function (device, channel,
// users, watchdog).
#include "ipmi/command_handler.hpp"

#include "hal/blade_hal.hpp"
#include "ipmi/command_util.hpp"
#include "ipmi/lan_filter.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>

namespace cmc::ipmi {

using detail::badLength;
using detail::cc;
using Bytes = CommandHandler::Bytes;

namespace {

namespace app {
constexpr std::uint8_t kGetDeviceId = 0x01;
constexpr std::uint8_t kGetSelfTestResults = 0x04;
constexpr std::uint8_t kResetWatchdog = 0x22;
constexpr std::uint8_t kSetWatchdog = 0x24;
constexpr std::uint8_t kGetWatchdog = 0x25;
constexpr std::uint8_t kGetSystemGuid = 0x37;
constexpr std::uint8_t kGetChannelAccess = 0x41;
constexpr std::uint8_t kGetChannelInfo = 0x42;
constexpr std::uint8_t kGetUserAccess = 0x44;
constexpr std::uint8_t kGetUserName = 0x46;
constexpr std::uint8_t kGetChannelCipherSuites = 0x54;
} // namespace app

constexpr std::uint8_t kBmcDeviceId = 0x20;
constexpr std::uint8_t kIpmiVersion20 = 0x02;
constexpr std::uint8_t kMediumLan8023 = 0x04;
constexpr std::uint8_t kProtocolIpmb = 0x01;
constexpr std::uint8_t kMinUserIds = 15;
constexpr std::uint8_t kNoAccess = 0x0F;
constexpr std::uint8_t kCcWatchdogNotInitialized = 0x80;

bool isOurChannel(std::uint8_t b) {
    const std::uint8_t ch = b & 0x0F;
    return ch == 0x0E || ch == kLanChannel;
}

// "1.2.3" -> {1, 2}; missing parts are 0.
std::pair<std::uint8_t, std::uint8_t> parseVersion(const std::string& v) {
    unsigned parts[2] = {0, 0};
    std::size_t at = 0;
    for (unsigned& p : parts) {
        while (at < v.size() && (v[at] < '0' || v[at] > '9')) {
            ++at;
        }
        auto [ptr, ec] = std::from_chars(v.data() + at, v.data() + v.size(), p);
        if (ec != std::errc{}) {
            break;
        }
        at = static_cast<std::size_t>(ptr - v.data());
    }
    const unsigned minor = std::min(parts[1], 99u);
    return {static_cast<std::uint8_t>(std::min(parts[0], 127u)),
            static_cast<std::uint8_t>(((minor / 10) << 4) | (minor % 10))};
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

} // namespace

CommandHandler::CommandHandler(hal::BladeHal& hal, std::vector<UserEntry> users, WallClock clock)
    : hal_(hal), users_(std::move(users)), clock_(std::move(clock)) {}

std::uint32_t CommandHandler::now() const {
    if (clock_) {
        return clock_();
    }
    return static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

std::uint16_t CommandHandler::nextReservation(std::uint16_t& slot) {
    ++reservationCounter_;
    if (reservationCounter_ == 0) {
        reservationCounter_ = 1;
    }
    slot = reservationCounter_;
    return slot;
}

Privilege CommandHandler::requiredPrivilege(std::uint8_t netFn, std::uint8_t cmd) {
    struct Entry {
        std::uint8_t netFn;
        std::uint8_t cmd;
    };
    static constexpr Entry kOperator[] = {
        {netfn::kChassis, 0x02}, // chassis control
        {netfn::kChassis, 0x04}, // chassis identify
        {netfn::kChassis, 0x08}, // set system boot options
        {netfn::kApp, app::kResetWatchdog},
        {netfn::kApp, app::kSetWatchdog},
        {netfn::kStorage, 0x44}, // add SEL entry
        {netfn::kStorage, 0x47}, // clear SEL
    };
    for (const auto& e : kOperator) {
        if (e.netFn == netFn && e.cmd == cmd) {
            return Privilege::Operator;
        }
    }
    return Privilege::User;
}

Bytes CommandHandler::handle(const CommandRequest& rq) {
    if (static_cast<std::uint8_t>(rq.privilege) < static_cast<std::uint8_t>(requiredPrivilege(rq.netFn, rq.cmd))) {
        return cc(wire::kCcInsufficientPrivilege);
    }
    switch (rq.netFn) {
    case netfn::kApp: return handleApp(rq);
    case netfn::kChassis: return handleChassis(rq);
    case netfn::kStorage: return handleStorage(rq);
    case netfn::kSensorEvent: return handleSensor(rq);
    case netfn::kOem: return handleOem(rq);
    default: return cc(wire::kCcInvalidCommand);
    }
}

Bytes CommandHandler::handleApp(const CommandRequest& rq) {
    const auto d = rq.data;
    switch (rq.cmd) {
    case app::kGetDeviceId:
        if (auto e = badLength(d, 0, 0)) return *e;
        return getDeviceId();
    case app::kGetSelfTestResults:
        if (auto e = badLength(d, 0, 0)) return *e;
        return {wire::kCcOk, 0x55, 0x00}; // no error
    case app::kGetSystemGuid:
        if (auto e = badLength(d, 0, 0)) return *e;
        return getSystemGuid();
    case app::kGetChannelInfo: return getChannelInfo(d);
    case app::kGetChannelAccess: return getChannelAccess(d);
    case app::kGetUserAccess: return getUserAccess(d);
    case app::kGetUserName: return getUserName(d);
    case app::kResetWatchdog:
        if (auto e = badLength(d, 0, 0)) return *e;
        return resetWatchdog();
    case app::kSetWatchdog: return setWatchdog(d);
    case app::kGetWatchdog:
        if (auto e = badLength(d, 0, 0)) return *e;
        return getWatchdog();
    case app::kGetChannelCipherSuites: return cipherSuitesResponse(d);
    default: return cc(wire::kCcInvalidCommand);
    }
}

Bytes CommandHandler::getDeviceId() {
    const auto [major, minorBcd] = parseVersion(hal_.inventory().bmcFirmwareVersion);
    return {wire::kCcOk, kBmcDeviceId,
            0x81, // device revision 1, provides device SDRs
            major,       minorBcd,     kIpmiVersion20,
            0x8F,                            // chassis device, FRU inventory, SEL, SDR repository, sensors
            0x00,        0x00,         0x00, // manufacturer: unspecified (no IANA number yet)
            0x01,        0x00,               // product id
            0x00,        0x00,         0x00,           0x00};
}

Bytes CommandHandler::getSystemGuid() {
    // UUID text -> 16 bytes, then IPMI order (least significant byte first).
    std::array<std::uint8_t, 16> uuid{};
    const std::string& text = hal_.inventory().uuid;
    std::size_t n = 0;
    int high = -1;
    for (char ch : text) {
        const int v = hexValue(ch);
        if (v < 0 || n >= uuid.size()) {
            continue;
        }
        if (high < 0) {
            high = v;
        } else {
            uuid[n++] = static_cast<std::uint8_t>((high << 4) | v);
            high = -1;
        }
    }
    Bytes out(1 + uuid.size(), wire::kCcOk);
    for (std::size_t i = 0; i < uuid.size(); ++i) {
        out[1 + i] = uuid[uuid.size() - 1 - i];
    }
    return out;
}

Bytes CommandHandler::getChannelInfo(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 1, 1)) return *e;
    if (!isOurChannel(d[0])) {
        return cc(wire::kCcInvalidDataField);
    }
    const std::uint8_t sessions = sessionCounter_ ? std::min<std::uint8_t>(sessionCounter_(), 0x3F) : 0;
    return {wire::kCcOk,
            kLanChannel,
            kMediumLan8023,
            kProtocolIpmb,
            static_cast<std::uint8_t>(0x80 | sessions), // multi-session, active count
            0xF2,
            0x1B,
            0x00, // IPMI forum IANA
            0x00,
            0x00};
}

Bytes CommandHandler::getChannelAccess(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 2, 2)) return *e;
    const std::uint8_t which = d[1] >> 6;
    if (!isOurChannel(d[0]) || which == 0 || which == 3) {
        return cc(wire::kCcInvalidDataField);
    }
    // PEF alerting off, per-message and user-level authentication on,
    // always available; privilege limit Administrator.
    return {wire::kCcOk, 0x22, static_cast<std::uint8_t>(Privilege::Administrator)};
}

Bytes CommandHandler::getUserAccess(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 2, 2)) return *e;
    const std::uint8_t maxIds =
        static_cast<std::uint8_t>(std::clamp<std::size_t>(users_.size() + kFirstUserId - 1, kMinUserIds, 63));
    const std::uint8_t id = d[1] & 0x3F;
    if (!isOurChannel(d[0]) || id == 0 || id > maxIds) {
        return cc(wire::kCcInvalidDataField);
    }
    const std::size_t index = id - kFirstUserId;
    const bool valid = id >= kFirstUserId && index < users_.size();
    const std::uint8_t status = valid ? 0x40 : 0x80; // enabled / disabled
    const std::uint8_t access =
        valid ? static_cast<std::uint8_t>(0x30 | static_cast<std::uint8_t>(users_[index].privilege))
              : kNoAccess; // link auth + IPMI messaging, privilege limit
    return {wire::kCcOk, maxIds, static_cast<std::uint8_t>(status | users_.size()),
            0x01, // fixed names: the null user
            access};
}

Bytes CommandHandler::getUserName(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 1, 1)) return *e;
    const std::uint8_t id = d[0] & 0x3F;
    const std::uint8_t maxIds =
        static_cast<std::uint8_t>(std::clamp<std::size_t>(users_.size() + kFirstUserId - 1, kMinUserIds, 63));
    if (id == 0 || id > maxIds) {
        return cc(wire::kCcInvalidDataField);
    }
    Bytes out(17, 0x00);
    const std::size_t index = id - kFirstUserId;
    if (id >= kFirstUserId && index < users_.size()) {
        const std::string& name = users_[index].name;
        std::copy_n(name.begin(), std::min<std::size_t>(16, name.size()), out.begin() + 1);
    }
    return out;
}

Bytes CommandHandler::resetWatchdog() {
    const hal::HalError e = hal_.resetWatchdog();
    if (e == hal::HalError::Busy) {
        return cc(kCcWatchdogNotInitialized);
    }
    return cc(detail::halCompletion(e));
}

Bytes CommandHandler::setWatchdog(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 6, 6)) return *e;
    const std::uint8_t use = d[0] & 0x07;
    const std::uint8_t action = d[1] & 0x07;
    const std::uint8_t preInterrupt = (d[1] >> 4) & 0x07;
    if (use == 0 || use > 5 || action > 3 || preInterrupt > 3) {
        return cc(wire::kCcInvalidDataField);
    }
    const hal::WatchdogState before = hal_.watchdog();
    hal::WatchdogState w = before;
    w.timerUse = use;
    w.dontLog = (d[0] & 0x80) != 0;
    w.action = static_cast<hal::WatchdogAction>(action);
    w.preTimeoutInterrupt = preInterrupt;
    w.preTimeoutSeconds = d[2];
    w.expirationFlags = static_cast<std::uint8_t>(before.expirationFlags & ~d[3]);
    w.initialCountdown = wire::getU16(d, 4);
    w.presentCountdown = w.initialCountdown;
    w.running = false;
    hal::HalError e = hal_.setWatchdog(w);
    const bool dontStop = (d[0] & 0x40) != 0;
    if (e == hal::HalError::Ok && dontStop && before.running) {
        e = hal_.resetWatchdog();
    }
    return cc(detail::halCompletion(e));
}

Bytes CommandHandler::getWatchdog() {
    const hal::WatchdogState w = hal_.watchdog();
    const auto use = static_cast<std::uint8_t>((w.timerUse & 0x07) | (w.running ? 0x40 : 0) | (w.dontLog ? 0x80 : 0));
    const auto action =
        static_cast<std::uint8_t>(static_cast<std::uint8_t>(w.action) | ((w.preTimeoutInterrupt & 0x07) << 4));
    Bytes out = {wire::kCcOk, use, action, w.preTimeoutSeconds, w.expirationFlags};
    wire::putU16(out, w.initialCountdown);
    wire::putU16(out, w.presentCountdown);
    return out;
}

} // namespace cmc::ipmi
