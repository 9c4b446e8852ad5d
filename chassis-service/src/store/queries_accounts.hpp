// The SQL of the AccountService (migration 0005): accounts and the account
// policy. Same rules as queries.hpp: each function runs on the thread that
// owns `db` and returns an empty string or what failed (never a hash).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/account.hpp"

namespace cmc::store {

class Db;

namespace sql {

[[nodiscard]] std::string saveAccount(Db& db, const domain::Account& a);
[[nodiscard]] std::string deleteAccount(Db& db, std::int64_t id);
[[nodiscard]] std::string loadAccounts(Db& db, std::vector<domain::Account>& out);
[[nodiscard]] std::string saveAccountPolicy(Db& db, const domain::AccountPolicy& p);
[[nodiscard]] std::string loadAccountPolicy(Db& db, std::optional<domain::AccountPolicy>& out);

} // namespace sql
} // namespace cmc::store
