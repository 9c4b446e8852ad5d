#include <doctest/doctest.h>

#include "config/config.hpp"

using namespace cmc::config;

TEST_CASE("an empty object gives the defaults") {
    Config c;
    CHECK(parseConfig("{}", c).empty());
    CHECK(c.listenPort == 8080);
    CHECK(c.dbPath == "./var/cmc.db");
    CHECK(c.monitor.ipmiIntervalMs == 250);
}

TEST_CASE("every key is read and validated") {
    Config c;
    auto err =
        parseConfig(R"({"listen": "0.0.0.0:0", "db": "/tmp/x.db", "admin": {"username": "root", "password": "pw"},
        "monitor": {"ipmiIntervalMs": 100, "ipmiLossThresholdMs": 2000, "flapCount": 5, "networkSuspectFraction": 0.6},
        "retention": {"samplesHours": 2}})",
                    c);
    CHECK(err.empty());
    CHECK(c.listenHost == "0.0.0.0");
    CHECK(c.listenPort == 0);
    CHECK(c.admin.username == "root");
    CHECK(c.monitor.ipmiIntervalMs == 100);
    CHECK(c.monitor.thresholds.ipmiLossMs == 2000);
    CHECK(c.monitor.thresholds.flapCount == 5);
    CHECK(c.sampleRetentionHours == 2);
}

TEST_CASE("errors name the key") {
    Config c;
    CHECK(parseConfig("{", c).find("not valid JSON") != std::string::npos);
    CHECK(parseConfig("[]", c).find("object") != std::string::npos);
    CHECK(parseConfig(R"({"listen": "nohost"})", c).find("listen") != std::string::npos);
    CHECK(parseConfig(R"({"listen": "h:99999"})", c).find("listen") != std::string::npos);
    CHECK(parseConfig(R"({"monitor": {"ipmiIntervalMs": "fast"}})", c).find("monitor.ipmiIntervalMs") !=
          std::string::npos);
    CHECK(parseConfig(R"({"monitor": {"ipmiIntervalMs": 1}})", c).find("monitor.ipmiIntervalMs") != std::string::npos);
    CHECK(parseConfig(R"({"monitor": {"bogus": 1}})", c).find("monitor.bogus") != std::string::npos);
    CHECK(parseConfig(R"({"colour": "blue"})", c).find("colour") != std::string::npos);
    CHECK(parseConfig(R"({"admin": {"passwordHash": "md5$x"}})", c).find("admin.passwordHash") != std::string::npos);
    CHECK(parseConfig(R"({"admin": []})", c).find("admin") != std::string::npos);
}

TEST_CASE("password hashes verify and reject") {
    Admin a;
    a.passwordHash = hashPassword("s3cret", 1000);
    CHECK(a.passwordHash.rfind("pbkdf2-sha256$1000$", 0) == 0);
    Config c;
    CHECK(parseConfig(R"({"admin": {"passwordHash": ")" + a.passwordHash + R"("}})", c).empty());
    CHECK(verifyPassword(a, "s3cret"));
    CHECK_FALSE(verifyPassword(a, "s3creT"));
    Admin plain;
    plain.password = "pw";
    CHECK(verifyPassword(plain, "pw"));
    CHECK_FALSE(verifyPassword(plain, "p"));
    Admin none;
    CHECK_FALSE(verifyPassword(none, ""));
}

namespace {

const char* kDeclared = R"({
  "identityPools": [
    {"name": "macs", "kind": "MAC", "first": "02:00:0a:00:00:01", "last": "02:00:0a:00:00:ff"},
    {"name": "ips", "kind": "IPv4", "subnet": "10.0.0.0/24", "gateway": "10.0.0.1", "first": "10.0.0.11", "last": "10.0.0.200"},
    {"name": "wwpns", "kind": "WWPN", "first": "20:00:00:25:b5:00:00:01", "last": "20:00:00:25:b5:00:00:ff"},
    {"name": "uuids", "kind": "UUID", "prefix": "4f70656e-434d-4300-8000", "first": 1, "last": 4096}
  ],
  "sparePools": [{"name": "default", "members": [{"slot": 13, "kind": "Warm"}, {"slot": 15}]}],
  "logicalServers": [
    {"name": "web01", "blade": 1, "uuidPool": "uuids",
     "vnics": [{"name": "eth0", "macPool": "macs", "ipPool": "ips", "vlan": 10}],
     "vhbas": [{"name": "fc0", "wwpnPool": "wwpns"}],
     "bootVolume": {"volume": "web01-boot", "lun": 3},
     "requirements": {"minCpus": 8, "minMemoryGiB": 64, "modelFamily": "OpenBlade"},
     "failover": {"sparePool": "default", "priority": 5, "automatic": true}}
  ],
  "failover": {"holdMs": 0, "verifyTimeoutMs": 60000, "storm": {"maxFraction": 0.5, "minFailures": 4}}
})";

