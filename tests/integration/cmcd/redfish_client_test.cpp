// RedfishBmc (cmcd's southbound Redfish client) against DMTF's public-bladed
// mockup served by mockup_bmc.py: discovery from the service root, the fence
// (ForceOff read back Off, an already-off system counts), refused credentials,
// and a mangled variant read as unknown.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include "southbound/redfish/http_client.hpp"
#include "southbound/redfish/redfish_bmc.hpp"
#include "test_support.hpp"

using namespace cmc::southbound;
using namespace std::chrono_literals;

namespace {

struct Mockup {
    explicit Mockup(bool mangle = false) {
        std::vector<std::string> argv{"/usr/bin/python3", CMC_MOCKUP_BMC, "public-bladed"};
        if (mangle) argv.emplace_back("--mangle");
        REQUIRE_MESSAGE(cmc::test::startChild(child, argv, "mockup-bmc: ", 20s), child.output);
        auto at = child.output.find("http://");
        auto end = child.output.find(' ', at);
        url = child.output.substr(at, end - at);
    }
    ~Mockup() { cmc::test::stopChild(child); }
    cmc::test::ChildProcess child;
    std::string url;
};

template <class T>
RedfishResult<T> wait(boost::asio::io_context& io,
                      const std::function<void(std::function<void(RedfishResult<T>)>)>& call) {
    std::optional<RedfishResult<T>> out;
    call([&](RedfishResult<T> r) { out = std::move(r); });
    REQUIRE(cmc::test::runUntil(
        io, [&] { return out.has_value(); }, 20s));
    return std::move(*out);
}

RedfishEndpoint endpoint(const std::string& url, const std::string& password = "mockup-pw") {
    RedfishEndpoint ep;
    ep.url = url;
    ep.username = "admin";
    ep.password = password;
    ep.systemPath = "/redfish/v1/Systems/529QB9451R6";
    return ep;
}

} // namespace

TEST_CASE("discovery from the service root, then a fence read back Off") {
    Mockup m;
    boost::asio::io_context io;
    HttpClient http(io);
    auto bmc = RedfishBmc::create(io, http, endpoint(m.url), {});
    auto inv = wait<RedfishInventory>(io, [&](auto done) { bmc->discover(done); });
    REQUIRE_MESSAGE(inv.ok(), inv.message);
    CHECK(inv.value.systemPath == "/redfish/v1/Systems/529QB9451R6");
    CHECK(*inv.value.model == "SX1000");
    CHECK(*inv.value.serialNumber == "529QB9451R6");
    CHECK(*inv.value.cpuCount == 1);
    CHECK(*inv.value.memoryGiB == doctest::Approx(64));
    CHECK(inv.value.chassisPath == "/redfish/v1/Chassis/Blade2");
    CHECK(inv.value.managerPath == "/redfish/v1/Managers/Blade2BMC");
    CHECK(inv.value.thermalPath == "/redfish/v1/Chassis/Blade2/Thermal");
    CHECK(inv.value.bmcMac.has_value());
    CHECK(inv.value.resetTarget == "/redfish/v1/Systems/529QB9451R6/Actions/ComputerSystem.Reset");
    CHECK(*inv.value.powerState == "On");

    auto fenced = wait<bool>(io, [&](auto done) { bmc->forceOffConfirmed(5s, done); });
    REQUIRE_MESSAGE(fenced.ok(), fenced.message);
    CHECK(fenced.value); // it was on: powered off and read back Off
    auto st = wait<RedfishSystemState>(io, [&](auto done) { bmc->readSystem(done); });
    REQUIRE(st.ok());
    CHECK(*st.value.powerState == "Off");
    // Fencing a blade that is already off is a success, not an error.
    auto again = wait<bool>(io, [&](auto done) { bmc->forceOffConfirmed(5s, done); });
    CHECK(again.ok());
    CHECK_FALSE(again.value); // already off: nothing was done
    auto on = wait<bool>(io, [&](auto done) { bmc->reset("On", done); });
    CHECK(on.ok());
    bmc->close();
}

TEST_CASE("refused credentials are Unauthorized, naming the URI") {
    Mockup m;
    boost::asio::io_context io;
    HttpClient http(io);
    auto bmc = RedfishBmc::create(io, http, endpoint(m.url, "wrong"), {});
    auto inv = wait<RedfishInventory>(io, [&](auto done) { bmc->discover(done); });
    REQUIRE_FALSE(inv.ok());
    CHECK((inv.error == RedfishError::Unauthorized));
    CHECK(inv.message.find("/redfish/v1/Systems/529QB9451R6") != std::string::npos);
}

TEST_CASE("a mangled BMC: unknowns stay unknown, discovery still succeeds") {
    Mockup m(true);
    boost::asio::io_context io;
    HttpClient http(io);
    auto bmc = RedfishBmc::create(io, http, endpoint(m.url), {});
    auto inv = wait<RedfishInventory>(io, [&](auto done) { bmc->discover(done); });
    REQUIRE_MESSAGE(inv.ok(), inv.message);
    CHECK_FALSE(inv.value.model.has_value());                     // 5
    CHECK_FALSE(inv.value.serialNumber.has_value());              // removed
    CHECK_FALSE(inv.value.powerState.has_value());                // 7
    CHECK_FALSE(inv.value.health.has_value());                    // Status: null
    CHECK(inv.value.chassisPath == "/redfish/v1/Chassis/Blade2"); // Links.Chassis an object, not an array
}
