#include "domain/health.hpp"

namespace cmc::domain {

BladeHealth::BladeHealth(int slot, HealthThresholds t) : slot_(slot), t_(t) {}

void BladeHealth::observe(SignalStatus& s, std::int64_t nowMs, bool ok, std::int64_t thresholdMs,
                          const std::string& detail) {
    s.known = true;
    if (ok) {
        s.lastOkMs = nowMs;
        s.failingSinceMs = -1;
        s.bad = false;
        s.detail.clear();
        return;
    }
    if (s.failingSinceMs < 0) s.failingSinceMs = nowMs;
    s.detail = detail;
    s.bad = nowMs - s.failingSinceMs >= thresholdMs;
}

void BladeHealth::setPaths(bool ipmi, bool redfish) {
    hasIpmi_ = ipmi;
    hasRedfish_ = redfish;
}

void BladeHealth::ipmiResult(std::int64_t nowMs, bool answered, const std::string& detail) {
    observe(ipmi_, nowMs, answered, t_.ipmiLossMs, detail);
}

void BladeHealth::redfishResult(std::int64_t nowMs, bool answered, const std::string& detail) {
    observe(redfish_, nowMs, answered, hasIpmi_ ? t_.redfishLossMs : t_.redfishOnlyLossMs, detail);
}

void BladeHealth::heartbeat(std::int64_t nowMs, std::optional<bool> reachable) {
    if (!reachable) {
        heartbeat_ = SignalStatus{};
        return;
    }
    observe(heartbeat_, nowMs, *reachable, t_.heartbeatLossMs, *reachable ? "" : "logical IP does not answer");
}

void BladeHealth::chassisStatus(std::int64_t nowMs, bool powerOn, bool powerFault) {
    bool wasOff = powerOn_.has_value() && !*powerOn_;
    if (powerOn && wasOff) {
        // A fresh power-on: the host restarted; earlier expiries no longer apply.
        watchdogExpired_ = false;
    }
    powerOn_ = powerOn;
    powerFault_ = powerFault;
    if (!powerFault) {
        powerUnitLost_ = powerUnitLost_ && !powerOn;
        psuFailed_ = psuFailed_ && !powerOn;
    }
    if (powerOn) {
        offSinceMs_ = -1;
        graceUntilMs_ = 0; // it came on: from now on an off is unexpected at once
    } else if (offSinceMs_ < 0)
        offSinceMs_ = nowMs;
}

void BladeHealth::selEvent(std::int64_t nowMs, SelKind kind, const std::string&) {
    switch (kind) {
    case SelKind::PowerUnitLost: powerUnitLost_ = true; break;
    case SelKind::PowerUnitRestored: powerUnitLost_ = false; break;
    case SelKind::PsuFailure: psuFailed_ = true; break;
    case SelKind::PsuRestored: psuFailed_ = false; break;
    case SelKind::WatchdogExpired:
        watchdogExpired_ = true;
        watchdogExpiredMs_ = nowMs;
        break;
    case SelKind::CriticalTemperature: thermal_ = HealthState::Critical; break;
    case SelKind::TemperatureNormal: thermal_ = HealthState::Healthy; break;
    case SelKind::OsCrash: crashes_.push_back(nowMs); break;
    case SelKind::Other: break;
    }
}

void BladeHealth::watchdog(std::int64_t nowMs, bool running) {
    // The host agent armed the watchdog again after the expiry: the OS runs.
    if (running && watchdogExpired_ && nowMs > watchdogExpiredMs_) watchdogExpired_ = false;
}

void BladeHealth::thermal(std::int64_t, HealthState level) {
    thermal_ = level;
}

HealthState BladeHealth::countedReport() const {
    return reportedHostOn_.value_or(true) ? reported_ : HealthState::Healthy;
}

void BladeHealth::bmcReported(std::int64_t, std::optional<HealthState> level, std::optional<bool> hostOn) {
    reported_ = level.value_or(HealthState::Healthy);
    reportedHostOn_ = hostOn;
}

std::vector<std::string> BladeHealth::badSignals() const {
    std::vector<std::string> out;
    if (powerFault_) out.push_back("power-fault");
    if (powerUnitLost_) out.push_back("power-unit");
    if (psuFailed_) out.push_back("power-supply");
    if (watchdogExpired_) out.push_back("watchdog");
    if (expectOn_.value_or(false) && offSinceMs_ >= 0) out.push_back("unexpected-power-off");
    if (ipmi_.bad) out.push_back("ipmi");
    if (redfish_.bad) out.push_back("redfish");
    if (heartbeat_.bad) out.push_back("heartbeat");
    if (static_cast<int>(crashes_.size()) >= t_.flapCount) out.push_back("crash-loop");
    if (thermal_ == HealthState::Critical)
        out.push_back("thermal-critical");
    else if (thermal_ == HealthState::Warning)
        out.push_back("thermal-warning");
    const HealthState reported = countedReport();
    if (reported == HealthState::Critical)
        out.push_back("bmc-reports-critical");
    else if (reported == HealthState::Warning)
        out.push_back("bmc-reports-warning");
    return out;
}

bool BladeHealth::takeQuarantineRecommendation() {
    bool p = quarantinePending_;
    quarantinePending_ = false;
    return p;
}

std::optional<HealthTransition> BladeHealth::evaluate(std::int64_t nowMs, bool networkSuspect) {
    HealthState next = state_;
    std::string why;
    while (!crashes_.empty() && nowMs - crashes_.front() > t_.flapWindowMs)
        crashes_.pop_front();
    bool crashLoop = static_cast<int>(crashes_.size()) >= t_.flapCount;
    bool unexpectedOff = expectOn_.value_or(false) && offSinceMs_ >= 0 && nowMs - offSinceMs_ >= t_.unexpectedOffMs &&
                         nowMs >= graceUntilMs_;
    // The BMC is down when every management path it has is bad. With IPMI a
    // Redfish service not yet heard from does not keep it "up".
    bool bmcDown =
        hasIpmi_ ? ipmi_.bad && (!hasRedfish_ || redfish_.bad || !redfish_.known) : hasRedfish_ && redfish_.bad;
    bool bmcAnyBad = (hasIpmi_ && ipmi_.bad) || (hasRedfish_ && redfish_.bad);
    const SignalStatus& primary = hasIpmi_ ? ipmi_ : redfish_;
    const HealthState reported = countedReport();
    auto bmcDetail = [&]() {
        std::string d;
        if (hasIpmi_ && ipmi_.bad && !ipmi_.detail.empty()) d = "IPMI: " + ipmi_.detail;
        if (hasRedfish_ && redfish_.bad && !redfish_.detail.empty())
            d += (d.empty() ? "" : "; ") + std::string("Redfish: ") + redfish_.detail;
        return d.empty() ? std::string() : " (" + d + ")";
    };

    if (powerFault_ || powerUnitLost_ || psuFailed_) {
        next = HealthState::Failed;
        why = powerFault_ ? "main power fault reported by the BMC"
                          : (powerUnitLost_ ? "power input lost (SEL)" : "power supply failure (SEL)");
    } else if (watchdogExpired_) {
        next = HealthState::Failed;
        why = "host watchdog expired: the OS stopped petting it";
    } else if (crashLoop) {
        next = HealthState::Failed;
        why = "the OS crashed " + std::to_string(crashes_.size()) + " times within the flap window";
    } else if (unexpectedOff) {
        next = HealthState::Failed;
        why = "host powered off unexpectedly";
    } else if (networkSuspect && (bmcAnyBad || heartbeat_.bad)) {
        // cmcd's own network is the suspect: confirm nothing, keep the last verdict.
        if (state_ == HealthState::Unknown) next = HealthState::Suspect;
        why = "management network suspect: no failure confirmed";
    } else if (bmcDown && heartbeat_.bad) {
        next = HealthState::Failed;
        why = "BMC unreachable and the logical server's IP silent" + bmcDetail();
    } else if (bmcDown) {
        next = HealthState::BmcUnreachable;
        why = (heartbeat_.known ? "BMC unreachable; the host still serves" : "BMC unreachable") + bmcDetail();
    } else if (bmcAnyBad || heartbeat_.bad) {
        next = HealthState::Suspect;
        why = (hasIpmi_ && ipmi_.bad)
                  ? "IPMI unanswered" + bmcDetail()
                  : ((hasRedfish_ && redfish_.bad) ? "Redfish unanswered" + bmcDetail() : "logical IP silent");
    } else if (!primary.known || primary.lastOkMs < 0) {
        next = state_ == HealthState::Unknown ? HealthState::Unknown : state_;
        why = hasIpmi_ ? "no IPMI answer yet" : "no Redfish answer yet";
    } else if (reported == HealthState::Critical && thermal_ != HealthState::Critical) {
        next = HealthState::Critical;
        why = "the BMC reports the system's health Critical";
    } else if (thermal_ == HealthState::Critical) {
        next = HealthState::Critical;
        why = "critical temperature";
    } else if (thermal_ == HealthState::Warning) {
        next = HealthState::Warning;
        why = "temperature above caution";
    } else if (reported == HealthState::Warning) {
        next = HealthState::Warning;
        why = "the BMC reports the system's health Warning";
    } else {
        next = HealthState::Healthy;
        why = "all signals good";
    }
    if (next == state_) return std::nullopt;

    HealthTransition tr;
    tr.slot = slot_;
    tr.timeMs = nowMs;
    tr.from = state_;
    tr.to = next;
    tr.reason = why;
    tr.badSignals = badSignals();
    state_ = next;
    reason_ = why;
    lastTransitionMs_ = nowMs;
    if (next == HealthState::Failed) {
        failures_.push_back(nowMs);
        while (!failures_.empty() && nowMs - failures_.front() > t_.flapWindowMs)
            failures_.pop_front();
        if (static_cast<int>(failures_.size()) >= t_.flapCount && !quarantine_) {
            quarantine_ = true;
            quarantinePending_ = true;
        }
    }
    return tr;
}

NetworkVerdict judgeNetwork(std::size_t unreachable, std::size_t total, double fraction, std::size_t minimum) {
    NetworkVerdict v;
    v.unreachable = unreachable;
    v.total = total;
    v.suspect =
        total >= minimum && total > 0 && static_cast<double>(unreachable) > fraction * static_cast<double>(total);
    return v;
}

} // namespace cmc::domain
