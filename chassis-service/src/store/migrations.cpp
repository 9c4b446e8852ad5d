#include "store/migrations.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "store/db.hpp"

namespace cmc::store {

namespace {

namespace fs = std::filesystem;

// NNNN_name.sql -> NNNN, or -1 when the name does not follow the pattern.
int versionOf(const std::string& file) {
    constexpr std::string_view kExt = ".sql";
    if (file.size() < 4 + 1 + 1 + kExt.size()) return -1;
    if (file.compare(file.size() - kExt.size(), kExt.size(), kExt) != 0) return -1;
    int v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        char c = file[i];
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    if (file[4] != '_') return -1;
    for (std::size_t i = 5; i < file.size() - kExt.size(); ++i) {
        char c = file[i];
        bool okChar = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (!okChar) return -1;
    }
    return v;
}

bool readFile(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return false;
    out = ss.str();
    return true;
}

bool userVersion(Db& db, int& version, std::string& error) {
    auto q = db.query("PRAGMA user_version");
    if (!q.next()) {
        error = "cannot read the schema version: " + (q.failed() ? q.error() : std::string("no row"));
        return false;
    }
    version = q.int32(0);
    return true;
}

} // namespace

bool listMigrations(const std::string& dir, std::vector<Migration>& out, std::string& error) {
    out.clear();
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        error = "migrations directory '" + dir + "' does not exist or is not a directory";
        return false;
    }
    fs::directory_iterator it(dir, ec);
    if (ec) {
        error = "cannot list migrations directory '" + dir + "': " + ec.message();
        return false;
    }
    for (const auto& entry : it) {
        std::string file = entry.path().filename().string();
        if (file.empty() || file[0] == '.' || file.rfind("README", 0) == 0) continue;
        int v = versionOf(file);
        if (v <= 0 || !entry.is_regular_file(ec)) {
            error = "malformed migration file name '" + entry.path().string() +
                    "' (expected NNNN_name.sql with NNNN >= 0001 and name in [a-z0-9_])";
            return false;
        }
        out.push_back(Migration{v, file, entry.path().string(), {}});
    }
    std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (std::size_t i = 0; i < out.size(); ++i) {
        int expected = static_cast<int>(i) + 1;
        if (out[i].version != expected) {
            error = "migrations in '" + dir + "' do not run 0001, 0002, ... : found '" + out[i].name +
                    "' where version " + std::to_string(expected) + " was expected";
            return false;
        }
    }
    if (out.empty()) {
        error = "migrations directory '" + dir + "' holds no NNNN_name.sql file";
        return false;
    }
    return true;
}

// The built-in migrations, checked like a directory's.
static bool listBuiltin(std::vector<Migration>& out, std::string& error) {
    out.clear();
    for (const auto& b : builtinMigrations()) {
        int v = versionOf(b.name);
        if (v <= 0) {
            error = std::string("malformed built-in migration name '") + b.name + "'";
            return false;
        }
        out.push_back(Migration{v, b.name, {}, b.sql});
    }
    std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i].version != static_cast<int>(i) + 1) {
            error = "built-in migrations do not run 0001, 0002, ...: found '" + out[i].name + "'";
            return false;
        }
    }
    if (out.empty()) error = "no built-in migrations";
    return !out.empty();
}

bool applyMigrations(Db& db, const std::string& dir, int& version, std::string& error) {
    std::vector<Migration> migrations;
    if (dir.empty() ? !listBuiltin(migrations, error) : !listMigrations(dir, migrations, error)) return false;
    if (!userVersion(db, version, error)) return false;
    const int newest = migrations.back().version;
    if (version > newest) {
        error = "database schema version " + std::to_string(version) + " is newer than this cmcd knows (" +
                std::to_string(newest) + "); run a newer cmcd or restore a matching backup";
        return false;
    }
    if (version < 0) {
        error = "database schema version " + std::to_string(version) + " is invalid";
        return false;
    }
    for (const auto& m : migrations) {
        if (m.version <= version) continue;
        std::string sql = m.sql;
        if (!m.path.empty() && !readFile(m.path, sql)) {
            error = "cannot read migration '" + m.path + "'";
            return false;
        }
        std::string err;
        // The version is part of the same transaction: a crash leaves either
        // the old schema and version or the new ones.
        std::string script =
            "BEGIN IMMEDIATE;\n" + sql + "\n;PRAGMA user_version = " + std::to_string(m.version) + ";\nCOMMIT;";
        if (!db.execScript(script, err)) {
            std::string ignored;
            if (db.inTransaction()) (void)db.execScript("ROLLBACK", ignored);
            error = "migration '" + m.name + "' failed: " + err + "; the database stays at schema version " +
                    std::to_string(version);
            return false;
        }
        version = m.version;
    }
    return true;
}

} // namespace cmc::store
