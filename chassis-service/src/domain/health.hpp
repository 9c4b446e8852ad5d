// The per-blade health state machine. Pure: time is passed in (Unix ms), so
// it is unit-tested with an injected clock. Rules:
// - a hard signal confirms a failure at once: main power fault, AC/power-unit
//   loss or power-supply failure in the SEL, watchdog expiry, or the BMC
//   reporting the host off while it should be on (sustained);
// - otherwise two independent signals confirm it: the BMC unreachable (IPMI
//   and Redfish) together with the host heartbeat lost;
// - one bad signal is only Suspect; the BMC unreachable with the host still
//   serving (or heartbeat unknown) is BmcUnreachable, never Failed;
// - a loss shorter than its threshold never makes a signal bad;
// - while the management network is suspect nothing new is confirmed;
// - a blade that fails flapCount times within flapWindow is recommended for
//   quarantine; an OS that crashes flapCount times within flapWindow is a
//   crash loop, a hard signal.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"

namespace cmc::domain {

struct HealthThresholds {
    std::int64_t ipmiLossMs = 3000;        // IPMI unanswered this long: signal bad
    std::int64_t redfishLossMs = 15000;    // Redfish unanswered this long: signal bad
    std::int64_t redfishOnlyLossMs = 3000; // ... when Redfish is the blade's only management path
    std::int64_t heartbeatLossMs = 3000;   // logical IP silent this long: signal bad
    std::int64_t unexpectedOffMs = 500;    // host off while expected on, this long: hard
    std::int64_t powerOnGraceMs = 15000;   // after cmcd asks a host on, off is expected for this long
    int flapCount = 3;                     // Failed this many times ...
    std::int64_t flapWindowMs = 600000;    // ... within this window: quarantine recommended
};

enum class SelKind {
    PowerUnitLost,
    PowerUnitRestored,
    PsuFailure,
    PsuRestored,
    WatchdogExpired,
    CriticalTemperature,
    TemperatureNormal,
    OsCrash,
    Other
};

struct SignalStatus {
    bool known = false;
    bool bad = false;
    std::int64_t failingSinceMs = -1; // first of the current run of failures
    std::int64_t lastOkMs = -1;
    std::string detail;
    bool operator==(const SignalStatus&) const = default;
};

class BladeHealth {
public:
    BladeHealth(int slot, HealthThresholds t);

    // Which management paths the blade has. A path it does not have is never
    // counted as bad: a Redfish-only blade is judged on Redfish alone.
    void setPaths(bool ipmi, bool redfish);
    [[nodiscard]] bool hasIpmi() const { return hasIpmi_; }
    [[nodiscard]] bool hasRedfish() const { return hasRedfish_; }

    // Observations.
    void ipmiResult(std::int64_t nowMs, bool answered, const std::string& detail = {});
    void redfishResult(std::int64_t nowMs, bool answered, const std::string& detail = {});
    void chassisStatus(std::int64_t nowMs, bool powerOn, bool powerFault);
    void selEvent(std::int64_t nowMs, SelKind kind, const std::string& detail);
    void watchdog(std::int64_t nowMs, bool running);
    // The logical server's IP: true answered, false silent, nullopt unknown.
    void heartbeat(std::int64_t nowMs, std::optional<bool> reachable);
    // cmcd commanded (or learned) the power state the host should have.
    void expectPower(std::optional<bool> on) { expectOn_ = on; }
    // The same at `nowMs`: when the expectation turns to On (cmcd powers the
    // host on), the host may stay off for powerOnGraceMs before that counts.
    void expectPower(std::optional<bool> on, std::int64_t nowMs) {
        if (on.value_or(false) && !expectOn_.value_or(false)) graceUntilMs_ = nowMs + t_.powerOnGraceMs;
        expectOn_ = on;
    }
    void thermal(std::int64_t nowMs, HealthState level); // Healthy, Warning or Critical
    // The BMC's own verdict on the system (Redfish Status.Health: Healthy,
    // Warning or Critical; nullopt when it gives none) and the power state it
    // reports with it. A summary health of a host the BMC reports off speaks
    // about the power, which the power signals judge: it is not counted then,
    // so a power loss never shows as Critical on its way to Failed.
    void bmcReported(std::int64_t nowMs, std::optional<HealthState> level, std::optional<bool> hostOn = std::nullopt);

    // Judges the state; returns the transition if it changed.
    std::optional<HealthTransition> evaluate(std::int64_t nowMs, bool networkSuspect);

    [[nodiscard]] HealthState state() const { return state_; }
    [[nodiscard]] std::vector<std::string> badSignals() const;
    [[nodiscard]] std::int64_t lastTransitionMs() const { return lastTransitionMs_; }
    [[nodiscard]] const std::string& reason() const { return reason_; }
    // True once when the flap threshold is crossed (then false until it is crossed again).
    [[nodiscard]] bool takeQuarantineRecommendation();
    [[nodiscard]] bool quarantineRecommended() const { return quarantine_; }
    [[nodiscard]] const SignalStatus& ipmi() const { return ipmi_; }
    [[nodiscard]] const SignalStatus& redfish() const { return redfish_; }
    [[nodiscard]] const SignalStatus& heartbeatSignal() const { return heartbeat_; }
    [[nodiscard]] std::optional<bool> powerOn() const { return powerOn_; }

private:
    [[nodiscard]] HealthState countedReport() const; // the BMC's summary, unless it reports the host off
    void observe(SignalStatus& s, std::int64_t nowMs, bool ok, std::int64_t thresholdMs, const std::string& detail);

    int slot_;
    HealthThresholds t_;
    HealthState state_ = HealthState::Unknown;
    std::string reason_;
    std::int64_t lastTransitionMs_ = 0;
    SignalStatus ipmi_, redfish_, heartbeat_;
    std::optional<bool> powerOn_;
    bool powerFault_ = false;
    std::int64_t offSinceMs_ = -1;
    std::optional<bool> expectOn_;
    std::int64_t graceUntilMs_ = 0; // off is not unexpected before this (steady ms)
    bool powerUnitLost_ = false;
    bool psuFailed_ = false;
    bool watchdogExpired_ = false;
    std::int64_t watchdogExpiredMs_ = -1;
    HealthState thermal_ = HealthState::Healthy;
    HealthState reported_ = HealthState::Healthy;
    std::optional<bool> reportedHostOn_;
    bool hasIpmi_ = true;
    bool hasRedfish_ = true;
    std::deque<std::int64_t> failures_;
    std::deque<std::int64_t> crashes_; // OS critical stops within the flap window
    bool quarantine_ = false;
    bool quarantinePending_ = false;
};

// Management-network sanity: with most BMCs unreachable at once, the problem
// is cmcd's own network, not N blade failures.
struct NetworkVerdict {
    bool suspect = false;
    std::size_t unreachable = 0;
    std::size_t total = 0;
};
[[nodiscard]] NetworkVerdict judgeNetwork(std::size_t unreachableBmcs, std::size_t monitoredBmcs,
                                          double suspectFraction, std::size_t minimumBlades);

} // namespace cmc::domain
