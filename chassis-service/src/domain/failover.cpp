#include "domain/failover.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace cmc::domain {

namespace {

constexpr std::array<std::pair<FailoverPhase, const char*>, kFailoverPhaseCount> kPhases{{
    {FailoverPhase::Detected, "Detected"},
    {FailoverPhase::Fencing, "Fencing"},
    {FailoverPhase::Allocating, "Allocating"},
    {FailoverPhase::Programming, "Programming"},
    {FailoverPhase::PoweringOn, "PoweringOn"},
    {FailoverPhase::Verifying, "Verifying"},
    {FailoverPhase::Completed, "Completed"},
    {FailoverPhase::Failed, "Failed"},
}};
constexpr std::array<std::pair<FailoverKind, const char*>, 5> kKinds{{
    {FailoverKind::Automatic, "Automatic"},
    {FailoverKind::Migrate, "Migrate"},
    {FailoverKind::Failback, "Failback"},
    {FailoverKind::Evacuate, "Evacuate"},
    {FailoverKind::Bind, "Bind"},
}};
constexpr std::array<std::pair<FenceMethod, const char*>, 5> kFences{{
    {FenceMethod::None, "None"},
    {FenceMethod::PowerOff, "PowerOff"},
    {FenceMethod::AlreadyOff, "AlreadyOff"},
    {FenceMethod::Fabric, "Fabric"},
    {FenceMethod::NotNeeded, "NotNeeded"},
}};
constexpr std::array<std::pair<StepKind, const char*>, 9> kSteps{{
    {StepKind::None, "None"},
    {StepKind::Shutdown, "Shutdown"},
    {StepKind::Fence, "Fence"},
    {StepKind::FabricFence, "FabricFence"},
    {StepKind::Allocate, "Allocate"},
    {StepKind::Program, "Program"},
    {StepKind::PowerOn, "PowerOn"},
    {StepKind::Verify, "Verify"},
    {StepKind::Release, "Release"},
}};

template <typename E, std::size_t N> const char* nameOf(const std::array<std::pair<E, const char*>, N>& table, E v) {
    for (const auto& [e, s] : table) {
        if (e == v) return s;
    }
    return table.front().second;
}

template <typename E, std::size_t N>
std::optional<E> valueOf(const std::array<std::pair<E, const char*>, N>& table, const std::string& s) {
    for (const auto& [e, n] : table) {
        if (s == n) return e;
    }
    return std::nullopt;
}

// A Release entry's note is the spare's failure followed by this; the
// failure is quoted again when the last spare allowed fails.
constexpr const char* kReleasing = "; releasing it";
constexpr const char* kResumed = "resumed after a restart";

bool planned(FailoverKind k) {
    return k == FailoverKind::Migrate || k == FailoverKind::Failback || k == FailoverKind::Evacuate;
}

std::string blade(int slot) {
    return "blade " + std::to_string(slot);
}

std::string withDetail(std::string what, const std::string& detail) {
    if (detail.empty()) return what;
    return what + ": " + detail;
}

// A step that read the power back Off says how; anything else counts as off by command.
FenceMethod readBackOff(FenceMethod f) {
    return f == FenceMethod::AlreadyOff ? FenceMethod::AlreadyOff : FenceMethod::PowerOff;
}

std::string durationText(std::int64_t ms) {
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
    return std::to_string(ms) + " ms";
}

// The slot an Allocate is asked for: the operator's target unless it failed already.
int allocationTarget(const Failover& f) {
    if (!f.targetSlot) return 0;
    bool tried = std::find(f.triedSlots.begin(), f.triedSlots.end(), *f.targetSlot) != f.triedSlots.end();
    return tried ? 0 : *f.targetSlot;
}

std::string allocationNote(const Failover& f, const std::string& prefix) {
    const int target = allocationTarget(f);
    return prefix + (target != 0 ? "; allocating " + blade(target) : std::string("; allocating a spare"));
}

// The failure of the spare last released, from its Release entry.
std::string lastSpareFailure(const std::vector<PhaseEntry>& history) {
    const std::string suffix = kReleasing;
    for (std::size_t i = history.size(); i-- > 0;) {
        const std::string& n = history[i].note;
        if (n.size() >= suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
            return n.substr(0, n.size() - suffix.size());
    }
    return {};
}

} // namespace

const char* toString(FailoverPhase p) {
    return nameOf(kPhases, p);
}

std::optional<FailoverPhase> failoverPhaseFrom(const std::string& s) {
    return valueOf(kPhases, s);
}

const char* toString(FailoverKind k) {
    return nameOf(kKinds, k);
}

std::optional<FailoverKind> failoverKindFrom(const std::string& s) {
    return valueOf(kKinds, s);
}

const char* toString(FenceMethod f) {
    return nameOf(kFences, f);
}

std::optional<FenceMethod> fenceMethodFrom(const std::string& s) {
    return valueOf(kFences, s);
}

const char* toString(StepKind k) {
    return nameOf(kSteps, k);
}

FailoverMachine::FailoverMachine(Failover f, FailoverTimeouts t) : f_(std::move(f)), t_(t) {}

std::int64_t FailoverMachine::timeoutOf(StepKind k) const {
    switch (k) {
    case StepKind::None: return 0;
    case StepKind::Shutdown: return t_.shutdownMs;
    case StepKind::Fence: return t_.fenceMs;
    case StepKind::FabricFence: return t_.fabricFenceMs;
    case StepKind::Allocate: return t_.allocateMs;
    case StepKind::Program: return t_.programMs;
    case StepKind::PowerOn: return t_.powerOnMs;
    case StepKind::Verify: return t_.verifyMs;
    case StepKind::Release: return t_.releaseMs;
    }
    return 0;
}

Step FailoverMachine::enter(FailoverPhase p, StepKind k, int slot, std::int64_t nowMs, std::string note) {
    f_.phase = p;
    std::int64_t& firstEntry = f_.phaseStartMs[static_cast<std::size_t>(p)];
    if (firstEntry == 0) firstEntry = nowMs;
    if (f_.terminal()) f_.endMs = nowMs;
    f_.history.push_back(PhaseEntry{p, nowMs, slot, std::move(note)});
    step_ = Step{k, slot, k == StepKind::None ? 0 : nowMs + timeoutOf(k)};
    return step_;
}

Step FailoverMachine::fail(std::string reason, std::int64_t nowMs) {
    releasing_ = false;
    abortAfterRelease_ = false;
    f_.reason = reason;
    const int slot = f_.toSlot.value_or(f_.fromSlot.value_or(0));
    return enter(FailoverPhase::Failed, StepKind::None, slot, nowMs, std::move(reason));
}

// The spare in toSlot was released: it joins triedSlots, then the next
// spare is allocated unless the attempts are used up (or an abort waited).
Step FailoverMachine::retryAllocation(std::string note, std::int64_t nowMs) {
    const int released = f_.toSlot.value_or(step_.slot);
    f_.triedSlots.push_back(released);
    f_.toSlot.reset();
    releasing_ = false;
    if (abortAfterRelease_) return fail(f_.reason, nowMs);
    const auto attempts = f_.triedSlots.size();
    if (attempts >= static_cast<std::size_t>(std::max(t_.maxSpares, 0))) {
        std::string last = lastSpareFailure(f_.history);
        return fail("no spare passed verification after " + std::to_string(attempts) + " attempts" +
                        (last.empty() ? std::string() : ": " + last),
                    nowMs);
    }
    return enter(FailoverPhase::Allocating, StepKind::Allocate, allocationTarget(f_), nowMs,
                 allocationNote(f_, withDetail(blade(released) + " released", note)));
}

Step FailoverMachine::start(std::int64_t nowMs) {
    if (step_.kind != StepKind::None || f_.terminal()) return step_; // started already, or over
    switch (f_.phase) {
    case FailoverPhase::Detected: {
        if (f_.history.empty()) {
            const std::int64_t detectedMs = f_.createdMs != 0 ? f_.createdMs : nowMs;
            if (f_.phaseStartMs[0] == 0) f_.phaseStartMs[0] = detectedMs;
            f_.history.push_back(PhaseEntry{FailoverPhase::Detected, detectedMs, f_.fromSlot.value_or(0), f_.cause});
        }
        if (!f_.fromSlot) {
            f_.fence = FenceMethod::NotNeeded;
            return enter(FailoverPhase::Allocating, StepKind::Allocate, allocationTarget(f_), nowMs,
                         allocationNote(f_, "no blade to fence"));
        }
        const int from = *f_.fromSlot;
        if (planned(f_.kind))
            return enter(FailoverPhase::Fencing, StepKind::Shutdown, from, nowMs,
                         "graceful shutdown of " + blade(from));
        return enter(FailoverPhase::Fencing, StepKind::Fence, from, nowMs, "powering " + blade(from) + " off");
    }
    case FailoverPhase::Fencing:
        if (!f_.fromSlot) {
            f_.fence = FenceMethod::NotNeeded;
            return enter(FailoverPhase::Allocating, StepKind::Allocate, allocationTarget(f_), nowMs,
                         allocationNote(f_, std::string(kResumed) + ": no blade to fence"));
        }
        return enter(FailoverPhase::Fencing, StepKind::Fence, *f_.fromSlot, nowMs,
                     std::string(kResumed) + ": powering " + blade(*f_.fromSlot) + " off");
    case FailoverPhase::Allocating:
        if (f_.toSlot) {
            // A Release was in flight; a non-empty reason is an abort waiting for it.
            releasing_ = true;
            abortAfterRelease_ = !f_.reason.empty();
            return enter(FailoverPhase::Allocating, StepKind::Release, *f_.toSlot, nowMs,
                         std::string(kResumed) + ": releasing " + blade(*f_.toSlot));
        }
        return enter(FailoverPhase::Allocating, StepKind::Allocate, allocationTarget(f_), nowMs,
                     allocationNote(f_, kResumed));
    case FailoverPhase::Programming:
    case FailoverPhase::PoweringOn:
    case FailoverPhase::Verifying: {
        if (!f_.toSlot)
            return fail(std::string("the record is in phase ") + toString(f_.phase) + " but names no spare", nowMs);
        if (!f_.fenced())
            return fail("the record is in phase " + std::string(toString(f_.phase)) + " but " +
                            blade(f_.fromSlot.value_or(0)) + " was never fenced",
                        nowMs);
        const StepKind k = f_.phase == FailoverPhase::Programming
                               ? StepKind::Program
                               : (f_.phase == FailoverPhase::PoweringOn ? StepKind::PowerOn : StepKind::Verify);
        return enter(f_.phase, k, *f_.toSlot, nowMs,
                     std::string(kResumed) + ": " + toString(k) + " on " + blade(*f_.toSlot));
    }
    case FailoverPhase::Completed:
    case FailoverPhase::Failed: break;
    }
    step_ = Step{};
    return step_;
}

Step FailoverMachine::onOutcome(const StepOutcome& o, std::int64_t nowMs) {
    const int from = f_.fromSlot.value_or(0);
    // A spare that failed a step is released (powered off or fabric-fenced) before the next is tried.
    auto releaseSpare = [&](const char* what) {
        if (!f_.toSlot) return fail(withDetail(std::string("a spare ") + what, o.detail) + "; no spare named", nowMs);
        releasing_ = true;
        const int spare = *f_.toSlot;
        return enter(FailoverPhase::Allocating, StepKind::Release, spare, nowMs,
                     withDetail(blade(spare) + " " + what, o.detail) + kReleasing);
    };
    switch (step_.kind) {
    case StepKind::None: return step_;
    case StepKind::Shutdown:
        if (o.ok) {
            f_.fence = readBackOff(o.fence);
            return enter(FailoverPhase::Allocating, StepKind::Allocate, allocationTarget(f_), nowMs,
                         allocationNote(f_, withDetail(blade(from) + " shut down", o.detail)));
        }
        return enter(FailoverPhase::Fencing, StepKind::Fence, from, nowMs,
                     withDetail("graceful shutdown of " + blade(from) + " failed", o.detail) + "; forcing power off");
    case StepKind::Fence:
        if (o.ok) {
            f_.fence = readBackOff(o.fence);
            return enter(FailoverPhase::Allocating, StepKind::Allocate, allocationTarget(f_), nowMs,
                         allocationNote(f_, withDetail(blade(from) + " fenced", o.detail)));
        }
        return enter(FailoverPhase::Fencing, StepKind::FabricFence, from, nowMs,
                     withDetail("power off of " + blade(from) + " failed", o.detail) +
                         "; disabling its switch and SAN ports");
    case StepKind::FabricFence:
        if (o.ok) {
            f_.fence = FenceMethod::Fabric;
            return enter(FailoverPhase::Allocating, StepKind::Allocate, allocationTarget(f_), nowMs,
                         allocationNote(f_, withDetail(blade(from) + " fenced at the fabric", o.detail)));
        }
        return fail("could not fence " + blade(from) + ": power off and fabric fence both failed" +
                        (o.detail.empty() ? std::string() : " (" + o.detail + ")") + "; nothing was moved",
                    nowMs);
    case StepKind::Allocate: {
        if (!o.ok) return fail(o.detail.empty() ? std::string("no spare could be allocated") : o.detail, nowMs);
        if (!o.slot) return fail("the allocation succeeded but named no blade; nothing was programmed", nowMs);
        const int spare = *o.slot;
        if (f_.fromSlot && spare == *f_.fromSlot)
            return fail("the allocation returned " + blade(spare) + ", the blade being left; nothing was programmed",
                        nowMs);
        // Invariant 3: nothing makes the identity live before the old holder is fenced.
        if (!f_.fenced()) return fail(blade(from) + " is not fenced; nothing was programmed", nowMs);
        f_.toSlot = spare;
        return enter(FailoverPhase::Programming, StepKind::Program, spare, nowMs,
                     withDetail(blade(spare) + " reserved", o.detail));
    }
    case StepKind::Program:
        if (!o.ok) return releaseSpare("failed programming");
        return enter(FailoverPhase::PoweringOn, StepKind::PowerOn, *f_.toSlot, nowMs,
                     withDetail("identity written to " + blade(*f_.toSlot), o.detail));
    case StepKind::PowerOn:
        if (!o.ok) return releaseSpare("failed to power on");
        return enter(FailoverPhase::Verifying, StepKind::Verify, *f_.toSlot, nowMs,
                     withDetail(blade(*f_.toSlot) + " powered on", o.detail));
    case StepKind::Verify:
        if (!o.ok) return releaseSpare("failed verification");
        return enter(FailoverPhase::Completed, StepKind::None, *f_.toSlot, nowMs,
                     withDetail("verified on " + blade(*f_.toSlot), o.detail));
    case StepKind::Release:
        if (!o.ok) {
            // toSlot stays: the operator must see which spare is still live.
            std::string why = withDetail(
                "spare " + std::to_string(f_.toSlot.value_or(step_.slot)) + " could not be released", o.detail);
            if (abortAfterRelease_) why = f_.reason + "; " + why;
            return fail(why, nowMs);
        }
        return retryAllocation(o.detail, nowMs);
    }
    return step_;
}

Step FailoverMachine::onTimeout(std::int64_t nowMs) {
    // The driver says when the deadline passed; the machine does not second-guess its clock.
    if (step_.kind == StepKind::None) return step_;
    StepOutcome o;
    o.detail =
        std::string(toString(step_.kind)) + " timed out: no outcome within " + durationText(timeoutOf(step_.kind));
    return onOutcome(o, nowMs);
}

Step FailoverMachine::abort(const std::string& reason, std::int64_t nowMs) {
    if (f_.terminal()) return step_;
    const std::string why = reason.empty() ? std::string("aborted") : reason;
    switch (f_.phase) {
    case FailoverPhase::Detected:
    case FailoverPhase::Fencing: return fail(why, nowMs);
    case FailoverPhase::Allocating:
        if (!releasing_ && !f_.toSlot) return fail(why, nowMs);
        // A Release is in flight: it finishes, then the failover ends. The
        // reason is kept in the record so a restart still ends it.
        abortAfterRelease_ = true;
        f_.reason = why;
        return step_;
    case FailoverPhase::Programming:
    case FailoverPhase::PoweringOn:
    case FailoverPhase::Verifying: {
        if (!f_.toSlot) return fail(why, nowMs);
        abortAfterRelease_ = true;
        releasing_ = true;
        f_.reason = why;
        const int spare = *f_.toSlot;
        return enter(FailoverPhase::Allocating, StepKind::Release, spare, nowMs,
                     "aborted (" + why + "): releasing " + blade(spare));
    }
    case FailoverPhase::Completed:
    case FailoverPhase::Failed: break;
    }
    return step_;
}

} // namespace cmc::domain
