#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <vector>

#include "store/migrations.hpp"
#include "store_test_util.hpp"

using namespace cmc;
using namespace cmc::store;
using namespace cmc::store::test;

namespace {

// HealthState/BladeRole as text: doctest's ADL finds domain::toString otherwise.
std::string str(domain::HealthState h) {
    return domain::toString(h);
}
std::string str(domain::BladeRole r) {
    return domain::toString(r);
}

domain::Blade makeBlade(int slot) {
    domain::Blade b;
    b.slot = slot;
    b.manufacturer = "OpenCMC";
    b.model = "SimBlade 2";
    b.serialNumber = "SN" + std::to_string(slot);
    b.partNumber = "PN-1";
    b.uuid = "uuid-" + std::to_string(slot);
    b.biosVersion = "1.2";
    b.bmcFirmwareVersion = "3.4";
    b.cpuCount = 2;
    b.memoryGiB = 64;
    b.nics = {{"02:00:00:00:00:0" + std::to_string(slot), "02:00:00:00:01:0" + std::to_string(slot)},
              {"02:00:00:00:00:1" + std::to_string(slot), ""}};
    b.hbas = {{"50:00:00:00:00:00:00:0" + std::to_string(slot), "50:00:00:00:00:00:01:0" + std::to_string(slot)}};
    b.role = domain::BladeRole::Spare;
    b.health = domain::HealthState::Healthy;
    b.powerState = "On";
    b.bmc.ipmiHost = "127.0.0.1";
    b.bmc.ipmiPort = static_cast<std::uint16_t>(6230 + slot);
    b.bmc.redfishUrl = "https://127.0.0.1:800" + std::to_string(slot);
    b.bmc.username = "admin";
    b.bmc.password = "secret-" + std::to_string(slot);
    b.bmc.redfishUsername = "rf-admin";
    b.bmc.redfishPassword = "rf-secret-" + std::to_string(slot);
    b.bmc.tlsFingerprint = std::string(64, 'A');
    b.bmc.tlsCaFile = "/etc/opencmc/bmc-ca.pem";
    b.bmc.tlsInsecure = slot % 2 == 0;
    b.bmc.redfishSessionAuth = slot % 3 != 0;
    b.bmc.redfishSystem = "/redfish/v1/Systems/" + std::to_string(slot);
    b.bmcMac = "02:aa:00:00:00:0" + std::to_string(slot);
    b.discoveredMs = 1000;
    b.inventoryMs = 2000;
    return b;
}

domain::Event makeEvent(const std::string& key, std::int64_t timeMs) {
    domain::Event e;
    e.timeMs = timeMs;
    e.messageId = "OpenCMC.1.0." + key;
    e.args = {"blade-3", "with \"quotes\""};
    e.severity = "Warning";
    e.message = "Blade 3 " + key;
    e.origin = "/redfish/v1/Chassis/blade-3";
    return e;
}

domain::HealthSample sample(int slot, std::int64_t t, const std::string& signal, bool ok, double value) {
    return domain::HealthSample{slot, t, signal, ok, value, "d"};
}

void writeFile(const std::filesystem::path& p, const std::string& text) {
    std::ofstream out(p);
    out << text;
    REQUIRE(out.good());
}

} // namespace

// The migrations shipped in schemas/db (compiled into the binary).
const int kShippedVersion = static_cast<int>(cmc::store::builtinMigrations().size());

std::string migrationName(int version, const char* name) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d", version);
    return std::string(buf) + "_" + name + ".sql";
}

TEST_CASE("migrations apply on an empty database, are idempotent on reopen, record the version") {
    TempDir dir;
    Loop loop;
    auto o = options(dir.path());
    {
        auto s = openOrFail(loop.io, o);
        CHECK(s->schemaVersion() == kShippedVersion);
        CHECK(integrity(loop, *s) == "ok");
        CHECK(s->lastEventIdSync() == 0);
        CHECK(s->loadBladesSync().empty());
        CHECK_FALSE(s->loadChassisSync().has_value());
    }
    CHECK(std::filesystem::exists(o.path)); // parent directory was created
    {
        auto s = openOrFail(loop.io, o);
        CHECK(s->schemaVersion() == kShippedVersion);
        CHECK(integrity(loop, *s) == "ok");
    }
}

