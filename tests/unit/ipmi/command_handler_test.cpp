#include "fake_blade_hal.hpp"
#include "ipmi/command_handler.hpp"
#include "ipmi/fru_image.hpp"
#include "ipmi/ipmi_wire.hpp"
#include "ipmi/sdr_records.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace cmc;
using namespace cmc::ipmi;
using Bytes = std::vector<std::uint8_t>;

namespace {

struct Fixture {
    test::FakeBladeHal hal;
    CommandHandler handler{
        hal, {{"admin", Privilege::Administrator}, {"oper", Privilege::Operator}, {"user", Privilege::User}}, [] {
            return 1700001000u;
        }};

    Bytes run(std::uint8_t netFn, std::uint8_t cmd, Bytes data = {}, Privilege p = Privilege::Administrator) {
        return handler.handle({netFn, cmd, data, p});
    }
};

} // namespace

TEST_CASE_FIXTURE(Fixture, "Get Device ID") {
    const Bytes r = run(0x06, 0x01);
    REQUIRE(r.size() == 16);
    CHECK(r[0] == 0x00);
    CHECK(r[3] == 1);    // firmware major
    CHECK(r[4] == 0x23); // firmware minor, BCD
    CHECK(r[5] == 0x02); // IPMI 2.0
}

TEST_CASE_FIXTURE(Fixture, "completion codes for short, long, invalid and unknown requests") {
    CHECK(run(0x06, 0x01, {0x00}) == Bytes{0xC8});
    CHECK(run(0x00, 0x02, {}) == Bytes{0xC7});
    CHECK(run(0x00, 0x02, {0x00, 0x00}) == Bytes{0xC8});
    CHECK(run(0x00, 0x02, {0x09}) == Bytes{0xCC});
    CHECK(run(0x06, 0x7F) == Bytes{0xC1});
    CHECK(run(0x2C, 0x00) == Bytes{0xC1});
    CHECK(run(0x04, 0x2D, {0x99}) == Bytes{0xCB});
    CHECK(run(0x0A, 0x23, {0, 0, 0, 0}) == Bytes{0xC7});
    CHECK(run(0x06, 0x24, {0x00, 0x01, 0, 0, 0x64, 0}) == Bytes{0xCC}); // timer use 0
}

TEST_CASE_FIXTURE(Fixture, "chassis control needs Operator") {
    CHECK(run(0x00, 0x02, {0x01}, Privilege::User) == Bytes{0xD4});
    CHECK(hal.resets == 0);
    CHECK(run(0x00, 0x02, {0x01}, Privilege::Operator) == Bytes{0x00});
    CHECK((hal.lastReset == hal::ResetType::On));
    CHECK(run(0x00, 0x02, {0x05}, Privilege::Operator) == Bytes{0x00});
    CHECK((hal.lastReset == hal::ResetType::GracefulShutdown));
    CHECK(run(0x00, 0x02, {0x02}, Privilege::Operator) == Bytes{0xD5}); // cycle while off
    CHECK(run(0x00, 0x01, {}, Privilege::User)[0] == 0x00);             // status is readable
}

TEST_CASE_FIXTURE(Fixture, "chassis status reflects the HAL") {
    hal.status_.power = hal::PowerState::On;
    hal.status_.powerFault = true;
    hal.status_.intrusion = true;
    hal.status_.lastEvent = hal::LastPowerEvent::PowerOnByCommand;
    const Bytes r = run(0x00, 0x01);
    REQUIRE(r.size() == 5);
    CHECK((r[1] & 0x01) == 0x01);
    CHECK((r[1] & 0x08) == 0x08);
    CHECK(r[2] == 0x10);
    CHECK((r[3] & 0x01) == 0x01);
}

TEST_CASE_FIXTURE(Fixture, "boot flags: set PXE once, read back") {
    CHECK(run(0x00, 0x08, {0x05, 0x80, 0x04, 0x00, 0x00, 0x00}) == Bytes{0x00});
    CHECK((hal.bootOverride().target == hal::BootSource::Pxe));
    CHECK((hal.bootOverride().enabled == hal::BootEnabled::Once));
    CHECK_FALSE(hal.bootOverride().uefi);
    CHECK(run(0x00, 0x09, {0x05, 0x00, 0x00}) == Bytes{0x00, 0x01, 0x05, 0x80, 0x04, 0x00, 0x00, 0x00});
    CHECK(run(0x00, 0x08, {0x05, 0xE0, 0x08, 0x00, 0x00, 0x00}) == Bytes{0x00});
    CHECK((hal.bootOverride().target == hal::BootSource::Hdd));
    CHECK((hal.bootOverride().enabled == hal::BootEnabled::Continuous));
    CHECK(hal.bootOverride().uefi);
    CHECK(run(0x00, 0x08, {0x05, 0x80, 0x04}) == Bytes{0xC7});
    CHECK(run(0x00, 0x08, {0x30, 0x00})[0] == 0x80); // parameter not supported
    CHECK(run(0x00, 0x08, {0x05, 0x80, 0x04, 0, 0, 0}, Privilege::User) == Bytes{0xD4});
}

