// Small helpers for IPMI wire encoding shared by the filter and commands.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cmc::ipmi::wire {

// Completion codes (IPMI 2.0 table 5-2).
inline constexpr std::uint8_t kCcOk = 0x00;
inline constexpr std::uint8_t kCcNodeBusy = 0xC0;
inline constexpr std::uint8_t kCcInvalidCommand = 0xC1;
inline constexpr std::uint8_t kCcOutOfSpace = 0xC4;
inline constexpr std::uint8_t kCcReservationCancelled = 0xC5;
inline constexpr std::uint8_t kCcRequestDataLengthInvalid = 0xC7;       // too short
inline constexpr std::uint8_t kCcRequestDataFieldLengthExceeded = 0xC8; // too long
inline constexpr std::uint8_t kCcParameterOutOfRange = 0xC9;
inline constexpr std::uint8_t kCcCannotReturnRequestedBytes = 0xCA;
inline constexpr std::uint8_t kCcNotPresent = 0xCB;
inline constexpr std::uint8_t kCcInvalidDataField = 0xCC;
inline constexpr std::uint8_t kCcInsufficientPrivilege = 0xD4;
inline constexpr std::uint8_t kCcNotSupportedInPresentState = 0xD5;
inline constexpr std::uint8_t kCcUnspecified = 0xFF;

[[nodiscard]] inline std::uint8_t checksum(std::span<const std::uint8_t> bytes) {
    std::uint8_t sum = 0;
    for (std::uint8_t b : bytes) {
        sum = static_cast<std::uint8_t>(sum + b);
    }
    return static_cast<std::uint8_t>(-sum);
}

[[nodiscard]] inline std::uint16_t getU16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}

[[nodiscard]] inline std::uint32_t getU32(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint32_t>(b[at]) | (static_cast<std::uint32_t>(b[at + 1]) << 8) |
           (static_cast<std::uint32_t>(b[at + 2]) << 16) | (static_cast<std::uint32_t>(b[at + 3]) << 24);
}

inline void putU16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v & 0xff));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
}

inline void putU32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xff));
    }
}

} // namespace cmc::ipmi::wire