TEST_CASE("a database newer than the code is refused; broken migration dirs are named") {
    TempDir dir;
    Loop loop;
    auto migrations = dir.path() / "migrations";
    std::filesystem::create_directories(migrations);
    for (const auto& shipped : std::filesystem::directory_iterator(CMC_MIGRATIONS_DIR))
        std::filesystem::copy_file(shipped.path(), migrations / shipped.path().filename());
    writeFile(migrations / migrationName(kShippedVersion + 1, "extra"),
              "CREATE TABLE extra (id INTEGER NOT NULL PRIMARY KEY) STRICT;\n");
    auto o = options(dir.path());
    o.migrationsDir = migrations.string();
    {
        auto s = openOrFail(loop.io, o);
        CHECK(s->schemaVersion() == kShippedVersion + 1);
    }
    std::string error;
    auto older = options(dir.path()); // the shipped dir knows only the shipped versions
    CHECK(Store::open(loop.io, older, error) == nullptr);
    CHECK(error.find("newer") != std::string::npos);

    SUBCASE("missing directory") {
        o.migrationsDir = (dir.path() / "nope").string();
        error.clear();
        CHECK(Store::open(loop.io, o, error) == nullptr);
        CHECK(error.find((dir.path() / "nope").string()) != std::string::npos);
    }
    SUBCASE("malformed file name") {
        writeFile(migrations / "3_bad.sql", "SELECT 1;");
        error.clear();
        CHECK(Store::open(loop.io, o, error) == nullptr);
        CHECK(error.find("3_bad.sql") != std::string::npos);
    }
    SUBCASE("gap in the numbering") {
        writeFile(migrations / migrationName(kShippedVersion + 3, "later"), "SELECT 1;");
        error.clear();
        CHECK(Store::open(loop.io, o, error) == nullptr);
        CHECK(error.find(migrationName(kShippedVersion + 3, "later")) != std::string::npos);
    }
    SUBCASE("a failing migration leaves the previous version") {
        writeFile(migrations / migrationName(kShippedVersion + 2, "broken"),
                  "CREATE TABLE half (id INTEGER NOT NULL PRIMARY KEY);\nINSERT INTO nonexistent VALUES (1);\n");
        error.clear();
        CHECK(Store::open(loop.io, o, error) == nullptr);
        CHECK(error.find(migrationName(kShippedVersion + 2, "broken")) != std::string::npos);
        // Fixed: the half-created table was rolled back, so creating it again works.
        writeFile(migrations / migrationName(kShippedVersion + 2, "broken"),
                  "CREATE TABLE half (id INTEGER NOT NULL PRIMARY KEY);\n");
        auto s = openOrFail(loop.io, o);
        CHECK(s->schemaVersion() == kShippedVersion + 2);
    }
}

