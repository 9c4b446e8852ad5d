#include <doctest/doctest.h>

#include "hal/address_format.hpp"

using namespace cmc::hal;

TEST_CASE("MAC addresses are normalised to lower-case colon form") {
    CHECK(normalizeMac("02:00:0A:00:00:21") == "02:00:0a:00:00:21");
    CHECK(normalizeMac("02-00-0a-00-00-21") == "02:00:0a:00:00:21");
    CHECK(formatMac(0x001b21000201ULL) == "00:1b:21:00:02:01");
}

TEST_CASE("malformed, multicast and zero MACs are refused") {
    for (const char* bad : {"", "02:00:0a:00:00", "02:00:0a:00:00:2", "02:00:0a:00:00:211", "02:00-0a:00:00:21",
                            "0g:00:0a:00:00:21", "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00"}) {
        CAPTURE(bad);
        CHECK_FALSE(normalizeMac(bad).has_value());
    }
}

TEST_CASE("WWNs have eight octets") {
    CHECK(normalizeWwn("20:00:00:25:B5:AA:00:01") == "20:00:00:25:b5:aa:00:01");
    CHECK_FALSE(normalizeWwn("20:00:00:25:b5:aa:00").has_value());
    CHECK_FALSE(normalizeWwn("00:00:00:00:00:00:00:00").has_value());
    CHECK(formatWwn(0x2100001b32000201ULL) == "21:00:00:1b:32:00:02:01");
}
