// Decoding of IPMI answers (pure functions, no I/O, never throw). Each answer
// starts with its completion code; a non-zero code gives CompletionCode, a
// short or inconsistent answer gives Malformed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "southbound/ipmi/ipmi_client.hpp"

namespace cmc::southbound::ipmi {

using Bytes = std::span<const std::uint8_t>;

// NetFn / command numbers used by the client.
inline constexpr std::uint8_t kNetFnChassis = 0x00;
inline constexpr std::uint8_t kNetFnApp = 0x06;
inline constexpr std::uint8_t kNetFnStorage = 0x0a;
inline constexpr std::uint8_t kCmdGetDeviceId = 0x01;
inline constexpr std::uint8_t kCmdGetWatchdog = 0x25;
inline constexpr std::uint8_t kCmdGetChassisStatus = 0x01;
inline constexpr std::uint8_t kCmdChassisControl = 0x02;
inline constexpr std::uint8_t kCmdGetFruAreaInfo = 0x10;
inline constexpr std::uint8_t kCmdReadFruData = 0x11;
inline constexpr std::uint8_t kCmdGetSelInfo = 0x40;
inline constexpr std::uint8_t kCmdReserveSel = 0x42;
inline constexpr std::uint8_t kCmdGetSelEntry = 0x43;

inline constexpr std::uint8_t kCcInvalidReservation = 0xc5;
inline constexpr std::uint8_t kCcLengthExceeded = 0xc8;
inline constexpr std::uint8_t kCcCannotReturnLength = 0xca;
inline constexpr std::uint8_t kCcNotPresent = 0xcb;

[[nodiscard]] IpmiResult<IpmiDeviceId> decodeDeviceId(Bytes answer);
[[nodiscard]] IpmiResult<IpmiChassisStatus> decodeChassisStatus(Bytes answer);
[[nodiscard]] IpmiResult<bool> decodeChassisControl(Bytes answer);
[[nodiscard]] IpmiResult<IpmiSelInfo> decodeSelInfo(Bytes answer);
[[nodiscard]] IpmiResult<IpmiWatchdog> decodeWatchdog(Bytes answer);

struct FruAreaInfo {
    std::uint16_t size = 0;
    bool wordAccess = false;
};
[[nodiscard]] IpmiResult<FruAreaInfo> decodeFruAreaInfo(Bytes answer);
// Read FRU Data answer: the data bytes (count checked against the answer length).
[[nodiscard]] IpmiResult<std::vector<std::uint8_t>> decodeReadFruData(Bytes answer);

// FRU image parsing. The common header is the first 8 bytes of the image.
struct FruHeader {
    std::uint16_t boardOffset = 0;   // bytes, 0 = absent
    std::uint16_t productOffset = 0; // bytes, 0 = absent
};
[[nodiscard]] IpmiResult<FruHeader> parseFruHeader(Bytes header);
// `area` holds exactly one whole area (its length is byte 1 * 8).
[[nodiscard]] bool parseBoardArea(Bytes area, IpmiFru& out, std::string& why);
[[nodiscard]] bool parseProductArea(Bytes area, IpmiFru& out, std::string& why);
// Whole image (header + areas) in one buffer: convenience for tests and small FRUs.
[[nodiscard]] IpmiResult<IpmiFru> parseFruImage(Bytes image);

[[nodiscard]] IpmiResult<std::uint16_t> decodeReserveSel(Bytes answer);
struct SelEntryAnswer {
    std::uint16_t nextId = 0;
    IpmiSelEntry entry;
};
[[nodiscard]] IpmiResult<SelEntryAnswer> decodeSelEntry(Bytes answer);

} // namespace cmc::southbound::ipmi
