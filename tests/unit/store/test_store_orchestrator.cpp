// The failover orchestrator's persistence (migration 0004): identity pools
// and allocations, logical servers, spare pools, blade flags, the failover
// journal and the audit trail survive a restart exactly; the store refuses
// an identity held twice (invariant 7) and a batch that tries rolls back whole.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "store/migrations.hpp"
#include "store_test_util.hpp"

using namespace cmc;
using namespace cmc::store;
using namespace cmc::store::test;

namespace {

// Enumerations as text: doctest's ADL would find domain::toString otherwise.
template <typename E> std::string str(E e) {
    return domain::toString(e);
}

// Applies a batch and waits for its answer: "" on success, else the error.
std::string applyBatch(Loop& loop, Store& s, Batch batch) {
    std::string error = "no answer";
    bool answered = false;
    s.apply(std::move(batch), [&](bool ok, std::string e) {
        error = ok ? std::string() : (e.empty() ? std::string("failed without a message") : e);
        answered = true;
    });
    loop.runUntil([&] { return answered; });
    return error;
}

std::vector<AuditRecord> audit(Loop& loop, Store& s, std::size_t limit) {
    std::vector<AuditRecord> out;
    bool got = false;
    s.loadAudit(limit, [&](std::vector<AuditRecord> v) {
        out = std::move(v);
        got = true;
    });
    loop.runUntil([&] { return got; });
    return out;
}

domain::IdentityPool macPool() {
    domain::IdentityPool p;
    p.name = "macs";
    p.kind = domain::IdentityKind::Mac;
    p.first = 0x02000a000001ULL;
    p.last = 0x02000a0000ffULL;
    return p;
}

domain::IdentityPool wwpnPool() {
    // The top bit set: beyond a signed 64-bit INTEGER, must still round-trip.
    domain::IdentityPool p;
    p.name = "wwpns";
    p.kind = domain::IdentityKind::Wwpn;
    p.first = 0xc0000025b5000001ULL;
    p.last = 0xffffffffffffffffULL;
    return p;
}

domain::IdentityPool ipPool() {
    domain::IdentityPool p;
    p.name = "ips";
    p.kind = domain::IdentityKind::Ipv4;
    p.first = 0x0a00000bULL; // 10.0.0.11
    p.last = 0x0a000063ULL;  // 10.0.0.99
    p.prefixLength = 24;
    p.gateway = "10.0.0.1";
    return p;
}

domain::IdentityPool uuidPool() {
    domain::IdentityPool p;
    p.name = "uuids";
    p.kind = domain::IdentityKind::Uuid;
    p.first = 1;
    p.last = 0xffffffffffffULL;
    p.uuidPrefix = "4f70656e-434d-4300-8000";
    return p;
}

domain::Allocation alloc(domain::IdentityKind kind, std::string value, std::string owner, std::string pool) {
    return domain::Allocation{kind, std::move(value), std::move(owner), std::move(pool)};
}

domain::LogicalServer web01() {
    domain::LogicalServer s;
    s.name = "web01";
    s.uuid = "4f70656e-434d-4300-8000-000000000001";
    s.uuidPool = "uuids";
    s.vnics = {{"eth0", "02:00:0a:00:00:01", "10.0.0.11", 100, "macs", "ips"},
               {"eth1", "02:00:0a:00:00:02", "", 0, "", ""}};
    s.vhbas = {{"fc0", "c0:00:00:25:b5:00:00:01", "wwpns"}, {"fc1", "20:00:00:25:b5:00:00:09", ""}};
    s.boot = {"vol-web01", 4000000000U, "50:06:01:60:3b:a0:11:22"};
    s.requirements = {16, 64, "SimBlade"};
    s.policy = {"gold", 7, false};
    s.desiredPower = domain::PowerIntent::Off;
    s.slot = 3;
    s.state = domain::ServerState::Stopped;
    s.stateReason = "operator power off";
    s.origin = "admin";
    s.createdMs = 1000;
    s.updatedMs = 2000;
    return s;
}

domain::LogicalServer db01() {
    domain::LogicalServer s;
    s.name = "db01";
    s.uuid = "4f70656e-434d-4300-8000-000000000002";
    s.vnics = {{"eth0", "02:00:0a:00:00:03", "10.0.0.12", 4094, "macs", "ips"}};
    s.boot = {"vol-db01", 0, ""};
    s.state = domain::ServerState::Unbound;
    s.origin = "config";
    s.createdMs = 10;
    s.updatedMs = 10;
    return s; // slot: none
}

domain::Failover failover(std::int64_t id) {
    domain::Failover f;
    f.id = id;
    f.server = "web01";
    f.kind = domain::FailoverKind::Automatic;
    f.cause = "blade 3 failed: power fault";
    f.requestedBy = "policy";
    f.fromSlot = 3;
    f.toSlot = 14;
    f.phase = domain::FailoverPhase::Verifying;
    f.fence = domain::FenceMethod::PowerOff;
    f.triedSlots = {12, 13};
    f.reason = "";
    f.createdMs = 5000;
    for (int p = 0; p <= static_cast<int>(domain::FailoverPhase::Verifying); ++p)
        f.phaseStartMs[p] = 5000 + 100 * p;
    f.history = {{domain::FailoverPhase::Detected, 5000, 3, "blade 3 failed"},
                 {domain::FailoverPhase::Fencing, 5100, 3, "ForceOff read back Off"},
                 {domain::FailoverPhase::Allocating, 5200, 12, "blade 12 reserved"},
                 {domain::FailoverPhase::Allocating, 5250, 13, "blade 12 failed programming: released"},
                 {domain::FailoverPhase::Verifying, 5500, 14, ""}};
    return f;
}

void checkPool(const domain::IdentityPool& got, const domain::IdentityPool& want) {
    INFO("pool " << want.name);
    CHECK(got.name == want.name);
    CHECK(str(got.kind) == str(want.kind));
    CHECK(got.first == want.first);
    CHECK(got.last == want.last);
    CHECK(got.uuidPrefix == want.uuidPrefix);
    CHECK(got.prefixLength == want.prefixLength);
    CHECK(got.gateway == want.gateway);
}

void checkServer(const domain::LogicalServer& got, const domain::LogicalServer& want) {
    INFO("server " << want.name);
    CHECK(got.name == want.name);
    CHECK(got.uuid == want.uuid);
    CHECK(got.uuidPool == want.uuidPool);
    REQUIRE(got.vnics.size() == want.vnics.size());
    for (std::size_t i = 0; i < want.vnics.size(); ++i) {
        CHECK(got.vnics[i].name == want.vnics[i].name);
        CHECK(got.vnics[i].mac == want.vnics[i].mac);
        CHECK(got.vnics[i].ip == want.vnics[i].ip);
        CHECK(got.vnics[i].vlan == want.vnics[i].vlan);
        CHECK(got.vnics[i].macPool == want.vnics[i].macPool);
        CHECK(got.vnics[i].ipPool == want.vnics[i].ipPool);
    }
    REQUIRE(got.vhbas.size() == want.vhbas.size());
    for (std::size_t i = 0; i < want.vhbas.size(); ++i) {
        CHECK(got.vhbas[i].name == want.vhbas[i].name);
        CHECK(got.vhbas[i].wwpn == want.vhbas[i].wwpn);
        CHECK(got.vhbas[i].wwpnPool == want.vhbas[i].wwpnPool);
    }
    CHECK(got.boot.volume == want.boot.volume);
    CHECK(got.boot.lun == want.boot.lun);
    CHECK(got.boot.targetWwpn == want.boot.targetWwpn);
    CHECK(got.requirements.minCpus == want.requirements.minCpus);
    CHECK(got.requirements.minMemoryGiB == want.requirements.minMemoryGiB);
    CHECK(got.requirements.modelFamily == want.requirements.modelFamily);
    CHECK(got.policy.sparePool == want.policy.sparePool);
    CHECK(got.policy.priority == want.policy.priority);
    CHECK(got.policy.automatic == want.policy.automatic);
    CHECK(str(got.desiredPower) == str(want.desiredPower));
    CHECK(got.slot == want.slot);
    CHECK(str(got.state) == str(want.state));
    CHECK(got.stateReason == want.stateReason);
    CHECK(got.origin == want.origin);
    CHECK(got.createdMs == want.createdMs);
    CHECK(got.updatedMs == want.updatedMs);
}

void checkFailover(const domain::Failover& got, const domain::Failover& want) {
    INFO("failover " << want.id);
    CHECK(got.id == want.id);
    CHECK(got.server == want.server);
    CHECK(str(got.kind) == str(want.kind));
    CHECK(got.cause == want.cause);
    CHECK(got.requestedBy == want.requestedBy);
    CHECK(got.fromSlot == want.fromSlot);
    CHECK(got.toSlot == want.toSlot);
    CHECK(got.targetSlot == want.targetSlot);
    CHECK(str(got.phase) == str(want.phase));
    CHECK(str(got.fence) == str(want.fence));
    CHECK(got.triedSlots == want.triedSlots);
    CHECK(got.reason == want.reason);
    CHECK(got.createdMs == want.createdMs);
    CHECK(got.endMs == want.endMs);
    for (int p = 0; p < domain::kFailoverPhaseCount; ++p) {
        INFO("phase " << p);
        CHECK(got.phaseStartMs[p] == want.phaseStartMs[p]);
    }
    REQUIRE(got.history.size() == want.history.size());
    for (std::size_t i = 0; i < want.history.size(); ++i) {
        INFO("history entry " << i);
        CHECK(str(got.history[i].phase) == str(want.history[i].phase));
        CHECK(got.history[i].timeMs == want.history[i].timeMs);
        CHECK(got.history[i].slot == want.history[i].slot);
        CHECK(got.history[i].note == want.history[i].note);
    }
}

// Runs one statement on the closed database, behind the store's back (what
// a retention job or an operator's sqlite3 shell might do).
void rawExec(const std::string& path, const char* statement) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    char* msg = nullptr;
    int rc = sqlite3_exec(db, statement, nullptr, nullptr, &msg);
    INFO((msg ? msg : ""));
    CHECK(rc == SQLITE_OK);
    sqlite3_free(msg);
    sqlite3_close(db);
}

} // namespace

