#include "store/store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <future>
#include <iostream>
#include <mutex>
#include <system_error>
#include <thread>

#include "store/db.hpp"
#include "store/migrations.hpp"
#include "store/queries.hpp"
#include "store/queries_accounts.hpp"
#include "store/queries_subscriptions.hpp"

namespace cmc::store {

namespace {

// Consecutive queued writes share one transaction (one WAL fsync) up to this many.
constexpr std::size_t kMaxBatch = 512;

void logFailure(const char* what, const std::string& error) {
    // `error` comes from queries.cpp, which names tables and slots, never credentials.
    std::cerr << "cmcd: store: " << what << " failed: " << error << "\n";
}

} // namespace

// A queued operation. A write runs inside the writer's transaction (in its
// own savepoint) and its `after` runs once the outcome is known (committed or
// not); a read runs outside any transaction.
struct Task {
    bool write = true;
    const char* what = "";
    std::function<std::string(Db&)> run;                          // "" on success
    std::function<void(bool ok, const std::string& error)> after; // on the writer thread
};

struct Store::Impl {
    Impl(boost::asio::io_context& io, StoreOptions options) : io_(io), options_(std::move(options)) {}

    boost::asio::io_context& io_;
    StoreOptions options_;
    Db db_;
    int schemaVersion_ = 0;

    std::mutex mutex_;
    std::condition_variable wake_; // writer: work or stop
    std::condition_variable idle_; // flush: queue drained
    std::deque<Task> queue_;
    bool busy_ = false;
    bool stopping_ = false;
    std::thread thread_;

    void enqueue(Task t) {
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(t));
        }
        wake_.notify_one();
    }

    void flush() {
        std::unique_lock lock(mutex_);
        idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
    }

    // Runs `fn` on the writer thread and waits for it (start-up reads).
    template <typename R> R runSync(const char* what, std::function<std::string(Db&, R&)> fn) {
        auto result = std::make_shared<R>();
        std::promise<void> ready;
        auto future = ready.get_future();
        Task t;
        t.write = false;
        t.what = what;
        t.run = [fn = std::move(fn), result](Db& db) { return fn(db, *result); };
        t.after = [&ready](bool, const std::string&) { ready.set_value(); };
        enqueue(std::move(t));
        future.wait();
        return std::move(*result);
    }

    void start() {
        thread_ = std::thread([this] { loop(); });
    }

    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        if (thread_.joinable()) thread_.join();
    }

    void loop() {
        for (;;) {
            std::deque<Task> batch;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
                if (queue_.empty()) return; // stopping, everything drained
                // Consecutive writes at the front form one batch; a read runs alone.
                if (!queue_.front().write) {
                    batch.push_back(std::move(queue_.front()));
                    queue_.pop_front();
                } else {
                    while (!queue_.empty() && queue_.front().write && batch.size() < kMaxBatch) {
                        batch.push_back(std::move(queue_.front()));
                        queue_.pop_front();
                    }
                }
                busy_ = true;
            }
            if (batch.front().write) {
                runWrites(batch);
            } else {
                runRead(batch.front());
            }
            {
                std::lock_guard lock(mutex_);
                busy_ = false;
                if (queue_.empty()) idle_.notify_all();
            }
        }
    }

    void runRead(Task& t) {
        std::string err = t.run(db_);
        if (!err.empty()) logFailure(t.what, err);
        if (t.after) t.after(err.empty(), err);
    }

    // One transaction for the batch, one savepoint per write: a failing write
    // is rolled back alone and reported; the others commit together. Outcomes
    // are reported only after COMMIT returned, so a reported success is durable.
    void runWrites(std::deque<Task>& batch) {
        std::vector<std::string> errors(batch.size());
        std::string fatal = sql::begin(db_);
        for (std::size_t i = 0; fatal.empty() && i < batch.size(); ++i) {
            if (auto err = sql::savepoint(db_); !err.empty()) {
                fatal = err;
                break;
            }
            errors[i] = batch[i].run(db_);
            if (errors[i].empty()) errors[i] = sql::release(db_);
            // A write reported as failed must not commit with the batch.
            if (!errors[i].empty()) sql::rollbackToSavepoint(db_);
            if (!db_.inTransaction()) {
                // SQLite rolled the whole transaction back (disk full, I/O error):
                // every write of the batch so far is lost.
                fatal = errors[i].empty() ? "transaction rolled back" : errors[i];
            }
        }
        if (fatal.empty()) fatal = sql::commit(db_);
        if (!fatal.empty()) {
            sql::rollback(db_);
            for (auto& e : errors) {
                if (e.empty()) e = "transaction failed: " + fatal;
            }
        }
        for (std::size_t k = 0; k < batch.size(); ++k) {
            if (!errors[k].empty()) logFailure(batch[k].what, errors[k]);
            if (batch[k].after) batch[k].after(errors[k].empty(), errors[k]);
        }
    }

    // Builds the writer-side completion that posts `done(ok, error)` to the io_context.
    Task writeTask(const char* what, std::function<std::string(Db&)> run, Done done) {
        Task t;
        t.what = what;
        t.run = std::move(run);
        if (done) {
            t.after = [this, done = std::move(done)](bool ok, const std::string& error) {
                boost::asio::post(io_, [done, ok, error] { done(ok, error); });
            };
        }
        return t;
    }

    // Same, for writes that answer with a row id (0 on failure).
    Task idTask(const char* what, std::function<std::string(Db&, std::int64_t&)> run,
                std::function<void(std::int64_t)> done) {
        auto id = std::make_shared<std::int64_t>(0);
        Task t;
        t.what = what;
        t.run = [run = std::move(run), id](Db& db) { return run(db, *id); };
        if (done) {
            t.after = [this, id, done = std::move(done)](bool ok, const std::string&) {
                std::int64_t value = ok ? *id : 0;
                boost::asio::post(io_, [done, value] { done(value); });
            };
        }
        return t;
    }

    // An asynchronous read answered on the io_context (empty result on failure).
    template <typename R>
    void readTask(const char* what, std::function<std::string(Db&, R&)> run, std::function<void(R)> done) {
        auto result = std::make_shared<R>();
        Task t;
        t.write = false;
        t.what = what;
        t.run = [run = std::move(run), result](Db& db) { return run(db, *result); };
        t.after = [this, result, done = std::move(done)](bool ok, const std::string&) {
            if (!ok) *result = R{};
            if (done) boost::asio::post(io_, [done, result] { done(std::move(*result)); });
        };
        enqueue(std::move(t));
    }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() {
    if (impl_) impl_->stop();
}

