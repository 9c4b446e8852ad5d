// The rack manifest parser: wrong types anywhere give a message naming the
// key, never an exception; bad blade entries are skipped, not fatal.
#include <doctest/doctest.h>

#include <random>

#include "app/manifest.hpp"
#include "common/json_reader.hpp"

using cmc::app::ParsedManifest;
using cmc::app::parseManifest;
using json = nlohmann::json;

namespace {
const char* kGood = R"({
  "chassis": {"id": "c1", "name": "Rack A", "model": "M", "serialNumber": "S", "slots": 4},
  "control": "http://127.0.0.1:7070",
  "blades": [
    {"slot": 1, "model": "B", "ipmi": {"host": "127.0.0.1", "port": 623, "username": "u", "password": "p"},
     "redfish": {"url": "https://127.0.0.1:8443", "tls": {"fingerprintSha256": "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89"}},
     "nics": [{"permanentMac": "02:00:00:00:00:01"}], "hbas": [{"permanentWwpn": "50:00:00:00:00:00:00:01"}]},
    {"slot": 2, "redfish": {"url": "http://10.0.0.2", "username": "root", "password": "pw", "auth": "basic",
                            "system": "/redfish/v1/Systems/system"}},
    {"slot": 3, "ipmi": {"host": "10.0.0.3", "port": 623, "username": "u", "password": "p"}}
  ]})";
}

TEST_CASE("a good manifest: IPMI+Redfish, Redfish alone, IPMI alone") {
    ParsedManifest m;
    REQUIRE(parseManifest(kGood, m).empty());
    CHECK(m.skipped.empty());
    REQUIRE(m.blades.size() == 3);
    CHECK(m.chassis->name == "Rack A");
    CHECK(*m.control == "http://127.0.0.1:7070");
    CHECK(m.blades[0].bmc.hasIpmi());
    CHECK(m.blades[0].bmc.hasRedfish());
    CHECK(m.blades[0].bmc.tlsFingerprint == "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789");
    CHECK_FALSE(m.blades[1].bmc.hasIpmi());
    CHECK(m.blades[1].bmc.redfishUser() == "root");
    CHECK_FALSE(m.blades[1].bmc.redfishSessionAuth);
    CHECK(m.blades[1].bmc.redfishSystem == "/redfish/v1/Systems/system");
    CHECK_FALSE(m.blades[2].bmc.hasRedfish());
}

TEST_CASE("a bad chassis section or top-level key is an error naming the key") {
    ParsedManifest m;
    CHECK(parseManifest(R"({"chassis": {"name": 5}, "blades": []})", m).find("'chassis.name'") != std::string::npos);
    CHECK(parseManifest(R"({"chassis": {"slots": -1}, "blades": []})", m).find("'chassis.slots'") != std::string::npos);
    CHECK(parseManifest(R"({"chassis": [], "blades": []})", m).find("'chassis'") != std::string::npos);
    CHECK(parseManifest(R"({"control": 7, "blades": []})", m).find("'control'") != std::string::npos);
    CHECK(parseManifest(R"({"blades": {}})", m).find("'blades'") != std::string::npos);
    CHECK_FALSE(parseManifest("[1,2", m).empty());
}

TEST_CASE("bad blade entries are skipped naming the entry and the key") {
    ParsedManifest m;
    REQUIRE(parseManifest(R"({"blades": [
        {"slot": 1, "ipmi": {"host": "h", "port": "623", "username": "u", "password": "p"}},
        {"slot": 2, "redfish": {"url": "ftp://x", "username": "u", "password": "p"}},
        {"slot": 3, "redfish": {"url": "http://x"}},
        {"slot": 4, "redfish": {"url": "http://x", "username": "u", "password": "p", "tls": {"insecure": "yes"}}},
        {"slot": 5, "model": null, "redfish": {"url": "http://x", "username": "u", "password": "p"}},
        {"slot": 6},
        {"slot": 7, "ipmi": {"host": "h", "port": 1, "username": "u", "password": "p"}},
        {"slot": 7, "ipmi": {"host": "h", "port": 2, "username": "u", "password": "p"}}
      ]})",
                          m)
                .empty());
    REQUIRE(m.blades.size() == 2); // 5 (a null model is "not given") and the first 7
    CHECK(m.blades[0].slot == 5);
    REQUIRE(m.skipped.size() == 6);
    CHECK(m.skipped[0].find("blade entry 0") != std::string::npos);
    CHECK(m.skipped[0].find("'ipmi.port'") != std::string::npos);
    CHECK(m.skipped[1].find("'redfish.url'") != std::string::npos);
    CHECK(m.skipped[2].find("'redfish.username'") != std::string::npos);
    CHECK(m.skipped[3].find("'redfish.tls.insecure'") != std::string::npos);
    CHECK(m.skipped[4].find("'ipmi' or a 'redfish'") != std::string::npos);
    CHECK(m.skipped[5].find("listed twice") != std::string::npos);
}

TEST_CASE("mutated manifests never throw") {
    auto base = *cmc::jsonr::parse(kGood);
    std::mt19937 rng(11);
    const json replacements[] = {nullptr, 0, -1, 1e300, "", "x", json::array(), json::object(), true};
    std::function<void(json&)> mutate = [&](json& j) {
        if (j.is_object() && !j.empty()) {
            auto it = j.begin();
            std::advance(it, static_cast<long>(rng() % j.size()));
            if (rng() % 3 == 0)
                *it = replacements[rng() % std::size(replacements)];
            else
                mutate(*it);
        } else if (j.is_array() && !j.empty()) {
            mutate(j[rng() % j.size()]);
        }
    };
    for (int i = 0; i < 2000; ++i) {
        auto j = base;
        for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k)
            mutate(j);
        ParsedManifest m;
        CHECK_NOTHROW((void)parseManifest(j.dump(), m));
    }
}
