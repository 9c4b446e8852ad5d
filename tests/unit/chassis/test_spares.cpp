#include <doctest/doctest.h>

#include <deque>

#include "domain/spares.hpp"

using namespace cmc::domain;

namespace {

// Owns the blades the candidates point at.
struct Rack {
    std::deque<Blade> blades;
    std::vector<BladeCandidate> candidates;

    BladeCandidate& spare(int slot, SpareKind kind, int cpus = 16, int memoryGiB = 128,
                          const std::string& model = "BX920 S4") {
        Blade& b = blades.emplace_back();
        b.slot = slot;
        b.model = model;
        b.cpuCount = cpus;
        b.memoryGiB = memoryGiB;
        BladeCandidate c;
        c.slot = slot;
        c.blade = &b;
        c.health = HealthState::Healthy;
        c.role = BladeRole::Spare;
        c.spare = kind;
        return candidates.emplace_back(c);
    }
    BladeCandidate& active(int slot) {
        BladeCandidate& c = spare(slot, SpareKind::Cold);
        c.spare.reset();
        c.role = BladeRole::Active;
        c.reserved = true;
        return c;
    }
};

LogicalServer server(const std::string& name, std::optional<int> slot, const std::string& pool = "gold") {
    LogicalServer s;
    s.name = name;
    s.slot = slot;
    s.state = slot ? ServerState::Running : ServerState::Unbound;
    s.policy.sparePool = pool;
    return s;
}

} // namespace

TEST_CASE("spare kinds read back") {
    CHECK((spareKindFrom(toString(SpareKind::Warm)) == SpareKind::Warm));
    CHECK((spareKindFrom(toString(SpareKind::Cold)) == SpareKind::Cold));
    CHECK_FALSE(spareKindFrom("warm").has_value());
}

TEST_CASE("requirements: too small or unknown inventory does not meet a requirement") {
    Blade b;
    b.model = "BX920 S4";
    b.cpuCount = 8;
    b.memoryGiB = 32;
    HardwareRequirements r;
    CHECK(r.unmetBy(b).empty());
    r.minMemoryGiB = 64;
    CHECK(r.unmetBy(b) == "needs 64 GiB, has 32");
    r.minMemoryGiB = 32;
    r.minCpus = 16;
    CHECK(r.unmetBy(b) == "needs 16 CPUs, has 8");
    r.minCpus = 8;
    CHECK(r.unmetBy(b).empty());
    r.modelFamily = "BX920";
    CHECK(r.unmetBy(b).empty());
    r.modelFamily = "BX2560";
    CHECK(r.unmetBy(b).find("BX2560") != std::string::npos);

    Blade unknown; // cpuCount and memoryGiB 0: never read
    HardwareRequirements need;
    CHECK(need.unmetBy(unknown).empty()); // no requirement, nothing to meet
    need.minCpus = 1;
    CHECK(need.unmetBy(unknown).find("CPU count unknown") != std::string::npos);
    need.minCpus = 0;
    need.minMemoryGiB = 1;
    CHECK(need.unmetBy(unknown).find("unknown") != std::string::npos);
}

TEST_CASE("rankSpares: warm spares before cold ones, then by slot") {
    Rack rack;
    rack.spare(16, SpareKind::Cold);
    rack.spare(14, SpareKind::Warm);
    rack.spare(12, SpareKind::Cold);
    rack.spare(15, SpareKind::Warm);
    auto choice = rankSpares(server("web01", 3), rack.candidates);
    CHECK(choice.ranked == std::vector<int>({14, 15, 12, 16}));
    CHECK(choice.rejected.empty());
}

TEST_CASE("rankSpares: a spare too small for the server is rejected with why") {
    Rack rack;
    rack.spare(14, SpareKind::Warm, 16, 32);
    rack.spare(15, SpareKind::Cold, 16, 128);
    rack.spare(16, SpareKind::Warm, 0, 0); // inventory not read yet
    LogicalServer s = server("db01", 3);
    s.requirements.minMemoryGiB = 64;
    s.requirements.minCpus = 8;
    auto choice = rankSpares(s, rack.candidates);
    CHECK(choice.ranked == std::vector<int>{15});
    REQUIRE(choice.rejected.size() == 2);
    CHECK(choice.rejected[0] == "blade 14: needs 64 GiB, has 32");
    CHECK(choice.rejected[1].find("blade 16: ") == 0);
    CHECK(choice.rejected[1].find("CPU count unknown") != std::string::npos);
}