TEST_CASE("migration 0004 brings the schema to version 4 and upgrades a version 3 database in place") {
    TempDir dir;
    Loop loop;
    // A database as the previous release left it (migrations 0001-0003), then
    // one that knows 0004 as well: exactly 4, whatever ships after it.
    auto upTo = [&dir](const char* name, const std::string& below) {
        auto d = dir.path() / name;
        std::filesystem::create_directories(d);
        for (const auto& shipped : std::filesystem::directory_iterator(CMC_MIGRATIONS_DIR)) {
            const auto file = shipped.path().filename().string();
            if (file < below) std::filesystem::copy_file(shipped.path(), d / file);
        }
        return d.string();
    };
    auto o = options(dir.path());
    {
        auto old = o;
        old.migrationsDir = upTo("v3", "0004");
        auto s = openOrFail(loop.io, old);
        REQUIRE(s->schemaVersion() == 3);
        REQUIRE(
            applyBatch(loop, *s, std::move(Batch().savePowerIntent({2, domain::PowerIntent::Off, "kept", 1, false})))
                .empty());
    }
    {
        auto v4 = o;
        v4.migrationsDir = upTo("v4", "0005");
        auto s = openOrFail(loop.io, v4);
        CHECK(s->schemaVersion() == 4);
    }
    auto s = openOrFail(loop.io, o); // the built-in migrations: 0004 and whatever follows
    CHECK(s->schemaVersion() == static_cast<int>(builtinMigrations().size()));
    CHECK(integrity(loop, *s) == "ok");
    auto intents = s->loadPowerIntentsSync();
    REQUIRE(intents.size() == 1);
    CHECK(intents[0].reason == "kept");
    auto state = s->loadOrchestratorSync();
    CHECK(state.identityPools.empty());
    CHECK(state.allocations.empty());
    CHECK(state.servers.empty());
    CHECK(state.sparePools.empty());
    CHECK(state.bladeFlags.empty());
    CHECK(state.failovers.empty());
    CHECK(s->nextFailoverIdSync() == 1);
    CHECK(audit(loop, *s, 10).empty());
}

