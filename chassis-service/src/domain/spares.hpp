// Spare pools, spare choice, coverage and the storm breaker. Pure.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/logical_server.hpp"
#include "domain/model.hpp"

namespace cmc::domain {

enum class SpareKind { Warm, Cold }; // warm: powered on, held at firmware; cold: off
[[nodiscard]] const char* toString(SpareKind k);
[[nodiscard]] std::optional<SpareKind> spareKindFrom(const std::string& s);

struct SparePool {
    std::string name;
    std::map<int, SpareKind> members; // slot -> kind
};

// What the chooser knows about one blade.
struct BladeCandidate {
    int slot = 0;
    const Blade* blade = nullptr; // inventory (model, CPUs, memory); never null
    HealthState health = HealthState::Unknown;
    BladeRole role = BladeRole::Unassigned;
    bool maintenance = false;
    bool reserved = false;          // taken by a running failover or bound to a server
    std::optional<SpareKind> spare; // member of the server's pool, and how
    std::string pool;               // the pool `spare` refers to (empty: the server's); coverage() and
                                    // whatIf() judge servers of several pools against one list
};

struct SpareChoice {
    std::vector<int> ranked;           // usable spares, best first: warm before cold, then by slot
    std::vector<std::string> rejected; // "blade 14: needs 64 GiB, has 32", "blade 15: Failed"
};

// The spares of the server's pool that could take it now, best first. A
// candidate is usable when it is a member of the pool, role Spare, Healthy
// (or Unknown health is refused), not in maintenance, not reserved, not in
// `exclude`, and meets the requirements.
[[nodiscard]] SpareChoice rankSpares(const LogicalServer& server, const std::vector<BladeCandidate>& candidates,
                                     const std::vector<int>& exclude = {});

struct CoverageEntry {
    std::string server;
    std::optional<int> slot;
    std::string pool;
    std::vector<int> spares; // compatible spares now
    bool covered = false;    // automatic failover with at least one compatible spare
    std::string reason;      // why not covered
    bool operator==(const CoverageEntry&) const = default;
};
// N+M coverage: for each server, the compatible spares of its pool now.
[[nodiscard]] std::vector<CoverageEntry> coverage(const std::vector<LogicalServer>& servers,
                                                  const std::vector<BladeCandidate>& candidates);

struct WhatIf {
    int slot = 0;
    std::optional<std::string> server; // the server on that blade, if any
    std::optional<int> spare;          // the spare that would take it
    std::string reason;                // why none would
};
// "If blade `slot` failed now, which spare would take its server": servers
// with a higher priority claim spares first when several compete (here one).
[[nodiscard]] WhatIf whatIf(int slot, const std::vector<LogicalServer>& servers,
                            const std::vector<BladeCandidate>& candidates);

struct StormPolicy {
    double maxFraction = 0.25; // more than this share of blades failing within the window ...
    int minFailures = 3;       // ... and at least this many: a storm
    std::int64_t windowMs = 60000;
};

// Counts blade failures in a sliding window; trips when they exceed the
// policy; stays tripped until an operator acknowledges or the window holds
// no more than the threshold again (the condition cleared).
class StormBreaker {
public:
    explicit StormBreaker(StormPolicy p) : p_(p) {}
    // A confirmed blade failure. Returns true when this failure trips the breaker.
    bool recordFailure(int slot, std::int64_t nowMs, std::size_t totalBlades);
    // Tripped now (re-judged against the window: the condition may have cleared).
    [[nodiscard]] bool tripped(std::int64_t nowMs, std::size_t totalBlades);
    void acknowledge(std::int64_t nowMs); // an operator resumes automatic failover
    [[nodiscard]] std::string reason() const { return reason_; }
    [[nodiscard]] std::size_t failuresInWindow(std::int64_t nowMs);
    [[nodiscard]] const StormPolicy& policy() const { return p_; }
    // The same questions without expiring anything (read models): tripped
    // and not yet cleared by the window, and the failures still counted.
    [[nodiscard]] bool trippedAt(std::int64_t nowMs, std::size_t totalBlades) const;
    [[nodiscard]] std::size_t countedAt(std::int64_t nowMs) const;

private:
    void expire(std::int64_t nowMs);
    StormPolicy p_;
    std::deque<std::pair<std::int64_t, int>> failures_; // time, slot
    bool tripped_ = false;
    std::int64_t acknowledgedMs_ = -1; // failures at or before this no longer count
    std::string reason_;
};

} // namespace cmc::domain
