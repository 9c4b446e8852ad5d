#include "domain/spares.hpp"

#include <algorithm>
#include <cmath>

namespace cmc::domain {

namespace {

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += "; ";
        out += p;
    }
    return out;
}

bool memberOf(const BladeCandidate& c, const std::string& pool) {
    return c.spare.has_value() && (c.pool.empty() || c.pool == pool);
}

// Why the candidate cannot take the server now, or empty when it can.
std::string unusable(const LogicalServer& server, const BladeCandidate& c, const std::vector<int>& exclude) {
    if (server.slot && *server.slot == c.slot) return "runs this server now";
    if (std::find(exclude.begin(), exclude.end(), c.slot) != exclude.end()) return "excluded";
    if (c.maintenance) return "in maintenance";
    if (c.reserved) return "reserved by a failover or a bound server";
    if (c.health == HealthState::Unknown) return "health Unknown (not yet judged)";
    if (c.health != HealthState::Healthy) return toString(c.health);
    if (c.role != BladeRole::Spare) return std::string("role ") + toString(c.role) + ", not Spare";
    if (c.blade == nullptr) return "no inventory";
    return server.requirements.unmetBy(*c.blade);
}

std::string noSpareReason(const std::string& pool, const SpareChoice& choice) {
    if (choice.rejected.empty()) return "spare pool '" + pool + "' has no blades";
    return "no compatible spare in pool '" + pool + "': " + joined(choice.rejected);
}

// "60 s", "1500 ms"
std::string durationText(std::int64_t ms) {
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
    return std::to_string(ms) + " ms";
}

// More than the policy's share of the blades, and at least its minimum.
bool isStorm(const StormPolicy& p, std::size_t count, std::size_t totalBlades) {
    return static_cast<double>(count) > p.maxFraction * static_cast<double>(totalBlades) &&
           count >= static_cast<std::size_t>(std::max(p.minFailures, 0));
}

} // namespace

const char* toString(SpareKind k) {
    return k == SpareKind::Warm ? "Warm" : "Cold";
}

std::optional<SpareKind> spareKindFrom(const std::string& s) {
    if (s == "Warm") return SpareKind::Warm;
    if (s == "Cold") return SpareKind::Cold;
    return std::nullopt;
}

SpareChoice rankSpares(const LogicalServer& server, const std::vector<BladeCandidate>& candidates,
                       const std::vector<int>& exclude) {
    SpareChoice choice;
    const std::string& pool = server.policy.sparePool;
    if (pool.empty()) return choice;
    std::vector<std::pair<SpareKind, int>> usable;
    for (const auto& c : candidates) {
        if (!memberOf(c, pool)) continue;
        if (std::string why = unusable(server, c, exclude); !why.empty()) {
            choice.rejected.push_back("blade " + std::to_string(c.slot) + ": " + why);
            continue;
        }
        usable.emplace_back(*c.spare, c.slot);
    }
    std::sort(usable.begin(), usable.end()); // Warm before Cold, then by slot
    for (const auto& [kind, slot] : usable)
        choice.ranked.push_back(slot);
    return choice;
}

std::vector<CoverageEntry> coverage(const std::vector<LogicalServer>& servers,
                                    const std::vector<BladeCandidate>& candidates) {
    std::vector<CoverageEntry> out;
    out.reserve(servers.size());
    for (const auto& s : servers) {
        CoverageEntry e;
        e.server = s.name;
        e.slot = s.slot;
        e.pool = s.policy.sparePool;
        SpareChoice choice = rankSpares(s, candidates);
        e.spares = choice.ranked;
        e.covered = s.policy.automatic && !e.pool.empty() && !e.spares.empty();
        if (!s.policy.automatic)
            e.reason = "automatic failover is off";
        else if (e.pool.empty())
            e.reason = "no spare pool";
        else if (e.spares.empty())
            e.reason = noSpareReason(e.pool, choice);
        out.push_back(std::move(e));
    }
    return out;
}

WhatIf whatIf(int slot, const std::vector<LogicalServer>& servers, const std::vector<BladeCandidate>& candidates) {
    WhatIf w;
    w.slot = slot;
    auto it = std::find_if(servers.begin(), servers.end(),
                           [slot](const LogicalServer& s) { return s.slot && *s.slot == slot; });
    if (it == servers.end()) {
        w.reason = "no logical server runs on blade " + std::to_string(slot);
        return w;
    }
    const LogicalServer& s = *it;
    w.server = s.name;
    if (!s.policy.automatic) {
        w.reason = "automatic failover is off for '" + s.name + "'";
        return w;
    }
    if (s.policy.sparePool.empty()) {
        w.reason = "'" + s.name + "' has no spare pool";
        return w;
    }
    // One failure: no other server competes for the spares.
    SpareChoice choice = rankSpares(s, candidates, {slot});
    if (choice.ranked.empty()) {
        w.reason = noSpareReason(s.policy.sparePool, choice);
        return w;
    }
    w.spare = choice.ranked.front();
    return w;
}

void StormBreaker::expire(std::int64_t nowMs) {
    const std::int64_t oldest = nowMs - p_.windowMs; // failures at or before this left the window
    std::erase_if(failures_, [&](const auto& f) { return f.first <= oldest || f.first <= acknowledgedMs_; });
}

bool StormBreaker::recordFailure(int slot, std::int64_t nowMs, std::size_t totalBlades) {
    expire(nowMs);
    // One blade failing twice within the window is one failed blade.
    std::erase_if(failures_, [slot](const auto& f) { return f.second == slot; });
    failures_.emplace_back(nowMs, slot);
    const std::size_t count = failures_.size();
    const bool storm = isStorm(p_, count, totalBlades);
    if (!storm) return false;
    reason_ = std::to_string(count) + " of " + std::to_string(totalBlades) + " blades failed within " +
              durationText(p_.windowMs) + " (more than " + std::to_string(std::lround(p_.maxFraction * 100)) +
              "%): automatic failover paused";
    if (tripped_) return false;
    tripped_ = true;
    return true;
}

bool StormBreaker::tripped(std::int64_t nowMs, std::size_t totalBlades) {
    if (!tripped_) return false;
    expire(nowMs);
    if (!isStorm(p_, failures_.size(), totalBlades)) {
        tripped_ = false;
        reason_.clear();
    }
    return tripped_;
}

void StormBreaker::acknowledge(std::int64_t nowMs) {
    tripped_ = false;
    reason_.clear();
    acknowledgedMs_ = std::max(acknowledgedMs_, nowMs);
    expire(nowMs);
}

bool StormBreaker::trippedAt(std::int64_t nowMs, std::size_t totalBlades) const {
    return tripped_ && isStorm(p_, countedAt(nowMs), totalBlades);
}

std::size_t StormBreaker::countedAt(std::int64_t nowMs) const {
    const std::int64_t oldest = nowMs - p_.windowMs;
    return static_cast<std::size_t>(std::count_if(failures_.begin(), failures_.end(), [&](const auto& f) {
        return f.first > oldest && f.first > acknowledgedMs_;
    }));
}

std::size_t StormBreaker::failuresInWindow(std::int64_t nowMs) {
    expire(nowMs);
    return failures_.size();
}

} // namespace cmc::domain
