// The orchestrator: health events, the storm breaker and the failover
// driver (journal, perform, deadline, outcome) around domain::FailoverMachine.
#include <boost/asio/post.hpp>

#include <algorithm>
#include <csignal>
#include <iostream>

#include "app/orchestrator_internal.hpp"
#include "app/service.hpp"
#include "events/event_log.hpp"
#include "store/store.hpp"

namespace cmc::app {

using namespace orch; // NOLINT(google-build-using-namespace): the orchestrator's own helpers

// ------------------------------------------------------------------ health

void Orchestrator::onHealth(const domain::HealthEvent& e) {
    if (stopped_) return;
    if (const auto* f = std::get_if<domain::BladeFailed>(&e)) {
        onBladeFailed(f->slot, f->reason);
    } else if (const auto* q = std::get_if<domain::QuarantineRecommended>(&e)) {
        const auto* b = svc_.bladeInfo(q->slot);
        if (b && b->role != domain::BladeRole::Quarantined && !serverOn(q->slot)) {
            std::string why =
                std::to_string(q->failures) + " failures within " + std::to_string(q->windowMs / 1000) + " s";
            store::Batch batch;
            setRole(q->slot, domain::BladeRole::Quarantined, why, batch);
            store_.apply(std::move(batch));
            events_.raise("BladeQuarantined", {std::to_string(q->slot), why},
                          "/redfish/v1/Chassis/" + bladeId(q->slot));
        }
    }
}

void Orchestrator::onBladeFailed(int slot, const std::string& reason) {
    auto now = events::nowUnixMs();
    // A spare being brought up that fails: its failover tries the next one.
    for (auto& [id, r] : runs_) {
        const auto& f = r->machine.record();
        auto step = r->machine.current();
        if (f.toSlot == slot &&
            (step.kind == StepKind::PowerOn || step.kind == StepKind::Verify || step.kind == StepKind::Program)) {
            domain::StepOutcome o;
            o.detail = "blade " + std::to_string(slot) + " failed while being brought up: " + reason;
            deliver(id, r->generation, o);
            return;
        }
        if (f.fromSlot == slot) return; // already being handled
    }
    bool tripped = storm_.recordFailure(slot, now, svc_.bladeCount());
    auto name = serverOn(slot);
    // A pool's own breaker, unless the pool spans the whole chassis (the
    // chassis breaker is that one then).
    if (name && !servers_.at(*name).policy.sparePool.empty() &&
        poolBladeCount(servers_.at(*name).policy.sparePool) < svc_.bladeCount()) {
        const auto& pool = servers_.at(*name).policy.sparePool;
        auto& ps = poolStorms_.try_emplace(pool, cfg_.storm).first->second;
        tripped = ps.breaker.recordFailure(slot, now, poolBladeCount(pool)) || tripped;
    }
    const auto* b = svc_.bladeInfo(slot);
    if (!name) {
        // A failed spare leaves the pool's coverage until it is repaired.
        if (b && b->role == domain::BladeRole::Spare) {
            store::Batch batch;
            setRole(slot, domain::BladeRole::Failed, reason, batch);
            store_.apply(std::move(batch));
        }
        if (tripped) checkStorm();
        return;
    }
    auto& s = servers_.at(*name);
    if (s.desiredPower == domain::PowerIntent::Off) return;
    // The server is down until a failover brings it back.
    s.state = domain::ServerState::Down;
    s.stateReason = "blade " + std::to_string(slot) + " failed: " + reason;
    bool maint = maintenance_.contains(slot) && maintenance_[slot];
    if (!cfg_.automatic || !s.policy.automatic || maint) {
        std::string why = !cfg_.automatic ? "automatic failover is disabled in the config"
                          : maint         ? "blade " + std::to_string(slot) + " is in maintenance mode"
                                          : "its failover policy is manual";
        s.stateReason += "; " + why;
        events_.raise("FailoverPaused", {*name, std::to_string(slot), why}, serverOrigin(*name));
        if (tripped) checkStorm();
        return;
    }
    pendingFailures_[slot] = reason;
    if (tripped) {
        checkStorm(); // announces the storm with every server it holds back, this one included
    } else if (auto why = holdReason(*name, now)) {
        s.stateReason += "; automatic failover paused: " + *why;
        events_.raise("FailoverPaused", {*name, std::to_string(slot), *why}, serverOrigin(*name));
    }
    auto hold = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(cfg_.holdMs));
    hold->async_wait([this, hold](boost::system::error_code ec) {
        if (ec || stopped_) return;
        startPendingFailovers();
    });
}

