#include "store/queries_accounts.hpp"

#include <nlohmann/json.hpp>

#include "store/db.hpp"

namespace cmc::store::sql {

namespace {

std::string typesJson(const std::vector<std::string>& types) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& t : types)
        j.push_back(t);
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> typesFrom(const std::string& text) {
    std::vector<std::string> out;
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_array()) {
        for (const auto& t : j) {
            if (t.is_string()) out.push_back(t.get<std::string>());
        }
    }
    return out;
}

} // namespace

std::string saveAccount(Db& db, const domain::Account& a) {
    auto q = db.query("INSERT INTO accounts (id, user_name, role_id, enabled, password_hash, account_types) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                      "ON CONFLICT (id) DO UPDATE SET user_name = excluded.user_name, role_id = excluded.role_id, "
                      "enabled = excluded.enabled, password_hash = excluded.password_hash, "
                      "account_types = excluded.account_types");
    q.bind(1, a.id).bind(2, a.userName).bind(3, a.roleId).bind(4, a.enabled).bind(5, a.passwordHash);
    q.bind(6, typesJson(a.accountTypes));
    // The error names the account, never its hash.
    return q.exec() ? std::string() : "account id=" + std::to_string(a.id) + ": " + q.error();
}

std::string deleteAccount(Db& db, std::int64_t id) {
    auto q = db.query("DELETE FROM accounts WHERE id = ?1");
    q.bind(1, id);
    return q.exec() ? std::string() : "delete account id=" + std::to_string(id) + ": " + q.error();
}

std::string loadAccounts(Db& db, std::vector<domain::Account>& out) {
    out.clear();
    auto q = db.query("SELECT id, user_name, role_id, enabled, password_hash, account_types FROM accounts ORDER BY id");
    while (q.next()) {
        domain::Account a;
        a.id = q.int64(0);
        a.userName = q.text(1);
        a.roleId = q.text(2);
        a.enabled = q.int64(3) != 0;
        a.passwordHash = q.text(4);
        a.accountTypes = typesFrom(q.text(5));
        out.push_back(std::move(a));
    }
    return q.failed() ? "load accounts: " + q.error() : std::string();
}

std::string saveAccountPolicy(Db& db, const domain::AccountPolicy& p) {
    auto q =
        db.query("INSERT INTO account_policy (id, min_password_length, max_password_length, lockout_threshold, "
                 "lockout_duration_s, lockout_reset_after_s) VALUES (1, ?1, ?2, ?3, ?4, ?5) "
                 "ON CONFLICT (id) DO UPDATE SET min_password_length = excluded.min_password_length, "
                 "max_password_length = excluded.max_password_length, "
                 "lockout_threshold = excluded.lockout_threshold, lockout_duration_s = excluded.lockout_duration_s, "
                 "lockout_reset_after_s = excluded.lockout_reset_after_s");
    q.bind(1, p.minPasswordLength).bind(2, p.maxPasswordLength).bind(3, p.lockoutThreshold);
    q.bind(4, p.lockoutDurationSeconds).bind(5, p.lockoutCounterResetSeconds);
    return q.exec() ? std::string() : "account policy: " + q.error();
}

std::string loadAccountPolicy(Db& db, std::optional<domain::AccountPolicy>& out) {
    out.reset();
    auto q = db.query("SELECT min_password_length, max_password_length, lockout_threshold, lockout_duration_s, "
                      "lockout_reset_after_s FROM account_policy WHERE id = 1");
    if (q.next()) {
        domain::AccountPolicy p;
        p.minPasswordLength = q.int64(0);
        p.maxPasswordLength = q.int64(1);
        p.lockoutThreshold = q.int64(2);
        p.lockoutDurationSeconds = q.int64(3);
        p.lockoutCounterResetSeconds = q.int64(4);
        out = p;
    }
    return q.failed() ? "load account policy: " + q.error() : std::string();
}

} // namespace cmc::store::sql
