#include "ipmi/lan_filter.hpp"

#include "ipmi/ipmi_wire.hpp"

#include <array>

namespace cmc::ipmi {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t kRmcpVersion = 0x06;
constexpr std::uint8_t kRmcpClassAsf = 0x06;
constexpr std::uint8_t kRmcpClassIpmi = 0x07;
constexpr std::uint8_t kAuthTypeNone = 0x00;
constexpr std::uint8_t kAuthTypeRmcpPlus = 0x06;
constexpr std::uint8_t kPayloadIpmi = 0x00;
constexpr std::uint8_t kPayloadOem = 0x02;
constexpr std::uint8_t kPayloadOpenSessionRequest = 0x10;
constexpr std::uint8_t kPayloadOpenSessionResponse = 0x11;
constexpr std::uint8_t kPayloadRakp1 = 0x12;
constexpr std::uint8_t kNetFnApp = 0x06;
constexpr std::uint8_t kCmdGetChannelAuthCapabilities = 0x38;
constexpr std::uint8_t kCmdGetChannelCipherSuites = 0x54;
constexpr std::uint8_t kRmcppNoCipherSuiteMatch = 0x11;
constexpr std::uint8_t kPrivilegeAdministrator = 0x04;

// Cipher suites 1, 2, 3 as "cipher suite records" (IPMI 2.0 table 22-19).
constexpr std::array<std::uint8_t, 15> kSuiteRecords = {
    0xC0, 0x01, 0x01, 0x40, 0x80, // 1: RAKP-HMAC-SHA1, none, none
    0xC0, 0x02, 0x01, 0x41, 0x80, // 2: RAKP-HMAC-SHA1, HMAC-SHA1-96, none
    0xC0, 0x03, 0x01, 0x41, 0x81, // 3: RAKP-HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128
};
constexpr std::array<std::uint8_t, 5> kAlgorithms = {0x01, 0x40, 0x41, 0x80, 0x81};

struct IpmiRequest {
    std::uint8_t rsAddr = 0;
    std::uint8_t netFn = 0;
    std::uint8_t rsLun = 0;
    std::uint8_t rqAddr = 0;
    std::uint8_t rqSeq = 0;
    std::uint8_t rqLun = 0;
    std::uint8_t cmd = 0;
    std::span<const std::uint8_t> data;
};

std::optional<IpmiRequest> parseIpmi(std::span<const std::uint8_t> m) {
    if (m.size() < 7 || wire::checksum(m.subspan(0, 3)) != 0 || wire::checksum(m.subspan(3)) != 0) {
        return std::nullopt;
    }
    IpmiRequest r;
    r.rsAddr = m[0];
    r.netFn = static_cast<std::uint8_t>(m[1] >> 2);
    r.rsLun = m[1] & 0x3;
    r.rqAddr = m[3];
    r.rqSeq = static_cast<std::uint8_t>(m[4] >> 2);
    r.rqLun = m[4] & 0x3;
    r.cmd = m[5];
    r.data = m.subspan(6, m.size() - 7);
    return r;
}

Bytes buildIpmiResponse(const IpmiRequest& rq, std::span<const std::uint8_t> body) {
    Bytes m;
    m.reserve(7 + body.size());
    m.push_back(rq.rqAddr);
    m.push_back(static_cast<std::uint8_t>(((rq.netFn | 1) << 2) | rq.rqLun));
    m.push_back(wire::checksum(std::span<const std::uint8_t>(m.data(), 2)));
    m.push_back(rq.rsAddr);
    m.push_back(static_cast<std::uint8_t>((rq.rqSeq << 2) | rq.rsLun));
    m.push_back(rq.cmd);
    m.insert(m.end(), body.begin(), body.end());
    m.push_back(wire::checksum(std::span<const std::uint8_t>(m.data() + 3, m.size() - 3)));
    return m;
}

Bytes frameRmcp15(std::span<const std::uint8_t> ipmiMsg) {
    Bytes d = {kRmcpVersion, 0x00, 0xFF, kRmcpClassIpmi, kAuthTypeNone};
    wire::putU32(d, 0); // session sequence
    wire::putU32(d, 0); // session id
    d.push_back(static_cast<std::uint8_t>(ipmiMsg.size()));
    d.insert(d.end(), ipmiMsg.begin(), ipmiMsg.end());
    return d;
}

Bytes frameRmcpPlus(std::uint8_t payloadType, std::span<const std::uint8_t> payload) {
    Bytes d = {kRmcpVersion, 0x00, 0xFF, kRmcpClassIpmi, kAuthTypeRmcpPlus, payloadType};
    wire::putU32(d, 0); // session id: none yet
    wire::putU32(d, 0); // sequence
    wire::putU16(d, static_cast<std::uint16_t>(payload.size()));
    d.insert(d.end(), payload.begin(), payload.end());
    return d;
}

// Pre-session IPMI request (either framing): answer what lanserv gets wrong.
std::optional<Bytes> preSessionAnswer(std::span<const std::uint8_t> ipmiMsg) {
    auto rq = parseIpmi(ipmiMsg);
    if (!rq || rq->netFn != kNetFnApp) {
        return std::nullopt;
    }
    if (rq->cmd == kCmdGetChannelCipherSuites) {
        return buildIpmiResponse(*rq, cipherSuitesResponse(rq->data));
    }
    if (rq->cmd == kCmdGetChannelAuthCapabilities && rq->data.size() >= 2) {
        const std::uint8_t priv = rq->data[1] & 0x0F;
        if (priv == 0 || priv > kPrivilegeAdministrator) {
            const std::array<std::uint8_t, 1> cc = {wire::kCcInvalidDataField};
            return buildIpmiResponse(*rq, cc);
        }
    }
    return std::nullopt;
}

FilterResult asfPong(std::span<const std::uint8_t> d) {
    FilterResult r;
    // RMCP(4) IANA(4) type tag reserved length
    if (d.size() < 12 || wire::getU32(d, 4) != 0xBE110000U || d[8] != 0x80) {
        return r; // not a presence ping: drop
    }
    r.verdict = FilterVerdict::Reply;
    r.reply = {kRmcpVersion, 0x00, 0xFF, kRmcpClassAsf, 0x00, 0x00, 0x11, 0xBE,
               0x40,         d[9], 0x00, 0x10,          0x00, 0x00, 0x11, 0xBE, // IANA
               0x00,         0x00, 0x00, 0x00,                                  // OEM
               0x81,                                                            // IPMI supported, ASF 1.0
               0x00,         0x00, 0x00, 0x00,          0x00, 0x00, 0x00};
    return r;
}

FilterResult filterOpenSession(std::span<std::uint8_t> payload) {
    FilterResult r;
    r.verdict = FilterVerdict::Pass;
    if (payload.size() < 32) {
        return r; // lanserv answers "illegal parameter"
    }
    auto algorithm = [&](std::size_t lenAt, std::size_t algAt) -> int {
        return payload[lenAt] == 0 ? 1 : (payload[algAt] & 0x3F); // 0 length: default
    };
    const int auth = algorithm(11, 12);
    const int integ = algorithm(19, 20);
    const int conf = algorithm(27, 28);
    const bool allowed = auth == 1 && ((integ == 0 && conf == 0) || (integ == 1 && conf <= 1));
    if (!allowed) {
        Bytes body = {payload[0], kRmcppNoCipherSuiteMatch, 0x00, 0x00, payload[4], payload[5], payload[6], payload[7]};
        r.verdict = FilterVerdict::Reply;
        r.reply = frameRmcpPlus(kPayloadOpenSessionResponse, body);
        r.refused = true;
        return r;
    }
    if ((payload[1] & 0x0F) == 0) {
        payload[1] = static_cast<std::uint8_t>((payload[1] & 0xF0) | kPrivilegeAdministrator);
    }
    return r;
}

FilterResult filterRmcpPlus(std::span<std::uint8_t> d) {
    FilterResult r;
    if (d.size() < 16) {
        return r;
    }
    const std::uint8_t payloadType = d[5] & 0x3F;
    std::size_t at = 6;
    if (payloadType == kPayloadOem) {
        at += 6;
    }
    if (d.size() < at + 10) {
        return r;
    }
    const std::uint32_t sid = wire::getU32(d, at);
    const std::size_t len = wire::getU16(d, at + 8);
    const std::size_t payloadAt = at + 10;
    if (len > d.size() - payloadAt) {
        return r;
    }
    r.verdict = FilterVerdict::Pass;
    if (sid != 0) {
        return r; // in a session: lanserv authenticates it
    }
    auto payload = d.subspan(payloadAt, len);
    const bool secured = (d[5] & 0xC0) != 0;
    if (payloadType == kPayloadIpmi && !secured) {
        if (auto ans = preSessionAnswer(payload)) {
            r.verdict = FilterVerdict::Reply;
            r.reply = frameRmcpPlus(kPayloadIpmi, *ans);
        }
        return r;
    }
    if (payloadType == kPayloadOpenSessionRequest) {
        return filterOpenSession(payload);
    }
    if (payloadType == kPayloadRakp1 && payload.size() >= 28) {
        const std::size_t nameLen = payload[27];
        if (nameLen <= 16 && 28 + nameLen <= payload.size()) {
            RakpOneInfo info;
            info.bmcSessionId = wire::getU32(payload, 4);
            info.requestedRole = payload[24] & 0x0F;
            info.userName.assign(payload.begin() + 28, payload.begin() + static_cast<std::ptrdiff_t>(28 + nameLen));
            // A null user name never matches: lanserv's null user (slot 1) is
            // never enabled, so lanserv answers "unauthorized name".
            r.refused = nameLen == 0;
            r.rakpOne = std::move(info);
        }
    }
    return r;
}

FilterResult filterRmcp15(std::span<std::uint8_t> d) {
    FilterResult r;
    if (d.size() < 14) {
        return r;
    }
    r.verdict = FilterVerdict::Pass;
    const std::uint8_t authType = d[4] & 0x0F;
    const std::uint32_t sid = wire::getU32(d, 9);
    if (sid != 0 || authType != kAuthTypeNone) {
        return r;
    }
    const std::size_t len = d[13];
    if (len > d.size() - 14) {
        r.verdict = FilterVerdict::Drop;
        return r;
    }
    if (auto ans = preSessionAnswer(d.subspan(14, len))) {
        r.verdict = FilterVerdict::Reply;
        r.reply = frameRmcp15(*ans);
    }
    return r;
}

} // namespace