std::size_t Orchestrator::poolBladeCount(const std::string& pool) const {
    // The pool's spares and the blades of the servers that fail over into it.
    std::size_t n = 0;
    if (auto p = pools_.find(pool); p != pools_.end()) n += p->second.members.size();
    for (const auto& [name, s] : servers_)
        if (s.policy.sparePool == pool && s.slot &&
            !(pools_.contains(pool) && pools_.at(pool).members.contains(*s.slot)))
            ++n;
    return n;
}

std::optional<std::string> Orchestrator::holdReason(const std::string& server, std::int64_t nowMs) {
    if (storm_.tripped(nowMs, svc_.bladeCount())) return storm_.reason();
    const auto& pool = servers_.at(server).policy.sparePool;
    if (auto ps = poolStorms_.find(pool);
        ps != poolStorms_.end() && ps->second.breaker.tripped(nowMs, poolBladeCount(pool)))
        return "spare pool " + pool + ": " + ps->second.breaker.reason();
    return std::nullopt;
}

void Orchestrator::startPendingFailovers() {
    auto now = events::nowUnixMs();
    auto pending = std::move(pendingFailures_);
    pendingFailures_.clear();
    // Higher priority first when spares are scarce; a server a storm breaker
    // holds back stays pending.
    std::vector<std::pair<int, int>> order; // (-priority, slot)
    for (const auto& [slot, reason] : pending) {
        auto name = serverOn(slot);
        if (!name || activeFailoverOf(*name)) continue;
        if (holdReason(*name, now)) {
            pendingFailures_[slot] = reason;
            continue;
        }
        order.emplace_back(-servers_.at(*name).policy.priority, slot);
    }
    std::sort(order.begin(), order.end());
    for (const auto& [prio, slot] : order) {
        auto name = serverOn(slot);
        if (!name) continue;
        startFailover(*name, FailoverKind::Automatic, "blade " + std::to_string(slot) + " failed: " + pending[slot],
                      "policy", slot, std::nullopt);
    }
    if (!pendingFailures_.empty()) checkStorm();
}

void Orchestrator::announceStorm(const std::string& subject, const std::string& reason) {
    events_.raise("StormBreakerTripped", {reason}, "/redfish/v1/Managers/cmc");
    audit("policy", "StormBreakerTripped", subject, reason, "automatic failover paused");
    auto now = events::nowUnixMs();
    for (const auto& [slot, why] : pendingFailures_) {
        auto name = serverOn(slot);
        if (!name) continue;
        auto held = holdReason(*name, now);
        if (!held) continue;
        servers_.at(*name).stateReason += "; automatic failover paused: " + *held;
        events_.raise("FailoverPaused", {*name, std::to_string(slot), *held}, serverOrigin(*name));
    }
}

void Orchestrator::checkStorm() {
    auto now = events::nowUnixMs();
    bool cleared = false;
    bool t = storm_.tripped(now, svc_.bladeCount());
    if (t && !stormAnnounced_) {
        stormAnnounced_ = true;
        announceStorm("chassis", storm_.reason());
    } else if (!t && stormAnnounced_) {
        stormAnnounced_ = false;
        cleared = true;
        events_.raise("StormBreakerCleared", {"the storm condition cleared or was acknowledged"},
                      "/redfish/v1/Managers/cmc");
    }
    bool anyAnnounced = stormAnnounced_;
    for (auto& [pool, ps] : poolStorms_) {
        bool pt = ps.breaker.tripped(now, poolBladeCount(pool));
        if (pt && !ps.announced) {
            ps.announced = true;
            announceStorm("spare pool " + pool, "spare pool " + pool + ": " + ps.breaker.reason());
        } else if (!pt && ps.announced) {
            ps.announced = false;
            cleared = true;
            events_.raise("StormBreakerCleared",
                          {"spare pool " + pool + ": the storm condition cleared or was acknowledged"},
                          "/redfish/v1/Managers/cmc");
        }
        anyAnnounced = anyAnnounced || ps.announced;
    }
    if (cleared && !pendingFailures_.empty()) {
        startPendingFailovers();
        return;
    }
    if (anyAnnounced || !pendingFailures_.empty()) {
        stormTimer_.expires_after(std::chrono::seconds(1));
        stormTimer_.async_wait([this](boost::system::error_code ec) {
            if (!ec && !stopped_) checkStorm();
        });
    }
}

