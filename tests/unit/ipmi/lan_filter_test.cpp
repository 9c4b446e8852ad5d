#include "ipmi/lan_filter.hpp"
#include "ipmi_test_util.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace cmc::ipmi;
using namespace cmc::ipmi::test;

namespace {
struct Suite {
    std::uint8_t a, i, c;
};
} // namespace

TEST_CASE("Get Channel Cipher Suites is answered before a session (RMCP+ and RMCP framing)") {
    const Bytes body = {0x0E, 0x00, 0x80}; // current channel, IPMI, list by suite, index 0
    for (const bool plus : {true, false}) {
        Bytes d = plus ? rmcpPlus(0x00, ipmiRequest(0x06, 0x54, body)) : rmcp15(ipmiRequest(0x06, 0x54, body));
        const FilterResult r = filterDatagram(d);
        REQUIRE(r.verdict == FilterVerdict::Reply);
        const std::size_t msgAt = plus ? 16 : 14;
        REQUIRE(r.reply.size() == msgAt + 7 + 2 + 15);
        CHECK(r.reply[msgAt + 1] == ((0x07 << 2))); // netfn App response
        CHECK(r.reply[msgAt + 6] == 0x00);          // completion code
        CHECK(r.reply[msgAt + 7] == 0x01);          // channel 1
        // Suites 1, 2, 3 and nothing else (never 0).
        CHECK(r.reply[msgAt + 9] == 0x01);
        CHECK(r.reply[msgAt + 14] == 0x02);
        CHECK(r.reply[msgAt + 19] == 0x03);
    }
}

TEST_CASE("cipher suite list: bad lengths and channels") {
    CHECK(cipherSuitesResponse(Bytes{0x0E, 0x00}) == Bytes{0xC7});
    CHECK(cipherSuitesResponse(Bytes{0x0E, 0x00, 0x80, 0x00}) == Bytes{0xC8});
    CHECK(cipherSuitesResponse(Bytes{0x05, 0x00, 0x80}) == Bytes{0xCC});
    CHECK(cipherSuitesResponse(Bytes{0x01, 0x00, 0x81}) == Bytes{0x00, 0x01}); // past the end
}

TEST_CASE("Open Session: suite 0 and unknown suites are refused") {
    for (Suite s : {Suite{0, 0, 0}, Suite{2, 2, 1}, Suite{1, 1, 2}, Suite{1, 0, 1}}) {
        Bytes d = rmcpPlus(0x10, openSessionRequest(0x04, s.a, s.i, s.c));
        const FilterResult r = filterDatagram(d);
        REQUIRE(r.verdict == FilterVerdict::Reply);
        CHECK(r.refused);
        REQUIRE(r.reply.size() == 16 + 8);
        CHECK(r.reply[5] == 0x11);  // open session response payload
        CHECK(r.reply[16] == 0x01); // message tag echoed
        CHECK(r.reply[17] == 0x11); // no matching cipher suite
        CHECK(wire::getU32(r.reply, 20) == 0x12345678U);
    }
}

TEST_CASE("Open Session: suites 1-3 pass; privilege 0 becomes Administrator") {
    for (Suite s : {Suite{1, 0, 0}, Suite{1, 1, 0}, Suite{1, 1, 1}}) {
        Bytes d = rmcpPlus(0x10, openSessionRequest(0x00, s.a, s.i, s.c));
        const FilterResult r = filterDatagram(d);
        CHECK(r.verdict == FilterVerdict::Pass);
        CHECK(d[16 + 1] == 0x04);
    }
    Bytes d = rmcpPlus(0x10, openSessionRequest(0x03, 1, 1, 1));
    CHECK(filterDatagram(d).verdict == FilterVerdict::Pass);
    CHECK(d[17] == 0x03); // an explicit privilege is left alone
}

TEST_CASE("RAKP 1 is passed on with the requested role and user name") {
    Bytes p(28, 0x00);
    p[4] = 0x02;  // managed system session id 0x00000002
    p[24] = 0x14; // name-only lookup, Administrator
    p[27] = 5;
    for (char ch : std::string("admin"))
        p.push_back(static_cast<std::uint8_t>(ch));
    Bytes d = rmcpPlus(0x12, p);
    const FilterResult r = filterDatagram(d);
    CHECK(r.verdict == FilterVerdict::Pass);
    REQUIRE(r.rakpOne);
    CHECK(r.rakpOne->bmcSessionId == 2);
    CHECK(r.rakpOne->requestedRole == 4);
    CHECK(r.rakpOne->userName.size() == 5);
    CHECK_FALSE(r.refused);
    p[27] = 0;
    p.resize(28);
    Bytes nullUser = rmcpPlus(0x12, p);
    CHECK(filterDatagram(nullUser).refused);
}

TEST_CASE("Get Channel Authentication Capabilities with privilege 0 gets 0xCC") {
    Bytes d = rmcp15(ipmiRequest(0x06, 0x38, {0x8E, 0x00}));
    const FilterResult r = filterDatagram(d);
    REQUIRE(r.verdict == FilterVerdict::Reply);
    CHECK(r.reply[14 + 6] == 0xCC);
    Bytes ok = rmcp15(ipmiRequest(0x06, 0x38, {0x8E, 0x04}));
    CHECK(filterDatagram(ok).verdict == FilterVerdict::Pass);
}

TEST_CASE("ASF presence ping gets a pong") {
    Bytes ping = {0x06, 0x00, 0xFF, 0x06, 0x00, 0x00, 0x11, 0xBE, 0x80, 0x42, 0x00, 0x00};
    const FilterResult r = filterDatagram(ping);
    REQUIRE(r.verdict == FilterVerdict::Reply);
    CHECK(r.reply[8] == 0x40);
    CHECK(r.reply[9] == 0x42);
}

TEST_CASE("garbage and truncations are dropped or passed, never crash") {
    CHECK(filterDatagram(std::span<std::uint8_t>()).verdict == FilterVerdict::Drop);
    Bytes notRmcp = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
    CHECK(filterDatagram(notRmcp).verdict == FilterVerdict::Drop);
    Bytes full = rmcpPlus(0x10, openSessionRequest(0, 1, 1, 1));
    for (std::size_t n = 0; n < full.size(); ++n) {
        Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
        (void)filterDatagram(cut);
    }
    Bytes badLen = rmcpPlus(0x00, ipmiRequest(0x06, 0x54, {0x0E, 0x00, 0x80}));
    badLen[14] = 0xFF; // payload length beyond the datagram
    CHECK(filterDatagram(badLen).verdict == FilterVerdict::Drop);
}