TEST_CASE("rankSpares: maintenance, reserved, excluded, unhealthy and non-Spare blades are not used") {
    Rack rack;
    rack.spare(10, SpareKind::Warm).maintenance = true;
    rack.spare(11, SpareKind::Warm).reserved = true;
    rack.spare(12, SpareKind::Warm);
    rack.spare(13, SpareKind::Warm).health = HealthState::Failed;
    rack.spare(14, SpareKind::Warm).health = HealthState::Unknown;
    rack.spare(15, SpareKind::Warm).health = HealthState::Suspect;
    rack.spare(16, SpareKind::Warm).role = BladeRole::Quarantined;
    rack.spare(17, SpareKind::Cold);
    rack.active(3);
    auto choice = rankSpares(server("web01", 3), rack.candidates, {12});
    CHECK(choice.ranked == std::vector<int>{17});
    const std::vector<std::string> expected{
        "blade 10: in maintenance",
        "blade 11: reserved by a failover or a bound server",
        "blade 12: excluded",
        "blade 13: Failed",
        "blade 14: health Unknown (not yet judged)",
        "blade 15: Suspect",
        "blade 16: role Quarantined, not Spare",
    };
    CHECK(choice.rejected == expected); // blade 3 is no member of the pool: not listed
}

TEST_CASE("rankSpares: only the server's pool counts; no pool, no spares") {
    Rack rack;
    rack.spare(14, SpareKind::Warm).pool = "silver";
    rack.spare(15, SpareKind::Cold).pool = "gold";
    rack.spare(16, SpareKind::Cold); // membership judged by the caller for this server
    CHECK(rankSpares(server("web01", 3), rack.candidates).ranked == std::vector<int>({15, 16}));
    CHECK(rankSpares(server("web01", 3, "silver"), rack.candidates).ranked == std::vector<int>({14, 16}));
    auto none = rankSpares(server("web01", 3, ""), rack.candidates);
    CHECK(none.ranked.empty());
}

TEST_CASE("coverage: covered needs automatic failover, a pool and a compatible spare") {
    Rack rack;
    rack.spare(14, SpareKind::Warm, 16, 32);
    rack.active(1);
    rack.active(2);
    rack.active(3);
    rack.active(4);
    LogicalServer web = server("web01", 1);
    LogicalServer db = server("db01", 2);
    db.requirements.minMemoryGiB = 64;
    LogicalServer manual = server("batch01", 3);
    manual.policy.automatic = false;
    LogicalServer loose = server("dev01", 4, "");

    auto entries = coverage({web, db, manual, loose}, rack.candidates);
    REQUIRE(entries.size() == 4);
    CHECK(entries[0].server == "web01");
    CHECK(entries[0].slot == 1);
    CHECK(entries[0].pool == "gold");
    CHECK(entries[0].covered);
    CHECK(entries[0].spares == std::vector<int>{14});
    CHECK(entries[0].reason.empty());

    CHECK_FALSE(entries[1].covered);
    CHECK(entries[1].spares.empty());
    CHECK(entries[1].reason.find("no compatible spare in pool 'gold'") == 0);
    CHECK(entries[1].reason.find("blade 14: needs 64 GiB, has 32") != std::string::npos);

    CHECK_FALSE(entries[2].covered);
    CHECK(entries[2].spares == std::vector<int>{14}); // a spare fits, but nothing moves it by itself
    CHECK(entries[2].reason == "automatic failover is off");

    CHECK_FALSE(entries[3].covered);
    CHECK(entries[3].reason == "no spare pool");
}

TEST_CASE("whatIf: the spare that would take the failing blade's server") {
    Rack rack;
    rack.spare(15, SpareKind::Cold);
    rack.spare(14, SpareKind::Warm);
    rack.active(3);
    std::vector<LogicalServer> servers{server("web01", 3), server("db01", 4)};

    WhatIf w = whatIf(3, servers, rack.candidates);
    CHECK(w.slot == 3);
    CHECK(w.server == "web01");
    CHECK(w.spare == 14);
    CHECK(w.reason.empty());

    WhatIf nobody = whatIf(9, servers, rack.candidates);
    CHECK_FALSE(nobody.server.has_value());
    CHECK_FALSE(nobody.spare.has_value());
    CHECK(nobody.reason == "no logical server runs on blade 9");
}