TEST_CASE("every orchestrator record survives a restart exactly, each list in its order") {
    TempDir dir;
    Loop loop;
    auto o = options(dir.path());
    auto bind = failover(2);
    bind.server = "db01";
    bind.kind = domain::FailoverKind::Bind;
    bind.requestedBy = "admin";
    bind.fromSlot.reset();
    bind.toSlot.reset();
    bind.targetSlot = 9;
    bind.fence = domain::FenceMethod::NotNeeded;
    bind.triedSlots.clear();
    bind.phase = domain::FailoverPhase::Failed;
    bind.reason = "blade 9 does not meet the requirements";
    bind.phaseStartMs[static_cast<int>(domain::FailoverPhase::Failed)] = 9999;
    bind.endMs = 9999;
    bind.history.clear();

    domain::SparePool gold{"gold", {{15, domain::SpareKind::Cold}, {14, domain::SpareKind::Warm}}};
    domain::SparePool bronze{"bronze", {{16, domain::SpareKind::Cold}}};
    domain::SparePool empty{"empty", {}};
    {
        auto s = openOrFail(loop.io, o);
        // Written out of order: the load sorts.
        Batch b;
        b.saveIdentityPool(wwpnPool()).saveIdentityPool(macPool()).saveIdentityPool(uuidPool());
        b.saveIdentityPool(ipPool());
        b.saveAllocation(alloc(domain::IdentityKind::Wwpn, "c0:00:00:25:b5:00:00:01", "web01", "wwpns"));
        b.saveAllocation(alloc(domain::IdentityKind::Mac, "02:00:0a:00:00:02", "web01", ""));
        b.saveAllocation(alloc(domain::IdentityKind::Mac, "02:00:0a:00:00:01", "web01", "macs"));
        b.saveLogicalServer(web01()).saveLogicalServer(db01());
        b.saveSparePool(gold).saveSparePool(empty).saveSparePool(bronze);
        b.saveBladeFlags({7, true, "quarantined: failed verification"}).saveBladeFlags({3, false, "power fault"});
        b.saveFailover(failover(5)).saveFailover(bind);
        b.appendAudit({0, 100, "admin", "CreateLogicalServer", "web01", "new web tier", "accepted"});
        b.appendAudit({0, 200, "policy", "Failover", "web01", "blade 3 failed", "completed"});
        REQUIRE(applyBatch(loop, *s, std::move(b)).empty());
    }
    auto s = openOrFail(loop.io, o);
    auto st = s->loadOrchestratorSync();

    REQUIRE(st.identityPools.size() == 4); // by name
    checkPool(st.identityPools[0], ipPool());
    checkPool(st.identityPools[1], macPool());
    checkPool(st.identityPools[2], uuidPool());
    checkPool(st.identityPools[3], wwpnPool());

    REQUIRE(st.allocations.size() == 3); // by kind, then value
    CHECK(str(st.allocations[0].kind) == "MAC");
    CHECK(st.allocations[0].value == "02:00:0a:00:00:01");
    CHECK(st.allocations[0].owner == "web01");
    CHECK(st.allocations[0].pool == "macs");
    CHECK(st.allocations[1].value == "02:00:0a:00:00:02");
    CHECK(st.allocations[1].pool.empty());
    CHECK(str(st.allocations[2].kind) == "WWPN");
    CHECK(st.allocations[2].pool == "wwpns");

    REQUIRE(st.servers.size() == 2); // by name
    checkServer(st.servers[0], db01());
    checkServer(st.servers[1], web01());

    REQUIRE(st.sparePools.size() == 3); // by name, members by slot
    CHECK(st.sparePools[0].name == "bronze");
    CHECK(st.sparePools[1].name == "empty");
    CHECK(st.sparePools[1].members.empty());
    CHECK(st.sparePools[2].name == "gold");
    CHECK(st.sparePools[2].members == gold.members);

    REQUIRE(st.bladeFlags.size() == 2); // by slot
    CHECK(st.bladeFlags[0].slot == 3);
    CHECK_FALSE(st.bladeFlags[0].maintenance);
    CHECK(st.bladeFlags[0].roleReason == "power fault");
    CHECK(st.bladeFlags[1].slot == 7);
    CHECK(st.bladeFlags[1].maintenance);
    CHECK(st.bladeFlags[1].roleReason == "quarantined: failed verification");

    REQUIRE(st.failovers.size() == 2); // by id, oldest first
    checkFailover(st.failovers[0], bind);
    checkFailover(st.failovers[1], failover(5));
    CHECK(s->nextFailoverIdSync() == 6);

    auto records = audit(loop, *s, 10);
    REQUIRE(records.size() == 2);
    CHECK(records[0].id == 1);
    CHECK(records[0].timeMs == 100);
    CHECK(records[0].who == "admin");
    CHECK(records[0].action == "CreateLogicalServer");
    CHECK(records[0].subject == "web01");
    CHECK(records[0].reason == "new web tier");
    CHECK(records[0].outcome == "accepted");
    CHECK(records[1].id == 2);
    CHECK(records[1].who == "policy");
    CHECK(integrity(loop, *s) == "ok");
}

