#include <doctest/doctest.h>

#include "sim_fixture.hpp"

using namespace cmc;
using namespace cmc::sim;
using hal::HostState;
using hal::PowerState;

TEST_CASE("power on goes through PoweringOn, POST, and holds at firmware without a boot volume") {
    test::MiniRack rack(1);
    auto& b = rack.blade(1);
    CHECK((b.chassisStatus().power == PowerState::Off));
    REQUIRE((b.reset(hal::ResetType::On) == hal::HalError::Ok));
    CHECK((b.chassisStatus().power == PowerState::PoweringOn));
    REQUIRE((rack.runUntil([&] { return b.hostState() == HostState::Firmware; })));
    CHECK((b.chassisStatus().power == PowerState::On));
    CHECK_FALSE(b.bootVolume().has_value());
    CHECK((b.chassisStatus().lastEvent == hal::LastPowerEvent::PowerOnByCommand));
}

TEST_CASE("the OS boots only from a volume visible to the current WWPN") {
    test::MiniRack rack(1);
    auto& b = rack.blade(1);
    Volume v;
    v.name = "boot";
    v.initiators = {"20:00:00:25:b5:00:00:01"};
    REQUIRE(rack.fabric.putVolume(v).empty());
    REQUIRE((b.setHbaWwpn(0, "20:00:00:25:b5:00:00:01") == hal::HalError::Ok));
    REQUIRE((b.reset(hal::ResetType::On) == hal::HalError::Ok));
    REQUIRE((rack.runUntil([&] { return b.hostState() == HostState::Running; })));
    CHECK(b.bootVolume() == "boot");
    CHECK(b.watchdog().running); // the host agent armed it
    CHECK(b.bootCount() == 1);
}

TEST_CASE("graceful shutdown of a running OS, force off, and power cycle") {
    test::MiniRack rack(1);
    auto& b = rack.blade(1);
    REQUIRE((b.reset(hal::ResetType::On) == hal::HalError::Ok));
    REQUIRE((rack.runUntil([&] { return b.chassisStatus().power == PowerState::On; })));
    REQUIRE((b.reset(hal::ResetType::GracefulShutdown) == hal::HalError::Ok));
    CHECK((b.chassisStatus().power == PowerState::PoweringOff));
    REQUIRE((rack.runUntil([&] { return b.chassisStatus().power == PowerState::Off; })));
    REQUIRE((b.reset(hal::ResetType::PowerCycle) == hal::HalError::Ok));
    REQUIRE((rack.runUntil([&] { return b.chassisStatus().power == PowerState::On; })));
    REQUIRE((b.reset(hal::ResetType::ForceOff) == hal::HalError::Ok));
    CHECK((b.chassisStatus().power == PowerState::Off));
    CHECK((b.hostState() == HostState::Off));
}

TEST_CASE("power loss: off, power fault, SEL entry, power-on refused until cleared") {
    test::MiniRack rack(1);
    auto& b = rack.blade(1);
    REQUIRE((b.reset(hal::ResetType::On) == hal::HalError::Ok));
    REQUIRE((rack.runUntil([&] { return b.chassisStatus().power == PowerState::On; })));
    BladeFaults f = b.faults();
    f.powerLoss = true;
    b.applyFaults(f);
    CHECK((b.chassisStatus().power == PowerState::Off));
    CHECK(b.chassisStatus().powerFault);
    CHECK((b.chassisStatus().lastEvent == hal::LastPowerEvent::AcFailed));
    REQUIRE_FALSE(b.sel().empty());
    CHECK(b.sel().back().sensorType == 0x09);
    CHECK((b.reset(hal::ResetType::On) == hal::HalError::PowerFault));
    f.powerLoss = false;
    b.applyFaults(f);
    CHECK((b.reset(hal::ResetType::On) == hal::HalError::Ok));
}

TEST_CASE("watchdog: set, reset, expiry logs a SEL event and takes the action") {
    test::MiniRack rack(1);
    auto& b = rack.blade(1);
    CHECK((b.resetWatchdog() == hal::HalError::Busy)); // never configured
    REQUIRE((b.reset(hal::ResetType::On) == hal::HalError::Ok));
    REQUIRE((rack.runUntil([&] { return b.chassisStatus().power == PowerState::On; })));
    hal::WatchdogState w;
    w.timerUse = 4;
    w.action = hal::WatchdogAction::PowerDown;
    w.initialCountdown = 50; // 5 s simulated
    REQUIRE((b.setWatchdog(w) == hal::HalError::Ok));
    CHECK_FALSE(b.watchdog().running);
    REQUIRE((b.resetWatchdog() == hal::HalError::Ok));
    CHECK(b.watchdog().running);
    REQUIRE(rack.runUntil([&] { return !b.watchdog().running; }));
    CHECK((b.chassisStatus().power == PowerState::Off));
    CHECK((b.watchdog().expirationFlags & (1 << 4)) != 0);
    REQUIRE_FALSE(b.sel().empty());
    CHECK(b.sel().back().sensorType == 0x23);
    CHECK(b.sel().back().eventData[0] == 2); // power down
}

TEST_CASE("SEL wraps when full and clears") {
    test::MiniRack rack(1);
    auto& b = rack.blade(1);
    for (std::size_t i = 0; i < Blade::kSelCapacity + 10; ++i)
        (void)b.addSel(hal::SelRecord{});
    CHECK(b.sel().size() == Blade::kSelCapacity);
    CHECK(b.sel().front().id == 11);
    b.clearSel();
    CHECK(b.sel().empty());
    CHECK(b.selLastEraseTime() > 0);
}

TEST_CASE("invalid addresses are refused by the NIC and HBA") {
    test::MiniRack rack(1);
    auto& b = rack.blade(1);
    CHECK((b.setNicMac(0, "ff:ff:ff:ff:ff:ff") == hal::HalError::InvalidArgument));
    CHECK((b.setNicMac(7, "02:00:00:00:00:01") == hal::HalError::InvalidArgument));
    CHECK((b.setHbaWwpn(0, "bogus") == hal::HalError::InvalidArgument));
    CHECK(b.nics()[0].mac == b.nics()[0].permanentMac);
}
