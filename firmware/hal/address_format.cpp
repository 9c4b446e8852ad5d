#include "hal/address_format.hpp"

#include <array>
#include <cstdio>

namespace cmc::hal {

namespace {

std::string formatOctets(std::uint64_t value, int count) {
    std::string out;
    out.reserve(static_cast<std::size_t>(count) * 3);
    for (int i = count - 1; i >= 0; --i) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned>((value >> (i * 8)) & 0xff));
        out += buf;
        if (i) out += ':';
    }
    return out;
}

int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::uint64_t> parseOctets(std::string_view text, int count) {
    if (text.size() != static_cast<std::size_t>(count) * 3 - 1) return std::nullopt;
    std::uint64_t v = 0;
    char sep = text.size() > 2 ? text[2] : ':';
    if (sep != ':' && sep != '-') return std::nullopt;
    for (int i = 0; i < count; ++i) {
        std::size_t p = static_cast<std::size_t>(i) * 3;
        int hi = hexDigit(text[p]);
        int lo = hexDigit(text[p + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        if (i + 1 < count && text[p + 2] != sep) return std::nullopt;
        v = (v << 8) | static_cast<std::uint64_t>(hi * 16 + lo);
    }
    return v;
}

} // namespace

std::string formatMac(std::uint64_t value) {
    return formatOctets(value & 0xffffffffffffULL, 6);
}

std::string formatWwn(std::uint64_t value) {
    return formatOctets(value, 8);
}

std::optional<std::string> normalizeMac(std::string_view text) {
    auto v = parseOctets(text, 6);
    if (!v || *v == 0) return std::nullopt;
    if ((*v >> 40) & 0x01) return std::nullopt; // multicast/broadcast
    return formatMac(*v);
}

std::optional<std::string> normalizeWwn(std::string_view text) {
    auto v = parseOctets(text, 8);
    if (!v || *v == 0) return std::nullopt;
    return formatWwn(*v);
}

} // namespace cmc::hal