TEST_CASE("an identity held already is refused, naming its holder, and its whole batch rolls back") {
    TempDir dir;
    Loop loop;
    auto s = openOrFail(loop.io, options(dir.path()));
    Batch first;
    first.saveIdentityPool(macPool());
    first.saveAllocation(alloc(domain::IdentityKind::Mac, "02:00:0a:00:00:01", "web01", "macs"));
    first.saveLogicalServer(web01());
    REQUIRE(applyBatch(loop, *s, std::move(first)).empty());

    // Another server claims the same MAC: everything it wrote before the claim goes too.
    auto other = db01();
    Batch second;
    second.saveIdentityPool(ipPool());
    second.saveAllocation(alloc(domain::IdentityKind::Ipv4, "10.0.0.12", "db01", "ips"));
    second.saveLogicalServer(other);
    second.saveAllocation(alloc(domain::IdentityKind::Mac, "02:00:0a:00:00:01", "db01", "macs"));
    second.appendAudit({0, 300, "admin", "CreateLogicalServer", "db01", "", "accepted"});
    auto error = applyBatch(loop, *s, std::move(second));
    INFO(error);
    CHECK(error.find("step 4 of 5") != std::string::npos);
    CHECK(error.find("02:00:0a:00:00:01") != std::string::npos);
    CHECK(error.find("already held by 'web01'") != std::string::npos);

    auto st = s->loadOrchestratorSync();
    REQUIRE(st.identityPools.size() == 1);
    CHECK(st.identityPools[0].name == "macs");
    REQUIRE(st.allocations.size() == 1);
    CHECK(st.allocations[0].owner == "web01");
    REQUIRE(st.servers.size() == 1);
    CHECK(st.servers[0].name == "web01");
    CHECK(audit(loop, *s, 10).empty());

    // The same owner cannot hold it twice either; a different kind with the same text is another identity.
    CHECK_FALSE(applyBatch(loop, *s,
                           std::move(Batch().saveAllocation(
                               alloc(domain::IdentityKind::Mac, "02:00:0a:00:00:01", "web01", "macs"))))
                    .empty());
    CHECK(applyBatch(loop, *s,
                     std::move(Batch().saveAllocation(alloc(domain::IdentityKind::Uuid, "02:00:0a:00:00:01", "x", ""))))
              .empty());

    // Released, it can be taken by someone else.
    Batch move;
    move.deleteAllocation(domain::IdentityKind::Mac, "02:00:0a:00:00:01");
    move.saveAllocation(alloc(domain::IdentityKind::Mac, "02:00:0a:00:00:01", "db01", "macs"));
    REQUIRE(applyBatch(loop, *s, std::move(move)).empty());
    st = s->loadOrchestratorSync();
    REQUIRE(st.allocations.size() == 2);
    CHECK(st.allocations[0].owner == "db01");
}