// ------------------------------------------------------------------ the driver

std::int64_t Orchestrator::startFailover(const std::string& server, FailoverKind kind, std::string cause,
                                         std::string who, std::optional<int> from, std::optional<int> target) {
    domain::Failover f;
    f.id = nextId_++;
    f.server = server;
    f.kind = kind;
    f.cause = std::move(cause);
    f.requestedBy = std::move(who);
    f.fromSlot = from;
    f.targetSlot = target;
    f.createdMs = events::nowUnixMs();
    if (from) reserved_.insert(*from);
    if (target) reserved_.insert(*target);
    events_.raise(
        "FailoverStarted",
        {std::to_string(f.id), server, from ? std::to_string(*from) : std::string("none"), f.cause, f.requestedBy},
        taskOrigin(f.id));
    if (kind == FailoverKind::Automatic)
        audit("policy", "Failover", server, f.cause, "started: task " + std::to_string(f.id));
    auto& srv = servers_.at(server);
    srv.state = domain::ServerState::Binding;
    srv.stateReason = f.cause;
    f.phaseStartMs[static_cast<int>(FailoverPhase::Detected)] = f.createdMs;
    f.history.push_back({FailoverPhase::Detected, f.createdMs, from.value_or(0), f.cause});
    std::cout << "cmcd: failover " << f.id << " server=" << server << " phase Detected"
              << (from ? " blade=" + std::to_string(*from) : std::string()) << ": " << f.cause << "\n";
    auto id = f.id;
    auto run = std::make_unique<Run>(io_, std::move(f), cfg_.timeouts);
    auto& r = *run;
    runs_[id] = std::move(run);
    // Detected is journaled on its own before anything acts: a crash now
    // leaves a record that the next start resumes.
    auto gen = ++r.generation;
    journal(r, [this, id, gen](bool ok) {
        auto it = runs_.find(id);
        if (it == runs_.end() || it->second->generation != gen || stopped_) return;
        if (!ok)
            std::cout << "cmcd: failover " << id << " not journaled at Detected; going on (the next step retries)\n";
        killIfAsked(FailoverPhase::Detected, id);
        auto& active = *it->second;
        advance(active, active.machine.start(events::nowUnixMs()));
    });
    return id;
}

void Orchestrator::killIfAsked(FailoverPhase phase, std::int64_t id) {
    if (cfg_.debugKillAt.empty() || cfg_.debugKillAt != domain::toString(phase)) return;
    std::cout << "cmcd: debugKillAt " << cfg_.debugKillAt << ": SIGKILL after journaling failover " << id << std::endl;
    std::raise(SIGKILL);
}

void Orchestrator::resume(domain::Failover f) {
    std::cout << "cmcd: failover " << f.id << " of " << f.server << " was interrupted in phase "
              << domain::toString(f.phase) << "; resuming\n";
    if (!servers_.contains(f.server)) {
        // The server is gone: nothing to resume; close the record.
        f.phase = FailoverPhase::Failed;
        f.reason = "its logical server no longer exists";
        f.endMs = events::nowUnixMs();
        store::Batch b;
        b.saveFailover(f);
        store_.apply(std::move(b));
        history_[f.id] = f;
        return;
    }
    if (f.fromSlot) reserved_.insert(*f.fromSlot);
    if (f.toSlot) reserved_.insert(*f.toSlot);
    if (f.targetSlot) reserved_.insert(*f.targetSlot);
    servers_.at(f.server).state = domain::ServerState::Binding;
    if (f.phase == FailoverPhase::Detected) {
        // Nothing acted yet. An automatic failover or a bind goes on with its
        // first step (the machine notes the resume); a planned move starts over.
        if (!planned(f.kind)) {
            f.phase = FailoverPhase::Fencing;
        } else {
            f.history.push_back({FailoverPhase::Detected, events::nowUnixMs(), 0, "resumed after a restart"});
        }
    }
    auto id = f.id;
    auto run = std::make_unique<Run>(io_, std::move(f), cfg_.timeouts);
    auto& r = *run;
    runs_[id] = std::move(run);
    advance(r, r.machine.start(events::nowUnixMs()));
}