TEST_CASE_FIXTURE(Fixture, "SDR: records decode to the sensor values") {
    const Bytes info = run(0x0A, 0x20);
    REQUIRE(info.size() == 15);
    CHECK(info[2] == 4); // record count
    const Bytes resv = run(0x0A, 0x22);
    REQUIRE(resv.size() == 3);
    std::uint16_t id = 0;
    int count = 0;
    while (id != 0xFFFF && count < 10) {
        const Bytes r =
            run(0x0A, 0x23,
                {resv[1], resv[2], static_cast<std::uint8_t>(id & 0xFF), static_cast<std::uint8_t>(id >> 8), 0, 0xFF});
        REQUIRE(r[0] == 0x00);
        const Bytes rec(r.begin() + 3, r.end());
        CHECK(rec[3] == 0x01);           // full sensor record
        CHECK(rec[4] == rec.size() - 5); // length
        const auto& s = hal.sensors_[static_cast<std::size_t>(count)];
        CHECK(rec[7] == s.number);
        const LinearConversion c = conversionFor(s);
        const std::uint8_t raw = run(0x04, 0x2D, {s.number})[1];
        const double step = c.m * std::pow(10.0, c.rExp);
        CHECK(std::fabs(c.toValue(raw) - s.value) <= step / 2 + 1e-9);
        // M and R in the record are those of the conversion.
        CHECK(rec[24] == (c.m & 0xFF));
        CHECK((rec[29] >> 4) == (c.rExp & 0xF));
        id = wire::getU16(r, 1);
        ++count;
    }
    CHECK(count == 4);
    // Partial read needs the current reservation.
    CHECK(run(0x0A, 0x23, {0x00, 0x00, 0x01, 0x00, 0x05, 0x10}) == Bytes{0xC5});
    CHECK(run(0x0A, 0x23, {resv[1], resv[2], 0x01, 0x00, 0x05, 0x10}).size() == 3 + 16);
    CHECK(run(0x0A, 0x23, {resv[1], resv[2], 0x09, 0x00, 0x00, 0xFF}) == Bytes{0xCB});
}

TEST_CASE_FIXTURE(Fixture, "thresholds and threshold status") {
    const Bytes t = run(0x04, 0x27, {0x02});
    REQUIRE(t.size() == 8);
    CHECK(t[1] == 0x1B); // LNC LC UNC UC readable
    hal.sensors_[1].value = 13.5;
    const Bytes r = run(0x04, 0x2D, {0x02});
    CHECK(r[3] == 0x18); // above UNC and UC
    hal.sensors_[1].available = false;
    CHECK((run(0x04, 0x2D, {0x02})[2] & 0x20) == 0x20);
    CHECK(run(0x04, 0x29, {0x02}).size() == 6);
}

TEST_CASE_FIXTURE(Fixture, "SEL: info, add, get, clear") {
    CHECK(run(0x0A, 0x40)[2] == 1);
    const Bytes add =
        run(0x0A, 0x44, {0, 0, 0x02, 0, 0, 0, 0, 0x20, 0, 0x04, 0x02, 0x02, 0x01, 0x07, 0, 0}, Privilege::Operator);
    REQUIRE(add.size() == 3);
    CHECK(hal.sel().size() == 2);
    CHECK(hal.sel().back().timestamp == 1700001000u);
    const Bytes first = run(0x0A, 0x43, {0, 0, 0, 0, 0, 0xFF});
    REQUIRE(first.size() == 3 + 16);
    CHECK(wire::getU16(first, 1) == hal.sel()[1].id);
    const Bytes last = run(0x0A, 0x43, {0, 0, 0xFF, 0xFF, 0, 0xFF});
    CHECK(wire::getU16(last, 1) == 0xFFFF);
    CHECK(last[3 + 11] == 0x02); // sensor number
    CHECK(run(0x0A, 0x44, Bytes(16, 0), Privilege::User) == Bytes{0xD4});
    CHECK(run(0x0A, 0x47, {0x00, 0x00, 'C', 'L', 'R', 0xAA}, Privilege::Operator) == Bytes{0xC5});
    const Bytes resv = run(0x0A, 0x42);
    CHECK(run(0x0A, 0x47, {resv[1], resv[2], 'C', 'L', 'X', 0xAA}, Privilege::Operator) == Bytes{0xCC});
    CHECK(run(0x0A, 0x47, {resv[1], resv[2], 'C', 'L', 'R', 0xAA}, Privilege::Operator) == Bytes{0x00, 0x01});
    CHECK(hal.sel().empty());
    CHECK(run(0x0A, 0x43, {0, 0, 0, 0, 0, 0xFF}) == Bytes{0xCB});
    CHECK(wire::getU32(run(0x0A, 0x48), 1) == 1700001000u);
}