TEST_CASE("a blade holds one server at most, and a MAC sits on one vNIC at most") {
    TempDir dir;
    Loop loop;
    auto s = openOrFail(loop.io, options(dir.path()));
    REQUIRE(applyBatch(loop, *s, std::move(Batch().saveLogicalServer(web01()))).empty());
    auto rival = db01();
    rival.slot = web01().slot;
    CHECK(applyBatch(loop, *s, std::move(Batch().saveLogicalServer(rival))).find("slot") != std::string::npos);
    auto copycat = db01();
    copycat.vnics[0].mac = web01().vnics[0].mac;
    CHECK(applyBatch(loop, *s, std::move(Batch().saveLogicalServer(copycat))).find("mac") != std::string::npos);
    auto badVlan = db01();
    badVlan.vnics[0].vlan = 4095;
    CHECK_FALSE(applyBatch(loop, *s, std::move(Batch().saveLogicalServer(badVlan))).empty());
    CHECK(s->loadOrchestratorSync().servers.size() == 1);
    // Moving the server to another blade frees its old one.
    auto moved = web01();
    moved.slot = 14;
    rival.slot = 3;
    REQUIRE(applyBatch(loop, *s, std::move(Batch().saveLogicalServer(moved).saveLogicalServer(rival))).empty());
    auto st = s->loadOrchestratorSync();
    REQUIRE(st.servers.size() == 2);
    CHECK(st.servers[0].slot == 3);
    CHECK(st.servers[1].slot == 14);
}

