#include <doctest/doctest.h>

#include <utility>

#include "domain/failover.hpp"

using namespace cmc::domain;

namespace {

// A blade failed in slot 3 at t=900; the failover record was created then.
Failover automaticFrom(int slot) {
    Failover f;
    f.id = 1;
    f.server = "web01";
    f.kind = FailoverKind::Automatic;
    f.cause = "blade " + std::to_string(slot) + " failed: power fault";
    f.requestedBy = "policy";
    f.fromSlot = slot;
    f.createdMs = 900;
    return f;
}

Failover plannedFrom(int slot, FailoverKind kind) {
    Failover f = automaticFrom(slot);
    f.kind = kind;
    f.cause = "operator moves web01";
    f.requestedBy = "admin";
    return f;
}

bool makesLive(StepKind k) {
    return k == StepKind::Program || k == StepKind::PowerOn || k == StepKind::Verify;
}

std::int64_t started(const Failover& f, FailoverPhase p) {
    return f.phaseStartMs[static_cast<std::size_t>(p)];
}

// Plays the driver: passes outcomes to the machine and checks invariant 3 on
// every step it is given.
struct Driver {
    explicit Driver(Failover f, FailoverTimeouts t = {}) : m(std::move(f), t) {}

    Step start(std::int64_t now) { return seen(m.start(now)); }
    Step ok(std::int64_t now, std::string detail = "") {
        StepOutcome o;
        o.ok = true;
        o.detail = std::move(detail);
        return seen(m.onOutcome(o, now));
    }
    Step fenced(std::int64_t now, FenceMethod how) {
        StepOutcome o;
        o.ok = true;
        o.fence = how;
        o.detail = "ForceOff read back Off";
        return seen(m.onOutcome(o, now));
    }
    Step allocated(std::int64_t now, int slot) {
        StepOutcome o;
        o.ok = true;
        o.slot = slot;
        return seen(m.onOutcome(o, now));
    }
    Step failed(std::int64_t now, std::string detail) {
        StepOutcome o;
        o.detail = std::move(detail);
        return seen(m.onOutcome(o, now));
    }
    Step timeout(std::int64_t now) { return seen(m.onTimeout(now)); }
    Step abort(const std::string& why, std::int64_t now) { return seen(m.abort(why, now)); }

    Step seen(Step s) {
        steps.push_back(s);
        if (makesLive(s.kind))
            CHECK_MESSAGE(m.record().fenced(), "a step that makes the identity live before the fence");
        return s;
    }
    [[nodiscard]] bool everReturned(StepKind k) const {
        for (const auto& s : steps) {
            if (s.kind == k) return true;
        }
        return false;
    }
    [[nodiscard]] const Failover& rec() const { return m.record(); }

    FailoverMachine m;
    std::vector<Step> steps;
};

// Runs an automatic failover of blade 3 up to the Program step on spare 14.
Driver toProgramming(FailoverTimeouts t = {}) {
    Driver d(automaticFrom(3), t);
    (void)d.start(1000);
    (void)d.fenced(1500, FenceMethod::PowerOff);
    (void)d.allocated(1600, 14);
    return d;
}

} // namespace

TEST_CASE("names of phases, kinds, fence methods and steps read back") {
    for (int i = 0; i < kFailoverPhaseCount; ++i) {
        auto p = static_cast<FailoverPhase>(i);
        CHECK((failoverPhaseFrom(toString(p)) == p));
    }
    for (auto k : {FailoverKind::Automatic, FailoverKind::Migrate, FailoverKind::Failback, FailoverKind::Evacuate,
                   FailoverKind::Bind})
        CHECK((failoverKindFrom(toString(k)) == k));
    for (auto f : {FenceMethod::None, FenceMethod::PowerOff, FenceMethod::AlreadyOff, FenceMethod::Fabric,
                   FenceMethod::NotNeeded})
        CHECK((fenceMethodFrom(toString(f)) == f));
    CHECK(std::string(toString(FailoverPhase::PoweringOn)) == "PoweringOn");
    CHECK(std::string(toString(StepKind::FabricFence)) == "FabricFence");
    CHECK_FALSE(failoverPhaseFrom("fencing").has_value());
}

