#include <doctest/doctest.h>

#include "domain/health.hpp"

using namespace cmc::domain;

namespace {
// Feeds healthy observations every 250 ms from `from` to `to`.
void healthy(BladeHealth& h, std::int64_t from, std::int64_t to) {
    for (std::int64_t t = from; t <= to; t += 250) {
        h.ipmiResult(t, true);
        h.chassisStatus(t, true, false);
        if (t % 5000 == 0) h.redfishResult(t, true);
        (void)h.evaluate(t, false);
    }
}
} // namespace

TEST_CASE("a blade becomes Healthy after its first good IPMI answer") {
    BladeHealth h(1, {});
    CHECK((h.state() == HealthState::Unknown));
    h.ipmiResult(0, true);
    h.chassisStatus(0, true, false);
    auto tr = h.evaluate(0, false);
    REQUIRE(tr.has_value());
    CHECK((tr->to == HealthState::Healthy));
}

TEST_CASE("a power fault is a hard signal: Failed at once") {
    BladeHealth h(1, {});
    h.expectPower(true);
    healthy(h, 0, 2000);
    h.chassisStatus(2250, false, true);
    auto tr = h.evaluate(2250, false);
    REQUIRE(tr.has_value());
    CHECK((tr->to == HealthState::Failed));
    CHECK(tr->badSignals.front() == "power-fault");
}

TEST_CASE("a network blip shorter than the threshold never leaves Healthy") {
    BladeHealth h(1, {});
    healthy(h, 0, 2000);
    for (std::int64_t t = 2250; t <= 4250; t += 250) { // 2 s of lost answers (threshold 3 s)
        h.ipmiResult(t, false, "timeout");
        CHECK_FALSE(h.evaluate(t, false).has_value());
    }
    healthy(h, 4500, 6000);
    CHECK((h.state() == HealthState::Healthy));
}

TEST_CASE("BMC unreachable with the host serving is BmcUnreachable, not Failed") {
    BladeHealth h(1, {});
    healthy(h, 0, 5000);
    for (std::int64_t t = 5250; t <= 25000; t += 250) {
        h.ipmiResult(t, false, "timeout");
        if (t % 5000 == 0) h.redfishResult(t, false, "timeout");
        h.heartbeat(t, true);
        (void)h.evaluate(t, false);
        CHECK((h.state() != HealthState::Failed));
    }
    CHECK((h.state() == HealthState::BmcUnreachable));
}

TEST_CASE("BMC unreachable and heartbeat lost: two independent signals confirm a failure") {
    BladeHealth h(1, {});
    healthy(h, 0, 5000);
    std::optional<HealthState> last;
    for (std::int64_t t = 5250; t <= 25000; t += 250) {
        h.ipmiResult(t, false, "timeout");
        if (t % 5000 == 0) h.redfishResult(t, false, "timeout");
        h.heartbeat(t, false);
        if (auto tr = h.evaluate(t, false)) last = tr->to;
    }
    CHECK((last == HealthState::Failed));
}

TEST_CASE("watchdog expiry is hard; a re-armed watchdog recovers") {
    BladeHealth h(1, {});
    healthy(h, 0, 1000);
    h.selEvent(1100, SelKind::WatchdogExpired, "Watchdog 2");
    REQUIRE(h.evaluate(1100, false).has_value());
    CHECK((h.state() == HealthState::Failed));
    h.watchdog(1500, true);
    h.ipmiResult(1500, true);
    REQUIRE(h.evaluate(1500, false).has_value());
    CHECK((h.state() == HealthState::Healthy));
}

TEST_CASE("over-temperature is Critical, not Failed") {
    BladeHealth h(1, {});
    healthy(h, 0, 1000);
    h.selEvent(1100, SelKind::CriticalTemperature, "CPU Temp");
    REQUIRE(h.evaluate(1100, false).has_value());
    CHECK((h.state() == HealthState::Critical));
    h.selEvent(1200, SelKind::TemperatureNormal, "CPU Temp");
    REQUIRE(h.evaluate(1200, false).has_value());
    CHECK((h.state() == HealthState::Healthy));
}