TEST_CASE("a server saved again replaces its vNICs and vHBAs; a deleted one takes them with it") {
    TempDir dir;
    Loop loop;
    auto o = options(dir.path());
    auto s = openOrFail(loop.io, o);
    REQUIRE(applyBatch(loop, *s, std::move(Batch().saveLogicalServer(web01()).saveLogicalServer(db01()))).empty());

    auto fewer = web01();
    fewer.vnics.resize(1);
    fewer.vhbas.clear();
    fewer.state = domain::ServerState::Running;
    REQUIRE(applyBatch(loop, *s, std::move(Batch().saveLogicalServer(fewer))).empty());
    auto st = s->loadOrchestratorSync();
    REQUIRE(st.servers.size() == 2);
    checkServer(st.servers[1], fewer);

    REQUIRE(applyBatch(loop, *s, std::move(Batch().deleteLogicalServer("web01"))).empty());
    st = s->loadOrchestratorSync();
    REQUIRE(st.servers.size() == 1);
    CHECK(st.servers[0].name == "db01");
    CHECK(st.servers[0].vnics.size() == 1); // the other server's keep

    // Its vNIC and vHBA rows are gone: their MAC and WWPN are free for another server...
    auto heir = db01();
    heir.name = "web02";
    heir.uuid = web01().uuid;
    heir.vnics = web01().vnics;
    heir.vhbas = web01().vhbas;
    REQUIRE(applyBatch(loop, *s, std::move(Batch().saveLogicalServer(heir))).empty());
    // ... and a server created again under the old name starts with none.
    auto reborn = web01();
    reborn.uuid = "4f70656e-434d-4300-8000-000000000009";
    reborn.vnics.clear();
    reborn.vhbas.clear();
    reborn.slot.reset();
    REQUIRE(applyBatch(loop, *s, std::move(Batch().saveLogicalServer(reborn))).empty());
    s.reset();
    s = openOrFail(loop.io, o);
    st = s->loadOrchestratorSync();
    REQUIRE(st.servers.size() == 3);
    CHECK(st.servers[1].name == "web01");
    CHECK(st.servers[1].vnics.empty());
    CHECK(st.servers[1].vhbas.empty());
    checkServer(st.servers[2], heir);
    CHECK(integrity(loop, *s) == "ok");
}

TEST_CASE("spare pools: members replaced on save, a blade in one pool at most, delete takes the members") {
    TempDir dir;
    Loop loop;
    auto s = openOrFail(loop.io, options(dir.path()));
    domain::SparePool gold{"gold", {{14, domain::SpareKind::Warm}, {15, domain::SpareKind::Cold}}};
    REQUIRE(applyBatch(loop, *s, std::move(Batch().saveSparePool(gold))).empty());
    gold.members = {{15, domain::SpareKind::Warm}, {16, domain::SpareKind::Cold}};
    REQUIRE(applyBatch(loop, *s, std::move(Batch().saveSparePool(gold))).empty());
    auto st = s->loadOrchestratorSync();
    REQUIRE(st.sparePools.size() == 1);
    CHECK(st.sparePools[0].members == gold.members);

    domain::SparePool silver{"silver", {{16, domain::SpareKind::Cold}}};
    CHECK(applyBatch(loop, *s, std::move(Batch().saveSparePool(silver))).find("slot=16") != std::string::npos);
    REQUIRE(applyBatch(loop, *s, std::move(Batch().deleteSparePool("gold").saveSparePool(silver))).empty());
    st = s->loadOrchestratorSync();
    REQUIRE(st.sparePools.size() == 1);
    CHECK(st.sparePools[0].name == "silver");
    CHECK(st.sparePools[0].members == silver.members);

    // Blade flags are an upsert by slot.
    REQUIRE(applyBatch(loop, *s, std::move(Batch().saveBladeFlags({5, true, "a"}).saveBladeFlags({5, false, "b"})))
                .empty());
    st = s->loadOrchestratorSync();
    REQUIRE(st.bladeFlags.size() == 1);
    CHECK_FALSE(st.bladeFlags[0].maintenance);
    CHECK(st.bladeFlags[0].roleReason == "b");
}

