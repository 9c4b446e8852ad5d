// Builds FRU images (common header, board and product areas) for tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cmc::test {

inline void appendField(std::vector<std::uint8_t>& a, const std::string& s) {
    a.push_back(static_cast<std::uint8_t>(0xc0 | s.size()));
    a.insert(a.end(), s.begin(), s.end());
}

// Pads to a multiple of 8 with the checksum as the last byte; sets byte 1.
inline void closeArea(std::vector<std::uint8_t>& a) {
    a.push_back(0xc1);
    while ((a.size() + 1) % 8 != 0)
        a.push_back(0);
    a[1] = static_cast<std::uint8_t>((a.size() + 1) / 8);
    unsigned sum = 0;
    for (auto v : a)
        sum += v;
    a.push_back(static_cast<std::uint8_t>(-sum & 0xff));
}

inline std::vector<std::uint8_t> buildFru(const std::vector<std::string>& board,
                                          const std::vector<std::string>& product) {
    std::vector<std::uint8_t> b{0x01, 0x00, 0x19, 0x00, 0x00, 0x00};
    for (const auto& f : board)
        appendField(b, f);
    closeArea(b);
    std::vector<std::uint8_t> p{0x01, 0x00, 0x19};
    for (const auto& f : product)
        appendField(p, f);
    closeArea(p);
    std::vector<std::uint8_t> img{0x01, 0x00, 0x00, 0x01, static_cast<std::uint8_t>(1 + b.size() / 8), 0x00, 0x00};
    unsigned sum = 0;
    for (auto v : img)
        sum += v;
    img.push_back(static_cast<std::uint8_t>(-sum & 0xff));
    img.insert(img.end(), b.begin(), b.end());
    img.insert(img.end(), p.begin(), p.end());
    return img;
}

} // namespace cmc::test
