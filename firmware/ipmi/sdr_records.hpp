// Sensor Data Records (IPMI 2.0 section 43) built from the HAL's sensors,
// and the linear conversion that maps a reading to its one-byte raw value:
//   value = (M * raw + B * 10^Bexp) * 10^Rexp
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace cmc::hal {
struct SensorReading;
}

namespace cmc::ipmi {

struct LinearConversion {
    int m = 1;
    int b = 0;
    int bExp = 0;
    int rExp = 0;

    [[nodiscard]] double toValue(std::uint8_t raw) const;
    [[nodiscard]] std::uint8_t toRaw(double value) const; // rounded, clamped to 0..255
};

// Chosen from the sensor's kind and thresholds only, so it is stable while
// the reading moves.
[[nodiscard]] LinearConversion conversionFor(const hal::SensorReading& sensor);

// Threshold masks: bit 0 LNC, 1 LC, 2 LNR, 3 UNC, 4 UC, 5 UNR.
[[nodiscard]] std::uint8_t readableThresholdMask(const hal::SensorReading& sensor);
[[nodiscard]] std::uint16_t assertionEventMask(const hal::SensorReading& sensor);
// Threshold comparison status byte of Get Sensor Reading.
[[nodiscard]] std::uint8_t thresholdStatus(const hal::SensorReading& sensor);
[[nodiscard]] std::uint8_t ipmiSensorType(const hal::SensorReading& sensor);

// Full Sensor Record (type 01h) with the given record id.
[[nodiscard]] std::vector<std::uint8_t> fullSensorRecord(const hal::SensorReading& sensor, std::uint16_t recordId);

} // namespace cmc::ipmi
