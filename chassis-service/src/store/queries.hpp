// Every SQL statement of the chassis service. Each function runs on the
// thread that owns `db`, returns an empty string on success or what failed.
// Writes expect the caller to hold the transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/failover.hpp"
#include "domain/identity.hpp"
#include "domain/logical_server.hpp"
#include "domain/model.hpp"
#include "domain/power_intent.hpp"
#include "domain/spares.hpp"
#include "store/store.hpp"

namespace cmc::store {

class Db;

namespace sql {

// Transactions and savepoints (one savepoint per queued write).
[[nodiscard]] std::string begin(Db& db);
[[nodiscard]] std::string commit(Db& db);
void rollback(Db& db);
[[nodiscard]] std::string savepoint(Db& db);
[[nodiscard]] std::string release(Db& db);
void rollbackToSavepoint(Db& db);

[[nodiscard]] std::string applyPragmas(Db& db);

[[nodiscard]] std::string saveChassis(Db& db, const domain::Chassis& c);
[[nodiscard]] std::string saveBlade(Db& db, const domain::Blade& b);
[[nodiscard]] std::string markBladeAbsent(Db& db, int slot);
[[nodiscard]] std::string appendHealthSamples(Db& db, const std::vector<domain::HealthSample>& samples);
[[nodiscard]] std::string appendTransition(Db& db, const domain::HealthTransition& t, std::int64_t& id);
[[nodiscard]] std::string appendEvent(Db& db, const domain::Event& e, std::int64_t& id);
[[nodiscard]] std::string runRetention(Db& db, const StoreOptions& options, std::int64_t nowMs);

[[nodiscard]] std::string loadChassis(Db& db, std::optional<domain::Chassis>& out);
[[nodiscard]] std::string loadBlades(Db& db, std::vector<domain::Blade>& out);
[[nodiscard]] std::string loadEvents(Db& db, std::int64_t afterId, std::size_t limit, std::vector<domain::Event>& out);
[[nodiscard]] std::string lastEventId(Db& db, std::int64_t& id);
[[nodiscard]] std::string loadTransitions(Db& db, int slot, std::size_t limit,
                                          std::vector<domain::HealthTransition>& out);
[[nodiscard]] std::string loadSamples(Db& db, int slot, std::int64_t sinceMs, std::vector<domain::HealthSample>& out);
[[nodiscard]] std::string loadAggregates(Db& db, int slot, std::int64_t sinceMs, std::vector<SampleAggregate>& out);
[[nodiscard]] std::string integrityCheck(Db& db, std::string& result);
[[nodiscard]] std::string savePowerIntent(Db& db, const domain::PowerIntentRecord& r);
[[nodiscard]] std::string loadPowerIntents(Db& db, std::vector<domain::PowerIntentRecord>& out);

// The failover orchestrator's state (migration 0004).
[[nodiscard]] std::string saveIdentityPool(Db& db, const domain::IdentityPool& p);
// Fails (naming the holder) when the (kind, value) is already held.
[[nodiscard]] std::string saveAllocation(Db& db, const domain::Allocation& a);
[[nodiscard]] std::string deleteAllocation(Db& db, domain::IdentityKind kind, const std::string& value);
[[nodiscard]] std::string saveLogicalServer(Db& db, const domain::LogicalServer& s);
[[nodiscard]] std::string deleteLogicalServer(Db& db, const std::string& name);
[[nodiscard]] std::string saveSparePool(Db& db, const domain::SparePool& p);
[[nodiscard]] std::string deleteSparePool(Db& db, const std::string& name);
[[nodiscard]] std::string saveBladeFlags(Db& db, const BladeFlags& f);
[[nodiscard]] std::string saveFailover(Db& db, const domain::Failover& f);
[[nodiscard]] std::string appendAudit(Db& db, const AuditRecord& r, std::int64_t& id);
[[nodiscard]] std::string loadOrchestrator(Db& db, OrchestratorState& out);
[[nodiscard]] std::string nextFailoverId(Db& db, std::int64_t& id);
[[nodiscard]] std::string loadAudit(Db& db, std::size_t limit, std::vector<AuditRecord>& out);
// Records skip..skip+top-1 by id, and how many there are.
[[nodiscard]] std::string loadAuditPage(Db& db, std::size_t skip, std::size_t top, std::int64_t& total,
                                        std::vector<AuditRecord>& out);
[[nodiscard]] std::string loadAuditRecord(Db& db, std::int64_t id, std::vector<AuditRecord>& out);

} // namespace sql
} // namespace cmc::store