TEST_CASE("blade upsert and reload with NICs, HBAs and credentials; absent marking") {
    TempDir dir;
    Loop loop;
    auto o = options(dir.path());
    int acked = 0;
    auto ack = [&acked](bool ok, const std::string& error) {
        INFO(error);
        CHECK(ok);
        ++acked;
    };
    {
        auto s = openOrFail(loop.io, o);
        s->saveBlade(makeBlade(3), ack);
        s->saveBlade(makeBlade(1), ack);
        domain::Chassis c;
        c.name = "rack-a";
        c.model = "SimChassis";
        c.serialNumber = "CH1";
        c.slots = 16;
        s->saveChassis(c, ack);
        loop.runUntil([&] { return acked == 3; });
    }
    auto s = openOrFail(loop.io, o);
    auto chassis = s->loadChassisSync();
    REQUIRE(chassis.has_value());
    CHECK(chassis->id == "chassis");
    CHECK(chassis->slots == 16);
    auto blades = s->loadBladesSync();
    REQUIRE(blades.size() == 2);
    CHECK(blades[0].slot == 1); // ordered by slot
    const auto& b = blades[1];
    auto want = makeBlade(3);
    CHECK(b.slot == 3);
    CHECK(b.present);
    CHECK(b.serialNumber == want.serialNumber);
    CHECK(b.uuid == want.uuid);
    CHECK(b.cpuCount == 2);
    CHECK(b.memoryGiB == 64);
    CHECK(str(b.role) == str(domain::BladeRole::Spare));
    CHECK(str(b.health) == str(domain::HealthState::Healthy));
    CHECK(b.powerState == "On");
    CHECK(b.discoveredMs == 1000);
    CHECK(b.inventoryMs == 2000);
    REQUIRE(b.nics.size() == 2);
    CHECK(b.nics[0].permanentMac == want.nics[0].permanentMac);
    CHECK(b.nics[0].currentMac == want.nics[0].currentMac);
    CHECK(b.nics[1].permanentMac == want.nics[1].permanentMac);
    REQUIRE(b.hbas.size() == 1);
    CHECK(b.hbas[0].permanentWwpn == want.hbas[0].permanentWwpn);
    CHECK(b.hbas[0].currentWwpn == want.hbas[0].currentWwpn);
    CHECK(b.bmc.ipmiHost == "127.0.0.1");
    CHECK(b.bmc.ipmiPort == 6233);
    CHECK(b.bmc.redfishUrl == want.bmc.redfishUrl);
    CHECK(b.bmc.username == "admin");
    CHECK(b.bmc.password == "secret-3");
    // The Redfish southbound settings (migration 0002) round-trip too.
    CHECK(b.bmc.redfishUsername == "rf-admin");
    CHECK(b.bmc.redfishPassword == "rf-secret-3");
    CHECK(b.bmc.tlsFingerprint == want.bmc.tlsFingerprint);
    CHECK(b.bmc.tlsCaFile == "/etc/opencmc/bmc-ca.pem");
    CHECK(b.bmc.tlsInsecure == false);
    CHECK(b.bmc.redfishSessionAuth == false);
    CHECK(b.bmc.redfishSystem == "/redfish/v1/Systems/3");
    CHECK(b.bmcMac == "02:aa:00:00:00:03");

    // Upsert: fewer NICs, new role and credentials; absent marking.
    auto changed = makeBlade(3);
    changed.nics.resize(1);
    changed.hbas.clear();
    changed.role = domain::BladeRole::Active;
    changed.bmc.password = "rotated";
    acked = 0;
    s->saveBlade(changed, ack);
    s->markBladeAbsent(1, ack);
    s->markBladeAbsent(9, ack); // unknown slot: nothing to mark, not an error
    loop.runUntil([&] { return acked == 3; });
    blades = s->loadBladesSync();
    REQUIRE(blades.size() == 2);
    CHECK_FALSE(blades[0].present);
    CHECK(str(blades[0].health) == str(domain::HealthState::Absent));
    CHECK(blades[0].nics.size() == 2); // inventory kept
    CHECK(str(blades[1].role) == str(domain::BladeRole::Active));
    CHECK(blades[1].nics.size() == 1);
    CHECK(blades[1].hbas.empty());
    CHECK(blades[1].bmc.password == "rotated");
}

TEST_CASE("a failing write reports done(false) without a credential and spares its neighbours") {
    TempDir dir;
    Loop loop;
    auto s = openOrFail(loop.io, options(dir.path()));
    auto bad = makeBlade(0); // slot 0 violates CHECK (slot >= 1)
    bad.bmc.password = "do-not-leak";
    std::vector<std::pair<bool, std::string>> results;
    auto record = [&results](bool ok, std::string error) { results.emplace_back(ok, std::move(error)); };
    s->saveBlade(makeBlade(2), record);
    s->saveBlade(bad, record);
    s->saveBlade(makeBlade(4), record);
    loop.runUntil([&] { return results.size() == 3; });
    CHECK(results[0].first);
    CHECK_FALSE(results[1].first);
    CHECK(results[1].second.find("slot=0") != std::string::npos);
    CHECK(results[1].second.find("do-not-leak") == std::string::npos);
    CHECK(results[2].first);
    auto blades = s->loadBladesSync();
    REQUIRE(blades.size() == 2);
    CHECK(blades[0].slot == 2);
    CHECK(blades[1].slot == 4);
}