std::vector<std::uint8_t> cipherSuitesResponse(std::span<const std::uint8_t> request) {
    if (request.size() < 3) {
        return {wire::kCcRequestDataLengthInvalid};
    }
    if (request.size() > 3) {
        return {wire::kCcRequestDataFieldLengthExceeded};
    }
    const std::uint8_t channel = request[0] & 0x0F;
    if ((channel != 0x0E && channel != kLanChannel) || (request[1] & 0x3F) != 0) {
        return {wire::kCcInvalidDataField};
    }
    std::span<const std::uint8_t> list = kAlgorithms;
    if ((request[2] & 0x80) != 0) {
        list = kSuiteRecords;
    }
    const std::size_t start = static_cast<std::size_t>(request[2] & 0x3F) * 16;
    Bytes out = {wire::kCcOk, kLanChannel};
    if (start < list.size()) {
        const std::size_t n = std::min<std::size_t>(16, list.size() - start);
        out.insert(out.end(), list.begin() + static_cast<std::ptrdiff_t>(start),
                   list.begin() + static_cast<std::ptrdiff_t>(start + n));
    }
    return out;
}

FilterResult filterDatagram(std::span<std::uint8_t> datagram) {
    FilterResult r;
    if (datagram.size() < 5 || datagram[0] != kRmcpVersion) {
        return r;
    }
    if (datagram[3] == kRmcpClassAsf) {
        return asfPong(datagram);
    }
    if ((datagram[3] & 0x7F) != kRmcpClassIpmi || datagram[2] != 0xFF) {
        return r;
    }
    if (datagram[4] == kAuthTypeRmcpPlus) {
        return filterRmcpPlus(datagram);
    }
    if (datagram[4] > 0x05) {
        return r;
    }
    return filterRmcp15(datagram);
}

} // namespace cmc::ipmi