TEST_CASE("unexpected power off confirms after its delay; an expected off does not") {
    BladeHealth h(1, {});
    h.expectPower(true);
    healthy(h, 0, 1000);
    h.chassisStatus(1250, false, false);
    CHECK_FALSE(h.evaluate(1250, false).has_value());
    h.chassisStatus(1750, false, false);
    REQUIRE(h.evaluate(1750, false).has_value());
    CHECK((h.state() == HealthState::Failed));

    BladeHealth g(2, {});
    g.expectPower(false);
    healthy(g, 0, 1000);
    g.chassisStatus(1250, false, false);
    g.chassisStatus(2250, false, false);
    (void)g.evaluate(2250, false);
    CHECK((g.state() == HealthState::Healthy));
}

TEST_CASE("a suspect management network confirms nothing") {
    BladeHealth h(1, {});
    healthy(h, 0, 5000);
    for (std::int64_t t = 5250; t <= 30000; t += 250) {
        h.ipmiResult(t, false, "timeout");
        if (t % 5000 == 0) h.redfishResult(t, false, "timeout");
        h.heartbeat(t, false);
        (void)h.evaluate(t, true);
        CHECK((h.state() == HealthState::Healthy));
    }
    auto v = judgeNetwork(12, 16, 0.5, 4);
    CHECK(v.suspect);
    CHECK_FALSE(judgeNetwork(1, 16, 0.5, 4).suspect);
    CHECK_FALSE(judgeNetwork(2, 2, 0.5, 4).suspect);
}

TEST_CASE("flapping blades are recommended for quarantine once") {
    HealthThresholds t;
    t.flapCount = 3;
    BladeHealth h(1, t);
    std::int64_t now = 0;
    int recommendations = 0;
    for (int i = 0; i < 4; ++i) {
        healthy(h, now, now + 1000);
        now += 1250;
        h.chassisStatus(now, false, true);
        (void)h.evaluate(now, false);
        recommendations += h.takeQuarantineRecommendation() ? 1 : 0;
        now += 250;
        h.chassisStatus(now, true, false);
    }
    CHECK(recommendations == 1);
    CHECK(h.quarantineRecommended());
}

TEST_CASE("an OS crash loop is a hard signal; one crash is not") {
    HealthThresholds t;
    t.flapCount = 3;
    t.flapWindowMs = 60000;
    BladeHealth h(1, t);
    healthy(h, 0, 1000);
    h.selEvent(1100, SelKind::OsCrash, "OS stop");
    CHECK_FALSE(h.evaluate(1100, false).has_value());
    h.selEvent(5000, SelKind::OsCrash, "OS stop");
    h.selEvent(9000, SelKind::OsCrash, "OS stop");
    auto tr = h.evaluate(9000, false);
    REQUIRE(tr.has_value());
    CHECK((tr->to == HealthState::Failed));
    // The window passes without crashes: healthy again.
    h.ipmiResult(80000, true);
    REQUIRE(h.evaluate(80000, false).has_value());
    CHECK((h.state() == HealthState::Healthy));
}

// ---- blades managed over Redfish alone (no IPMI path)

namespace {
void redfishHealthy(BladeHealth& h, std::int64_t from, std::int64_t to) {
    for (std::int64_t t = from; t <= to; t += 1000) {
        h.redfishResult(t, true);
        h.chassisStatus(t, true, false);
        h.expectPower(true);
        (void)h.evaluate(t, false);
    }
}
} // namespace

TEST_CASE("a Redfish-only blade is judged on Redfish: Healthy without any IPMI answer") {
    BladeHealth h(3, {});
    h.setPaths(false, true);
    redfishHealthy(h, 0, 5000);
    CHECK((h.state() == HealthState::Healthy));
    CHECK(h.badSignals().empty()); // the missing IPMI path is not a bad signal
}

