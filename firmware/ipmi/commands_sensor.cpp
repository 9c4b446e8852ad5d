// Sensor/Event network function and the OpenCMC OEM commands.
#include "hal/blade_hal.hpp"
#include "ipmi/command_handler.hpp"
#include "ipmi/command_util.hpp"
#include "ipmi/sdr_records.hpp"

namespace cmc::ipmi {

using detail::badLength;
using detail::cc;
using Bytes = CommandHandler::Bytes;

namespace {

namespace sensor {
constexpr std::uint8_t kGetSensorThresholds = 0x27;
constexpr std::uint8_t kGetSensorEventEnable = 0x29;
constexpr std::uint8_t kGetSensorReading = 0x2D;
} // namespace sensor

namespace oem {
constexpr std::uint8_t kGetPortCounts = 0x01;
constexpr std::uint8_t kGetVirtualAddress = 0x02;
constexpr std::uint8_t kNicMac = 0x00;
constexpr std::uint8_t kHbaWwpn = 0x01;
constexpr std::uint8_t kHbaWwnn = 0x02;
} // namespace oem

// "aa:bb:cc:dd:ee:ff" -> bytes; nullopt unless exactly `size` hex pairs.
std::optional<Bytes> parseAddress(const std::string& text, std::size_t size) {
    Bytes out;
    int high = -1;
    for (char c : text) {
        int v = -1;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else if (c == ':' || c == '-')
            continue;
        else
            return std::nullopt;
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>((high << 4) | v));
            high = -1;
        }
    }
    if (high >= 0 || out.size() != size) {
        return std::nullopt;
    }
    return out;
}

} // namespace

const hal::SensorReading* CommandHandler::findSensor(const std::vector<hal::SensorReading>& all,
                                                     std::uint8_t number) const {
    for (const auto& s : all) {
        if (s.number == number) {
            return &s;
        }
    }
    return nullptr;
}

Bytes CommandHandler::handleSensor(const CommandRequest& rq) {
    switch (rq.cmd) {
    case sensor::kGetSensorReading: return getSensorReading(rq.data);
    case sensor::kGetSensorThresholds: return getSensorThresholds(rq.data);
    case sensor::kGetSensorEventEnable: return getSensorEventEnable(rq.data);
    default: return cc(wire::kCcInvalidCommand);
    }
}

Bytes CommandHandler::getSensorReading(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 1, 1)) return *e;
    const auto all = hal_.sensors();
    const hal::SensorReading* s = findSensor(all, d[0]);
    if (s == nullptr) {
        return cc(wire::kCcNotPresent);
    }
    if (!s->available) {
        return {wire::kCcOk, 0x00, 0x60 /* scanning on, reading unavailable */, 0x00, 0x80};
    }
    return {wire::kCcOk, conversionFor(*s).toRaw(s->value), 0xC0 /* event messages and scanning enabled */,
            thresholdStatus(*s), 0x80};
}

Bytes CommandHandler::getSensorThresholds(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 1, 1)) return *e;
    const auto all = hal_.sensors();
    const hal::SensorReading* s = findSensor(all, d[0]);
    if (s == nullptr) {
        return cc(wire::kCcNotPresent);
    }
    const LinearConversion c = conversionFor(*s);
    const auto& t = s->thresholds;
    auto raw = [&c](const std::optional<double>& v) -> std::uint8_t { return v ? c.toRaw(*v) : 0; };
    return {wire::kCcOk,
            readableThresholdMask(*s),
            raw(t.lowerNonCritical),
            raw(t.lowerCritical),
            0x00, // lower non-recoverable
            raw(t.upperNonCritical),
            raw(t.upperCritical),
            0x00}; // upper non-recoverable
}

Bytes CommandHandler::getSensorEventEnable(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 1, 1)) return *e;
    const auto all = hal_.sensors();
    const hal::SensorReading* s = findSensor(all, d[0]);
    if (s == nullptr) {
        return cc(wire::kCcNotPresent);
    }
    const std::uint16_t mask = assertionEventMask(*s);
    Bytes out = {wire::kCcOk, 0xC0};
    wire::putU16(out, mask); // assertion events enabled
    wire::putU16(out, mask); // deassertion events enabled
    return out;
}

Bytes CommandHandler::handleOem(const CommandRequest& rq) {
    switch (rq.cmd) {
    case oem::kGetPortCounts:
        if (auto e = badLength(rq.data, 0, 0)) return *e;
        return getPortCounts();
    case oem::kGetVirtualAddress: return getVirtualAddress(rq.data);
    default: return cc(wire::kCcInvalidCommand);
    }
}

Bytes CommandHandler::getPortCounts() {
    return {wire::kCcOk, static_cast<std::uint8_t>(std::min<std::size_t>(hal_.nics().size(), 255)),
            static_cast<std::uint8_t>(std::min<std::size_t>(hal_.hbas().size(), 255))};
}

Bytes CommandHandler::getVirtualAddress(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 2, 2)) return *e;
    const std::uint8_t kind = d[0];
    const std::size_t index = d[1];
    std::string current;
    std::string permanent;
    bool linkUp = false;
    std::size_t size = 0;
    if (kind == oem::kNicMac) {
        const auto& nics = hal_.nics();
        if (index >= nics.size()) {
            return cc(wire::kCcParameterOutOfRange);
        }
        current = nics[index].mac;
        permanent = nics[index].permanentMac;
        linkUp = nics[index].linkUp;
        size = 6;
    } else if (kind == oem::kHbaWwpn || kind == oem::kHbaWwnn) {
        const auto& hbas = hal_.hbas();
        if (index >= hbas.size()) {
            return cc(wire::kCcParameterOutOfRange);
        }
        const bool wwpn = kind == oem::kHbaWwpn;
        current = wwpn ? hbas[index].wwpn : hbas[index].wwnn;
        permanent = wwpn ? hbas[index].permanentWwpn : hbas[index].permanentWwnn;
        linkUp = hbas[index].linkUp;
        size = 8;
    } else {
        return cc(wire::kCcInvalidDataField);
    }
    const auto cur = parseAddress(current, size);
    const auto perm = parseAddress(permanent, size);
    const auto flags =
        static_cast<std::uint8_t>((linkUp ? 0x01 : 0) | (cur && perm && *cur != *perm ? 0x02 : 0) | (!cur ? 0x04 : 0));
    Bytes out = {wire::kCcOk, kind, d[1], flags, static_cast<std::uint8_t>(size)};
    const Bytes zeros(size, 0x00);
    const Bytes& c = cur ? *cur : zeros;
    const Bytes& p = perm ? *perm : zeros;
    out.insert(out.end(), c.begin(), c.end());
    out.insert(out.end(), p.begin(), p.end());
    return out;
}

} // namespace cmc::ipmi
