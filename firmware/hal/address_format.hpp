// Canonical text forms of MAC addresses and Fibre Channel WWNs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cmc::hal {

// "aa:bb:cc:dd:ee:ff" (lower case) from the low 48 bits.
[[nodiscard]] std::string formatMac(std::uint64_t value);
// "20:00:aa:bb:cc:dd:ee:ff" (lower case) from 64 bits.
[[nodiscard]] std::string formatWwn(std::uint64_t value);
// Accepts colon or dash separated hex octets, any case; returns the canonical
// form, or nullopt when malformed. Multicast and all-zero MACs are refused.
[[nodiscard]] std::optional<std::string> normalizeMac(std::string_view text);
// Eight colon separated hex octets, any case; all-zero refused.
[[nodiscard]] std::optional<std::string> normalizeWwn(std::string_view text);

} // namespace cmc::hal
