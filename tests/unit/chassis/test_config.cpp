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
