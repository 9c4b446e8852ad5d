#include "store/db.hpp"

#include <sqlite3.h>

#include <cmath>
#include <limits>

namespace cmc::store {

Query::Query(Db& db, sqlite3_stmt* stmt, std::string_view sql) : db_(db), stmt_(stmt), sql_(sql) {
    if (!stmt_) error_ = "prepare failed: " + db_.errorMessage();
}

Query::~Query() {
    if (stmt_) {
        // The return code of reset repeats the last step's error, already reported.
        (void)sqlite3_reset(stmt_);
        (void)sqlite3_clear_bindings(stmt_);
    }
}

void Query::fail(int rc, const char* what) {
    if (error_.empty()) {
        error_ = std::string(what) + " failed: " + sqlite3_errstr(rc);
        const char* msg = sqlite3_errmsg(db_.handle());
        if (msg && std::string_view(msg) != sqlite3_errstr(rc)) error_ += std::string(" (") + msg + ")";
    }
}

Query& Query::bind(int index, std::int64_t v) {
    if (!stmt_) return *this;
    int rc = sqlite3_bind_int64(stmt_, index, static_cast<sqlite3_int64>(v));
    if (rc != SQLITE_OK) fail(rc, "bind");
    return *this;
}

Query& Query::bind(int index, double v) {
    if (!stmt_) return *this;
    if (std::isnan(v)) return bindNull(index);
    int rc = sqlite3_bind_double(stmt_, index, v);
    if (rc != SQLITE_OK) fail(rc, "bind");
    return *this;
}

Query& Query::bind(int index, std::string_view v) {
    if (!stmt_) return *this;
    if (v.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        error_ = "bind failed: text too long";
        return *this;
    }
    int rc = sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) fail(rc, "bind");
    return *this;
}

Query& Query::bindNull(int index) {
    if (!stmt_) return *this;
    int rc = sqlite3_bind_null(stmt_, index);
    if (rc != SQLITE_OK) fail(rc, "bind");
    return *this;
}

bool Query::exec() {
    if (failed()) return false;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_DONE) return true;
    if (rc == SQLITE_ROW) {
        error_ = "statement returned a row where none was expected";
        return false;
    }
    fail(rc, "step");
    return false;
}

bool Query::next() {
    if (failed()) return false;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) fail(rc, "step");
    return false;
}

std::int64_t Query::int64(int col) const {
    return sqlite3_column_int64(stmt_, col);
}

int Query::int32(int col) const {
    return sqlite3_column_int(stmt_, col);
}

std::string Query::text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    if (!p || n <= 0) return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::optional<double> Query::real(int col) const {
    if (isNull(col)) return std::nullopt;
    return sqlite3_column_double(stmt_, col);
}

bool Query::isNull(int col) const {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

Db::~Db() {
    close();
}

bool Db::open(const std::string& path, std::string& error) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        error = std::string("cannot open: ") + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
        close();
        return false;
    }
    if (sqlite3_extended_result_codes(db_, 1) != SQLITE_OK) {
        error = "cannot enable extended result codes: " + errorMessage();
        close();
        return false;
    }
    return true;
}

void Db::close() {
    for (auto& [sql, stmt] : cache_)
        (void)sqlite3_finalize(stmt);
    cache_.clear();
    if (db_) {
        // Every statement is finalized above, so close cannot be busy.
        (void)sqlite3_close(db_);
        db_ = nullptr;
    }
}

Query Db::query(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return Query(*this, it->second, sql);
    sqlite3_stmt* stmt = nullptr;
    int rc =
        sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK || !stmt) {
        (void)sqlite3_finalize(stmt);
        return Query(*this, nullptr, sql);
    }
    cache_.emplace(sql, stmt);
    return Query(*this, stmt, sql);
}

bool Db::execScript(const std::string& sql, std::string& error) {
    char* msg = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
        error = msg ? msg : sqlite3_errstr(rc);
        sqlite3_free(msg);
        return false;
    }
    return true;
}

std::string Db::errorMessage() const {
    return db_ ? sqlite3_errmsg(db_) : "database not open";
}

std::int64_t Db::lastInsertRowid() const {
    return sqlite3_last_insert_rowid(db_);
}

bool Db::inTransaction() const {
    return db_ && sqlite3_get_autocommit(db_) == 0;
}

} // namespace cmc::store