TEST_CASE("async writes complete in the order they were queued") {
    TempDir dir;
    Loop loop;
    auto s = openOrFail(loop.io, options(dir.path()));
    std::vector<std::string> order;
    std::vector<std::int64_t> ids;
    constexpr int kN = 300;
    for (int i = 0; i < kN; ++i) {
        s->appendEvent(makeEvent("E" + std::to_string(i), i), [&order, &ids, i](std::int64_t id) {
            order.push_back("e" + std::to_string(i));
            ids.push_back(id);
        });
        s->appendHealthSamples({sample(1, i, "ipmi", true, i)}, [&order, i](bool ok, const std::string&) {
            CHECK(ok);
            order.push_back("s" + std::to_string(i));
        });
    }
    loop.runUntil([&] { return order.size() == 2 * kN; });
    for (int i = 0; i < kN; ++i) {
        CHECK(order[2 * i] == "e" + std::to_string(i));
        CHECK(order[2 * i + 1] == "s" + std::to_string(i));
        CHECK(ids[i] == i + 1);
    }
    auto events = s->loadEventsSync(0, 1000);
    REQUIRE(events.size() == kN);
    CHECK(events.front().args == std::vector<std::string>{"blade-3", "with \"quotes\""});
    CHECK(events.back().messageId == "OpenCMC.1.0.E" + std::to_string(kN - 1));
    std::vector<domain::HealthSample> samples;
    bool got = false;
    s->loadSamples(1, 0, [&](std::vector<domain::HealthSample> v) {
        samples = std::move(v);
        got = true;
    });
    loop.runUntil([&] { return got; });
    REQUIRE(samples.size() == kN);
    CHECK(samples[10].value == doctest::Approx(10.0));
    CHECK(integrity(loop, *s) == "ok");
}

TEST_CASE("event ids increase monotonically across reopen and are never reused after trimming") {
    TempDir dir;
    Loop loop;
    auto o = options(dir.path());
    o.eventRetentionCount = 2;
    std::vector<std::int64_t> ids;
    auto keep = [&ids](std::int64_t id) { ids.push_back(id); };
    {
        auto s = openOrFail(loop.io, o);
        for (int i = 0; i < 5; ++i)
            s->appendEvent(makeEvent("A", i), keep);
        loop.runUntil([&] { return ids.size() == 5; });
        CHECK(ids == std::vector<std::int64_t>{1, 2, 3, 4, 5});
    }
    auto s = openOrFail(loop.io, o);
    CHECK(s->lastEventIdSync() == 5);
    // EventLog numbers events itself: an explicit id above the last is kept...
    auto e = makeEvent("B", 10);
    e.id = 10;
    s->appendEvent(e, keep);
    // ...one at or below it is refused (id 0 to done).
    e.id = 7;
    s->appendEvent(e, keep);
    bool retained = false;
    s->runRetention(100, [&](bool ok, const std::string&) { retained = ok; });
    s->appendEvent(makeEvent("C", 11), keep);
    loop.runUntil([&] { return ids.size() == 8 && retained; });
    CHECK(ids[5] == 10);
    CHECK(ids[6] == 0);
    CHECK(ids[7] == 11);
    auto events = s->loadEventsSync(0, 100);
    REQUIRE(events.size() == 3); // trimmed to the newest 2 (5, 10) before 11 arrived
    CHECK(events[0].id == 5);
    CHECK(events[1].id == 10);
    CHECK(events[2].id == 11);

    // Trim everything but the newest, then reopen: the next id still goes up.
    s.reset();
    o.eventRetentionCount = 1;
    s = openOrFail(loop.io, o);
    retained = false;
    s->runRetention(100, [&](bool ok, const std::string&) { retained = ok; });
    loop.runUntil([&] { return retained; });
    s.reset();
    s = openOrFail(loop.io, o);
    CHECK(s->lastEventIdSync() == 11);
    s->appendEvent(makeEvent("D", 12), keep);
    loop.runUntil([&] { return ids.size() == 9; });
    CHECK(ids[8] == 12);
    events = s->loadEventsSync(0, 100);
    REQUIRE(events.size() == 2);
    CHECK(events[0].id == 11);
    CHECK(events[1].id == 12);
}

TEST_CASE("health transitions keep increasing ids and load newest-limited, oldest first") {
    TempDir dir;
    Loop loop;
    auto o = options(dir.path());
    std::vector<std::int64_t> ids;
    auto keep = [&ids](std::int64_t id) { ids.push_back(id); };
    auto transition = [](int slot, std::int64_t t, domain::HealthState from, domain::HealthState to) {
        domain::HealthTransition tr;
        tr.slot = slot;
        tr.timeMs = t;
        tr.from = from;
        tr.to = to;
        tr.reason = "ipmi and redfish unreachable";
        tr.badSignals = {"ipmi", "redfish"};
        return tr;
    };
    using H = domain::HealthState;
    {
        auto s = openOrFail(loop.io, o);
        s->appendTransition(transition(1, 10, H::Unknown, H::Healthy), keep);
        s->appendTransition(transition(2, 11, H::Unknown, H::Healthy), keep);
        s->appendTransition(transition(1, 12, H::Healthy, H::Suspect), keep);
        loop.runUntil([&] { return ids.size() == 3; });
    }
    auto s = openOrFail(loop.io, o);
    s->appendTransition(transition(1, 13, H::Suspect, H::Failed), keep);
    loop.runUntil([&] { return ids.size() == 4; });
    CHECK(ids == std::vector<std::int64_t>{1, 2, 3, 4});
    std::vector<domain::HealthTransition> got;
    bool done = false;
    s->loadTransitions(1, 2, [&](std::vector<domain::HealthTransition> v) {
        got = std::move(v);
        done = true;
    });
    loop.runUntil([&] { return done; });
    REQUIRE(got.size() == 2);
    CHECK(got[0].id == 3);
    CHECK(str(got[0].from) == str(H::Healthy));
    CHECK(str(got[0].to) == str(H::Suspect));
    CHECK(got[1].id == 4);
    CHECK(str(got[1].to) == str(H::Failed));
    CHECK(got[1].badSignals == std::vector<std::string>{"ipmi", "redfish"});
    CHECK(got[1].reason == "ipmi and redfish unreachable");
}

