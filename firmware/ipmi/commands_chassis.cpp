// Chassis network function: capabilities, status, control, identify, boot
// options, power-on hours.
#include "hal/blade_hal.hpp"
#include "ipmi/command_handler.hpp"
#include "ipmi/command_util.hpp"

namespace cmc::ipmi {

using detail::badLength;
using detail::cc;
using Bytes = CommandHandler::Bytes;

namespace {

namespace chassis {
constexpr std::uint8_t kGetCapabilities = 0x00;
constexpr std::uint8_t kGetStatus = 0x01;
constexpr std::uint8_t kControl = 0x02;
constexpr std::uint8_t kIdentify = 0x04;
constexpr std::uint8_t kSetBootOptions = 0x08;
constexpr std::uint8_t kGetBootOptions = 0x09;
constexpr std::uint8_t kGetPohCounter = 0x0F;
} // namespace chassis

constexpr std::uint8_t kBmcAddress = 0x20;
constexpr std::uint8_t kCcParameterNotSupported = 0x80;
constexpr std::uint8_t kBootParamSetInProgress = 0;
constexpr std::uint8_t kBootParamInfoAck = 4;
constexpr std::uint8_t kBootParamFlags = 5;
constexpr std::uint8_t kDefaultIdentifySeconds = 15;

std::optional<hal::BootSource> bootSourceFromSelector(std::uint8_t sel) {
    switch (sel) {
    case 0x0: return hal::BootSource::None;
    case 0x1: return hal::BootSource::Pxe;
    case 0x2:
    case 0x3: return hal::BootSource::Hdd;
    case 0x4: return hal::BootSource::Diags;
    case 0x5: return hal::BootSource::Cd;
    case 0x6: return hal::BootSource::BiosSetup;
    case 0x7:
    case 0x8:
    case 0x9:
    case 0xB: return hal::BootSource::RemoteDrive;
    case 0xF: return hal::BootSource::Usb;
    default: return std::nullopt;
    }
}

std::uint8_t selectorFromBootSource(hal::BootSource s) {
    switch (s) {
    case hal::BootSource::None: return 0x0;
    case hal::BootSource::Pxe: return 0x1;
    case hal::BootSource::Hdd: return 0x2;
    case hal::BootSource::Diags: return 0x4;
    case hal::BootSource::Cd: return 0x5;
    case hal::BootSource::BiosSetup: return 0x6;
    case hal::BootSource::RemoteDrive: return 0xB;
    case hal::BootSource::Usb: return 0xF;
    }
    return 0x0;
}

} // namespace

Bytes CommandHandler::handleChassis(const CommandRequest& rq) {
    const auto d = rq.data;
    switch (rq.cmd) {
    case chassis::kGetCapabilities:
        if (auto e = badLength(d, 0, 0)) return *e;
        // intrusion sensor; FRU, SDR, SEL and system management at the BMC
        return {wire::kCcOk, 0x01, kBmcAddress, kBmcAddress, kBmcAddress, kBmcAddress};
    case chassis::kGetStatus:
        if (auto e = badLength(d, 0, 0)) return *e;
        return getChassisStatus();
    case chassis::kControl: return chassisControl(d);
    case chassis::kIdentify: return chassisIdentify(d);
    case chassis::kSetBootOptions: return setBootOptions(d);
    case chassis::kGetBootOptions: return getBootOptions(d);
    case chassis::kGetPohCounter: {
        if (auto e = badLength(d, 0, 0)) return *e;
        Bytes out = {wire::kCcOk, 60}; // minutes per count
        wire::putU32(out, hal_.powerOnHours());
        return out;
    }
    default: return cc(wire::kCcInvalidCommand);
    }
}

Bytes CommandHandler::getChassisStatus() {
    const hal::ChassisStatus s = hal_.chassisStatus();
    const bool on = s.power == hal::PowerState::On || s.power == hal::PowerState::PoweringOff;
    const auto power =
        static_cast<std::uint8_t>((on ? 0x01 : 0) | (s.powerOverload ? 0x02 : 0) | (s.powerInterlock ? 0x04 : 0) |
                                  (s.powerFault ? 0x08 : 0) | 0x60 /* restore policy unknown */);
    std::uint8_t last = 0;
    switch (s.lastEvent) {
    case hal::LastPowerEvent::AcFailed: last = 0x01; break;
    case hal::LastPowerEvent::PowerFault: last = 0x08; break;
    case hal::LastPowerEvent::PowerOnByCommand: last = 0x10; break;
    case hal::LastPowerEvent::PowerDownByCommand:
    case hal::LastPowerEvent::None: last = 0x00; break;
    }
    const auto misc = static_cast<std::uint8_t>((s.intrusion ? 0x01 : 0) | (s.coolingFault ? 0x08 : 0) |
                                                (s.identifyOn ? 0x10 : 0) | 0x40 /* identify state supported */);
    return {wire::kCcOk, power, last, misc, 0x00};
}

Bytes CommandHandler::chassisControl(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 1, 1)) return *e;
    hal::ResetType type{};
    switch (d[0] & 0x0F) {
    case 0: type = hal::ResetType::ForceOff; break;
    case 1: type = hal::ResetType::On; break;
    case 2: type = hal::ResetType::PowerCycle; break;
    case 3: type = hal::ResetType::ForceRestart; break;
    case 4: type = hal::ResetType::Nmi; break;
    case 5: type = hal::ResetType::GracefulShutdown; break;
    default: return cc(wire::kCcInvalidDataField);
    }
    return cc(detail::halCompletion(hal_.reset(type)));
}

