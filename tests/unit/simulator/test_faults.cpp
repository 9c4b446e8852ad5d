#include <doctest/doctest.h>

#include "faults/faults.hpp"

using namespace cmc::sim;
using nlohmann::json;

TEST_CASE("every catalogued fault can be added and cleared") {
    for (const auto& info : faultCatalog()) {
        BladeFaults f;
        f.nicLinkDown.assign(2, false);
        std::string name;
        bool oneShot = false;
        CAPTURE(info.name);
        CHECK(addFault(f, json{{"fault", info.name}}, 2, name, oneShot).empty());
        CHECK(name == info.name);
        bool was = false;
        REQUIRE(clearFault(f, info.name, was));
        CHECK(activeFaults(f).empty());
    }
}

TEST_CASE("bad fault requests are refused with a message") {
    BladeFaults f;
    std::string name;
    bool oneShot = false;
    CHECK_FALSE(addFault(f, json::array(), 2, name, oneShot).empty());
    CHECK_FALSE(addFault(f, json{{"fault", 3}}, 2, name, oneShot).empty());
    CHECK_FALSE(addFault(f, json{{"fault", "nope"}}, 2, name, oneShot).empty());
    CHECK_FALSE(addFault(f, json{{"fault", "bmc-slow"}, {"delayMs", "x"}}, 2, name, oneShot).empty());
    CHECK_FALSE(addFault(f, json{{"fault", "bmc-slow"}, {"delayMs", -5}}, 2, name, oneShot).empty());
    CHECK_FALSE(addFault(f, json{{"fault", "nic-link-down"}, {"nic", 3}}, 2, name, oneShot).empty());
    CHECK_FALSE(addFault(f, json{{"fault", "nic-link-down"}, {"nic", 1.5}}, 2, name, oneShot).empty());
    CHECK_FALSE(addFault(f, json{{"fault", "host-hang"}, {"extra", 1}}, 2, name, oneShot).empty());
    CHECK(activeFaults(f).empty());
    bool was = true;
    CHECK_FALSE(clearFault(f, "nope", was));
}

TEST_CASE("a single host crash is one-shot, a crash loop is persistent") {
    BladeFaults f;
    std::string name;
    bool oneShot = false;
    REQUIRE(addFault(f, json{{"fault", "host-crash"}}, 2, name, oneShot).empty());
    CHECK(oneShot);
    REQUIRE(addFault(f, json{{"fault", "host-crash"}, {"loop", true}}, 2, name, oneShot).empty());
    CHECK_FALSE(oneShot);
    CHECK(f.hostCrashLoop);
}