TEST_CASE("a failover saved again replaces its record and history; ids are never reused") {
    TempDir dir;
    Loop loop;
    auto o = options(dir.path());
    {
        auto s = openOrFail(loop.io, o);
        CHECK(s->nextFailoverIdSync() == 1);
        REQUIRE(applyBatch(loop, *s, std::move(Batch().saveFailover(failover(1)))).empty());
        CHECK(s->nextFailoverIdSync() == 2);

        auto done = failover(1);
        done.phase = domain::FailoverPhase::Completed;
        done.phaseStartMs[static_cast<int>(domain::FailoverPhase::Completed)] = 7000;
        done.endMs = 7000;
        done.toSlot = 15;
        done.triedSlots = {12, 13, 14};
        done.history = {{domain::FailoverPhase::Detected, 5000, 3, "blade 3 failed"},
                        {domain::FailoverPhase::Completed, 7000, 15, "host up on blade 15"}};
        REQUIRE(applyBatch(loop, *s, std::move(Batch().saveFailover(done))).empty());
        auto st = s->loadOrchestratorSync();
        REQUIRE(st.failovers.size() == 1);
        checkFailover(st.failovers[0], done);

        // An id must be given (nextFailoverIdSync): 0 is refused, with the batch.
        auto error = applyBatch(
            loop, *s,
            std::move(Batch().appendAudit({0, 1, "policy", "Failover", "web01", "", ""}).saveFailover(failover(0))));
        CHECK(error.find("id must be above 0") != std::string::npos);
        CHECK(audit(loop, *s, 10).empty());

        REQUIRE(applyBatch(loop, *s, std::move(Batch().saveFailover(failover(7)))).empty());
        CHECK(s->nextFailoverIdSync() == 8);
    }
    // Rows deleted behind the store's back (a future retention, an operator):
    // their ids stay used, and the history went with them.
    rawExec(o.path, "PRAGMA foreign_keys = ON; DELETE FROM failovers WHERE id = 7");
    auto s = openOrFail(loop.io, o);
    CHECK(s->nextFailoverIdSync() == 8);
    rawExec(o.path, "PRAGMA foreign_keys = ON; DELETE FROM failovers");
    CHECK(s->nextFailoverIdSync() == 8);
    CHECK(s->loadOrchestratorSync().failovers.empty());
    CHECK(integrity(loop, *s) == "ok");
}

TEST_CASE("audit: ids assigned in order, the newest `limit` records loaded oldest first") {
    TempDir dir;
    Loop loop;
    auto o = options(dir.path());
    {
        auto s = openOrFail(loop.io, o);
        for (int i = 1; i <= 5; ++i) {
            REQUIRE(applyBatch(loop, *s,
                               std::move(Batch().appendAudit({99, 1000 + i, "admin", "Maintenance",
                                                              "blade-" + std::to_string(i), "swap fan", "accepted"})))
                        .empty());
        }
    }
    auto s = openOrFail(loop.io, o);
    auto records = audit(loop, *s, 3);
    REQUIRE(records.size() == 3);
    CHECK(records[0].id == 3); // the given id (99) is ignored: the database numbers records
    CHECK(records[0].subject == "blade-3");
    CHECK(records[2].id == 5);
    CHECK(records[2].timeMs == 1005);
    CHECK(audit(loop, *s, 100).size() == 5);
    CHECK(audit(loop, *s, 0).empty());
}
