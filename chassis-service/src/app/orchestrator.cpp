// The failover orchestrator's driver: see orchestrator.hpp and domain/failover.hpp.
#include "app/orchestrator.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <csignal>
#include <iostream>

#include "app/service.hpp"
#include "events/event_log.hpp"
#include "store/store.hpp"

namespace cmc::app {

using domain::FailoverKind;
using domain::FailoverPhase;
using domain::OperationResult;
using domain::StepKind;
using Code = domain::OperationResult::Code;

struct Orchestrator::Run {
    Run(boost::asio::io_context& io, domain::Failover f, domain::FailoverTimeouts t)
        : machine(std::move(f), t), timer(io), poll(io) {}
    domain::FailoverMachine machine;
    boost::asio::steady_timer timer; // the step's deadline
    boost::asio::steady_timer poll;  // verification polls
    std::uint64_t generation = 0;    // bumps per step: late answers of an old step are ignored
    bool journaling = false;
};

namespace {

OperationResult result(Code c, std::string message, std::string resource = {}, std::string id = {}) {
    OperationResult r;
    r.code = c;
    r.message = std::move(message);
    r.resource = std::move(resource);
    r.id = std::move(id);
    return r;
}

OperationResult badValue(std::string property, std::string value, std::string message) {
    OperationResult r;
    r.code = Code::BadRequest;
    r.property = std::move(property);
    r.value = std::move(value);
    r.message = std::move(message);
    return r;
}

std::string bladeId(int slot) {
    return "blade-" + std::to_string(slot);
}
std::string serverOrigin(const std::string& name) {
    return "/redfish/v1/Systems/" + name;
}
std::string taskOrigin(std::int64_t id) {
    return "/redfish/v1/TaskService/Tasks/" + std::to_string(id);
}

bool planned(FailoverKind k) {
    return k == FailoverKind::Migrate || k == FailoverKind::Failback || k == FailoverKind::Evacuate;
}

} // namespace

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
    v.sparePool = poolOf(slot);
    if (v.sparePool) v.spareKind = pools_.at(*v.sparePool).members.at(slot);
    if (auto r = roleReason_.find(slot); r != roleReason_.end()) v.roleReason = r->second;
    return v;
}