TEST_CASE("a Redfish-only blade whose BMC stops answering is BmcUnreachable, with the reason") {
    HealthThresholds t;
    t.redfishOnlyLossMs = 3000;
    BladeHealth h(3, t);
    h.setPaths(false, true);
    redfishHealthy(h, 0, 5000);
    h.redfishResult(6000, false, "cannot connect: Connection refused");
    CHECK_FALSE(h.evaluate(6000, false).has_value()); // below the threshold: nothing yet
    h.redfishResult(8000, false, "cannot connect: Connection refused");
    CHECK_FALSE(h.evaluate(8000, false).has_value());
    h.redfishResult(9000, false, "cannot connect: Connection refused");
    auto tr = h.evaluate(9000, false);
    REQUIRE(tr.has_value());
    CHECK((tr->to == HealthState::BmcUnreachable));
    CHECK(tr->reason.find("Connection refused") != std::string::npos);
    CHECK(tr->badSignals == std::vector<std::string>{"redfish"});
    // With the heartbeat lost too: two independent signals confirm a failure.
    h.heartbeat(9000, false);
    h.heartbeat(12500, false);
    h.redfishResult(12500, false, "timed out");
    tr = h.evaluate(12500, false);
    REQUIRE(tr.has_value());
    CHECK((tr->to == HealthState::Failed));
}

TEST_CASE("a Redfish-only blade powered off behind cmcd's back is Failed; BMC-reported health shows") {
    BladeHealth h(3, {});
    h.setPaths(false, true);
    redfishHealthy(h, 0, 3000);
    h.bmcReported(3500, HealthState::Warning);
    auto w = h.evaluate(3500, false);
    REQUIRE(w.has_value());
    CHECK((w->to == HealthState::Warning));
    CHECK(w->reason.find("BMC reports") != std::string::npos);
    h.bmcReported(4000, std::nullopt); // the BMC stopped saying: back to what the signals show
    CHECK((h.evaluate(4000, false)->to == HealthState::Healthy));
    h.redfishResult(4500, true);
    h.chassisStatus(4500, false, false);
    (void)h.evaluate(4500, false);
    auto tr = h.evaluate(5100, false);
    REQUIRE(tr.has_value());
    CHECK((tr->to == HealthState::Failed));
    CHECK(tr->reason == "host powered off unexpectedly");
}

TEST_CASE("with IPMI and Redfish, one path down is Suspect, both down BmcUnreachable") {
    BladeHealth h(4, {});
    h.setPaths(true, true);
    healthy(h, 0, 5000);
    for (std::int64_t t = 5250; t <= 9000; t += 250) {
        h.ipmiResult(t, false, "timeout");
        h.redfishResult(t, true);
        (void)h.evaluate(t, false);
    }
    CHECK((h.state() == HealthState::Suspect));
    for (std::int64_t t = 9250; t <= 26000; t += 250) {
        h.ipmiResult(t, false, "timeout");
        h.redfishResult(t, false, "cannot connect");
        (void)h.evaluate(t, false);
    }
    CHECK((h.state() == HealthState::BmcUnreachable));
    CHECK(h.reason().find("IPMI: timeout") != std::string::npos);
}

// ---- power intent

#include "domain/power_intent.hpp"

TEST_CASE("power intent: learned from the first 'on', never over a commanded intent") {
    PowerIntents p;
    CHECK_FALSE(p.of(1).has_value());
    CHECK_FALSE(p.learn(1, false, 10).has_value()); // seen off: nothing learned
    auto learned = p.learn(1, true, 20);
    REQUIRE(learned.has_value());
    CHECK(learned->learned);
    CHECK((*p.of(1) == PowerIntent::On));
    CHECK_FALSE(p.learn(1, true, 30).has_value()); // once
    p.set(1, PowerIntent::Off, "operator power off", 40);
    CHECK_FALSE(p.learn(1, true, 50).has_value()); // an operator's intent stands
    CHECK((*p.of(1) == PowerIntent::Off));
    CHECK_FALSE(p.record(1)->learned);
}