Bytes CommandHandler::chassisIdentify(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 0, 2)) return *e;
    const std::uint8_t interval = d.empty() ? kDefaultIdentifySeconds : d[0];
    const bool force = d.size() == 2 && (d[1] & 0x01) != 0;
    if (force) {
        hal_.setIdentify(true, std::chrono::seconds{0}); // 0: until turned off
    } else {
        hal_.setIdentify(interval != 0, std::chrono::seconds{interval});
    }
    return cc(wire::kCcOk);
}

Bytes CommandHandler::setBootOptions(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 1, 32)) return *e;
    const std::uint8_t param = d[0] & 0x7F;
    const auto body = d.subspan(1);
    switch (param) {
    case kBootParamSetInProgress:
        if (auto e = badLength(body, 1, 1)) return *e;
        if ((body[0] & 0x03) == 0x03) {
            return cc(wire::kCcInvalidDataField);
        }
        bootParamSetInProgress_ = body[0] & 0x03;
        return cc(wire::kCcOk);
    case kBootParamInfoAck:
        if (auto e = badLength(body, 2, 2)) return *e;
        // Bits set in the mask take the data bit's value.
        bootInfoAck_ = static_cast<std::uint8_t>((bootInfoAck_ & ~body[0]) | (body[1] & body[0]));
        return cc(wire::kCcOk);
    case kBootParamFlags: {
        if (auto e = badLength(body, 5, 5)) return *e;
        const auto source = bootSourceFromSelector((body[1] >> 2) & 0x0F);
        if (!source) {
            return cc(wire::kCcInvalidDataField);
        }
        hal::BootOverride o;
        o.target = *source;
        o.uefi = (body[0] & 0x20) != 0;
        if ((body[0] & 0x80) == 0) {
            o.enabled = hal::BootEnabled::Disabled;
        } else {
            o.enabled = (body[0] & 0x40) != 0 ? hal::BootEnabled::Continuous : hal::BootEnabled::Once;
        }
        hal_.setBootOverride(o);
        return cc(wire::kCcOk);
    }
    default: return cc(kCcParameterNotSupported);
    }
}

Bytes CommandHandler::getBootOptions(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 3, 3)) return *e;
    const std::uint8_t param = d[0] & 0x7F;
    Bytes out = {wire::kCcOk, 0x01 /* parameter version */, param};
    switch (param) {
    case kBootParamSetInProgress: out.push_back(bootParamSetInProgress_); break;
    case kBootParamInfoAck:
        out.push_back(0x00);
        out.push_back(bootInfoAck_);
        break;
    case kBootParamFlags: {
        const hal::BootOverride o = hal_.bootOverride();
        const auto flags =
            static_cast<std::uint8_t>((o.enabled != hal::BootEnabled::Disabled ? 0x80 : 0) |
                                      (o.enabled == hal::BootEnabled::Continuous ? 0x40 : 0) | (o.uefi ? 0x20 : 0));
        out.push_back(flags);
        out.push_back(static_cast<std::uint8_t>(selectorFromBootSource(o.target) << 2));
        out.push_back(0x00);
        out.push_back(0x00);
        out.push_back(0x00);
        break;
    }
    default: return cc(kCcParameterNotSupported);
    }
    return out;
}

} // namespace cmc::ipmi
