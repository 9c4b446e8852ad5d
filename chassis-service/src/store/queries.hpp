// Every SQL statement of the chassis service. Each function runs on the
// thread that owns `db`, returns an empty string on success or what failed.
// Writes expect the caller to hold the transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "domain/power_intent.hpp"
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

} // namespace sql
} // namespace cmc::store
