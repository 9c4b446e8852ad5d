#include "ipmi/sdr_records.hpp"

#include "hal/blade_hal.hpp"

#include <algorithm>
#include <cmath>

namespace cmc::ipmi {
namespace {

constexpr std::uint8_t kSdrVersion = 0x51;
constexpr std::uint8_t kRecordTypeFullSensor = 0x01;
constexpr std::uint8_t kOwnerBmc = 0x20;
constexpr std::uint8_t kReadingTypeThreshold = 0x01;
constexpr std::size_t kMaxIdLength = 16;

double pow10(int e) {
    return std::pow(10.0, e);
}

double highestThreshold(const hal::SensorThresholds& t) {
    double hi = 0.0;
    for (const auto& v : {t.lowerCritical, t.lowerNonCritical, t.upperNonCritical, t.upperCritical}) {
        if (v) {
            hi = std::max(hi, *v);
        }
    }
    return hi;
}

std::uint8_t baseUnit(const std::string& units) {
    if (units == "Cel") return 1;
    if (units == "V") return 4;
    if (units == "A") return 5;
    if (units == "W") return 6;
    if (units == "RPM" || units == "{rev}/min") return 18;
    return 0;
}

std::uint8_t entityId(const hal::SensorReading& s) {
    switch (s.kind) {
    case hal::SensorKind::Fan: return 0x1D;   // fan device
    case hal::SensorKind::Power: return 0x13; // power unit
    default: return 0x07;                     // system board
    }
}

} // namespace

double LinearConversion::toValue(std::uint8_t raw) const {
    return (m * static_cast<double>(raw) + b * pow10(bExp)) * pow10(rExp);
}

std::uint8_t LinearConversion::toRaw(double value) const {
    const double raw = (value / pow10(rExp) - b * pow10(bExp)) / m;
    if (!(raw > 0.0)) { // also NaN
        return 0;
    }
    return static_cast<std::uint8_t>(std::min(255.0, std::round(raw)));
}

LinearConversion conversionFor(const hal::SensorReading& sensor) {
    LinearConversion c;
    double range = 0.0;
    switch (sensor.kind) {
    case hal::SensorKind::Temperature: range = 255.0; break;
    case hal::SensorKind::Voltage: range = 16.0; break;
    case hal::SensorKind::Power: range = 1000.0; break;
    case hal::SensorKind::Fan: range = 20000.0; break;
    }
    range = std::max(range, 1.25 * highestThreshold(sensor.thresholds));
    const double step = range / 255.0;
    if (sensor.kind == hal::SensorKind::Temperature && step <= 1.0) {
        return c; // 1 degree per count
    }
    c.rExp = static_cast<int>(std::floor(std::log10(step))) - 1;
    c.rExp = std::clamp(c.rExp, -8, 7);
    c.m = static_cast<int>(std::ceil(step / pow10(c.rExp) - 1e-9));
    c.m = std::clamp(c.m, 1, 511);
    return c;
}

std::uint8_t readableThresholdMask(const hal::SensorReading& s) {
    const auto& t = s.thresholds;
    return static_cast<std::uint8_t>((t.lowerNonCritical ? 0x01 : 0) | (t.lowerCritical ? 0x02 : 0) |
                                     (t.upperNonCritical ? 0x08 : 0) | (t.upperCritical ? 0x10 : 0));
}

std::uint16_t assertionEventMask(const hal::SensorReading& s) {
    const auto& t = s.thresholds;
    return static_cast<std::uint16_t>((t.lowerNonCritical ? 0x0001 : 0) | // LNC going low
                                      (t.lowerCritical ? 0x0004 : 0) |    // LC going low
                                      (t.upperNonCritical ? 0x0080 : 0) | // UNC going high
                                      (t.upperCritical ? 0x0200 : 0));    // UC going high
}

std::uint8_t thresholdStatus(const hal::SensorReading& s) {
    if (!s.available) {
        return 0;
    }
    const auto& t = s.thresholds;
    const double v = s.value;
    return static_cast<std::uint8_t>((t.lowerNonCritical && v <= *t.lowerNonCritical ? 0x01 : 0) |
                                     (t.lowerCritical && v <= *t.lowerCritical ? 0x02 : 0) |
                                     (t.upperNonCritical && v >= *t.upperNonCritical ? 0x08 : 0) |
                                     (t.upperCritical && v >= *t.upperCritical ? 0x10 : 0));
}

std::uint8_t ipmiSensorType(const hal::SensorReading& s) {
    switch (s.kind) {
    case hal::SensorKind::Temperature: return 0x01;
    case hal::SensorKind::Voltage: return 0x02;
    case hal::SensorKind::Fan: return 0x04;
    case hal::SensorKind::Power: return 0x0B; // other units-based sensor
    }
    return 0x0B;
}

std::vector<std::uint8_t> fullSensorRecord(const hal::SensorReading& s, std::uint16_t recordId) {
    const LinearConversion c = conversionFor(s);
    const auto& t = s.thresholds;
    auto raw = [&](const std::optional<double>& v) -> std::uint8_t { return v ? c.toRaw(*v) : 0; };
    const std::uint8_t readable = readableThresholdMask(s);
    const std::uint16_t events = assertionEventMask(s);
    const std::uint16_t lowerReading =
        static_cast<std::uint16_t>(((readable & 0x01) ? 0x1000 : 0) | ((readable & 0x02) ? 0x2000 : 0));
    const std::uint16_t upperReading =
        static_cast<std::uint16_t>(((readable & 0x08) ? 0x1000 : 0) | ((readable & 0x10) ? 0x2000 : 0));
    const std::uint16_t assertWord = static_cast<std::uint16_t>(events | lowerReading);
    const std::uint16_t deassertWord = static_cast<std::uint16_t>(events | upperReading);
    const std::string id = s.name.substr(0, kMaxIdLength);
    const auto m = static_cast<std::uint16_t>(c.m & 0x3FF);
    const auto b = static_cast<std::uint16_t>(c.b & 0x3FF);

    std::vector<std::uint8_t> r = {
        static_cast<std::uint8_t>(recordId & 0xFF),
        static_cast<std::uint8_t>(recordId >> 8),
        kSdrVersion,
        kRecordTypeFullSensor,
        0 /* length, below */,
        kOwnerBmc,
        0x00,
        s.number,
        entityId(s),
        0x01,
        0x67, // init: scanning, events, sensor type; events and scanning enabled
        0x45, // auto re-arm, no hysteresis, thresholds readable, entire-sensor event control
        ipmiSensorType(s),
        kReadingTypeThreshold,
        static_cast<std::uint8_t>(assertWord & 0xFF),
        static_cast<std::uint8_t>(assertWord >> 8),
        static_cast<std::uint8_t>(deassertWord & 0xFF),
        static_cast<std::uint8_t>(deassertWord >> 8),
        readable,
        0x00, // readable / settable thresholds
        0x00, // unsigned, no rate, no modifier
        baseUnit(s.units),
        0x00,
        0x00, // linear
        static_cast<std::uint8_t>(m & 0xFF),
        static_cast<std::uint8_t>((m >> 8) << 6),
        static_cast<std::uint8_t>(b & 0xFF),
        static_cast<std::uint8_t>((b >> 8) << 6),
        0x00,
        static_cast<std::uint8_t>(((c.rExp & 0xF) << 4) | (c.bExp & 0xF)),
        0x00, // analog characteristics: none specified
        0x00,
        0x00,
        0x00, // nominal, normal max, normal min
        0xFF,
        0x00, // sensor max, min reading
        0x00,
        raw(t.upperCritical),
        raw(t.upperNonCritical),
        0x00,
        raw(t.lowerCritical),
        raw(t.lowerNonCritical),
        0x00,
        0x00, // hysteresis
        0x00,
        0x00, // reserved
        0x00, // OEM
        static_cast<std::uint8_t>(0xC0 | id.size()),
    };
    for (char ch : id) { // (a range insert trips GCC 12's -Warray-bounds)
        r.push_back(static_cast<std::uint8_t>(ch));
    }
    r[4] = static_cast<std::uint8_t>(r.size() - 5);
    return r;
}

} // namespace cmc::ipmi
