// The orchestrator: state, read models and start-up (see orchestrator.hpp).
#include "app/orchestrator.hpp"

#include <iostream>
#include <map>
#include <set>

#include "app/orchestrator_internal.hpp"
#include "app/service.hpp"
#include "events/event_log.hpp"
#include "store/store.hpp"

namespace cmc::app {

using namespace orch; // NOLINT(google-build-using-namespace): the orchestrator's own helpers

Orchestrator::Orchestrator(boost::asio::io_context& io, ChassisService& svc, store::Store& store,
                           events::EventLog& events, config::FailoverConfig cfg)
    : io_(io), svc_(svc), store_(store), events_(events), cfg_(std::move(cfg)), storm_(cfg_.storm), stormTimer_(io) {}

Orchestrator::~Orchestrator() = default;

std::string Orchestrator::load(const store::OrchestratorState& st, const config::Declarations& d) {
    for (const auto& p : st.identityPools) {
        auto e = ids_.addPool(p);
        if (!e.empty()) return "stored identity pool '" + p.name + "': " + e;
    }
    ids_.load(st.allocations);
    for (const auto& s : st.servers)
        servers_[s.name] = s;
    for (const auto& p : st.sparePools)
        pools_[p.name] = p;
    for (const auto& f : st.bladeFlags) {
        maintenance_[f.slot] = f.maintenance;
        if (!f.roleReason.empty()) roleReason_[f.slot] = f.roleReason;
    }
    for (const auto& f : st.failovers) {
        history_[f.id] = f;
        if (!f.terminal()) toResume_.push_back(f);
    }
    nextId_ = store_.nextFailoverIdSync();
    // Declarations: pools must not conflict with what is stored; servers must
    // name pools that exist (declared or stored).
    for (const auto& p : d.identityPools) {
        auto e = ids_.addPool(p);
        if (!e.empty()) return "config: identity pool '" + p.name + "': " + e;
    }
    for (const auto& p : d.sparePools) {
        for (const auto& [slot, kind] : p.members) {
            for (const auto& [name, other] : pools_) {
                if (name != p.name && other.members.contains(slot))
                    return "config: spare pool '" + p.name + "': blade " + std::to_string(slot) +
                           " is already in spare pool '" + name + "'";
            }
        }
        pools_[p.name] = p;
    }
    for (const auto& s : d.servers) {
        auto check = [&](const std::string& pool, domain::IdentityKind kind, const std::string& field) -> std::string {
            if (pool.empty()) return {};
            const auto* p = ids_.pool(pool);
            if (!p) return "config: logical server '" + s.name + "' " + field + ": no identity pool '" + pool + "'";
            if (p->kind != kind)
                return "config: logical server '" + s.name + "' " + field + ": pool '" + pool + "' holds " +
                       domain::toString(p->kind) + ", not " + domain::toString(kind);
            return {};
        };
        std::string e = check(s.uuidPool, domain::IdentityKind::Uuid, "uuidPool");
        for (std::size_t i = 0; i < s.vnics.size() && e.empty(); ++i) {
            e = check(s.vnics[i].macPool, domain::IdentityKind::Mac, "vnics[" + std::to_string(i) + "].macPool");
            if (e.empty())
                e = check(s.vnics[i].ipPool, domain::IdentityKind::Ipv4, "vnics[" + std::to_string(i) + "].ipPool");
        }
        for (std::size_t i = 0; i < s.vhbas.size() && e.empty(); ++i)
            e = check(s.vhbas[i].wwpnPool, domain::IdentityKind::Wwpn, "vhbas[" + std::to_string(i) + "].wwpnPool");
        if (e.empty() && !s.policy.sparePool.empty() && !pools_.contains(s.policy.sparePool))
            e = "config: logical server '" + s.name + "': no spare pool '" + s.policy.sparePool + "'";
        if (!e.empty()) return e;
    }
    // A dry run of what applying the declarations will allocate: a duplicate
    // or exhausted identity is a bad declaration (exit 2), not a surprise later.
    auto saved = ids_;
    std::string bad;
    for (const auto& spec : d.servers) {
        if (servers_.contains(spec.name)) continue;
        auto dry = spec;
        dry.slot.reset(); // the blade is checked when it is known (inventory)
        domain::LogicalServer s;
        auto r = allocateServer(dry, "config", s);
        if (!r.ok()) {
            bad = "config: logical server '" + spec.name + "': " + r.message;
            break;
        }
    }
    ids_ = std::move(saved);
    if (!bad.empty()) return bad;
    declared_ = d;
    return {};
}

void Orchestrator::stop() {
    stopped_ = true;
    for (auto& [id, r] : runs_) {
        r->timer.cancel();
        r->poll.cancel();
    }
    stormTimer_.cancel();
}

// ------------------------------------------------------------------ views

std::optional<std::string> Orchestrator::poolOf(int slot) const {
    for (const auto& [name, p] : pools_)
        if (p.members.contains(slot)) return name;
    return std::nullopt;
}

std::optional<std::string> Orchestrator::serverOn(int slot) const {
    for (const auto& [name, s] : servers_)
        if (s.slot == slot) return name;
    return std::nullopt;
}

domain::ResourceBlockView Orchestrator::blockView(int slot) const {
    domain::ResourceBlockView v;
    v.slot = slot;
    if (const auto* b = svc_.bladeInfo(slot)) {
        v.role = b->role;
        v.powerState = b->powerState;
    }
    v.health = svc_.bladeHealth(slot);
    auto m = maintenance_.find(slot);
    v.maintenance = m != maintenance_.end() && m->second;
    v.server = serverOn(slot);
    v.reserved = reserved_.contains(slot);
    v.sparePool = poolOf(slot);
    if (v.sparePool) v.spareKind = pools_.at(*v.sparePool).members.at(slot);
    if (auto r = roleReason_.find(slot); r != roleReason_.end()) v.roleReason = r->second;
    return v;
}

std::vector<domain::BladeCandidate> Orchestrator::candidates(const std::string& pool, bool membersOnly) const {
    std::vector<domain::BladeCandidate> out;
    const domain::SparePool* p = nullptr;
    if (auto it = pools_.find(pool); it != pools_.end()) p = &it->second;
    std::vector<int> slots; // by slot either way
    if (!membersOnly) {
        slots = svc_.bladeSlots();
    } else if (p) {
        for (const auto& [slot, kind] : p->members)
            slots.push_back(slot);
    }
    std::set<int> bound; // the blades a server runs on: one pass, not one per blade
    for (const auto& [name, s] : servers_)
        if (s.slot) bound.insert(*s.slot);
    out.reserve(slots.size());
    for (int slot : slots) {
        const auto* b = svc_.bladeInfo(slot);
        if (!b) continue;
        domain::BladeCandidate c;
        c.slot = slot;
        c.blade = b;
        c.health = svc_.bladeHealth(slot);
        c.role = b->role;
        auto m = maintenance_.find(slot);
        c.maintenance = m != maintenance_.end() && m->second;
        c.reserved = reserved_.contains(slot) || bound.contains(slot);
        if (p) {
            if (auto k = p->members.find(slot); k != p->members.end()) c.spare = k->second;
        }
        out.push_back(c);
    }
    return out;
}

std::optional<std::int64_t> Orchestrator::activeFailoverOf(const std::string& server) const {
    for (const auto& [id, r] : runs_)
        if (r->machine.record().server == server) return id;
    return std::nullopt;
}

std::vector<std::string> Orchestrator::serverNames() const {
    std::vector<std::string> out;
    for (const auto& [name, s] : servers_)
        out.push_back(name);
    return out;
}

std::optional<domain::LogicalServerView> Orchestrator::serverView(const std::string& name) const {
    auto it = servers_.find(name);
    if (it == servers_.end()) return std::nullopt;
    domain::LogicalServerView v;
    v.server = it->second;
    if (v.server.slot) v.blade = blockView(*v.server.slot);
    auto cov = domain::coverage({v.server}, candidates(v.server.policy.sparePool, true));
    if (!cov.empty()) v.coverage = cov.front();
    v.activeFailover = activeFailoverOf(name);
    for (const auto& [id, f] : history_)
        if (f.server == name) v.lastFailover = id;
    return v;
}

std::optional<domain::ResourceBlockView> Orchestrator::resourceBlock(int slot) const {
    if (!svc_.bladeInfo(slot)) return std::nullopt;
    return blockView(slot);
}

std::vector<std::int64_t> Orchestrator::failoverIds() const {
    std::vector<std::int64_t> out;
    for (const auto& [id, f] : history_)
        out.push_back(id);
    return out;
}

std::optional<domain::Failover> Orchestrator::failover(std::int64_t id) const {
    if (auto r = runs_.find(id); r != runs_.end()) return r->second->machine.record();
    if (auto h = history_.find(id); h != history_.end()) return h->second;
    return std::nullopt;
}

std::vector<domain::SparePoolView> Orchestrator::sparePools() const {
    std::vector<domain::SparePoolView> out;
    for (const auto& [name, p] : pools_) {
        domain::SparePoolView v;
        v.pool = p;
        for (const auto& [slot, kind] : p.members)
            if (svc_.bladeInfo(slot)) v.members.push_back(blockView(slot));
        for (const auto& [sname, s] : servers_)
            if (s.policy.sparePool == name) v.servers.push_back(sname);
        out.push_back(std::move(v));
    }
    return out;
}

std::vector<domain::IdentityPoolView> Orchestrator::identityPools() const {
    std::vector<domain::IdentityPoolView> out;
    for (const auto& [name, p] : ids_.pools())
        out.push_back({p, ids_.usage(name)});
    return out;
}

std::vector<domain::CoverageEntry> Orchestrator::coverageReport() const {
    std::vector<domain::CoverageEntry> out;
    std::map<std::string, std::vector<domain::BladeCandidate>> byPool; // one candidate list per spare pool
    for (const auto& [name, s] : servers_) {
        auto [it, fresh] = byPool.try_emplace(s.policy.sparePool);
        if (fresh) it->second = candidates(s.policy.sparePool);
        auto c = domain::coverage({s}, it->second);
        if (!c.empty()) out.push_back(c.front());
    }
    return out;
}

domain::WhatIf Orchestrator::whatIf(int slot) const {
    auto name = serverOn(slot);
    if (!name) {
        domain::WhatIf w;
        w.slot = slot;
        w.reason = "no logical server runs on blade " + std::to_string(slot);
        return w;
    }
    const auto& s = servers_.at(*name);
    std::vector<domain::LogicalServer> all;
    for (const auto& [n, srv] : servers_)
        all.push_back(srv);
    return domain::whatIf(slot, all, candidates(s.policy.sparePool));
}

domain::StormView Orchestrator::storm() const {
    domain::StormView v;
    auto now = events::nowUnixMs();
    v.tripped = storm_.trippedAt(now, svc_.bladeCount());
    v.reason = v.tripped ? storm_.reason() : std::string();
    v.failuresInWindow = storm_.countedAt(now);
    v.policy = storm_.policy();
    return v;
}

// ------------------------------------------------------------------ audit, roles

void Orchestrator::audit(const std::string& who, const std::string& action, const std::string& subject,
                         const std::string& reason, const std::string& outcome) {
    store::AuditRecord a;
    a.timeMs = events::nowUnixMs();
    a.who = who;
    a.action = action;
    a.subject = subject;
    a.reason = reason;
    a.outcome = outcome;
    std::cout << "cmcd: audit who=" << who << " action=" << action << " subject=" << subject << " outcome=" << outcome
              << (reason.empty() ? "" : " reason=\"" + reason + "\"") << "\n";
    store::Batch b;
    b.appendAudit(std::move(a));
    store_.apply(std::move(b));
}

void Orchestrator::setRole(int slot, domain::BladeRole role, std::string reason, store::Batch& batch) {
    auto b = svc_.setBladeRole(slot, role);
    if (!b) return;
    batch.saveBlade(*b);
    if (reason.empty()) {
        roleReason_.erase(slot);
    } else {
        roleReason_[slot] = reason;
    }
    store::BladeFlags f;
    f.slot = slot;
    f.maintenance = maintenance_.contains(slot) && maintenance_[slot];
    f.roleReason = std::move(reason);
    batch.saveBladeFlags(f);
}

void Orchestrator::saveFlags(int slot) {
    store::BladeFlags f;
    f.slot = slot;
    f.maintenance = maintenance_.contains(slot) && maintenance_[slot];
    if (auto r = roleReason_.find(slot); r != roleReason_.end()) f.roleReason = r->second;
    store::Batch b;
    b.saveBladeFlags(f);
    store_.apply(std::move(b));
}

// ------------------------------------------------------------------ start-up

void Orchestrator::begin() {
    ready_ = true;
    // Roles follow the pools: a blade in a pool that holds no server is a spare.
    store::Batch batch;
    for (const auto& [name, p] : pools_) {
        for (const auto& [slot, kind] : p.members) {
            const auto* b = svc_.bladeInfo(slot);
            if (!b || serverOn(slot)) continue;
            if (b->role == domain::BladeRole::Unassigned || b->role == domain::BladeRole::Active) {
                setRole(slot, domain::BladeRole::Spare, {}, batch);
            }
        }
    }
    for (const auto& [name, s] : servers_) {
        if (s.slot && svc_.bladeInfo(*s.slot) && svc_.bladeInfo(*s.slot)->role != domain::BladeRole::Active &&
            !activeFailoverOf(name)) {
            setRole(*s.slot, domain::BladeRole::Active, {}, batch);
        }
    }
    if (!batch.empty()) store_.apply(std::move(batch));
    // Resume what a previous run left unfinished, before anything new starts.
    for (auto& f : toResume_)
        resume(std::move(f));
    toResume_.clear();
    // A server whose blade failed while cmcd was not watching.
    for (const auto& [name, s] : servers_) {
        if (s.slot && !activeFailoverOf(name) && svc_.bladeHealth(*s.slot) == domain::HealthState::Failed)
            onBladeFailed(*s.slot, "found failed at start");
    }
    applyDeclarations();
    checkStorm();
}

void Orchestrator::applyDeclarations() {
    // Spares stand by as their kind says: warm ones on (held at firmware), cold ones off.
    for (const auto& p : declared_.sparePools) {
        for (const auto& member : p.members) {
            int slot = member.first;
            auto kind = member.second;
            const auto* b = svc_.bladeInfo(slot);
            if (!b || b->role != domain::BladeRole::Spare || reserved_.contains(slot)) continue;
            auto want = kind == domain::SpareKind::Warm ? domain::PowerIntent::On : domain::PowerIntent::Off;
            svc_.setPowerIntent(slot, want, std::string(domain::toString(kind)) + " spare in pool " + p.name);
            if (want == domain::PowerIntent::On) {
                svc_.powerOnBlade(slot, [slot](domain::StepOutcome o) {
                    if (!o.ok) std::cout << "cmcd: blade=" << slot << " warm spare power on: " << o.detail << "\n";
                });
            } else {
                svc_.powerOffBlade(slot, false, 10000, [slot](domain::StepOutcome o) {
                    if (!o.ok) std::cout << "cmcd: blade=" << slot << " cold spare power off: " << o.detail << "\n";
                });
            }
        }
    }
    for (const auto& spec : declared_.servers) {
        auto it = servers_.find(spec.name);
        if (it == servers_.end()) {
            domain::LogicalServer s;
            auto r = allocateServer(spec, "config", s);
            if (!r.ok()) {
                std::cout << "cmcd: declared logical server " << spec.name << " not created: " << r.message << "\n";
                events_.raise("DeclarationDrift", {spec.name, "not created: " + r.message}, serverOrigin(spec.name));
                continue;
            }
            std::vector<domain::Allocation> allocs;
            for (const auto& a : ids_.allocations())
                if (a.owner == s.name) allocs.push_back(a);
            persistNewServer(std::move(s), std::move(allocs), "config", spec.slot, [](const OperationResult&) {});
            continue;
        }
        // Drift: what the declaration fixes and the live state no longer matches.
        const auto& live = it->second;
        std::string drift;
        // Where it runs, or where the failover in progress (a resumed one) takes it.
        std::optional<int> where = live.slot;
        if (auto active = activeFailoverOf(spec.name)) {
            const auto& f = runs_.at(*active)->machine.record();
            where = f.toSlot ? f.toSlot : f.targetSlot;
        }
        if (spec.slot && where != spec.slot) {
            drift += "declared on blade " + std::to_string(*spec.slot) + ", runs on " +
                     (where ? "blade " + std::to_string(*where) : std::string("no blade")) + "; ";
        }
        for (std::size_t i = 0; i < spec.vnics.size() && i < live.vnics.size(); ++i) {
            auto mac = domain::canonicalIdentity(domain::IdentityKind::Mac, spec.vnics[i].mac);
            if (mac && *mac != live.vnics[i].mac)
                drift += spec.vnics[i].name + " MAC " + *mac + " declared, " + live.vnics[i].mac + " live; ";
            auto ip = domain::canonicalIdentity(domain::IdentityKind::Ipv4, spec.vnics[i].ip);
            if (ip && *ip != live.vnics[i].ip)
                drift += spec.vnics[i].name + " IP " + *ip + " declared, " + live.vnics[i].ip + " live; ";
        }
        if (spec.vnics.size() != live.vnics.size()) drift += "vNIC count differs; ";
        if (spec.policy.sparePool != live.policy.sparePool) drift += "spare pool differs; ";
        if (!drift.empty()) {
            drift.resize(drift.size() - 2);
            std::cout << "cmcd: logical server " << spec.name << " drift: " << drift << "\n";
            events_.raise("DeclarationDrift", {spec.name, drift}, serverOrigin(spec.name));
        }
        // A declared server that is bound nowhere and not moving gets its blade.
        if (!live.slot && !activeFailoverOf(spec.name) && live.state != domain::ServerState::Down) {
            startFailover(spec.name, FailoverKind::Bind, "declared in the config file", "config", std::nullopt,
                          spec.slot);
        }
    }
}

} // namespace cmc::app