TEST_CASE("retention folds old samples into per-minute aggregates and drops old aggregates") {
    TempDir dir;
    Loop loop;
    auto o = options(dir.path());
    o.sampleRetentionMs = 5 * 60000;
    o.downsampledRetentionMs = 60 * 60000;
    auto s = openOrFail(loop.io, o);
    const double nan = std::nan("");
    s->appendHealthSamples({
        sample(1, 1000, "ipmi", true, 1.0), sample(1, 2000, "ipmi", false, 3.0),
        sample(1, 1500, "power", true, nan), // no reading
        sample(1, 61000, "ipmi", true, 5.0), sample(2, 1000, "ipmi", true, 7.0),
        sample(1, 5 * 60000 + 10, "ipmi", true, 9.0), // minute 5: straddles nothing, kept
        sample(1, 9 * 60000, "ipmi", true, 2.0),      // recent, kept
    });
    auto retain = [&](std::int64_t now) {
        bool ok = false;
        bool got = false;
        s->runRetention(now, [&](bool r, const std::string& error) {
            INFO(error);
            ok = r;
            got = true;
        });
        loop.runUntil([&] { return got; });
        CHECK(ok);
    };
    auto aggregates = [&](int slot) {
        std::vector<SampleAggregate> v;
        bool got = false;
        s->loadAggregates(slot, 0, [&](std::vector<SampleAggregate> r) {
            v = std::move(r);
            got = true;
        });
        loop.runUntil([&] { return got; });
        return v;
    };
    auto samples = [&](int slot) {
        std::vector<domain::HealthSample> v;
        bool got = false;
        s->loadSamples(slot, 0, [&](std::vector<domain::HealthSample> r) {
            v = std::move(r);
            got = true;
        });
        loop.runUntil([&] { return got; });
        return v;
    };

    // now = 10 min + 30 s: cutoff 5 min 30 s, rounded down to whole minutes = 5 min.
    retain(10 * 60000 + 30000);
    auto a = aggregates(1);
    REQUIRE(a.size() == 3);
    CHECK(a[0].minuteMs == 0);
    CHECK(a[0].signal == "ipmi");
    CHECK(a[0].count == 2);
    CHECK(a[0].badCount == 1);
    CHECK(a[0].minValue.value_or(-1) == doctest::Approx(1.0));
    CHECK(a[0].avgValue.value_or(-1) == doctest::Approx(2.0));
    CHECK(a[0].maxValue.value_or(-1) == doctest::Approx(3.0));
    CHECK(a[1].minuteMs == 0);
    CHECK(a[1].signal == "power");
    CHECK(a[1].count == 1);
    CHECK_FALSE(a[1].avgValue.has_value());
    CHECK(a[2].minuteMs == 60000);
    CHECK(a[2].count == 1);
    CHECK(a[2].avgValue.value_or(-1) == doctest::Approx(5.0));
    REQUIRE(aggregates(2).size() == 1);
    auto raw = samples(1);
    REQUIRE(raw.size() == 2); // minute 5 and minute 9 remain raw
    CHECK(raw[0].timeMs == 5 * 60000 + 10);
    CHECK(raw[1].timeMs == 9 * 60000);

    // A late sample for a folded minute merges into its aggregate.
    s->appendHealthSamples({sample(1, 30000, "ipmi", true, 5.0)});
    retain(10 * 60000 + 30000);
    a = aggregates(1);
    REQUIRE(a.size() == 3);
    CHECK(a[0].count == 3);
    CHECK(a[0].badCount == 1);
    CHECK(a[0].minValue.value_or(-1) == doctest::Approx(1.0));
    CHECK(a[0].avgValue.value_or(-1) == doctest::Approx(3.0));
    CHECK(a[0].maxValue.value_or(-1) == doctest::Approx(5.0));

    // An hour later minute 0 is past the aggregate retention, minute 1 not yet;
    // the remaining raw samples (minutes 5 and 9) are folded now.
    retain(o.downsampledRetentionMs + 60000);
    a = aggregates(1);
    REQUIRE(a.size() == 3);
    CHECK(a[0].minuteMs == 60000);
    CHECK(a[1].minuteMs == 5 * 60000);
    CHECK(a[2].minuteMs == 9 * 60000);
    CHECK(samples(1).empty());
    CHECK(aggregates(2).empty());
    CHECK(integrity(loop, *s) == "ok");
}