TEST_CASE_FIXTURE(Fixture, "FRU image: header and areas checksum to zero") {
    const Bytes info = run(0x0A, 0x10, {0x00});
    REQUIRE(info.size() == 4);
    const std::size_t size = wire::getU16(info, 1);
    Bytes image;
    while (image.size() < size) {
        const auto off = static_cast<std::uint16_t>(image.size());
        const Bytes r =
            run(0x0A, 0x11, {0x00, static_cast<std::uint8_t>(off & 0xFF), static_cast<std::uint8_t>(off >> 8), 0x20});
        REQUIRE(r[0] == 0x00);
        REQUIRE(r[1] > 0);
        image.insert(image.end(), r.begin() + 2, r.end());
    }
    CHECK(image == buildFruImage(hal.inventory()));
    CHECK(wire::checksum(std::span<const std::uint8_t>(image.data(), 8)) == 0);
    for (int area = 2; area <= 4; ++area) {
        const std::size_t at = image[static_cast<std::size_t>(area)] * 8u;
        const std::size_t len = image[at + 1] * 8u;
        CHECK(wire::checksum(std::span<const std::uint8_t>(image.data() + at, len)) == 0);
    }
    CHECK(run(0x0A, 0x10, {0x01}) == Bytes{0xCB});
    CHECK(run(0x0A, 0x11, {0x00, 0xFF, 0x7F, 0x10}) == Bytes{0xC9});
}

TEST_CASE_FIXTURE(Fixture, "watchdog: reset before set, set, get") {
    CHECK(run(0x06, 0x22, {}, Privilege::Operator) == Bytes{0x80});
    CHECK(run(0x06, 0x24, {0x04, 0x01, 0x00, 0x00, 0x64, 0x00}, Privilege::Operator) == Bytes{0x00});
    CHECK(run(0x06, 0x22, {}, Privilege::Operator) == Bytes{0x00});
    const Bytes g = run(0x06, 0x25);
    REQUIRE(g.size() == 9);
    CHECK(g[1] == 0x44); // SMS/OS, running
    CHECK(g[2] == 0x01); // hard reset
    CHECK(wire::getU16(g, 5) == 100);
    CHECK(run(0x06, 0x24, {0x04, 0x01, 0, 0, 0x64, 0}, Privilege::User) == Bytes{0xD4});
}

TEST_CASE_FIXTURE(Fixture, "users, channel, GUID") {
    const Bytes a = run(0x06, 0x44, {0x01, 0x03});
    REQUIRE(a.size() == 5);
    CHECK((a[4] & 0x0F) == 3); // "oper" is user id 3 at Operator
    CHECK((run(0x06, 0x44, {0x01, 0x01})[4] & 0x0F) == 0x0F);
    const Bytes n = run(0x06, 0x46, {0x02});
    REQUIRE(n.size() == 17);
    CHECK(std::string(n.begin() + 1, n.begin() + 6) == "admin");
    CHECK(run(0x06, 0x46, {0x00}) == Bytes{0xCC});
    CHECK(run(0x06, 0x42, {0x0E})[1] == 0x01);
    CHECK(run(0x06, 0x42, {0x03}) == Bytes{0xCC});
    const Bytes g = run(0x06, 0x37);
    REQUIRE(g.size() == 17);
    CHECK(g[16] == 0x4C); // first UUID byte last
    CHECK(g[1] == 0x32);  // last UUID byte first
}

TEST_CASE_FIXTURE(Fixture, "OEM: virtual addresses by index") {
    CHECK(run(0x30, 0x01) == Bytes{0x00, 0x02, 0x01});
    const Bytes mac = run(0x30, 0x02, {0x00, 0x00}, Privilege::User);
    CHECK(mac ==
          Bytes{0x00, 0x00, 0x00, 0x03, 0x06, 0x02, 0x00, 0x00, 0x00, 0x03, 0x01, 0x00, 0x1b, 0x21, 0xaa, 0x00, 0x01});
    const Bytes wwpn = run(0x30, 0x02, {0x01, 0x00});
    REQUIRE(wwpn.size() == 5 + 16);
    CHECK(wwpn[5] == 0x50);
    CHECK(run(0x30, 0x02, {0x00, 0x05}) == Bytes{0xC9});
    CHECK(run(0x30, 0x02, {0x07, 0x00}) == Bytes{0xCC});
}
