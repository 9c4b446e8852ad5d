// Pre-session datagram filter in front of libIPMIlanserv.
//
// Works around three defects of OpenIPMI 2.0.33's LAN server (see
// /work/shared/ipmi-notes.md and README.md):
//  - answers Get Channel Cipher Suites itself (suites 1, 2, 3), in RMCP and
//    RMCP+ framing, so `ipmitool -I lanplus` works without -C;
//  - rewrites a requested privilege of 0 ("highest") in the RMCP+ Open
//    Session Request to Administrator, the channel limit (the user's real
//    limit is applied after RAKP 1, see RakpOneInfo);
//  - refuses cipher suite 0 and any suite other than 1, 2, 3.
// It also answers ASF presence pings and refuses a malformed Get Channel
// Authentication Capabilities (privilege 0 or above 4).
//
// Pure functions on bytes: no lanserv, no I/O. Never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace cmc::ipmi {

inline constexpr std::uint8_t kLanChannel = 1;

enum class FilterVerdict {
    Pass,  // hand the (possibly rewritten) datagram to lanserv
    Drop,  // malformed or not for us: ignore silently
    Reply, // send `reply` back, do not hand the datagram to lanserv
};

// A RAKP message 1 that was passed on: the caller clamps the session's
// maximum privilege to the user's after lanserv has processed it.
struct RakpOneInfo {
    std::uint32_t bmcSessionId = 0;
    std::uint8_t requestedRole = 0; // privilege nibble (0 = highest)
    std::vector<std::uint8_t> userName;
};

struct FilterResult {
    FilterVerdict verdict = FilterVerdict::Drop;
    std::vector<std::uint8_t> reply;
    std::optional<RakpOneInfo> rakpOne;
    bool refused = false; // a security refusal (cipher suite 0, ...)
};

// Inspects a received datagram; may rewrite it in place.
[[nodiscard]] FilterResult filterDatagram(std::span<std::uint8_t> datagram);

// Get Channel Cipher Suites response body (completion code first) for a
// request body; shared with the in-session command path.
[[nodiscard]] std::vector<std::uint8_t> cipherSuitesResponse(std::span<const std::uint8_t> request);

} // namespace cmc::ipmi
