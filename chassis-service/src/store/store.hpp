// SQLite persistence of the chassis service. Every statement lives under
// store/. One writer thread owns the connection; callers on the io_context
// never block: results come back as callbacks posted to the io_context.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/account.hpp"
#include "domain/event_subscription.hpp"
#include "domain/failover.hpp"
#include "domain/identity.hpp"
#include "domain/logical_server.hpp"
#include "domain/model.hpp"
#include "domain/power_intent.hpp"
#include "domain/spares.hpp"

namespace boost::asio {
class io_context;
}

namespace cmc::store {

struct StoreOptions {
    std::string path;          // database file; parent directory created
    std::string migrationsDir; // NNNN_name.sql applied in order; empty: the migrations compiled into the binary
    std::int64_t sampleRetentionMs = 24LL * 3600 * 1000;           // raw samples kept this long
    std::int64_t downsampledRetentionMs = 30LL * 24 * 3600 * 1000; // per-minute aggregates
    std::int64_t eventRetentionCount = 100000;                     // newest events kept; <= 0 keeps all
};

// One per-minute down-sampled aggregate of health samples (retention folds
// raw samples older than sampleRetentionMs into these).
struct SampleAggregate {
    int slot = 0;
    std::int64_t minuteMs = 0; // start of the minute, Unix ms
    std::string signal;
    std::int64_t count = 0;         // samples folded
    std::int64_t badCount = 0;      // of which ok == false
    std::optional<double> minValue; // empty when no sample carried a value
    std::optional<double> avgValue;
    std::optional<double> maxValue;
};

class Db;

// Per-blade flags the orchestrator keeps beside the inventory.
struct BladeFlags {
    int slot = 0;
    bool maintenance = false;
    std::string roleReason; // why the blade is Failed or Quarantined
};

// Who asked for what, and why (user or "policy").
struct AuditRecord {
    std::int64_t id = 0;
    std::int64_t timeMs = 0; // Unix ms
    std::string who;
    std::string action;  // "CreateLogicalServer", "Failover", "Migrate", "Maintenance", ...
    std::string subject; // "web01", "blade-3"
    std::string reason;
    std::string outcome; // "accepted", "refused: ...", "completed"
};

// Everything the orchestrator persists, loaded at start.
struct OrchestratorState {
    std::vector<domain::IdentityPool> identityPools;
    std::vector<domain::Allocation> allocations;
    std::vector<domain::LogicalServer> servers;
    std::vector<domain::SparePool> sparePools;
    std::vector<BladeFlags> bladeFlags;
    std::vector<domain::Failover> failovers; // oldest first, with history
};

// The EventService as persisted (migration 0006).
struct EventServiceState {
    std::optional<domain::EventServiceSettings> settings; // nullopt: never changed by a client
    std::int64_t nextSubscriptionId = 1;
    std::vector<domain::EventSubscription> subscriptions; // by id
};

// Several writes that land together or not at all (one savepoint): e.g. a
// failover phase and the blade role it implies.
class Batch {
public:
    Batch& saveBlade(domain::Blade b);
    Batch& markBladeAbsent(int slot);
    Batch& savePowerIntent(domain::PowerIntentRecord r);
    Batch& appendTransition(domain::HealthTransition t);
    Batch& saveIdentityPool(domain::IdentityPool p); // upsert by name
    Batch& saveAllocation(domain::Allocation a);     // insert; fails on a (kind, value) already held
    Batch& deleteAllocation(domain::IdentityKind kind, std::string value);
    Batch& saveLogicalServer(domain::LogicalServer s); // upsert by name, vNICs and vHBAs replaced
    Batch& deleteLogicalServer(std::string name);      // its vNICs and vHBAs too
    Batch& saveSparePool(domain::SparePool p);         // upsert, members replaced
    Batch& deleteSparePool(std::string name);
    Batch& saveBladeFlags(BladeFlags f);     // upsert by slot
    Batch& saveFailover(domain::Failover f); // upsert by id (id > 0), history replaced
    Batch& appendAudit(AuditRecord r);       // id assigned by the database
    // The EventService (migration 0006; queries_subscriptions.cpp).
    Batch& saveEventSubscription(domain::EventSubscription s); // upsert by id
    Batch& deleteEventSubscription(std::string id);
    Batch& saveEventService(domain::EventServiceSettings s, std::int64_t nextSubscriptionId);
    // Accounts (migration 0005; queries_accounts.cpp).
    Batch& saveAccount(domain::Account a); // upsert by id
    Batch& deleteAccount(std::int64_t id);
    Batch& saveAccountPolicy(domain::AccountPolicy p);
    [[nodiscard]] bool empty() const { return steps_.empty(); }
    [[nodiscard]] std::size_t size() const { return steps_.size(); }

private:
    friend class Store;
    std::vector<std::function<std::string(Db&)>> steps_;
};

class Store {
public:
    // Opens (creating) the database, sets WAL, foreign keys, busy timeout,
    // applies pending migrations, and starts the writer thread. Synchronous:
    // call at start-up before the io_context runs. Returns nullptr with `error`.
    static std::unique_ptr<Store> open(boost::asio::io_context& io, const StoreOptions& options, std::string& error);
    ~Store(); // drains pending work, stops the thread, closes the database

