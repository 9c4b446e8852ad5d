#include <doctest/doctest.h>

#include "fru_builder.hpp"
#include "southbound/ipmi/ipmi_decode.hpp"

using namespace cmc::southbound;
using namespace cmc::southbound::ipmi;

namespace {
using V = std::vector<std::uint8_t>;
// doctest would pick toString(IpmiError) by ADL: compare as text.
std::string err(IpmiError e) {
    return toString(e);
}
} // namespace

TEST_CASE("Get Device ID: fields, completion code, short answers") {
    const V a{0x00, 0x20, 0x81, 0x02, 0x15, 0x02, 0xbf, 0x9f, 0xa6, 0x00, 0x34, 0x12};
    auto r = decodeDeviceId(a);
    REQUIRE(r.ok());
    CHECK(r.value.deviceId == 0x20);
    CHECK(r.value.deviceRevision == 1);
    CHECK(r.value.firmwareVersion == "2.15");
    CHECK(r.value.ipmiVersion == 0x02);
    CHECK(r.value.manufacturerId == 0x00a69f);
    CHECK(r.value.productId == 0x1234);

    auto cc = decodeDeviceId(V{0xc1});
    CHECK(err(cc.error) == err(IpmiError::CompletionCode));
    CHECK(cc.completionCode == 0xc1);
    for (std::size_t n = 0; n < a.size(); ++n) {
        auto s = decodeDeviceId(std::span(a).first(n));
        CHECK(err(s.error) == err(IpmiError::Malformed));
    }
}

TEST_CASE("Get Chassis Status: power bits, last event, identify") {
    auto r = decodeChassisStatus(V{0x00, 0x01 | 0x08, 0x10, 0x40 | 0x20 | 0x08 | 0x01});
    REQUIRE(r.ok());
    CHECK(r.value.powerOn);
    CHECK(r.value.powerFault);
    CHECK_FALSE(r.value.powerOverload);
    CHECK(r.value.lastPowerEvent == 0x10);
    CHECK(r.value.intrusion);
    CHECK(r.value.coolingFault);
    CHECK(r.value.identifyOn);
    auto off = decodeChassisStatus(V{0x00, 0x00, 0x00, 0x00});
    REQUIRE(off.ok());
    CHECK_FALSE(off.value.powerOn);
    CHECK_FALSE(off.value.identifyOn);
    CHECK(err(decodeChassisStatus(V{0x00, 0x01}).error) == err(IpmiError::Malformed));
    CHECK(err(decodeChassisStatus(V{}).error) == err(IpmiError::Malformed));
    CHECK(err(decodeChassisControl(V{0xd4}).error) == err(IpmiError::CompletionCode));
    CHECK(decodeChassisControl(V{0x00}).ok());
}

TEST_CASE("SEL info, SEL entry, watchdog, reservation") {
    auto info =
        decodeSelInfo(V{0x00, 0x51, 0x03, 0x00, 0x00, 0x10, 0x04, 0x03, 0x02, 0x01, 0x08, 0x07, 0x06, 0x05, 0x0f});
    REQUIRE(info.ok());
    CHECK(info.value.entries == 3);
    CHECK(info.value.lastAddTimestamp == 0x01020304);
    CHECK(info.value.lastEraseTimestamp == 0x05060708);
    CHECK(err(decodeSelInfo(V{0x00, 0x51, 0x03}).error) == err(IpmiError::Malformed));

    const V e{0x00, 0x05, 0x00, 0x04, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04,
              0x20, 0x00, 0x04, 0x09, 0x11, 0x6f, 0x04, 0xff, 0xff};
    auto s = decodeSelEntry(e);
    REQUIRE(s.ok());
    CHECK(s.value.nextId == 5);
    CHECK(s.value.entry.recordId == 4);
    CHECK(s.value.entry.recordType == 0x02);
    CHECK(s.value.entry.timestamp == 0x04030201);
    CHECK(s.value.entry.sensorType == 0x09);
    CHECK(s.value.entry.sensorNumber == 0x11);
    CHECK(s.value.entry.eventDirType == 0x6f);
    CHECK(s.value.entry.eventData[0] == 0x04);
    CHECK(err(decodeSelEntry(std::span(e).first(18)).error) == err(IpmiError::Malformed));

    auto w = decodeWatchdog(V{0x00, 0x44, 0x01, 0x00, 0x10, 0x58, 0x02, 0x2c, 0x01});
    REQUIRE(w.ok());
    CHECK(w.value.timerUse == 4);
    CHECK(w.value.running);
    CHECK(w.value.action == 1);
    CHECK(w.value.expirationFlags == 0x10);
    CHECK(w.value.initialCountdown == 600);
    CHECK(w.value.presentCountdown == 300);
    CHECK(err(decodeWatchdog(V{0x00, 0x44}).error) == err(IpmiError::Malformed));

    auto res = decodeReserveSel(V{0x00, 0x34, 0x12});
    REQUIRE(res.ok());
    CHECK(res.value == 0x1234);
}

