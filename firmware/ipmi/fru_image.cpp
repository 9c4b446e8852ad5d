#include "ipmi/fru_image.hpp"

#include "hal/blade_hal.hpp"
#include "ipmi/ipmi_wire.hpp"

#include <string>

namespace cmc::ipmi {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t kFormatVersion = 0x01;
constexpr std::uint8_t kEndOfFields = 0xC1;
constexpr std::uint8_t kLanguageEnglish = 0x00;
constexpr std::uint8_t kChassisTypeBlade = 0x1C; // SMBIOS chassis type "Blade"
constexpr std::int64_t kFruEpoch = 820454400;    // 1996-01-01T00:00:00Z

// 8-bit ASCII type/length field. One-byte strings would read as the end
// marker (C1h), so they get a trailing space.
void putField(Bytes& area, std::string s) {
    if (s.size() > 63) {
        s.resize(63);
    }
    if (s.size() == 1) {
        s.push_back(' ');
    }
    area.push_back(static_cast<std::uint8_t>(0xC0 | s.size()));
    area.insert(area.end(), s.begin(), s.end());
}

// Ends the field list, pads to a multiple of 8 and adds the checksum.
void closeArea(Bytes& area) {
    area.push_back(kEndOfFields);
    while ((area.size() + 1) % 8 != 0) {
        area.push_back(0x00);
    }
    area.push_back(0x00);
    area[1] = static_cast<std::uint8_t>(area.size() / 8);
    area.back() = wire::checksum(std::span<const std::uint8_t>(area.data(), area.size() - 1));
}

Bytes chassisArea(const hal::Inventory& inv) {
    Bytes a = {kFormatVersion, 0, kChassisTypeBlade};
    putField(a, inv.partNumber);
    putField(a, inv.serialNumber);
    closeArea(a);
    return a;
}

Bytes boardArea(const hal::Inventory& inv) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(inv.manufactured.time_since_epoch()).count();
    std::uint32_t minutes = 0;
    if (secs > kFruEpoch) {
        minutes = static_cast<std::uint32_t>(std::min<std::int64_t>((secs - kFruEpoch) / 60, 0xFFFFFF));
    }
    Bytes a = {kFormatVersion,
               0,
               kLanguageEnglish,
               static_cast<std::uint8_t>(minutes & 0xFF),
               static_cast<std::uint8_t>((minutes >> 8) & 0xFF),
               static_cast<std::uint8_t>((minutes >> 16) & 0xFF)};
    putField(a, inv.manufacturer);
    putField(a, inv.model);
    putField(a, inv.serialNumber);
    putField(a, inv.partNumber);
    putField(a, ""); // FRU file id
    closeArea(a);
    return a;
}

Bytes productArea(const hal::Inventory& inv) {
    Bytes a = {kFormatVersion, 0, kLanguageEnglish};
    putField(a, inv.manufacturer);
    putField(a, inv.model);
    putField(a, inv.partNumber);
    putField(a, inv.biosVersion);
    putField(a, inv.serialNumber);
    putField(a, inv.assetTag);
    putField(a, ""); // FRU file id
    closeArea(a);
    return a;
}

} // namespace

std::vector<std::uint8_t> buildFruImage(const hal::Inventory& inventory) {
    const Bytes chassis = chassisArea(inventory);
    const Bytes board = boardArea(inventory);
    const Bytes product = productArea(inventory);
    const std::size_t chassisAt = 8;
    const std::size_t boardAt = chassisAt + chassis.size();
    const std::size_t productAt = boardAt + board.size();
    Bytes image = {kFormatVersion,
                   0x00, // internal use: none
                   static_cast<std::uint8_t>(chassisAt / 8),
                   static_cast<std::uint8_t>(boardAt / 8),
                   static_cast<std::uint8_t>(productAt / 8),
                   0x00, // multi-record: none
                   0x00};
    image.push_back(wire::checksum(image));
    image.insert(image.end(), chassis.begin(), chassis.end());
    image.insert(image.end(), board.begin(), board.end());
    image.insert(image.end(), product.begin(), product.end());
    return image;
}

} // namespace cmc::ipmi