TEST_CASE("whatIf: the failing blade never takes its own server; no spare says why") {
    Rack rack;
    rack.spare(14, SpareKind::Warm); // a spare that runs a server: a misconfiguration
    std::vector<LogicalServer> servers{server("web01", 14)};
    WhatIf w = whatIf(14, servers, rack.candidates);
    CHECK(w.server == "web01");
    CHECK_FALSE(w.spare.has_value());
    CHECK(w.reason.find("no compatible spare in pool 'gold'") == 0);

    servers.front().policy.automatic = false;
    rack.spare(15, SpareKind::Warm);
    WhatIf off = whatIf(14, servers, rack.candidates);
    CHECK_FALSE(off.spare.has_value());
    CHECK(off.reason.find("automatic failover is off") == 0);
}

TEST_CASE("storm breaker: more than a quarter of the blades within the window trips it") {
    StormBreaker b({});
    for (int slot = 1; slot <= 4; ++slot)
        CHECK_FALSE(b.recordFailure(slot, 1000 + slot, 16)); // 4 of 16 is not more than 25%
    CHECK_FALSE(b.tripped(1010, 16));
    CHECK(b.recordFailure(5, 1010, 16));
    CHECK(b.tripped(1010, 16));
    CHECK(b.reason() == "5 of 16 blades failed within 60 s (more than 25%): automatic failover paused");
    CHECK_FALSE(b.recordFailure(6, 1020, 16)); // tripped already
    CHECK(b.tripped(1020, 16));
    CHECK(b.failuresInWindow(1020) == 6);
}

TEST_CASE("storm breaker: failures outside the window and repeats of one blade do not count") {
    StormBreaker b({});
    CHECK_FALSE(b.recordFailure(1, 0, 16));
    CHECK_FALSE(b.recordFailure(2, 1000, 16));
    CHECK_FALSE(b.recordFailure(2, 2000, 16)); // the same blade again
    CHECK_FALSE(b.recordFailure(3, 3000, 16));
    CHECK_FALSE(b.recordFailure(4, 4000, 16));
    CHECK(b.failuresInWindow(4000) == 4);
    CHECK_FALSE(b.recordFailure(5, 60000, 16)); // blade 1's failure left the window
    CHECK(b.failuresInWindow(60000) == 4);
    CHECK(b.recordFailure(6, 60500, 16));
}

TEST_CASE("storm breaker: at least minFailures, whatever the share") {
    StormBreaker b({});
    CHECK_FALSE(b.recordFailure(1, 1000, 4));
    CHECK_FALSE(b.recordFailure(2, 1100, 4)); // half of the blades, but only 2
    CHECK(b.recordFailure(3, 1200, 4));
}

TEST_CASE("storm breaker: an acknowledgement resumes; only later failures count") {
    StormBreaker b({});
    for (int slot = 1; slot <= 5; ++slot)
        (void)b.recordFailure(slot, 1000, 16);
    REQUIRE(b.tripped(1000, 16));
    b.acknowledge(2000);
    CHECK_FALSE(b.tripped(2000, 16));
    CHECK(b.reason().empty());
    CHECK(b.failuresInWindow(2000) == 0);
    for (int slot = 6; slot <= 9; ++slot)
        CHECK_FALSE(b.recordFailure(slot, 3000, 16));
    CHECK(b.recordFailure(10, 3000, 16)); // five new failures: a new storm
}

TEST_CASE("storm breaker: the condition clearing untrips it") {
    StormBreaker b({});
    for (int slot = 1; slot <= 5; ++slot)
        (void)b.recordFailure(slot, 1000 * slot, 16);
    REQUIRE(b.tripped(5000, 16));
    CHECK(b.tripped(60999, 16));       // blade 1's failure (t=1000) is still inside the window
    CHECK_FALSE(b.tripped(61000, 16)); // now 4 of 16: cleared
    CHECK(b.reason().empty());
    CHECK_FALSE(b.tripped(70000, 16));
}

TEST_CASE("storm breaker: the read-only query agrees with the judging one and changes nothing") {
    StormBreaker b({});
    for (int slot = 1; slot <= 5; ++slot)
        (void)b.recordFailure(slot, 1000 * slot, 16);
    CHECK(b.trippedAt(5000, 16));
    CHECK(b.countedAt(5000) == 5);
    CHECK(b.trippedAt(60999, 16));
    CHECK_FALSE(b.trippedAt(61000, 16)); // the window cleared ...
    CHECK(b.countedAt(61000) == 4);
    CHECK(b.tripped(5000, 16)); // ... but the query expired nothing
    CHECK(b.failuresInWindow(5000) == 5);
    b.acknowledge(6000);
    CHECK_FALSE(b.trippedAt(6000, 16));
    CHECK(b.countedAt(6000) == 0);
}