TEST_CASE("flush waits for queued writes and the destructor drains the queue") {
    TempDir dir;
    Loop loop;
    auto o = options(dir.path());
    {
        auto s = openOrFail(loop.io, o);
        for (int slot = 1; slot <= 8; ++slot)
            s->saveBlade(makeBlade(slot));
        s->flush();
        CHECK(s->loadBladesSync().size() == 8);
        // Queued without callbacks and the store destroyed at once: shutdown loses nothing.
        for (int i = 0; i < 50; ++i)
            s->appendEvent(makeEvent("Shutdown", i));
        s->markBladeAbsent(8);
    }
    auto s = openOrFail(loop.io, o);
    CHECK(s->lastEventIdSync() == 50);
    CHECK(s->loadEventsSync(0, 100).size() == 50);
    auto blades = s->loadBladesSync();
    REQUIRE(blades.size() == 8);
    CHECK_FALSE(blades[7].present);
}

TEST_CASE("the built-in migrations equal schemas/db and open a database without any directory") {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(CMC_MIGRATIONS_DIR)) {
        if (e.path().extension() == ".sql") files.push_back(e.path().filename().string());
    }
    std::sort(files.begin(), files.end());
    const auto& builtin = cmc::store::builtinMigrations();
    REQUIRE(builtin.size() == files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        CHECK(std::string(builtin[i].name) == files[i]);
        std::ifstream in(std::filesystem::path(CMC_MIGRATIONS_DIR) / files[i]);
        std::stringstream ss;
        ss << in.rdbuf();
        CHECK(std::string(builtin[i].sql) == ss.str());
    }
    TempDir dir;
    Loop loop;
    auto o = options(dir.path());
    o.migrationsDir.clear(); // compiled in
    auto s = openOrFail(loop.io, o);
    CHECK(s->schemaVersion() == kShippedVersion);
    CHECK(integrity(loop, *s) == "ok");
}

TEST_CASE("a batch lands as one atomic step: one failing write rolls back the others") {
    TempDir dir;
    Loop loop;
    auto s = openOrFail(loop.io, options(dir.path()));
    cmc::store::Batch ok;
    ok.saveBlade(makeBlade(1)).savePowerIntent({1, domain::PowerIntent::Off, "operator power off", 5, false});
    std::string error = "unset";
    bool answered = false;
    s->apply(std::move(ok), [&](bool good, std::string e) {
        error = good ? "" : e;
        answered = true;
    });
    loop.runUntil([&] { return answered; });
    CHECK(error.empty());
    auto intents = s->loadPowerIntentsSync();
    REQUIRE(intents.size() == 1);
    CHECK((intents[0].intent == domain::PowerIntent::Off));
    CHECK(intents[0].reason == "operator power off");

    cmc::store::Batch bad;
    bad.saveBlade(makeBlade(2)).savePowerIntent({2, domain::PowerIntent::On, "x", 6, true}).saveBlade(makeBlade(0));
    answered = false;
    s->apply(std::move(bad), [&](bool good, std::string e) {
        error = good ? "" : e;
        answered = true;
    });
    loop.runUntil([&] { return answered; });
    CHECK(error.find("step 3 of 3") != std::string::npos);
    // Neither blade 2 nor its intent exist: the whole batch rolled back.
    auto blades = s->loadBladesSync();
    REQUIRE(blades.size() == 1);
    CHECK(blades[0].slot == 1);
    CHECK(s->loadPowerIntentsSync().size() == 1);
}