std::unique_ptr<Store> Store::open(boost::asio::io_context& io, const StoreOptions& options, std::string& error) {
    namespace fs = std::filesystem;
    auto impl = std::make_unique<Impl>(io, options);
    fs::path parent = fs::path(options.path).parent_path();
    if (!parent.empty()) {
        std::error_code ec;
        fs::create_directories(parent, ec);
        if (ec) {
            error = "cannot create directory '" + parent.string() + "': " + ec.message();
            return nullptr;
        }
    }
    if (!impl->db_.open(options.path, error)) return nullptr;
    if (auto err = sql::applyPragmas(impl->db_); !err.empty()) {
        error = err;
        return nullptr;
    }
    if (!applyMigrations(impl->db_, options.migrationsDir, impl->schemaVersion_, error)) return nullptr;
    // From here on only the writer thread touches the connection.
    impl->start();
    return std::unique_ptr<Store>(new Store(std::move(impl)));
}

int Store::schemaVersion() const {
    return impl_->schemaVersion_;
}

std::vector<domain::Blade> Store::loadBladesSync() {
    return impl_->runSync<std::vector<domain::Blade>>("load blades", sql::loadBlades);
}

std::optional<domain::Chassis> Store::loadChassisSync() {
    return impl_->runSync<std::optional<domain::Chassis>>("load chassis", sql::loadChassis);
}

std::vector<domain::Event> Store::loadEventsSync(std::int64_t afterId, std::size_t limit) {
    return impl_->runSync<std::vector<domain::Event>>(
        "load events",
        [afterId, limit](Db& db, std::vector<domain::Event>& out) { return sql::loadEvents(db, afterId, limit, out); });
}

std::int64_t Store::lastEventIdSync() {
    return impl_->runSync<std::int64_t>("last event id", sql::lastEventId);
}

Batch& Batch::saveBlade(domain::Blade b) {
    steps_.push_back([b = std::move(b)](Db& db) { return sql::saveBlade(db, b); });
    return *this;
}

Batch& Batch::markBladeAbsent(int slot) {
    steps_.push_back([slot](Db& db) { return sql::markBladeAbsent(db, slot); });
    return *this;
}

Batch& Batch::savePowerIntent(domain::PowerIntentRecord r) {
    steps_.push_back([r = std::move(r)](Db& db) { return sql::savePowerIntent(db, r); });
    return *this;
}

Batch& Batch::appendTransition(domain::HealthTransition t) {
    steps_.push_back([t = std::move(t)](Db& db) {
        std::int64_t id = 0;
        return sql::appendTransition(db, t, id);
    });
    return *this;
}

Batch& Batch::saveIdentityPool(domain::IdentityPool p) {
    steps_.push_back([p = std::move(p)](Db& db) { return sql::saveIdentityPool(db, p); });
    return *this;
}

Batch& Batch::saveAllocation(domain::Allocation a) {
    steps_.push_back([a = std::move(a)](Db& db) { return sql::saveAllocation(db, a); });
    return *this;
}

