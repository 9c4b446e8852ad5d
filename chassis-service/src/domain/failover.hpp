// The failover orchestrator's state machine: pure (time passed in, Unix ms),
// unit-tested on an injected clock like the health machine. One Failover is
// the durable record of one identity move; FailoverMachine says which step
// the driver performs next and advances on each step's outcome or timeout.
//
//   Detected -> Fencing -> Allocating -> Programming -> PoweringOn -> Verifying -> Completed
//                  |            |             |              |             |
//                  |            +-> Failed    +------ release the spare ---+--> Allocating (next spare)
//                  +-> fabric fence -> Failed when that fails too (nothing moved)
//
// Invariant 3: no step that makes the identity live (Programming onwards)
// is ever returned before the old holder is fenced (power read back Off,
// already off, or its switch and SAN ports disabled). A spare that failed
// programming, power-on or verification is released (powered off or
// fabric-fenced) and quarantined before the next spare is tried.
// The driver journals the record before it performs a step; every step is
// idempotent, so after a crash the machine restarts the current step.
// A Release runs in phase Allocating with toSlot still naming the spare being
// released; once released, toSlot is cleared and the slot joins triedSlots.
// So a restarted machine in Allocating with toSlot set releases it again.
// Planned moves (Migrate, Failback, Evacuate) fence with a graceful Shutdown
// first; a shutdown that fails or times out falls back to a forced Fence.
// A Bind has nothing to fence (fence NotNeeded); with targetSlot set the
// driver's Allocate reserves that blade rather than a spare.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cmc::domain {

enum class FailoverPhase { Detected, Fencing, Allocating, Programming, PoweringOn, Verifying, Completed, Failed };
[[nodiscard]] const char* toString(FailoverPhase p);
[[nodiscard]] std::optional<FailoverPhase> failoverPhaseFrom(const std::string& s);
inline constexpr int kFailoverPhaseCount = 8;

enum class FailoverKind {
    Automatic, // a blade failed (policy)
    Migrate,   // an operator moves a running server (planned: graceful shutdown first)
    Failback,  // an operator moves it back to its original blade
    Evacuate,  // an operator empties a blade (planned migrate of its server)
    Bind,      // first binding of an unbound server (nothing to fence)
};
[[nodiscard]] const char* toString(FailoverKind k);
[[nodiscard]] std::optional<FailoverKind> failoverKindFrom(const std::string& s);

enum class FenceMethod { None, PowerOff, AlreadyOff, Fabric, NotNeeded };
[[nodiscard]] const char* toString(FenceMethod f);
[[nodiscard]] std::optional<FenceMethod> fenceMethodFrom(const std::string& s);

struct FailoverTimeouts {
    std::int64_t shutdownMs = 60000;   // planned moves: graceful shutdown read back Off
    std::int64_t fenceMs = 10000;      // power off read back Off
    std::int64_t fabricFenceMs = 5000; // switch and SAN ports disabled
    std::int64_t allocateMs = 2000;
    std::int64_t programMs = 15000; // identity written and read back
    std::int64_t powerOnMs = 15000;
    std::int64_t verifyMs = 120000; // host up: IP answers through the spare's port
    std::int64_t releaseMs = 15000; // a failed spare powered off (or fabric-fenced)
    int maxSpares = 3;              // spares tried before the failover ends Failed
};

// One entry of the phase history (every entry, including repeated phases).
struct PhaseEntry {
    FailoverPhase phase = FailoverPhase::Detected;
    std::int64_t timeMs = 0; // Unix ms
    int slot = 0;            // the blade the phase acts on (0: none)
    std::string note;        // "ForceOff read back Off", "blade 14 failed verification: ..."
};

struct Failover {
    std::int64_t id = 0;
    std::string server; // logical server name
    FailoverKind kind = FailoverKind::Automatic;
    std::string cause;             // "blade 3 failed: power fault"
    std::string requestedBy;       // "policy" or the user name
    std::optional<int> fromSlot;   // the blade being left (nullopt: none, e.g. Bind)
    std::optional<int> toSlot;     // the spare chosen (set when Allocating succeeds)
    std::optional<int> targetSlot; // the operator named this blade (Migrate/Failback)
    FailoverPhase phase = FailoverPhase::Detected;
    std::int64_t phaseStartMs[kFailoverPhaseCount] = {}; // first entry into each phase, 0: never
    std::int64_t createdMs = 0;
    std::int64_t endMs = 0; // Completed or Failed
    FenceMethod fence = FenceMethod::None;
    std::vector<int> triedSlots; // spares that failed (released and quarantined)
    std::string reason;          // why it Failed
    std::vector<PhaseEntry> history;

    [[nodiscard]] bool terminal() const { return phase == FailoverPhase::Completed || phase == FailoverPhase::Failed; }
    [[nodiscard]] bool fenced() const {
        return fence == FenceMethod::PowerOff || fence == FenceMethod::AlreadyOff || fence == FenceMethod::Fabric ||
               fence == FenceMethod::NotNeeded;
    }
};

enum class StepKind {
    None,        // nothing to do (terminal)
    Shutdown,    // planned: graceful shutdown of fromSlot, read back Off
    Fence,       // power off fromSlot and read back Off
    FabricFence, // disable fromSlot's switch and SAN ports
    Allocate,    // choose and reserve a spare (excluding triedSlots)
    Program,     // write the identity onto slot; SAN masking and DHCP at it; boot override
    PowerOn,     // power slot on (a warm spare: continue booting)
    Verify,      // host up from its volume, IP answers through slot's port
    Release,     // a spare that failed: power it off / fabric-fence it; quarantine
};
[[nodiscard]] const char* toString(StepKind k);

struct Step {
    StepKind kind = StepKind::None;
    int slot = 0;
    std::int64_t deadlineMs = 0; // Unix ms; the driver calls onTimeout after it
};

struct StepOutcome {
    bool ok = false;
    std::string detail;                    // what happened (logged, journaled)
    std::optional<int> slot;               // Allocate: the spare reserved
    FenceMethod fence = FenceMethod::None; // Fence: PowerOff or AlreadyOff
};

class FailoverMachine {
public:
    FailoverMachine(Failover f, FailoverTimeouts t);

    // The step for the record's current phase; from Detected it enters
    // Fencing (or Allocating when there is nothing to fence). After a restart
    // it returns the interrupted step again (each step is idempotent).
    Step start(std::int64_t nowMs);
    // The outcome of the step last returned; returns the next one.
    Step onOutcome(const StepOutcome& o, std::int64_t nowMs);
    // The step's deadline passed without an outcome.
    Step onTimeout(std::int64_t nowMs);
    // An operator or the service gives up: Failed with `reason` (only before
    // Programming; afterwards the spare is released first).
    Step abort(const std::string& reason, std::int64_t nowMs);

    [[nodiscard]] const Failover& record() const { return f_; }
    [[nodiscard]] const Step& current() const { return step_; }

private:
    Step enter(FailoverPhase p, StepKind k, int slot, std::int64_t nowMs, std::string note);
    Step fail(std::string reason, std::int64_t nowMs);
    Step retryAllocation(std::string note, std::int64_t nowMs);
    [[nodiscard]] std::int64_t timeoutOf(StepKind k) const;

    Failover f_;
    FailoverTimeouts t_;
    Step step_;
    bool releasing_ = false; // Release in flight, then Allocating again
    bool abortAfterRelease_ = false;
};

} // namespace cmc::domain