std::string withServer(const std::string& server) {
    return R"({"logicalServers": [)" + server + "]}";
}

} // namespace

TEST_CASE("declarations: pools, spare pools, logical servers and failover settings are read") {
    Config c;
    REQUIRE(parseConfig(kDeclared, c).empty());
    const auto& d = c.declared;
    REQUIRE(d.identityPools.size() == 4);
    CHECK((d.identityPools[0].kind == cmc::domain::IdentityKind::Mac));
    CHECK(d.identityPools[0].size() == 255);
    CHECK(d.identityPools[1].prefixLength == 24);
    CHECK(d.identityPools[1].gateway == "10.0.0.1");
    CHECK(d.identityPools[3].uuidPrefix == "4f70656e-434d-4300-8000");
    REQUIRE(d.sparePools.size() == 1);
    CHECK((d.sparePools[0].members.at(13) == cmc::domain::SpareKind::Warm));
    CHECK((d.sparePools[0].members.at(15) == cmc::domain::SpareKind::Cold)); // the default kind
    REQUIRE(d.servers.size() == 1);
    const auto& s = d.servers[0];
    CHECK((s.slot == 1));
    CHECK(s.vnics.at(0).vlan == 10);
    CHECK(s.boot.lun == 3);
    CHECK(s.requirements.minMemoryGiB == 64);
    CHECK(s.policy.priority == 5);
    CHECK(c.failover.holdMs == 0);
    CHECK(c.failover.timeouts.verifyMs == 60000);
    CHECK(c.failover.storm.minFailures == 4);
    CHECK(c.failover.storm.maxFraction == doctest::Approx(0.5));
}

TEST_CASE("declarations: a bad declaration names its key") {
    Config c;
    auto e = parseConfig(R"({"identityPools": [{"name": "m", "kind": "MAC", "first": "01:00:00:00:00:01",
                             "last": "01:00:00:00:00:09"}]})",
                         c);
    CHECK(e.find("identityPools[0]") != std::string::npos); // a multicast range, not locally administered unicast
    c = {};
    e = parseConfig(R"({"identityPools": [{"name": "m", "kind": "MAC", "first": "zz", "last": "02:00:00:00:00:09"}]})",
                    c);
    CHECK(e.find("identityPools[0].first") != std::string::npos);
    c = {};
    e = parseConfig(R"({"identityPools": [{"name": "m", "kind": "EUI64", "first": "a", "last": "b"}]})", c);
    CHECK(e.find("identityPools[0].kind") != std::string::npos);
    c = {};
    e = parseConfig(R"({"identityPools": [{"name": "i", "kind": "IPv4", "subnet": "10.0.0.0/40", "first": "10.0.0.2",
                        "last": "10.0.0.3"}]})",
                    c);
    CHECK(e.find("identityPools[0].subnet") != std::string::npos);
    c = {};
    e = parseConfig(withServer(R"({"name": "Web 01", "vnics": [{"name": "eth0", "mac": "02:00:00:00:00:01"}],
                                   "bootVolume": {"volume": "v"}, "uuid": "4f70656e-434d-4300-8000-000000000001"})"),
                    c);
    CHECK(e.find("logicalServers[0]") != std::string::npos);
    c = {};
    e = parseConfig(
        withServer(R"({"name": "web01", "vnics": [{"name": "eth0", "mac": "02:00:00:00:00:01", "speed": 1}]})"), c);
    CHECK(e.find("logicalServers[0].vnics[0].speed") != std::string::npos);
    c = {};
    e = parseConfig(
        R"({"sparePools": [{"name": "a", "members": [{"slot": 3}]}, {"name": "b", "members": [{"slot": 3}]}]})", c);
    CHECK(e.find("already in spare pool 'a'") != std::string::npos);
    c = {};
    e = parseConfig(R"({"failover": {"debugKillAt": "Halfway"}})", c);
    CHECK(e.find("failover.debugKillAt") != std::string::npos);
    c = {};
    std::string two = R"({"name": "web01", "vnics": [{"name": "eth0", "mac": "02:00:00:00:00:01"}],
                          "bootVolume": {"volume": "v"}, "uuid": "4f70656e-434d-4300-8000-000000000001"})";
    e = parseConfig(withServer(two + "," + two), c);
    CHECK(e.find("declared twice") != std::string::npos);
}