void Orchestrator::journal(Run& r, std::function<void(bool ok)> then) {
    const auto& f = r.machine.record();
    store::Batch b;
    b.saveFailover(f);
    auto& srv = servers_.at(f.server);
    b.saveLogicalServer(srv);
    history_[f.id] = f;
    store_.apply(std::move(b), [then = std::move(then)](bool ok, const std::string& err) {
        if (!ok) std::cout << "cmcd: failover journal write failed: " << err << "\n";
        then(ok);
    });
}

void Orchestrator::advance(Run& r, domain::Step step) {
    const auto& f = r.machine.record();
    auto id = f.id;
    ++r.generation;
    r.timer.cancel();
    r.poll.cancel();
    // Side effects of the phase just entered, journaled with it.
    if (!f.history.empty()) {
        const auto& last = f.history.back();
        std::cout << "cmcd: failover " << id << " server=" << f.server << " phase " << domain::toString(f.phase)
                  << (last.slot ? " blade=" + std::to_string(last.slot) : std::string()) << " step "
                  << domain::toString(step.kind) << (last.note.empty() ? "" : ": " + last.note) << "\n";
        events_.raise("FailoverPhaseChanged",
                      {std::to_string(id), f.server, domain::toString(f.phase),
                       last.slot ? std::to_string(last.slot) : std::string("none"),
                       last.note.empty() ? domain::toString(step.kind) : last.note},
                      taskOrigin(id));
    }
    if (f.terminal()) {
        finish(r);
        return;
    }
    auto gen = r.generation;
    journal(r, [this, id, gen, step](bool ok) {
        auto it = runs_.find(id);
        if (it == runs_.end() || it->second->generation != gen || stopped_) return;
        if (!ok) {
            // Not journaled: do not act. Try again shortly (the disk may recover).
            auto& run = *it->second;
            run.timer.expires_after(std::chrono::seconds(1));
            run.timer.async_wait([this, id, gen, step](boost::system::error_code ec) {
                auto j = runs_.find(id);
                if (ec || j == runs_.end() || j->second->generation != gen) return;
                advance(*j->second, step);
            });
            return;
        }
        killIfAsked(it->second->machine.record().phase, id);
        perform(id, step);
    });
}

