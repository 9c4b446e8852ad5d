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
    std::string path;
};

// Lists the migrations of `dir`: every regular file except dot-files and
// README* must be named NNNN_name.sql (name: [a-z0-9_]+), versions must run
// 1, 2, 3... without gaps or duplicates. False with `error` naming the culprit.
[[nodiscard]] bool listMigrations(const std::string& dir, std::vector<Migration>& out, std::string& error);

// Brings the database to the newest migration of `dir`. Refuses a database
// whose version is newer than the newest migration. `version` receives the
// version the database is at afterwards.
[[nodiscard]] bool applyMigrations(Db& db, const std::string& dir, int& version, std::string& error);

} // namespace cmc::store
