// Builders of IPMI LAN datagrams for the tests.
#pragma once

#include "ipmi/ipmi_wire.hpp"

#include <cstdint>
#include <vector>

namespace cmc::ipmi::test {

using Bytes = std::vector<std::uint8_t>;

inline Bytes ipmiRequest(std::uint8_t netFn, std::uint8_t cmd, const Bytes& data, std::uint8_t seq = 1) {
    Bytes m = {0x20, static_cast<std::uint8_t>(netFn << 2)};
    m.push_back(wire::checksum(m));
    m.push_back(0x81);
    m.push_back(static_cast<std::uint8_t>(seq << 2));
    m.push_back(cmd);
    for (auto b : data)
        m.push_back(b);
    m.push_back(wire::checksum(std::span<const std::uint8_t>(m.data() + 3, m.size() - 3)));
    return m;
}

inline Bytes rmcp15(const Bytes& msg) {
    Bytes d = {0x06, 0x00, 0xFF, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(msg.size())};
    for (auto b : msg)
        d.push_back(b);
    return d;
}

inline Bytes rmcpPlus(std::uint8_t payloadType, const Bytes& payload, std::uint32_t sid = 0) {
    Bytes d = {0x06, 0x00, 0xFF, 0x07, 0x06, payloadType};
    wire::putU32(d, sid);
    wire::putU32(d, 0);
    wire::putU16(d, static_cast<std::uint16_t>(payload.size()));
    for (auto b : payload)
        d.push_back(b);
    return d;
}

inline Bytes openSessionRequest(std::uint8_t priv, std::uint8_t auth, std::uint8_t integ, std::uint8_t conf) {
    return {0x01, priv, 0, 0,    0x78,  0x56, 0x34, 0x12, 0x00, 0, 0, 0x08, auth, 0, 0, 0,
            0x01, 0,    0, 0x08, integ, 0,    0,    0,    0x02, 0, 0, 0x08, conf, 0, 0, 0};
}

} // namespace cmc::ipmi::test