TEST_CASE("automatic failover, happy path: every phase in order, timed on the injected clock") {
    Driver d(automaticFrom(3));
    Step s = d.start(1000);
    CHECK((s.kind == StepKind::Fence));
    CHECK(s.slot == 3);
    CHECK(s.deadlineMs == 1000 + 10000);
    CHECK((d.rec().phase == FailoverPhase::Fencing));

    s = d.fenced(1500, FenceMethod::PowerOff);
    CHECK((s.kind == StepKind::Allocate));
    CHECK(s.deadlineMs == 1500 + 2000);
    CHECK((d.rec().fence == FenceMethod::PowerOff));

    s = d.allocated(1600, 14);
    CHECK((s.kind == StepKind::Program));
    CHECK(s.slot == 14);
    CHECK(s.deadlineMs == 1600 + 15000);
    CHECK(d.rec().toSlot == 14);

    s = d.ok(4000, "identity read back");
    CHECK((s.kind == StepKind::PowerOn));
    CHECK(s.slot == 14);
    CHECK(s.deadlineMs == 4000 + 15000);

    s = d.ok(5000);
    CHECK((s.kind == StepKind::Verify));
    CHECK(s.deadlineMs == 5000 + 120000);

    s = d.ok(65000, "10.0.0.11 answers through blade 14");
    CHECK((s.kind == StepKind::None));
    const Failover& f = d.rec();
    CHECK((f.phase == FailoverPhase::Completed));
    CHECK(f.terminal());
    CHECK(f.endMs == 65000);
    CHECK(f.reason.empty());
    CHECK(f.triedSlots.empty());
    CHECK(started(f, FailoverPhase::Detected) == 900);
    CHECK(started(f, FailoverPhase::Fencing) == 1000);
    CHECK(started(f, FailoverPhase::Allocating) == 1500);
    CHECK(started(f, FailoverPhase::Programming) == 1600);
    CHECK(started(f, FailoverPhase::PoweringOn) == 4000);
    CHECK(started(f, FailoverPhase::Verifying) == 5000);
    CHECK(started(f, FailoverPhase::Completed) == 65000);
    CHECK(started(f, FailoverPhase::Failed) == 0);

    const std::vector<FailoverPhase> expected{
        FailoverPhase::Detected,   FailoverPhase::Fencing,   FailoverPhase::Allocating, FailoverPhase::Programming,
        FailoverPhase::PoweringOn, FailoverPhase::Verifying, FailoverPhase::Completed};
    REQUIRE(f.history.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
        CHECK((f.history[i].phase == expected[i]));
    CHECK(f.history[0].note == "blade 3 failed: power fault");
    CHECK(f.history[3].slot == 14);
    CHECK(f.history.back().note.find("10.0.0.11 answers") != std::string::npos);

    // Outcomes and timeouts after the end change nothing.
    s = d.failed(70000, "late");
    CHECK((s.kind == StepKind::None));
    CHECK((d.timeout(200000).kind == StepKind::None));
    CHECK((d.rec().phase == FailoverPhase::Completed));
    CHECK(d.rec().endMs == 65000);
}

TEST_CASE("a blade found already off is fenced AlreadyOff") {
    Driver d(automaticFrom(3));
    (void)d.start(1000);
    CHECK((d.fenced(1200, FenceMethod::AlreadyOff).kind == StepKind::Allocate));
    CHECK((d.rec().fence == FenceMethod::AlreadyOff));
}

TEST_CASE("a power off that fails falls back to the fabric fence, then goes on") {
    Driver d(automaticFrom(3));
    (void)d.start(1000);
    Step s = d.failed(2000, "ForceOff: BMC does not answer");
    CHECK((s.kind == StepKind::FabricFence));
    CHECK(s.slot == 3);
    CHECK(s.deadlineMs == 2000 + 5000);
    CHECK((d.rec().phase == FailoverPhase::Fencing));
    CHECK_FALSE(d.rec().fenced());
    CHECK(d.rec().history.back().note.find("BMC does not answer") != std::string::npos);

    s = d.ok(2500, "switch port 3 and SAN port 3 disabled");
    CHECK((s.kind == StepKind::Allocate));
    CHECK((d.rec().fence == FenceMethod::Fabric));
    CHECK(started(d.rec(), FailoverPhase::Fencing) == 1000); // the first entry counts
    CHECK(d.rec().history.size() == 4);                      // Detected, Fencing, Fencing (fabric), Allocating
}

TEST_CASE("a power off that times out falls back to the fabric fence") {
    Driver d(automaticFrom(3));
    Step s = d.start(1000);
    s = d.timeout(s.deadlineMs);
    CHECK((s.kind == StepKind::FabricFence));
    CHECK(d.rec().history.back().note.find("timed out") != std::string::npos);
}

TEST_CASE("the fabric fence failing too ends Failed with nothing programmed") {
    Driver d(automaticFrom(3));
    (void)d.start(1000);
    (void)d.failed(2000, "ForceOff: BMC does not answer");
    Step s = d.failed(2500, "switch unreachable");
    CHECK((s.kind == StepKind::None));
    const Failover& f = d.rec();
    CHECK((f.phase == FailoverPhase::Failed));
    CHECK(f.endMs == 2500);
    CHECK(f.reason.find("could not fence blade 3") == 0);
    CHECK(f.reason.find("switch unreachable") != std::string::npos);
    CHECK(f.reason.find("nothing was moved") != std::string::npos);
    CHECK_FALSE(f.toSlot.has_value());
    CHECK_FALSE(d.everReturned(StepKind::Allocate));
    CHECK_FALSE(d.everReturned(StepKind::Program));
    CHECK_FALSE(d.everReturned(StepKind::PowerOn));
    CHECK_FALSE(d.everReturned(StepKind::Verify));
}

TEST_CASE("the fabric fence timing out ends Failed with nothing programmed") {
    Driver d(automaticFrom(3));
    Step s = d.start(1000);
    s = d.timeout(s.deadlineMs);
    REQUIRE((s.kind == StepKind::FabricFence));
    s = d.timeout(s.deadlineMs);
    CHECK((s.kind == StepKind::None));
    CHECK((d.rec().phase == FailoverPhase::Failed));
    CHECK(d.rec().reason.find("nothing was moved") != std::string::npos);
    CHECK_FALSE(d.everReturned(StepKind::Program));
}

TEST_CASE("a spare failing verification is released, and the next spare completes") {
    Driver d = toProgramming();
    (void)d.ok(3000);
    (void)d.ok(4000);
    Step s = d.failed(50000, "10.0.0.11 does not answer");
    CHECK((s.kind == StepKind::Release));
    CHECK(s.slot == 14);
    CHECK(s.deadlineMs == 50000 + 15000);
    CHECK((d.rec().phase == FailoverPhase::Allocating));
    CHECK(d.rec().toSlot == 14); // still named while it is released

    s = d.ok(51000, "blade 14 powered off, quarantined");
    CHECK((s.kind == StepKind::Allocate));
    CHECK_FALSE(d.rec().toSlot.has_value());
    CHECK(d.rec().triedSlots == std::vector<int>{14});

    s = d.allocated(51100, 15);
    CHECK((s.kind == StepKind::Program));
    CHECK(s.slot == 15);
    (void)d.ok(53000);
    (void)d.ok(54000);
    s = d.ok(90000);
    CHECK((s.kind == StepKind::None));
    const Failover& f = d.rec();
    CHECK((f.phase == FailoverPhase::Completed));
    CHECK(f.toSlot == 15);
    CHECK(f.triedSlots == std::vector<int>{14});
    CHECK(started(f, FailoverPhase::Programming) == 1600); // first entry, not the second spare's
    CHECK(started(f, FailoverPhase::Allocating) == 1500);
    int programmed = 0;
    for (const auto& e : f.history) {
        if (e.phase == FailoverPhase::Programming) ++programmed;
    }
    CHECK(programmed == 2);
}

TEST_CASE("a spare failing programming or power-on is released too, on failure or timeout") {
    SUBCASE("programming fails") {
        Driver d = toProgramming();
        CHECK((d.failed(2000, "SAN masking refused").kind == StepKind::Release));
    }
    SUBCASE("programming times out") {
        Driver d = toProgramming();
        CHECK((d.timeout(1600 + 15000).kind == StepKind::Release));
    }
    SUBCASE("power-on fails") {
        Driver d = toProgramming();
        (void)d.ok(3000);
        CHECK((d.failed(3500, "power on refused").kind == StepKind::Release));
    }
    SUBCASE("power-on times out") {
        Driver d = toProgramming();
        (void)d.ok(3000);
        CHECK((d.timeout(3000 + 15000).kind == StepKind::Release));
    }
    SUBCASE("verification times out") {
        Driver d = toProgramming();
        (void)d.ok(3000);
        Step s = d.ok(4000);
        CHECK((d.timeout(s.deadlineMs).kind == StepKind::Release));
    }
}

TEST_CASE("after maxSpares spares fail, the failover ends Failed naming the last failure") {
    FailoverTimeouts t;
    t.maxSpares = 2;
    Driver d = toProgramming(t);
    (void)d.failed(2000, "identity did not read back");
    (void)d.ok(2500);
    (void)d.allocated(2600, 15);
    (void)d.ok(3000);
    (void)d.ok(3500);
    (void)d.failed(40000, "no DHCP lease");
    Step s = d.ok(41000);
    CHECK((s.kind == StepKind::None));
    const Failover& f = d.rec();
    CHECK((f.phase == FailoverPhase::Failed));
    CHECK(f.reason == "no spare passed verification after 2 attempts: blade 15 failed verification: no DHCP lease");
    CHECK(f.triedSlots == std::vector<int>({14, 15}));
    CHECK_FALSE(f.toSlot.has_value());
    CHECK(f.endMs == 41000);
}

TEST_CASE("a spare that cannot be released ends Failed and stays named") {
    SUBCASE("release fails") {
        Driver d = toProgramming();
        (void)d.failed(2000, "SAN masking refused");
        Step s = d.failed(3000, "BMC does not answer");
        CHECK((s.kind == StepKind::None));
        CHECK((d.rec().phase == FailoverPhase::Failed));
        CHECK(d.rec().reason == "spare 14 could not be released: BMC does not answer");
        CHECK(d.rec().toSlot == 14);
        CHECK(d.rec().triedSlots.empty());
    }
    SUBCASE("release times out") {
        Driver d = toProgramming();
        Step s = d.failed(2000, "SAN masking refused");
        s = d.timeout(s.deadlineMs);
        CHECK((d.rec().phase == FailoverPhase::Failed));
        CHECK(d.rec().reason.find("spare 14 could not be released") == 0);
        CHECK(d.rec().toSlot == 14);
    }
}

TEST_CASE("an allocation that fails or times out ends Failed with its detail") {
    SUBCASE("no spare") {
        Driver d(automaticFrom(3));
        (void)d.start(1000);
        (void)d.fenced(1500, FenceMethod::PowerOff);
        Step s = d.failed(1600, "no compatible spare in pool 'gold'");
        CHECK((s.kind == StepKind::None));
        CHECK(d.rec().reason == "no compatible spare in pool 'gold'");
    }
    SUBCASE("ok without a slot") {
        Driver d(automaticFrom(3));
        (void)d.start(1000);
        (void)d.fenced(1500, FenceMethod::PowerOff);
        CHECK((d.ok(1600).kind == StepKind::None));
        CHECK((d.rec().phase == FailoverPhase::Failed));
        CHECK_FALSE(d.everReturned(StepKind::Program));
    }
    SUBCASE("the blade being left is never programmed") {
        Driver d(automaticFrom(3));
        (void)d.start(1000);
        (void)d.fenced(1500, FenceMethod::PowerOff);
        CHECK((d.allocated(1600, 3).kind == StepKind::None));
        CHECK_FALSE(d.everReturned(StepKind::Program));
    }
    SUBCASE("timeout") {
        Driver d(automaticFrom(3));
        (void)d.start(1000);
        Step s = d.fenced(1500, FenceMethod::PowerOff);
        CHECK((d.timeout(s.deadlineMs).kind == StepKind::None));
        CHECK((d.rec().phase == FailoverPhase::Failed));
        CHECK(d.rec().reason.find("timed out") != std::string::npos);
    }
}

TEST_CASE("planned moves shut down gracefully first; a failed or late shutdown is forced") {
    for (auto kind : {FailoverKind::Migrate, FailoverKind::Failback, FailoverKind::Evacuate}) {
        CAPTURE(toString(kind));
        Driver d(plannedFrom(5, kind));
        Step s = d.start(1000);
        CHECK((s.kind == StepKind::Shutdown));
        CHECK(s.slot == 5);
        CHECK(s.deadlineMs == 1000 + 60000);
    }
    SUBCASE("shutdown read back Off") {
        Driver d(plannedFrom(5, FailoverKind::Migrate));
        (void)d.start(1000);
        Step s = d.fenced(20000, FenceMethod::PowerOff);
        CHECK((s.kind == StepKind::Allocate));
        CHECK((d.rec().fence == FenceMethod::PowerOff));
    }
    SUBCASE("shutdown refused") {
        Driver d(plannedFrom(5, FailoverKind::Migrate));
        (void)d.start(1000);
        Step s = d.failed(2000, "ACPI shutdown ignored");
        CHECK((s.kind == StepKind::Fence));
        CHECK(s.slot == 5);
        CHECK(s.deadlineMs == 2000 + 10000);
        CHECK((d.rec().phase == FailoverPhase::Fencing));
    }
    SUBCASE("shutdown times out") {
        Driver d(plannedFrom(5, FailoverKind::Evacuate));
        Step s = d.start(1000);
        s = d.timeout(s.deadlineMs);
        CHECK((s.kind == StepKind::Fence));
        s = d.fenced(s.deadlineMs - 1, FenceMethod::PowerOff);
        CHECK((s.kind == StepKind::Allocate));
    }
}

TEST_CASE("a Migrate with a named target asks Allocate for that blade") {
    Failover f = plannedFrom(5, FailoverKind::Migrate);
    f.targetSlot = 9;
    Driver d(f);
    (void)d.start(1000);
    Step s = d.fenced(2000, FenceMethod::PowerOff);
    CHECK((s.kind == StepKind::Allocate));
    CHECK(s.slot == 9);
}

TEST_CASE("a Bind has nothing to fence: straight to Allocating") {
    Failover f;
    f.server = "db01";
    f.kind = FailoverKind::Bind;
    f.requestedBy = "admin";
    f.targetSlot = 7;
    f.createdMs = 500;
    Driver d(f);
    Step s = d.start(1000);
    CHECK((s.kind == StepKind::Allocate));
    CHECK(s.slot == 7);
    CHECK((d.rec().fence == FenceMethod::NotNeeded));
    CHECK(d.rec().fenced());
    CHECK((d.rec().phase == FailoverPhase::Allocating));
    CHECK(started(d.rec(), FailoverPhase::Fencing) == 0);
    CHECK_FALSE(d.everReturned(StepKind::Fence));
    s = d.allocated(1100, 7);
    CHECK((s.kind == StepKind::Program));
    (void)d.ok(2000);
    (void)d.ok(3000);
    CHECK((d.ok(4000).kind == StepKind::None));
    CHECK((d.rec().phase == FailoverPhase::Completed));
}

TEST_CASE("after a restart the interrupted step is returned again") {
    auto restarted = [](const Failover& f) { return FailoverMachine(f, FailoverTimeouts{}); };

    SUBCASE("Detected: a fresh record starts fencing") {
        FailoverMachine m = restarted(automaticFrom(3));
        CHECK((m.start(1000).kind == StepKind::Fence));
    }
    SUBCASE("Fencing (even a planned shutdown or a fabric fence in flight): Fence") {
        Driver d(plannedFrom(5, FailoverKind::Migrate));
        (void)d.start(1000);
        FailoverMachine m = restarted(d.rec());
        Step s = m.start(5000);
        CHECK((s.kind == StepKind::Fence));
        CHECK(s.slot == 5);
        CHECK(s.deadlineMs == 5000 + 10000);
        CHECK(started(m.record(), FailoverPhase::Fencing) == 1000); // not reset

        Driver e(automaticFrom(3));
        (void)e.start(1000);
        REQUIRE((e.failed(2000, "no answer").kind == StepKind::FabricFence));
        FailoverMachine n = restarted(e.rec());
        CHECK((n.start(5000).kind == StepKind::Fence));
    }
    SUBCASE("Allocating: Allocate") {
        Driver d(automaticFrom(3));
        (void)d.start(1000);
        (void)d.fenced(1500, FenceMethod::PowerOff);
        FailoverMachine m = restarted(d.rec());
        CHECK((m.start(5000).kind == StepKind::Allocate));
    }
    SUBCASE("Allocating with a spare being released: Release, then the next Allocate") {
        Driver d = toProgramming();
        (void)d.failed(2000, "identity did not read back");
        FailoverMachine m = restarted(d.rec());
        Step s = m.start(5000);
        CHECK((s.kind == StepKind::Release));
        CHECK(s.slot == 14);
        StepOutcome ok;
        ok.ok = true;
        s = m.onOutcome(ok, 6000);
        CHECK((s.kind == StepKind::Allocate));
        CHECK(m.record().triedSlots == std::vector<int>{14});
    }
    SUBCASE("Programming: Program on the spare") {
        Driver d = toProgramming();
        FailoverMachine m = restarted(d.rec());
        Step s = m.start(5000);
        CHECK((s.kind == StepKind::Program));
        CHECK(s.slot == 14);
        CHECK(s.deadlineMs == 5000 + 15000);
    }
    SUBCASE("PoweringOn: PowerOn on the spare") {
        Driver d = toProgramming();
        (void)d.ok(3000);
        FailoverMachine m = restarted(d.rec());
        Step s = m.start(5000);
        CHECK((s.kind == StepKind::PowerOn));
        CHECK(s.slot == 14);
    }
    SUBCASE("Verifying: Verify on the spare") {
        Driver d = toProgramming();
        (void)d.ok(3000);
        (void)d.ok(4000);
        FailoverMachine m = restarted(d.rec());
        Step s = m.start(5000);
        CHECK((s.kind == StepKind::Verify));
        CHECK(s.slot == 14);
        CHECK(started(m.record(), FailoverPhase::Verifying) == 4000);
    }
    SUBCASE("Completed and Failed: nothing") {
        Driver d = toProgramming();
        (void)d.ok(3000);
        (void)d.ok(4000);
        (void)d.ok(5000);
        CHECK((restarted(d.rec()).start(6000).kind == StepKind::None));
        Driver e(automaticFrom(3));
        (void)e.start(1000);
        (void)e.abort("operator gave up", 1100);
        FailoverMachine m = restarted(e.rec());
        CHECK((m.start(6000).kind == StepKind::None));
        CHECK(m.record().endMs == 1100);
    }
    SUBCASE("a record claiming Programming without a fence is refused, never programmed") {
        Failover f = automaticFrom(3);
        f.phase = FailoverPhase::Programming;
        f.toSlot = 14;
        FailoverMachine m = restarted(f);
        CHECK((m.start(5000).kind == StepKind::None));
        CHECK((m.record().phase == FailoverPhase::Failed));
    }
}

TEST_CASE("start twice returns the same step") {
    Driver d(automaticFrom(3));
    Step a = d.start(1000);
    Step b = d.start(2000);
    CHECK((a.kind == b.kind));
    CHECK(a.deadlineMs == b.deadlineMs);
    CHECK(d.rec().history.size() == 2);
}

TEST_CASE("abort before Programming fails at once; afterwards the spare is released first") {
    SUBCASE("while fencing") {
        Driver d(automaticFrom(3));
        (void)d.start(1000);
        Step s = d.abort("operator cancelled", 1200);
        CHECK((s.kind == StepKind::None));
        CHECK((d.rec().phase == FailoverPhase::Failed));
        CHECK(d.rec().reason == "operator cancelled");
        CHECK(d.rec().endMs == 1200);
    }
    SUBCASE("while allocating") {
        Driver d(automaticFrom(3));
        (void)d.start(1000);
        (void)d.fenced(1500, FenceMethod::PowerOff);
        CHECK((d.abort("operator cancelled", 1600).kind == StepKind::None));
        CHECK((d.rec().phase == FailoverPhase::Failed));
    }
    SUBCASE("while verifying") {
        Driver d = toProgramming();
        (void)d.ok(3000);
        (void)d.ok(4000);
        Step s = d.abort("operator cancelled", 5000);
        CHECK((s.kind == StepKind::Release));
        CHECK(s.slot == 14);
        CHECK_FALSE(d.rec().terminal());
        s = d.ok(6000);
        CHECK((s.kind == StepKind::None));
        CHECK((d.rec().phase == FailoverPhase::Failed));
        CHECK(d.rec().reason == "operator cancelled");
        CHECK_FALSE(d.rec().toSlot.has_value());
    }
    SUBCASE("while a failed spare is released, surviving a restart") {
        Driver d = toProgramming();
        (void)d.failed(2000, "identity did not read back");
        Step s = d.abort("operator cancelled", 2100);
        CHECK((s.kind == StepKind::Release)); // the release goes on
        FailoverMachine m(d.rec(), FailoverTimeouts{});
        CHECK((m.start(3000).kind == StepKind::Release));
        StepOutcome ok;
        ok.ok = true;
        CHECK((m.onOutcome(ok, 3500).kind == StepKind::None));
        CHECK((m.record().phase == FailoverPhase::Failed));
        CHECK(m.record().reason == "operator cancelled");
    }
    SUBCASE("after the end: nothing changes") {
        Driver d = toProgramming();
        (void)d.ok(3000);
        (void)d.ok(4000);
        (void)d.ok(5000);
        CHECK((d.abort("too late", 6000).kind == StepKind::None));
        CHECK((d.rec().phase == FailoverPhase::Completed));
        CHECK(d.rec().reason.empty());
    }
}