    [[nodiscard]] int schemaVersion() const;

    // Start-up loads (synchronous, before the loop runs).
    [[nodiscard]] std::vector<domain::Blade> loadBladesSync();
    [[nodiscard]] std::optional<domain::Chassis> loadChassisSync();
    [[nodiscard]] std::vector<domain::Event> loadEventsSync(std::int64_t afterId, std::size_t limit);
    [[nodiscard]] std::int64_t lastEventIdSync();

    // Asynchronous writes (queued in order; `done` runs on the io_context, may be empty).
    using Done = std::function<void(bool ok, std::string error)>;
    void saveChassis(domain::Chassis c, Done done = {});
    void saveBlade(domain::Blade b, Done done = {}); // upsert by slot
    void markBladeAbsent(int slot, Done done = {});  // present=0, health Absent; no-op for an unknown slot
    void appendHealthSamples(std::vector<domain::HealthSample> samples, Done done = {});
    // `done` gets the stored transition's id, or 0 when the write failed.
    void appendTransition(domain::HealthTransition t, std::function<void(std::int64_t id)> done = {});
    // Stores the event with the next id; `done` gets the assigned id (0 when the
    // write failed). An event whose id is already set (EventLog numbers its
    // events) keeps that id, which must be above every id ever stored; ids are
    // never reused, even after retention trimmed the events that held them.
    void appendEvent(domain::Event e, std::function<void(std::int64_t id)> done = {});
    // Retention: delete raw samples older than sampleRetentionMs after folding
    // them into per-minute aggregates; trim events beyond eventRetentionCount.
    void runRetention(std::int64_t nowMs, Done done = {});
    void savePowerIntent(domain::PowerIntentRecord r, Done done = {});
    // Runs every write of the batch as one atomic step: a failure of any
    // rolls all of them back, and `done` reports the first error.
    void apply(Batch batch, Done done = {});
    [[nodiscard]] std::vector<domain::PowerIntentRecord> loadPowerIntentsSync();
    [[nodiscard]] OrchestratorState loadOrchestratorSync();
    // The next failover id (above every id ever stored).
    [[nodiscard]] std::int64_t nextFailoverIdSync();
    // The EventService's subscriptions by id, and its saved settings.
    [[nodiscard]] EventServiceState loadEventServiceSync();
    // The newest `limit` audit records, oldest first.
    void loadAudit(std::size_t limit, std::function<void(std::vector<AuditRecord>)> done);
    // Records skip..skip+top-1 of the trail, oldest first, with the number of
    // records there are (the AuditLog's $skip/$top); ok false when the read failed.
    struct AuditPage {
        bool ok = false;
        std::int64_t total = 0;
        std::vector<AuditRecord> records;
    };
    void loadAuditPage(std::size_t skip, std::size_t top, std::function<void(AuditPage)> done);
    // The record with this id (records empty when there is none).
    void loadAuditRecord(std::int64_t id, std::function<void(AuditPage)> done);
    // Accounts by id, and the policy an administrator set (nullopt: never set).
    [[nodiscard]] std::vector<domain::Account> loadAccountsSync();
    [[nodiscard]] std::optional<domain::AccountPolicy> loadAccountPolicySync();

    // Asynchronous reads (run on the writer thread, answered on the io_context).
    // The newest `limit` transitions of a slot, oldest first.
    void loadTransitions(int slot, std::size_t limit, std::function<void(std::vector<domain::HealthTransition>)> done);
    // Raw samples of a slot with time >= sinceMs, by time.
    void loadSamples(int slot, std::int64_t sinceMs, std::function<void(std::vector<domain::HealthSample>)> done);
    // Per-minute aggregates of a slot whose minute starts at or after sinceMs, by minute then signal.
    void loadAggregates(int slot, std::int64_t sinceMs, std::function<void(std::vector<SampleAggregate>)> done);
    void integrityCheck(std::function<void(std::string result)> done); // "ok" when healthy

    // Blocks until every queued operation has run (tests, shutdown).
    void flush();
    // Operations queued for the writer thread now (/metrics).
    [[nodiscard]] std::size_t queueDepth() const;

    struct Impl;

private:
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace cmc::store