Batch& Batch::deleteAllocation(domain::IdentityKind kind, std::string value) {
    steps_.push_back([kind, v = std::move(value)](Db& db) { return sql::deleteAllocation(db, kind, v); });
    return *this;
}

Batch& Batch::saveLogicalServer(domain::LogicalServer s) {
    steps_.push_back([s = std::move(s)](Db& db) { return sql::saveLogicalServer(db, s); });
    return *this;
}

Batch& Batch::deleteLogicalServer(std::string name) {
    steps_.push_back([n = std::move(name)](Db& db) { return sql::deleteLogicalServer(db, n); });
    return *this;
}

Batch& Batch::saveSparePool(domain::SparePool p) {
    steps_.push_back([p = std::move(p)](Db& db) { return sql::saveSparePool(db, p); });
    return *this;
}

Batch& Batch::deleteSparePool(std::string name) {
    steps_.push_back([n = std::move(name)](Db& db) { return sql::deleteSparePool(db, n); });
    return *this;
}

Batch& Batch::saveBladeFlags(BladeFlags f) {
    steps_.push_back([f = std::move(f)](Db& db) { return sql::saveBladeFlags(db, f); });
    return *this;
}

Batch& Batch::saveFailover(domain::Failover f) {
    steps_.push_back([f = std::move(f)](Db& db) { return sql::saveFailover(db, f); });
    return *this;
}

Batch& Batch::appendAudit(AuditRecord r) {
    steps_.push_back([r = std::move(r)](Db& db) {
        std::int64_t id = 0;
        return sql::appendAudit(db, r, id);
    });
    return *this;
}

Batch& Batch::saveAccount(domain::Account a) {
    steps_.push_back([a = std::move(a)](Db& db) { return sql::saveAccount(db, a); });
    return *this;
}

Batch& Batch::deleteAccount(std::int64_t id) {
    steps_.push_back([id](Db& db) { return sql::deleteAccount(db, id); });
    return *this;
}

Batch& Batch::saveAccountPolicy(domain::AccountPolicy p) {
    steps_.push_back([p](Db& db) { return sql::saveAccountPolicy(db, p); });
    return *this;
}

std::vector<domain::Account> Store::loadAccountsSync() {
    return impl_->runSync<std::vector<domain::Account>>("load accounts", sql::loadAccounts);
}

std::optional<domain::AccountPolicy> Store::loadAccountPolicySync() {
    return impl_->runSync<std::optional<domain::AccountPolicy>>("load account policy", sql::loadAccountPolicy);
}

void Store::apply(Batch batch, Done done) {
    // One queued write = one savepoint: the steps stand or fall together.
    impl_->enqueue(impl_->writeTask(
        "atomic batch",
        [steps = std::move(batch.steps_)](Db& db) {
            for (std::size_t i = 0; i < steps.size(); ++i) {
                if (auto err = steps[i](db); !err.empty())
                    return "step " + std::to_string(i + 1) + " of " + std::to_string(steps.size()) + ": " + err;
            }
            return std::string();
        },
        std::move(done)));
}

void Store::savePowerIntent(domain::PowerIntentRecord r, Done done) {
    impl_->enqueue(impl_->writeTask(
        "save power intent", [r = std::move(r)](Db& db) { return sql::savePowerIntent(db, r); }, std::move(done)));
}

std::vector<domain::PowerIntentRecord> Store::loadPowerIntentsSync() {
    return impl_->runSync<std::vector<domain::PowerIntentRecord>>("load power intents", sql::loadPowerIntents);
}

OrchestratorState Store::loadOrchestratorSync() {
    return impl_->runSync<OrchestratorState>("load orchestrator state", sql::loadOrchestrator);
}

std::int64_t Store::nextFailoverIdSync() {
    return impl_->runSync<std::int64_t>("next failover id", sql::nextFailoverId);
}

Batch& Batch::saveEventSubscription(domain::EventSubscription s) {
    steps_.push_back([s = std::move(s)](Db& db) { return sql::saveEventSubscription(db, s); });
    return *this;
}

Batch& Batch::deleteEventSubscription(std::string id) {
    steps_.push_back([id = std::move(id)](Db& db) { return sql::deleteEventSubscription(db, id); });
    return *this;
}

Batch& Batch::saveEventService(domain::EventServiceSettings s, std::int64_t nextSubscriptionId) {
    steps_.push_back([s, nextSubscriptionId](Db& db) { return sql::saveEventService(db, s, nextSubscriptionId); });
    return *this;
}

EventServiceState Store::loadEventServiceSync() {
    return impl_->runSync<EventServiceState>("load event service", sql::loadEventService);
}