void Orchestrator::perform(std::int64_t id, domain::Step step) {
    auto it = runs_.find(id);
    if (it == runs_.end()) return;
    auto& r = *it->second;
    auto gen = r.generation;
    auto now = events::nowUnixMs();
    auto wait = std::max<std::int64_t>(0, step.deadlineMs - now);
    r.timer.expires_after(std::chrono::milliseconds(wait));
    r.timer.async_wait([this, id, gen](boost::system::error_code ec) {
        if (!ec) timedOut(id, gen);
    });
    auto answer = [this, id, gen](domain::StepOutcome o) { deliver(id, gen, std::move(o)); };
    const auto& f = r.machine.record();
    const auto& srv = servers_.at(f.server);
    switch (step.kind) {
    case StepKind::None: return;
    case StepKind::Shutdown:
        svc_.setPowerIntent(step.slot, domain::PowerIntent::Off,
                            "failover " + std::to_string(id) + ": planned shutdown");
        svc_.powerOffBlade(step.slot, true, std::max<std::int64_t>(100, wait - 50), answer);
        return;
    case StepKind::Fence:
        svc_.setPowerIntent(step.slot, domain::PowerIntent::Off, "failover " + std::to_string(id) + ": fence");
        svc_.powerOffBlade(step.slot, false, std::max<std::int64_t>(100, wait - 50), answer);
        return;
    case StepKind::FabricFence: svc_.fabricFenceBlade(step.slot, false, answer); return;
    case StepKind::Allocate: allocate(r, gen); return;
    case StepKind::Program: svc_.programBlade(step.slot, srv, answer); return;
    case StepKind::PowerOn:
        svc_.setPowerIntent(step.slot, domain::PowerIntent::On,
                            "failover " + std::to_string(id) + ": runs " + f.server);
        svc_.powerOnBlade(step.slot, answer);
        return;
    case StepKind::Verify: verifyPoll(id, gen); return;
    case StepKind::Release:
        svc_.setPowerIntent(step.slot, domain::PowerIntent::Off,
                            "failover " + std::to_string(id) + ": spare released after a failed step");
        svc_.powerOffBlade(step.slot, false, std::max<std::int64_t>(100, wait / 2),
                           [this, id, gen, slot = step.slot](domain::StepOutcome o) {
                               if (o.ok) {
                                   deliver(id, gen, std::move(o));
                                   return;
                               }
                               // The spare does not power off: cut it off the fabric instead.
                               svc_.fabricFenceBlade(
                                   slot, false, [this, id, gen, first = o.detail](domain::StepOutcome cut) {
                                       if (cut.ok) cut.detail = "power off failed (" + first + "); " + cut.detail;
                                       deliver(id, gen, std::move(cut));
                                   });
                           });
        return;
    }
}

void Orchestrator::allocate(Run& r, std::uint64_t gen) {
    const auto& f = r.machine.record();
    auto id = f.id;
    const auto& srv = servers_.at(f.server);
    domain::StepOutcome o;
    if (f.targetSlot && std::find(f.triedSlots.begin(), f.triedSlots.end(), *f.targetSlot) == f.triedSlots.end()) {
        const auto* b = svc_.bladeInfo(*f.targetSlot);
        auto h = svc_.bladeHealth(*f.targetSlot);
        auto unmet = b ? srv.requirements.unmetBy(*b) : std::string("no such blade");
        if (!unmet.empty()) {
            o.detail = "blade " + std::to_string(*f.targetSlot) + " cannot take " + f.server + ": " + unmet;
        } else if (h == domain::HealthState::Failed || h == domain::HealthState::BmcUnreachable) {
            o.detail = "blade " + std::to_string(*f.targetSlot) + " is " + domain::toString(h);
        } else {
            o.ok = true;
            o.slot = *f.targetSlot;
            o.detail = "blade " + std::to_string(*f.targetSlot) + " as asked";
        }
    } else {
        auto now = events::nowUnixMs();
        auto held = f.kind == FailoverKind::Automatic ? holdReason(f.server, now) : std::nullopt;
        if (held) {
            o.detail = "automatic failover paused by the storm breaker: " + *held;
        } else if (srv.policy.sparePool.empty()) {
            o.detail = f.server + " names no spare pool";
        } else {
            auto cands = candidates(srv.policy.sparePool);
            // The blades this failover holds are not free for it.
            for (auto& c : cands) {
                if (f.fromSlot == c.slot)
                    c.reserved = true;
                else if (reserved_.contains(c.slot) && c.slot != f.toSlot)
                    c.reserved = true;
            }
            auto choice = domain::rankSpares(srv, cands, f.triedSlots);
            if (choice.ranked.empty()) {
                std::string why;
                for (const auto& j : choice.rejected)
                    why += (why.empty() ? "" : "; ") + j;
                o.detail = "no compatible spare in pool " + srv.policy.sparePool + (why.empty() ? "" : ": " + why);
            } else {
                o.ok = true;
                o.slot = choice.ranked.front();
                o.detail = "spare blade " + std::to_string(*o.slot) + " from pool " + srv.policy.sparePool;
            }
        }
    }
    if (o.ok) reserved_.insert(*o.slot);
    // Answer on the next turn of the loop, like every other step.
    boost::asio::post(io_, [this, id, gen, o]() { deliver(id, gen, o); });
}

