// The failover orchestrator's driver and the owner of logical servers,
// identity pools and spare pools. It runs one FailoverMachine (domain/) per
// failover: journals the record (store batch) before each step, performs the
// step through the chassis service's blade operations, bounds it by the
// step's deadline, and feeds the outcome back. At start it loads what the
// store holds, applies the config's declarations, and resumes every
// unfinished failover at its interrupted step (each step is idempotent).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/declarations.hpp"
#include "domain/failover.hpp"
#include "domain/health_events.hpp"
#include "domain/identity.hpp"
#include "domain/logical_server.hpp"
#include "domain/spares.hpp"
#include "domain/views.hpp"

namespace cmc::store {
class Store;
class Batch;
struct OrchestratorState;
struct BladeFlags;
} // namespace cmc::store
namespace cmc::events {
class EventLog;
}

namespace cmc::app {

class ChassisService;

class Orchestrator {
public:
    using OpDone = std::function<void(domain::OperationResult)>;

    Orchestrator(boost::asio::io_context& io, ChassisService& svc, store::Store& store, events::EventLog& events,
                 config::FailoverConfig cfg);
    ~Orchestrator();

    // Loads the stored state and checks the declarations against it (exit 2
    // on a bad declaration: nothing is applied then). Synchronous, before the loop runs.
    [[nodiscard]] std::string load(const store::OrchestratorState& st, const config::Declarations& d);
    // Applies the declarations (creates what is missing, binds declared
    // servers, powers spares as their kind says, reports drift) and resumes
    // unfinished failovers. On the loop, once the blades are known.
    void begin();
    void stop();

    void onHealth(const domain::HealthEvent& e);

    // The API.
    [[nodiscard]] std::vector<std::string> serverNames() const;
    [[nodiscard]] std::optional<domain::LogicalServerView> serverView(const std::string& name) const;
    void create(domain::LogicalServerSpec spec, const std::string& who, OpDone done);
    void update(const std::string& name, domain::FailoverPolicy policy, domain::HardwareRequirements req,
                const std::string& who, OpDone done);
    void remove(const std::string& name, const std::string& who, OpDone done);
    void serverAction(const std::string& name, domain::ServerAction action, std::optional<int> slot,
                      const std::string& who, OpDone done);
    void bladeAction(int slot, domain::BladeAction action, const std::string& who, OpDone done);
    [[nodiscard]] std::optional<domain::ResourceBlockView> resourceBlock(int slot) const;
    [[nodiscard]] std::vector<std::int64_t> failoverIds() const;
    [[nodiscard]] std::optional<domain::Failover> failover(std::int64_t id) const;
    [[nodiscard]] std::vector<domain::SparePoolView> sparePools() const;
    [[nodiscard]] std::vector<domain::IdentityPoolView> identityPools() const;
    [[nodiscard]] std::vector<domain::CoverageEntry> coverageReport() const;
    [[nodiscard]] domain::WhatIf whatIf(int slot) const;
    [[nodiscard]] domain::StormView storm() const;
    void acknowledgeStorm(const std::string& who, OpDone done);
    // The server bound to a blade, if any (for the blade views).
    [[nodiscard]] std::optional<std::string> serverOn(int slot) const;

private:
    struct Run; // one failover in progress

    // With `membersOnly`, `pool`'s members only: all a coverage of that pool
    // reads (one server's view, without a pass over every blade).
    [[nodiscard]] std::vector<domain::BladeCandidate> candidates(const std::string& pool,
                                                                 bool membersOnly = false) const;
    [[nodiscard]] std::optional<std::string> poolOf(int slot) const;
    [[nodiscard]] domain::ResourceBlockView blockView(int slot) const;
    [[nodiscard]] std::optional<std::int64_t> activeFailoverOf(const std::string& server) const;

    // Creation: allocates identity, persists atomically; `bindTo` starts a Bind.
    domain::OperationResult allocateServer(const domain::LogicalServerSpec& spec, const std::string& origin,
                                           domain::LogicalServer& out);
    void persistNewServer(domain::LogicalServer s, std::vector<domain::Allocation> allocs, const std::string& who,
                          std::optional<int> bindTo, OpDone done);

    // Failovers.
    std::int64_t startFailover(const std::string& server, domain::FailoverKind kind, std::string cause, std::string who,
                               std::optional<int> from, std::optional<int> target);
    void resume(domain::Failover f);
    void advance(Run& r, domain::Step step);
    void perform(std::int64_t id, domain::Step step);
    void deliver(std::int64_t id, std::uint64_t generation, domain::StepOutcome o);
    void timedOut(std::int64_t id, std::uint64_t generation);
    void allocate(Run& r, std::uint64_t generation);
    void verifyPoll(std::int64_t id, std::uint64_t generation);
    void onVerifyCheck(std::int64_t id, std::uint64_t generation, domain::StepOutcome o);
    void finish(Run& r);
    void journal(Run& r, std::function<void(bool ok)> then);
    // Tests (failover.debugKillAt): SIGKILL once `phase` of failover `id` is journaled.
    void killIfAsked(domain::FailoverPhase phase, std::int64_t id);

    void onBladeFailed(int slot, const std::string& reason);
    void startPendingFailovers();
    void checkStorm();
    void announceStorm(const std::string& subject, const std::string& reason);
    // Why automatic failover of `server` is held back now (the chassis' or its pool's breaker).
    [[nodiscard]] std::optional<std::string> holdReason(const std::string& server, std::int64_t nowMs);
    [[nodiscard]] std::size_t poolBladeCount(const std::string& pool) const;
    void applyDeclarations();
    void setRole(int slot, domain::BladeRole role, std::string reason, store::Batch& batch);
    void audit(const std::string& who, const std::string& action, const std::string& subject, const std::string& reason,
               const std::string& outcome);
    void saveFlags(int slot);

    boost::asio::io_context& io_;
    ChassisService& svc_;
    store::Store& store_;
    events::EventLog& events_;
    config::FailoverConfig cfg_;
    config::Declarations declared_;
    domain::IdentityRegistry ids_;
    std::map<std::string, domain::LogicalServer> servers_;
    std::map<std::string, domain::SparePool> pools_;
    std::map<int, bool> maintenance_;
    std::map<int, std::string> roleReason_;
    std::map<std::int64_t, domain::Failover> history_; // every failover loaded or run (bounded)
    std::map<std::int64_t, std::unique_ptr<Run>> runs_;
    std::set<int> reserved_;                     // blades a running failover holds
    std::map<int, std::string> pendingFailures_; // failed blades waiting for the storm breaker
    std::vector<domain::Failover> toResume_;
    domain::StormBreaker storm_; // the chassis: a share of every blade
    struct PoolStorm {
        explicit PoolStorm(domain::StormPolicy p) : breaker(p) {}
        domain::StormBreaker breaker; // a share of a pool's blades (its spares and its servers' blades)
        bool announced = false;
    };
    std::map<std::string, PoolStorm> poolStorms_;
    bool stormAnnounced_ = false;
    std::int64_t nextId_ = 1;
    bool stopped_ = false;
    bool ready_ = false; // begin() ran: blades are known
    boost::asio::steady_timer stormTimer_;
};

} // namespace cmc::app
