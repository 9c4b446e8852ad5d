// Schema migrations: schemas/db/NNNN_name.sql, applied in numeric order, each
// in its own transaction that also records the version in PRAGMA user_version.
#pragma once

#include <string>
#include <vector>

namespace cmc::store {

class Db;

struct Migration {
    int version = 0;  // NNNN
    std::string name; // file name
    std::string path; // empty for a built-in migration
    std::string sql;  // the text of a built-in migration
};

// The migrations of schemas/db as compiled into the binary (generated).
struct BuiltinMigration {
    const char* name;
    const char* sql;
};
[[nodiscard]] const std::vector<BuiltinMigration>& builtinMigrations();

// Lists the migrations of `dir`: every regular file except dot-files and
// README* must be named NNNN_name.sql (name: [a-z0-9_]+), versions must run
// 1, 2, 3... without gaps or duplicates. False with `error` naming the culprit.
[[nodiscard]] bool listMigrations(const std::string& dir, std::vector<Migration>& out, std::string& error);

// Brings the database to the newest migration of `dir` (empty: the built-in
// migrations). Refuses a database
// whose version is newer than the newest migration. `version` receives the
// version the database is at afterwards.
[[nodiscard]] bool applyMigrations(Db& db, const std::string& dir, int& version, std::string& error);

} // namespace cmc::store