void Orchestrator::verifyPoll(std::int64_t id, std::uint64_t gen) {
    auto it = runs_.find(id);
    if (it == runs_.end() || it->second->generation != gen) return;
    auto& r = *it->second;
    auto slot = r.machine.current().slot;
    svc_.checkServerAnswers(slot, servers_.at(r.machine.record().server), cfg_.verifySanLogin, cfg_.verifyWatchdog,
                            [this, id, gen](domain::StepOutcome o) { onVerifyCheck(id, gen, std::move(o)); });
}

void Orchestrator::onVerifyCheck(std::int64_t id, std::uint64_t gen, domain::StepOutcome o) {
    auto j = runs_.find(id);
    if (j == runs_.end() || j->second->generation != gen) return;
    auto& run = *j->second;
    auto now = steadyMs();
    if (o.ok) {
        // Up: it must stay up for verifyStableMs, at most a quarter of the
        // verification timeout (a host that fails right after boot is not a
        // working spare).
        if (run.upSinceMs < 0) {
            run.upSinceMs = now;
            run.upDetail = o.detail;
        }
        auto stable = std::min(cfg_.verifyStableMs, cfg_.timeouts.verifyMs / 4);
        if (now - run.upSinceMs >= stable) {
            if (stable > 0) o.detail += " (held for " + std::to_string(now - run.upSinceMs) + " ms)";
            run.upSinceMs = -1;
            deliver(id, gen, std::move(o));
            return;
        }
    } else if (run.upSinceMs >= 0) {
        // It was up and went down again within the window: the spare flaps.
        o.detail = "up (" + run.upDetail + "), then down again after " + std::to_string(now - run.upSinceMs) +
                   " ms: " + o.detail;
        run.upSinceMs = -1;
        deliver(id, gen, std::move(o));
        return;
    } else {
        run.lastCheck = o.detail;
    }
    run.poll.expires_after(std::chrono::milliseconds(cfg_.verifyPollMs));
    run.poll.async_wait([this, id, gen](boost::system::error_code ec) {
        if (!ec) verifyPoll(id, gen);
    });
}

void Orchestrator::deliver(std::int64_t id, std::uint64_t gen, domain::StepOutcome o) {
    auto it = runs_.find(id);
    if (it == runs_.end() || it->second->generation != gen || stopped_) return;
    auto& r = *it->second;
    auto before = r.machine.record();
    auto prev = r.machine.current();
    auto next = r.machine.onOutcome(o, events::nowUnixMs());
    const auto& f = r.machine.record();
    // Role changes that go with the outcome, persisted with the next journal.
    store::Batch batch;
    if ((prev.kind == StepKind::Fence || prev.kind == StepKind::FabricFence || prev.kind == StepKind::Shutdown) &&
        f.fenced() && !before.fenced() && f.fromSlot) {
        if (planned(f.kind)) {
            // A planned move: the blade stays serviceable (identity cleared when the move completes).
        } else {
            setRole(*f.fromSlot, domain::BladeRole::Failed, f.cause, batch);
            events_.raise("BladeFenced", {std::to_string(*f.fromSlot), domain::toString(f.fence), std::to_string(id)},
                          "/redfish/v1/Chassis/" + bladeId(*f.fromSlot));
        }
        auto& srv = servers_.at(f.server);
        srv.slot.reset();
    }
    if (prev.kind == StepKind::Allocate && f.toSlot) setRole(*f.toSlot, domain::BladeRole::Active, {}, batch);
    if (prev.kind == StepKind::Allocate && !o.ok && o.slot) reserved_.erase(*o.slot);
    if (prev.kind == StepKind::Release) {
        reserved_.erase(prev.slot);
        if (o.ok) {
            // Off (or cut off the fabric): its virtual addresses go too, best effort.
            int released = prev.slot;
            svc_.clearBladeIdentity(released, [released](const domain::StepOutcome& c) {
                if (!c.ok) std::cout << "cmcd: blade=" << released << " identity not cleared: " << c.detail << "\n";
            });
        }
        std::string why =
            "failed to take " + f.server + ": " + (before.history.empty() ? std::string() : before.history.back().note);
        setRole(prev.slot, domain::BladeRole::Quarantined, why, batch);
        events_.raise("BladeQuarantined", {std::to_string(prev.slot), why},
                      "/redfish/v1/Chassis/" + bladeId(prev.slot));
    }
    if (!batch.empty()) store_.apply(std::move(batch));
    advance(r, next);
}

