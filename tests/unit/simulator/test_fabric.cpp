#include <doctest/doctest.h>

#include "sim_fixture.hpp"

using namespace cmc;
using namespace cmc::sim;

namespace {
void bootWith(test::MiniRack& rack, std::size_t slot, const std::string& mac, const std::string& wwpn) {
    auto& b = rack.blade(slot);
    REQUIRE((b.setNicMac(0, mac) == hal::HalError::Ok));
    REQUIRE((b.setHbaWwpn(0, wwpn) == hal::HalError::Ok));
    REQUIRE((b.reset(hal::ResetType::On) == hal::HalError::Ok));
}

std::size_t activeOf(const Fabric& f, const std::string& kind) {
    std::size_t n = 0;
    for (const auto& v : f.violations())
        n += (v.kind == kind && !v.endMs) ? 1 : 0;
    return n;
}
} // namespace

TEST_CASE("a logical IP is answered through the port where its MAC is") {
    test::MiniRack rack(2);
    Volume v{"vol", 0, 10, {"20:00:00:25:b5:00:00:01"}};
    REQUIRE(rack.fabric.putVolume(v).empty());
    REQUIRE(rack.fabric.putReservation("02:00:00:00:00:01", "10.0.0.1").empty());
    REQUIRE(rack.fabric.addProbeTarget("10.0.0.1").empty());
    bootWith(rack, 1, "02:00:00:00:00:01", "20:00:00:25:b5:00:00:01");
    REQUIRE(rack.runUntil([&] { return rack.fabric.probeTargets().at("10.0.0.1").reachable; }));
    CHECK(rack.fabric.answering("10.0.0.1") == std::vector<std::uint16_t>{1});
    REQUIRE(rack.fabric.outages().size() == 1);
    CHECK(rack.fabric.outages()[0].endMs.has_value());
    REQUIRE(rack.fabric.setSwitchPort({1, 1}, false));
    CHECK(rack.fabric.answering("10.0.0.1").empty());
}

TEST_CASE("duplicate MAC, shared volume writer and duplicate IP are recorded, then closed") {
    test::MiniRack rack(2);
    Volume v{"vol", 0, 10, {"20:00:00:25:b5:00:00:01"}};
    REQUIRE(rack.fabric.putVolume(v).empty());
    REQUIRE(rack.fabric.putReservation("02:00:00:00:00:01", "10.0.0.1").empty());
    bootWith(rack, 1, "02:00:00:00:00:01", "20:00:00:25:b5:00:00:01");
    bootWith(rack, 2, "02:00:00:00:00:01", "20:00:00:25:b5:00:00:01");
    REQUIRE(rack.runUntil([&] {
        return activeOf(rack.fabric, "duplicate-mac") == 1 && activeOf(rack.fabric, "shared-volume-writer") == 1 &&
               activeOf(rack.fabric, "duplicate-ip") == 1;
    }));
    REQUIRE((rack.blade(2).reset(hal::ResetType::ForceOff) == hal::HalError::Ok));
    rack.settle();
    CHECK(activeOf(rack.fabric, "duplicate-mac") == 0);
    CHECK(activeOf(rack.fabric, "shared-volume-writer") == 0);
    CHECK(activeOf(rack.fabric, "duplicate-ip") == 0);
    CHECK(rack.fabric.violations().size() == 3);
}

TEST_CASE("volume and reservation validation") {
    test::MiniRack rack(1);
    CHECK_FALSE(rack.fabric.putVolume(Volume{"", 0, 1, {}}).empty());
    CHECK_FALSE(rack.fabric.putVolume(Volume{"a/b", 0, 1, {}}).empty());
    CHECK_FALSE(rack.fabric.putVolume(Volume{"ok", 0, 1, {"nope"}}).empty());
    CHECK_FALSE(rack.fabric.putReservation("02:00:00:00:00:01", "10.0.0.256").empty());
    CHECK_FALSE(rack.fabric.putReservation("zz", "10.0.0.1").empty());
    CHECK(Fabric::validIpv4("192.168.1.1"));
    CHECK_FALSE(Fabric::validIpv4("1.2.3"));
    CHECK_FALSE(Fabric::validIpv4("01.2.3.4"));
    CHECK_FALSE(Fabric::validIpv4("1.2.3.4.5"));
    CHECK_FALSE(Fabric::validIpv4(""));
}
