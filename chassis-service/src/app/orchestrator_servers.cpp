// The orchestrator: logical servers created, changed and deleted, and the
// operator actions on servers and blades.
#include <iostream>

#include "app/orchestrator_internal.hpp"
#include "app/service.hpp"
#include "events/event_log.hpp"
#include "store/store.hpp"

namespace cmc::app {

using namespace orch; // NOLINT(google-build-using-namespace): the orchestrator's own helpers

// ------------------------------------------------------------------ create / update / delete

OperationResult Orchestrator::allocateServer(const domain::LogicalServerSpec& spec, const std::string& origin,
                                             domain::LogicalServer& s) {
    auto e = domain::validateSpec(spec);
    if (!e.empty()) return badValue("", "", e);
    if (servers_.contains(spec.name))
        return result(Code::Conflict, "a logical server named '" + spec.name + "' already exists", "LogicalServer",
                      spec.name);
    if (!spec.policy.sparePool.empty() && !pools_.contains(spec.policy.sparePool))
        return result(Code::NotFound, "no spare pool '" + spec.policy.sparePool + "'", "SparePool",
                      spec.policy.sparePool);
    if (spec.slot) {
        const auto* b = svc_.bladeInfo(*spec.slot);
        if (!b)
            return result(Code::NotFound, "no blade in slot " + std::to_string(*spec.slot), "Blade",
                          bladeId(*spec.slot));
        if (auto other = serverOn(*spec.slot))
            return result(Code::Conflict, "blade " + std::to_string(*spec.slot) + " already runs '" + *other + "'",
                          "Blade", bladeId(*spec.slot));
        auto unmet = spec.requirements.unmetBy(*b);
        if (!unmet.empty())
            return badValue("Links/ResourceBlocks", bladeId(*spec.slot),
                            "blade " + std::to_string(*spec.slot) + " does not meet the requirements: " + unmet);
    }
    s = {};
    s.name = spec.name;
    s.boot = spec.boot;
    s.uuidPool = spec.uuidPool;
    s.requirements = spec.requirements;
    s.policy = spec.policy;
    s.desiredPower = spec.desiredPower;
    s.origin = origin;
    s.createdMs = s.updatedMs = events::nowUnixMs();
    // Every identity drawn or claimed; on the first refusal all of it is released.
    auto take = [&](domain::IdentityKind kind, const std::string& value, const std::string& pool,
                    const std::string& property, std::string& out) -> std::optional<OperationResult> {
        if (value.empty() && pool.empty()) return std::nullopt;
        domain::AllocationResult a;
        if (!value.empty()) {
            a = ids_.claim(kind, value, s.name);
        } else {
            if (!ids_.pool(pool))
                return result(Code::NotFound, "no identity pool '" + pool + "'", "IdentityPool", pool);
            if (ids_.pool(pool)->kind != kind)
                return badValue(property, pool,
                                "identity pool '" + pool + "' holds " + domain::toString(ids_.pool(pool)->kind) +
                                    ", not " + domain::toString(kind));
            a = ids_.allocate(pool, s.name);
        }
        if (!a.ok) {
            using Refusal = domain::AllocationResult::Refusal;
            if (a.refusal == Refusal::Exhausted || a.refusal == Refusal::Taken) {
                auto r = result(Code::Conflict, a.error, "IdentityPool", pool.empty() ? value : pool);
                r.property = property;
                r.value = value;
                return r;
            }
            return badValue(property, value, a.error);
        }
        out = a.allocation.value;
        return std::nullopt;
    };
    std::optional<OperationResult> bad;
    if (spec.uuid.empty() && spec.uuidPool.empty()) {
        bad = badValue("UUID", "", "a UUID or a UUID pool is required");
    } else {
        bad = take(domain::IdentityKind::Uuid, spec.uuid, spec.uuidPool, "UUID", s.uuid);
    }
    for (std::size_t i = 0; i < spec.vnics.size() && !bad; ++i) {
        const auto& n = spec.vnics[i];
        domain::VNic v;
        v.name = n.name;
        v.vlan = n.vlan;
        v.macPool = n.macPool;
        v.ipPool = n.ipPool;
        std::string where = "vnics/" + std::to_string(i);
        bad = take(domain::IdentityKind::Mac, n.mac, n.macPool, where + "/MACAddress", v.mac);
        if (!bad) bad = take(domain::IdentityKind::Ipv4, n.ip, n.ipPool, where + "/IPv4Address", v.ip);
        s.vnics.push_back(std::move(v));
    }
    for (std::size_t i = 0; i < spec.vhbas.size() && !bad; ++i) {
        const auto& h = spec.vhbas[i];
        domain::VHba v;
        v.name = h.name;
        v.wwpnPool = h.wwpnPool;
        bad = take(domain::IdentityKind::Wwpn, h.wwpn, h.wwpnPool, "vhbas/" + std::to_string(i) + "/WWPN", v.wwpn);
        s.vhbas.push_back(std::move(v));
    }
    if (bad) {
        ids_.releaseAll(s.name);
        return *bad;
    }
    return result(Code::Ok, "", "LogicalServer", s.name);
}

void Orchestrator::persistNewServer(domain::LogicalServer s, std::vector<domain::Allocation> allocs,
                                    const std::string& who, std::optional<int> bindTo, OpDone done) {
    store::Batch batch;
    for (const auto& a : allocs)
        batch.saveAllocation(a);
    batch.saveLogicalServer(s);
    auto name = s.name;
    servers_[name] = std::move(s);
    store_.apply(std::move(batch), [this, name, who, bindTo, done](bool ok, const std::string& err) {
        if (!ok) {
            // Nothing half-allocated: the identity goes back to the pools.
            servers_.erase(name);
            ids_.releaseAll(name);
            audit(who, "CreateLogicalServer", name, "", "refused: " + err);
            done(result(Code::Unavailable, "the logical server could not be stored: " + err));
            return;
        }
        events_.raise("LogicalServerCreated", {name, who}, serverOrigin(name));
        audit(who, "CreateLogicalServer", name, "", "created");
        auto r = result(Code::Ok, "", "LogicalServer", name);
        const auto& srv = servers_.at(name);
        if (srv.desiredPower == domain::PowerIntent::On && (bindTo || !srv.policy.sparePool.empty())) {
            r.taskId = startFailover(name, FailoverKind::Bind, "created by " + who, who, std::nullopt, bindTo);
            r.code = Code::Accepted;
        }
        done(r);
    });
}

void Orchestrator::create(domain::LogicalServerSpec spec, const std::string& who, OpDone done) {
    if (!ready_) {
        done(result(Code::Unavailable,
                    "the failover orchestrator is starting (blades are being discovered); retry shortly"));
        return;
    }
    domain::LogicalServer s;
    auto r = allocateServer(spec, who, s);
    if (!r.ok()) {
        audit(who, "CreateLogicalServer", spec.name, "", "refused: " + r.message);
        done(r);
        return;
    }
    std::vector<domain::Allocation> allocs;
    for (const auto& a : ids_.allocations())
        if (a.owner == s.name) allocs.push_back(a);
    persistNewServer(std::move(s), std::move(allocs), who, spec.slot, std::move(done));
}

void Orchestrator::update(const std::string& name, domain::FailoverPolicy policy, domain::HardwareRequirements req,
                          const std::string& who, OpDone done) {
    auto it = servers_.find(name);
    if (it == servers_.end()) {
        done(result(Code::NotFound, "no logical server '" + name + "'", "LogicalServer", name));
        return;
    }
    if (!policy.sparePool.empty() && !pools_.contains(policy.sparePool)) {
        done(result(Code::NotFound, "no spare pool '" + policy.sparePool + "'", "SparePool", policy.sparePool));
        return;
    }
    if (req.minCpus < 0 || req.minMemoryGiB < 0) {
        done(badValue("Oem/OpenCMC/Requirements", "", "requirements cannot be negative"));
        return;
    }
    auto s = it->second;
    s.policy = policy;
    s.requirements = req;
    s.updatedMs = events::nowUnixMs();
    store::Batch b;
    b.saveLogicalServer(s);
    store_.apply(std::move(b), [this, s, who, done](bool ok, const std::string& err) {
        if (!ok) {
            done(result(Code::Unavailable, "not stored: " + err));
            return;
        }
        servers_[s.name] = s;
        audit(who, "UpdateLogicalServer", s.name, "", "updated");
        done(result(Code::Ok, "", "LogicalServer", s.name));
    });
}

void Orchestrator::remove(const std::string& name, const std::string& who, OpDone done) {
    auto it = servers_.find(name);
    if (it == servers_.end()) {
        done(result(Code::NotFound, "no logical server '" + name + "'", "LogicalServer", name));
        return;
    }
    if (activeFailoverOf(name)) {
        done(result(Code::Conflict, "a failover of '" + name + "' is in progress; retry when it has ended",
                    "LogicalServer", name));
        return;
    }
    auto slot = it->second.slot;
    auto finishDelete = [this, name, who, slot, done](domain::StepOutcome off) {
        if (!off.ok) {
            audit(who, "DeleteLogicalServer", name, "", "refused: " + off.detail);
            done(result(Code::Unavailable, "its blade could not be powered off: " + off.detail, "LogicalServer", name));
            return;
        }
        store::Batch b;
        auto held = ids_.allocations();
        for (const auto& a : held)
            if (a.owner == name) b.deleteAllocation(a.kind, a.value);
        b.deleteLogicalServer(name);
        if (slot) setRole(*slot, poolOf(*slot) ? domain::BladeRole::Spare : domain::BladeRole::Unassigned, {}, b);
        store_.apply(std::move(b), [this, name, who, slot, done](bool ok, const std::string& err) {
            if (!ok) {
                done(result(Code::Unavailable, "not stored: " + err));
                return;
            }
            servers_.erase(name);
            ids_.releaseAll(name);
            if (slot) svc_.clearBladeIdentity(*slot, [](const domain::StepOutcome&) {});
            events_.raise("LogicalServerDeleted", {name, who}, serverOrigin(name));
            audit(who, "DeleteLogicalServer", name, "", "deleted");
            done(result(Code::Ok, "", "LogicalServer", name));
        });
    };
    if (!slot) {
        finishDelete(domain::StepOutcome{true, "not bound", std::nullopt, domain::FenceMethod::NotNeeded});
        return;
    }
    svc_.setPowerIntent(*slot, domain::PowerIntent::Off, "logical server " + name + " deleted by " + who);
    svc_.powerOffBlade(*slot, false, cfg_.timeouts.fenceMs, finishDelete);
}

// ------------------------------------------------------------------ operator actions

void Orchestrator::serverAction(const std::string& name, domain::ServerAction action, std::optional<int> slot,
                                const std::string& who, OpDone done) {
    if (!ready_) {
        done(result(Code::Unavailable,
                    "the failover orchestrator is starting (blades are being discovered); retry shortly"));
        return;
    }
    auto it = servers_.find(name);
    if (it == servers_.end()) {
        done(result(Code::NotFound, "no logical server '" + name + "'", "LogicalServer", name));
        return;
    }
    if (activeFailoverOf(name)) {
        done(result(Code::Conflict, "a failover of '" + name + "' is in progress", "LogicalServer", name));
        return;
    }
    auto& s = it->second;
    switch (action) {
    case domain::ServerAction::Migrate:
    case domain::ServerAction::Failback: {
        std::optional<int> target = slot;
        if (action == domain::ServerAction::Failback) {
            for (auto h = history_.rbegin(); h != history_.rend() && !target; ++h) {
                if (h->second.server == name && h->second.kind == FailoverKind::Automatic &&
                    h->second.phase == FailoverPhase::Completed && h->second.fromSlot)
                    target = h->second.fromSlot;
            }
            if (!target) {
                done(result(Code::Conflict, "'" + name + "' has no earlier blade to fail back to", "LogicalServer",
                            name));
                return;
            }
        }
        if (target) {
            const auto* b = svc_.bladeInfo(*target);
            if (!b) {
                done(result(Code::NotFound, "no blade in slot " + std::to_string(*target), "Blade", bladeId(*target)));
                return;
            }
            if (serverOn(*target) || reserved_.contains(*target)) {
                done(result(Code::Conflict, "blade " + std::to_string(*target) + " is in use", "Blade",
                            bladeId(*target)));
                return;
            }
            bool maint = maintenance_.contains(*target) && maintenance_.at(*target);
            if (b->role == domain::BladeRole::Failed || b->role == domain::BladeRole::Quarantined || maint) {
                done(result(Code::Conflict,
                            "blade " + std::to_string(*target) + " is " +
                                (maint ? std::string("in maintenance") : std::string(domain::toString(b->role))) +
                                ": repair it (or end maintenance) first",
                            "Blade", bladeId(*target)));
                return;
            }
            if (target == s.slot) {
                done(result(Code::Conflict, "'" + name + "' already runs on blade " + std::to_string(*target), "Blade",
                            bladeId(*target)));
                return;
            }
            auto unmet = s.requirements.unmetBy(*b);
            if (!unmet.empty()) {
                done(badValue("Target", bladeId(*target), "blade " + std::to_string(*target) + ": " + unmet));
                return;
            }
        }
        auto kind = action == domain::ServerAction::Failback ? FailoverKind::Failback : FailoverKind::Migrate;
        auto id = startFailover(name, kind, std::string(domain::toString(kind)) + " requested by " + who, who, s.slot,
                                target);
        audit(who, domain::toString(kind), name, target ? "to blade " + std::to_string(*target) : "to any spare",
              "accepted: task " + std::to_string(id));
        auto r = result(Code::Accepted, "", "LogicalServer", name);
        r.taskId = id;
        done(r);
        return;
    }
    case domain::ServerAction::PowerOn:
    case domain::ServerAction::PowerOff: {
        bool on = action == domain::ServerAction::PowerOn;
        s.desiredPower = on ? domain::PowerIntent::On : domain::PowerIntent::Off;
        store::Batch b;
        if (s.slot) {
            svc_.setPowerIntent(*s.slot, s.desiredPower,
                                std::string("operator ") + (on ? "power on" : "power off") + " of " + name + " by " +
                                    who);
        }
        s.state = s.slot ? (on ? domain::ServerState::Running : domain::ServerState::Stopped) : s.state;
        b.saveLogicalServer(s);
        store_.apply(std::move(b));
        audit(who, on ? "PowerOn" : "PowerOff", name, "", "accepted");
        if (!s.slot) {
            if (on && !s.policy.sparePool.empty()) {
                auto r = result(Code::Accepted, "", "LogicalServer", name);
                r.taskId =
                    startFailover(name, FailoverKind::Bind, "power on by " + who, who, std::nullopt, std::nullopt);
                done(r);
                return;
            }
            done(result(Code::Ok, "", "LogicalServer", name));
            return;
        }
        auto cb = [done, name](domain::StepOutcome o) {
            done(o.ok ? result(Code::Ok, "", "LogicalServer", name)
                      : result(Code::Unavailable, o.detail, "LogicalServer", name));
        };
        if (on) {
            svc_.powerOnBlade(*s.slot, cb);
        } else {
            svc_.powerOffBlade(*s.slot, true, cfg_.timeouts.shutdownMs, cb);
        }
        return;
    }
    }
}

void Orchestrator::bladeAction(int slot, domain::BladeAction action, const std::string& who, OpDone done) {
    if (!ready_) {
        done(result(Code::Unavailable,
                    "the failover orchestrator is starting (blades are being discovered); retry shortly"));
        return;
    }
    const auto* b = svc_.bladeInfo(slot);
    if (!b) {
        done(result(Code::NotFound, "no blade in slot " + std::to_string(slot), "Blade", bladeId(slot)));
        return;
    }
    switch (action) {
    case domain::BladeAction::MaintenanceOn:
    case domain::BladeAction::MaintenanceOff: {
        bool on = action == domain::BladeAction::MaintenanceOn;
        maintenance_[slot] = on;
        saveFlags(slot);
        events_.raise("MaintenanceModeChanged", {std::to_string(slot), on ? "entered" : "left", who},
                      "/redfish/v1/Chassis/" + bladeId(slot));
        audit(who, on ? "MaintenanceOn" : "MaintenanceOff", bladeId(slot), "", "done");
        done(result(Code::Ok, "", "Blade", bladeId(slot)));
        return;
    }
    case domain::BladeAction::Evacuate: {
        auto name = serverOn(slot);
        if (!name) {
            done(result(Code::Ok, "blade " + std::to_string(slot) + " runs no logical server", "Blade", bladeId(slot)));
            return;
        }
        if (activeFailoverOf(*name)) {
            done(result(Code::Conflict, "a failover of '" + *name + "' is in progress", "LogicalServer", *name));
            return;
        }
        auto id = startFailover(*name, FailoverKind::Evacuate,
                                "evacuation of blade " + std::to_string(slot) + " requested by " + who, who, slot,
                                std::nullopt);
        audit(who, "Evacuate", bladeId(slot), "", "accepted: task " + std::to_string(id));
        auto r = result(Code::Accepted, "", "LogicalServer", *name);
        r.taskId = id;
        done(r);
        return;
    }
    case domain::BladeAction::Repair: {
        if (b->role != domain::BladeRole::Failed && b->role != domain::BladeRole::Quarantined) {
            done(result(Code::Conflict,
                        "blade " + std::to_string(slot) + " is " + domain::toString(b->role) +
                            ", not Failed or Quarantined",
                        "Blade", bladeId(slot)));
            return;
        }
        // The check: its BMC answers and the monitor does not judge it failed.
        auto h = svc_.bladeHealth(slot);
        if (h == domain::HealthState::Failed || h == domain::HealthState::BmcUnreachable ||
            h == domain::HealthState::Absent || h == domain::HealthState::Unknown) {
            audit(who, "Repair", bladeId(slot), "", std::string("refused: health ") + domain::toString(h));
            done(result(Code::Conflict,
                        std::string("blade does not pass the check: its health is ") + domain::toString(h), "Blade",
                        bladeId(slot)));
            return;
        }
        svc_.fabricFenceBlade(slot, true, [this, slot, who, done](domain::StepOutcome ports) {
            svc_.clearBladeIdentity(slot, [this, slot, who, done, ports](domain::StepOutcome id) {
                if (!id.ok) {
                    audit(who, "Repair", bladeId(slot), "", "refused: " + id.detail);
                    done(result(Code::Unavailable,
                                "the blade's burned-in addresses could not be restored: " + id.detail, "Blade",
                                bladeId(slot)));
                    return;
                }
                auto pool = poolOf(slot);
                auto role = pool ? domain::BladeRole::Spare : domain::BladeRole::Unassigned;
                store::Batch rb;
                setRole(slot, role, {}, rb);
                store_.apply(std::move(rb));
                if (pool) {
                    auto kind = pools_.at(*pool).members.at(slot);
                    auto want = kind == domain::SpareKind::Warm ? domain::PowerIntent::On : domain::PowerIntent::Off;
                    svc_.setPowerIntent(slot, want, "repaired; " + std::string(domain::toString(kind)) + " spare");
                    if (want == domain::PowerIntent::On) svc_.powerOnBlade(slot, [](const domain::StepOutcome&) {});
                }
                events_.raise("BladeRepaired", {std::to_string(slot), who, domain::toString(role)},
                              "/redfish/v1/Chassis/" + bladeId(slot));
                audit(who, "Repair", bladeId(slot), ports.ok ? "" : "fabric ports: " + ports.detail, "done");
                done(result(Code::Ok, "", "Blade", bladeId(slot)));
            });
        });
        return;
    }
    }
}

void Orchestrator::acknowledgeStorm(const std::string& who, OpDone done) {
    auto now = events::nowUnixMs();
    storm_.acknowledge(now);
    for (auto& [pool, ps] : poolStorms_)
        ps.breaker.acknowledge(now);
    audit(who, "AcknowledgeStorm", "chassis", "", "done");
    checkStorm();
    done(result(Code::Ok, ""));
}

} // namespace cmc::app