void Orchestrator::timedOut(std::int64_t id, std::uint64_t gen) {
    auto it = runs_.find(id);
    if (it == runs_.end() || it->second->generation != gen || stopped_) return;
    auto& r = *it->second;
    auto prev = r.machine.current();
    if (prev.kind == StepKind::Allocate) return; // answers at once
    std::cout << "cmcd: failover " << id << " step " << domain::toString(prev.kind) << " timed out\n";
    if (prev.kind == StepKind::Verify || prev.kind == StepKind::Program || prev.kind == StepKind::PowerOn) {
        // Timeout is a failure outcome of the same step (the machine releases the spare).
        domain::StepOutcome o;
        o.detail = std::string(domain::toString(prev.kind)) + " on blade " + std::to_string(prev.slot) +
                   " did not finish in time" +
                   (prev.kind == StepKind::Verify && !r.lastCheck.empty() ? " (" + r.lastCheck + ")" : "");
        deliver(id, gen, o);
        return;
    }
    auto next = r.machine.onTimeout(events::nowUnixMs());
    advance(r, next);
}

void Orchestrator::finish(Run& r) {
    auto f = r.machine.record();
    auto id = f.id;
    auto& srv = servers_.at(f.server);
    store::Batch batch;
    if (f.phase == FailoverPhase::Completed && f.toSlot) {
        srv.slot = f.toSlot;
        srv.state =
            srv.desiredPower == domain::PowerIntent::On ? domain::ServerState::Running : domain::ServerState::Stopped;
        srv.stateReason.clear();
        setRole(*f.toSlot, domain::BladeRole::Active, {}, batch);
        std::int64_t took = f.endMs - f.createdMs;
        events_.raise(
            "FailoverCompleted",
            {std::to_string(id), f.server, std::to_string(*f.toSlot), domain::toString(f.fence), std::to_string(took)},
            taskOrigin(id));
        audit(f.requestedBy, "Failover", f.server, f.cause,
              "completed on blade " + std::to_string(*f.toSlot) + " in " + std::to_string(took) + " ms");
        if (planned(f.kind) && f.fromSlot) {
            int from = *f.fromSlot;
            setRole(from, poolOf(from) ? domain::BladeRole::Spare : domain::BladeRole::Unassigned, {}, batch);
            svc_.clearBladeIdentity(from, [from](domain::StepOutcome o) {
                if (!o.ok) std::cout << "cmcd: blade=" << from << " identity not cleared: " << o.detail << "\n";
            });
        }
    } else {
        srv.state = domain::ServerState::Down;
        srv.stateReason = f.reason;
        if (f.toSlot) srv.slot.reset();
        events_.raise("FailoverFailed", {std::to_string(id), f.server, f.reason}, taskOrigin(id));
        events_.raise("LogicalServerDown", {f.server, f.reason}, serverOrigin(f.server));
        audit(f.requestedBy, "Failover", f.server, f.cause, "failed: " + f.reason);
        if (!f.fenced() && f.fromSlot && planned(f.kind)) srv.slot = f.fromSlot; // nothing moved
        if (!f.fenced() && f.fromSlot && !planned(f.kind)) srv.slot = f.fromSlot;
    }
    batch.saveFailover(f);
    batch.saveLogicalServer(srv);
    store_.apply(std::move(batch), [this, phase = f.phase, id](bool, const std::string&) { killIfAsked(phase, id); });
    history_[id] = f;
    if (f.fromSlot) reserved_.erase(*f.fromSlot);
    if (f.toSlot) reserved_.erase(*f.toSlot);
    if (f.targetSlot) reserved_.erase(*f.targetSlot);
    // Destroy the run after its handlers unwound.
    boost::asio::post(io_, [this, id]() { runs_.erase(id); });
    r.timer.cancel();
    r.poll.cancel();
    ++r.generation;
}

} // namespace cmc::app