void Store::loadAudit(std::size_t limit, std::function<void(std::vector<AuditRecord>)> done) {
    impl_->readTask<std::vector<AuditRecord>>(
        "load audit", [limit](Db& db, std::vector<AuditRecord>& out) { return sql::loadAudit(db, limit, out); },
        std::move(done));
}

void Store::loadAuditPage(std::size_t skip, std::size_t top, std::function<void(AuditPage)> done) {
    impl_->readTask<AuditPage>(
        "load audit page",
        [skip, top](Db& db, AuditPage& out) {
            auto err = sql::loadAuditPage(db, skip, top, out.total, out.records);
            out.ok = err.empty();
            return err;
        },
        std::move(done));
}

void Store::loadAuditRecord(std::int64_t id, std::function<void(AuditPage)> done) {
    impl_->readTask<AuditPage>(
        "load audit record",
        [id](Db& db, AuditPage& out) {
            auto err = sql::loadAuditRecord(db, id, out.records);
            out.ok = err.empty();
            out.total = static_cast<std::int64_t>(out.records.size());
            return err;
        },
        std::move(done));
}

void Store::saveChassis(domain::Chassis c, Done done) {
    impl_->enqueue(impl_->writeTask(
        "save chassis", [c = std::move(c)](Db& db) { return sql::saveChassis(db, c); }, std::move(done)));
}

void Store::saveBlade(domain::Blade b, Done done) {
    impl_->enqueue(impl_->writeTask(
        "save blade", [b = std::move(b)](Db& db) { return sql::saveBlade(db, b); }, std::move(done)));
}

void Store::markBladeAbsent(int slot, Done done) {
    impl_->enqueue(impl_->writeTask(
        "mark blade absent", [slot](Db& db) { return sql::markBladeAbsent(db, slot); }, std::move(done)));
}

void Store::appendHealthSamples(std::vector<domain::HealthSample> samples, Done done) {
    impl_->enqueue(impl_->writeTask(
        "append health samples", [s = std::move(samples)](Db& db) { return sql::appendHealthSamples(db, s); },
        std::move(done)));
}

void Store::appendTransition(domain::HealthTransition t, std::function<void(std::int64_t id)> done) {
    impl_->enqueue(impl_->idTask(
        "append health transition",
        [t = std::move(t)](Db& db, std::int64_t& id) { return sql::appendTransition(db, t, id); }, std::move(done)));
}

void Store::appendEvent(domain::Event e, std::function<void(std::int64_t id)> done) {
    impl_->enqueue(impl_->idTask(
        "append event", [e = std::move(e)](Db& db, std::int64_t& id) { return sql::appendEvent(db, e, id); },
        std::move(done)));
}

void Store::runRetention(std::int64_t nowMs, Done done) {
    impl_->enqueue(impl_->writeTask(
        "retention", [opts = impl_->options_, nowMs](Db& db) { return sql::runRetention(db, opts, nowMs); },
        std::move(done)));
}

void Store::loadTransitions(int slot, std::size_t limit,
                            std::function<void(std::vector<domain::HealthTransition>)> done) {
    impl_->readTask<std::vector<domain::HealthTransition>>(
        "load transitions",
        [slot, limit](Db& db, std::vector<domain::HealthTransition>& out) {
            return sql::loadTransitions(db, slot, limit, out);
        },
        std::move(done));
}

void Store::loadSamples(int slot, std::int64_t sinceMs, std::function<void(std::vector<domain::HealthSample>)> done) {
    impl_->readTask<std::vector<domain::HealthSample>>(
        "load samples",
        [slot, sinceMs](Db& db, std::vector<domain::HealthSample>& out) {
            return sql::loadSamples(db, slot, sinceMs, out);
        },
        std::move(done));
}

void Store::loadAggregates(int slot, std::int64_t sinceMs, std::function<void(std::vector<SampleAggregate>)> done) {
    impl_->readTask<std::vector<SampleAggregate>>(
        "load aggregates",
        [slot, sinceMs](Db& db, std::vector<SampleAggregate>& out) {
            return sql::loadAggregates(db, slot, sinceMs, out);
        },
        std::move(done));
}

void Store::integrityCheck(std::function<void(std::string result)> done) {
    // A failed check answers with the failure text (never "ok").
    auto result = std::make_shared<std::string>();
    Task t;
    t.write = false;
    t.what = "integrity check";
    t.run = [result](Db& db) {
        (void)sql::integrityCheck(db, *result);
        return std::string();
    };
    t.after = [this, result, done = std::move(done)](bool, const std::string&) {
        if (done) boost::asio::post(impl_->io_, [done, result] { done(*result); });
    };
    impl_->enqueue(std::move(t));
}

void Store::flush() {
    impl_->flush();
}

std::size_t Store::queueDepth() const {
    std::lock_guard lock(impl_->mutex_);
    return impl_->queue_.size();
}

} // namespace cmc::store