std::vector<domain::BladeCandidate> Orchestrator::candidates(const std::string& pool) const {
    std::vector<domain::BladeCandidate> out;
    const domain::SparePool* p = nullptr;
    if (auto it = pools_.find(pool); it != pools_.end()) p = &it->second;
    for (int slot : svc_.bladeSlots()) {
        const auto* b = svc_.bladeInfo(slot);
        if (!b) continue;
        domain::BladeCandidate c;
        c.slot = slot;
        c.blade = b;
        c.health = svc_.bladeHealth(slot);
        c.role = b->role;
        auto m = maintenance_.find(slot);
        c.maintenance = m != maintenance_.end() && m->second;
        c.reserved = reserved_.contains(slot) || serverOn(slot).has_value();
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
    auto cov = domain::coverage({v.server}, candidates(v.server.policy.sparePool));
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
    for (const auto& [name, s] : servers_) {
        auto c = domain::coverage({s}, candidates(s.policy.sparePool));
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
    auto& sb = const_cast<domain::StormBreaker&>(storm_);
    domain::StormView v;
    auto now = events::nowUnixMs();
    v.tripped = sb.tripped(now, svc_.bladeCount());
    v.reason = v.tripped ? sb.reason() : std::string();
    v.failuresInWindow = sb.failuresInWindow(now);
    v.policy = sb.policy();
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
        for (const auto& [slot, kind] : p.members) {
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
        if (spec.slot && live.slot != spec.slot && !activeFailoverOf(spec.name)) {
            drift += "declared on blade " + std::to_string(*spec.slot) + ", runs on " +
                     (live.slot ? "blade " + std::to_string(*live.slot) : std::string("no blade")) + "; ";
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
            bool exhausted = a.error.find("exhausted") != std::string::npos;
            bool taken = a.error.find("already") != std::string::npos;
            if (exhausted || taken) {
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
    storm_.acknowledge(events::nowUnixMs());
    audit(who, "AcknowledgeStorm", "chassis", "", "done");
    checkStorm();
    done(result(Code::Ok, ""));
}

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
    if (tripped) checkStorm();
    auto name = serverOn(slot);
    const auto* b = svc_.bladeInfo(slot);
    if (!name) {
        // A failed spare leaves the pool's coverage until it is repaired.
        if (b && b->role == domain::BladeRole::Spare) {
            store::Batch batch;
            setRole(slot, domain::BladeRole::Failed, reason, batch);
            store_.apply(std::move(batch));
        }
        return;
    }
    const auto& s = servers_.at(*name);
    if (s.desiredPower == domain::PowerIntent::Off) return;
    bool maint = maintenance_.contains(slot) && maintenance_[slot];
    if (!cfg_.automatic || !s.policy.automatic || maint) {
        std::string why = !cfg_.automatic ? "automatic failover is disabled in the config"
                          : maint         ? "blade " + std::to_string(slot) + " is in maintenance mode"
                                          : "its failover policy is manual";
        events_.raise("FailoverPaused", {*name, std::to_string(slot), why}, serverOrigin(*name));
        return;
    }
    pendingFailures_[slot] = reason;
    auto hold = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(cfg_.holdMs));
    hold->async_wait([this, hold](boost::system::error_code ec) {
        if (ec || stopped_) return;
        startPendingFailovers();
    });
}

void Orchestrator::startPendingFailovers() {
    auto now = events::nowUnixMs();
    if (storm_.tripped(now, svc_.bladeCount())) {
        checkStorm();
        return;
    }
    auto pending = std::move(pendingFailures_);
    pendingFailures_.clear();
    // Higher priority first when spares are scarce.
    std::vector<std::pair<int, int>> order; // (-priority, slot)
    for (const auto& [slot, reason] : pending) {
        auto name = serverOn(slot);
        if (!name || activeFailoverOf(*name)) continue;
        order.emplace_back(-servers_.at(*name).policy.priority, slot);
    }
    std::sort(order.begin(), order.end());
    for (const auto& [prio, slot] : order) {
        auto name = serverOn(slot);
        if (!name) continue;
        startFailover(*name, FailoverKind::Automatic, "blade " + std::to_string(slot) + " failed: " + pending[slot],
                      "policy", slot, std::nullopt);
    }
}

void Orchestrator::checkStorm() {
    auto now = events::nowUnixMs();
    bool t = storm_.tripped(now, svc_.bladeCount());
    if (t && !stormAnnounced_) {
        stormAnnounced_ = true;
        events_.raise("StormBreakerTripped", {storm_.reason()}, "/redfish/v1/Managers/cmc");
        audit("policy", "StormBreakerTripped", "chassis", storm_.reason(), "automatic failover paused");
        for (const auto& [slot, reason] : pendingFailures_) {
            if (auto name = serverOn(slot))
                events_.raise("FailoverPaused", {*name, std::to_string(slot), storm_.reason()}, serverOrigin(*name));
        }
    } else if (!t && stormAnnounced_) {
        stormAnnounced_ = false;
        events_.raise("StormBreakerCleared", {"the storm condition cleared or was acknowledged"},
                      "/redfish/v1/Managers/cmc");
        if (!pendingFailures_.empty()) startPendingFailovers();
    }
    if (stormAnnounced_ || !pendingFailures_.empty()) {
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
    auto id = f.id;
    auto run = std::make_unique<Run>(io_, std::move(f), cfg_.timeouts);
    auto& r = *run;
    runs_[id] = std::move(run);
    advance(r, r.machine.start(events::nowUnixMs()));
    return id;
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
                      {std::to_string(id), f.server, domain::toString(f.phase), std::to_string(last.slot),
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
        if (!cfg_.debugKillAt.empty() && cfg_.debugKillAt == domain::toString(it->second->machine.record().phase)) {
            std::cout << "cmcd: debugKillAt " << cfg_.debugKillAt << ": SIGKILL after journaling failover " << id
                      << std::endl;
            std::raise(SIGKILL);
        }
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
        if (f.kind == FailoverKind::Automatic && storm_.tripped(now, svc_.bladeCount())) {
            o.detail = "automatic failover paused by the storm breaker: " + storm_.reason();
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
    svc_.checkServerAnswers(slot, servers_.at(r.machine.record().server), [this, id, gen](domain::StepOutcome o) {
        auto j = runs_.find(id);
        if (j == runs_.end() || j->second->generation != gen) return;
        if (o.ok) {
            deliver(id, gen, std::move(o));
            return;
        }
        auto& run = *j->second;
        run.poll.expires_after(std::chrono::milliseconds(cfg_.verifyPollMs));
        run.poll.async_wait([this, id, gen](boost::system::error_code ec) {
            if (!ec) verifyPoll(id, gen);
        });
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
                   " did not finish in time";
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
    store_.apply(std::move(batch));
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