TEST_CASE("a blade powered off with an Off intent is not failed; with an On intent it is") {
    BladeHealth h(5, {});
    healthy(h, 0, 2000);
    h.expectPower(false); // the orchestrator fenced it / an operator powered it off
    for (std::int64_t t = 2250; t <= 6000; t += 250) {
        h.ipmiResult(t, true);
        h.chassisStatus(t, false, false);
        (void)h.evaluate(t, false);
    }
    CHECK((h.state() == HealthState::Healthy));
    h.expectPower(true);
    (void)h.evaluate(6250, false);
    CHECK((h.state() == HealthState::Failed));
    CHECK(h.reason() == "host powered off unexpectedly");
}

TEST_CASE("the BMC's summary health of a host it reports off is not counted: a power loss goes Healthy -> Failed") {
    BladeHealth h(6, {});
    healthy(h, 0, 2000);
    h.expectPower(true);
    // The Redfish answer arrives first: summary Critical, PowerState Off.
    h.bmcReported(2100, HealthState::Critical, false);
    CHECK_FALSE(h.evaluate(2100, false).has_value()); // not Critical
    CHECK(h.badSignals().empty());
    // Then IPMI: the main power fault, a hard signal.
    h.ipmiResult(2150, true);
    h.chassisStatus(2150, false, true);
    auto tr = h.evaluate(2150, false);
    REQUIRE(tr.has_value());
    CHECK((tr->from == HealthState::Healthy));
    CHECK((tr->to == HealthState::Failed));
    // With the host on, the same summary counts.
    BladeHealth on(7, {});
    healthy(on, 0, 2000);
    on.bmcReported(2100, HealthState::Critical, true);
    auto c = on.evaluate(2100, false);
    REQUIRE(c.has_value());
    CHECK((c->to == HealthState::Critical));
}

TEST_CASE("a host cmcd has just asked on may stay off for the power-on grace; after it, off is a failure") {
    HealthThresholds t;
    t.powerOnGraceMs = 5000;
    BladeHealth h(7, t);
    healthy(h, 0, 2000);
    h.expectPower(false, 2000); // a cold spare
    for (std::int64_t s = 2250; s <= 4000; s += 250) {
        h.ipmiResult(s, true);
        h.chassisStatus(s, false, false);
        (void)h.evaluate(s, false);
    }
    h.expectPower(true, 4000); // the orchestrator powers it on: it is still off for a while
    for (std::int64_t s = 4250; s < 9000; s += 250) {
        h.ipmiResult(s, true);
        h.chassisStatus(s, false, false);
        (void)h.evaluate(s, false);
        CHECK((h.state() == HealthState::Healthy));
    }
    h.ipmiResult(9250, true);
    h.chassisStatus(9250, false, false);
    (void)h.evaluate(9250, false);
    CHECK((h.state() == HealthState::Failed)); // never came on
    // A host already expected on gets no new grace from the same expectation.
    BladeHealth g(8, t);
    healthy(g, 0, 2000);
    g.expectPower(true, 2000);
    g.expectPower(true, 2100);
    g.chassisStatus(7100, false, false);
    (void)g.evaluate(7100, false);
    g.chassisStatus(7700, false, false);
    (void)g.evaluate(7700, false);
    CHECK((g.state() == HealthState::Failed));
}

TEST_CASE("the power-on grace ends once the host is seen on: a power loss right after is a failure at once") {
    HealthThresholds t;
    t.powerOnGraceMs = 10000;
    BladeHealth h(9, t);
    healthy(h, 0, 1000);
    h.expectPower(false, 1000);
    h.chassisStatus(1250, false, false);
    (void)h.evaluate(1250, false);
    h.expectPower(true, 1500);          // powered on by cmcd ...
    h.chassisStatus(2000, true, false); // ... and seen on
    (void)h.evaluate(2000, false);
    h.chassisStatus(2500, false, false); // then the power is lost
    (void)h.evaluate(2500, false);
    h.chassisStatus(3100, false, false);
    (void)h.evaluate(3100, false);
    CHECK((h.state() == HealthState::Failed)); // after unexpectedOffMs, not after the grace
}
