// FRU inventory image (Platform Management FRU Information Storage
// Definition v1.0): common header, chassis, board and product info areas.
#pragma once

#include <cstdint>
#include <vector>

namespace cmc::hal {
struct Inventory;
}

namespace cmc::ipmi {

[[nodiscard]] std::vector<std::uint8_t> buildFruImage(const hal::Inventory& inventory);

} // namespace cmc::ipmi