TEST_CASE("FRU: header, board and product areas, checksums") {
    auto img = cmc::test::buildFru({"OpenBlade Inc", "B400 board", "SER123", "PN-1", ""},
                                   {"OpenBlade Inc", "B400", "MODEL-9", "1.0", "PSER9", "ASSET-1", ""});
    auto r = parseFruImage(img);
    REQUIRE_MESSAGE(r.ok(), r.message);
    CHECK(r.value.boardManufacturer == "OpenBlade Inc");
    CHECK(r.value.boardProductName == "B400 board");
    CHECK(r.value.boardSerialNumber == "SER123");
    CHECK(r.value.boardPartNumber == "PN-1");
    CHECK(r.value.productName == "B400");
    CHECK(r.value.productPartNumber == "MODEL-9");
    CHECK(r.value.productVersion == "1.0");
    CHECK(r.value.productSerialNumber == "PSER9");
    CHECK(r.value.productAssetTag == "ASSET-1");

    SUBCASE("bad header checksum") {
        img[7] ^= 0x01;
        CHECK(err(parseFruImage(img).error) == err(IpmiError::Malformed));
    }
    SUBCASE("bad board checksum") {
        img[8 + 10] ^= 0x20;
        auto b = parseFruImage(img);
        CHECK(err(b.error) == err(IpmiError::Malformed));
        CHECK(b.message.find("checksum") != std::string::npos);
    }
    SUBCASE("area length past the image") {
        img[9] = 0x40;
        CHECK(err(parseFruImage(img).error) == err(IpmiError::Malformed));
    }
    SUBCASE("field running past the area, checksum fixed up") {
        img[8 + 6] = 0xff; // 8-bit ASCII, 63 bytes
        unsigned sum = 0;
        const std::size_t len = img[9] * 8u;
        for (std::size_t i = 8; i < 8 + len - 1; ++i)
            sum += img[i];
        img[8 + len - 1] = static_cast<std::uint8_t>(-sum & 0xff);
        auto b = parseFruImage(img);
        CHECK(err(b.error) == err(IpmiError::Malformed));
    }
    SUBCASE("truncated images never throw") {
        for (std::size_t n = 0; n < img.size(); ++n)
            (void)parseFruImage(std::span(img).first(n));
    }
}

TEST_CASE("FRU: 6-bit ASCII and BCD plus fields") {
    std::vector<std::uint8_t> board{0x01, 0x00, 0x19, 0x00, 0x00, 0x00};
    // "ABCD" in 6-bit packed ASCII: values 0x21..0x24 -> 3 bytes.
    const std::uint32_t packed = 0x21 | (0x22 << 6) | (0x23 << 12) | (0x24 << 18);
    board.push_back(0x80 | 3);
    board.push_back(packed & 0xff);
    board.push_back((packed >> 8) & 0xff);
    board.push_back((packed >> 16) & 0xff);
    board.push_back(0x40 | 2); // BCD plus "12-4"
    board.push_back(0x12);
    board.push_back(0xb4);
    cmc::test::closeArea(board);
    IpmiFru fru;
    std::string why;
    REQUIRE_MESSAGE(parseBoardArea(board, fru, why), why);
    CHECK(fru.boardManufacturer == "ABCD");
    CHECK(fru.boardProductName == "12-4");
}

TEST_CASE("Read FRU Data: count must match the data") {
    auto ok = decodeReadFruData(V{0x00, 0x02, 0xaa, 0xbb});
    REQUIRE(ok.ok());
    CHECK(ok.value == V{0xaa, 0xbb});
    CHECK(err(decodeReadFruData(V{0x00, 0x03, 0xaa}).error) == err(IpmiError::Malformed));
    auto info = decodeFruAreaInfo(V{0x00, 0x00, 0x02, 0x00});
    REQUIRE(info.ok());
    CHECK(info.value.size == 512);
    CHECK_FALSE(info.value.wordAccess);
}
