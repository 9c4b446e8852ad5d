// A thin owner of one sqlite3 connection: statements prepared once and cached,
// every return code checked. Internal to store/; used by one thread at a time
// (open and migrations on the caller, then only the writer thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace cmc::store {

class Db;

// One use of a cached statement: bind, step, read columns. Resets the
// statement and clears its bindings when it goes out of scope. A failed bind
// is remembered and makes the next step fail with its message.
class Query {
public:
    Query(Db& db, sqlite3_stmt* stmt, std::string_view sql);
    ~Query();
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    Query& bind(int index, std::int64_t v);
    Query& bind(int index, int v) { return bind(index, static_cast<std::int64_t>(v)); }
    Query& bind(int index, bool v) { return bind(index, static_cast<std::int64_t>(v ? 1 : 0)); }
    Query& bind(int index, double v); // NaN is stored as NULL
    Query& bind(int index, std::string_view v);
    Query& bindNull(int index);

    // Runs a statement that returns no rows. False with error() on failure.
    [[nodiscard]] bool exec();
    // Steps to the next row: true with a row, false when done or on failure
    // (failed() tells which).
    [[nodiscard]] bool next();
    [[nodiscard]] bool failed() const { return !error_.empty(); }
    [[nodiscard]] const std::string& error() const { return error_; }

    [[nodiscard]] std::int64_t int64(int col) const;
    [[nodiscard]] int int32(int col) const;
    [[nodiscard]] std::string text(int col) const;
    [[nodiscard]] std::optional<double> real(int col) const; // NULL -> empty
    [[nodiscard]] bool isNull(int col) const;

private:
    void fail(int rc, const char* what);

    Db& db_;
    sqlite3_stmt* stmt_;
    std::string_view sql_;
    std::string error_;
};

class Db {
public:
    Db() = default;
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    // Opens (creating) the file without SQLite's own mutex: the store
    // serialises access on one thread.
    [[nodiscard]] bool open(const std::string& path, std::string& error);
    void close();

    // A cached statement for `sql` (a string with static storage duration:
    // the cache keys on its text). Returns nullopt-like failure through
    // Query::failed() when preparation fails.
    [[nodiscard]] Query query(std::string_view sql);

    // Runs one or more statements without caching (pragmas, migrations).
    [[nodiscard]] bool execScript(const std::string& sql, std::string& error);

    [[nodiscard]] std::string errorMessage() const;
    [[nodiscard]] std::int64_t lastInsertRowid() const;
    [[nodiscard]] bool inTransaction() const;
    [[nodiscard]] sqlite3* handle() const { return db_; }

private:
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string_view, sqlite3_stmt*> cache_;
};

} // namespace cmc::store
