// Shared helpers of the store tests: a temporary directory and an io_context
// driven until the expected callbacks arrived.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace cmc::store::test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "cmc-store-XXXXXX").string();
        char* p = ::mkdtemp(tmpl.data());
        REQUIRE(p != nullptr);
        path_ = p;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

struct Loop {
    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{io.get_executor()};

    // Runs handlers until `done()` holds; fails the test if nothing arrives for 30 s.
    template <typename Pred> void runUntil(Pred done) {
        while (!done()) {
            REQUIRE(io.run_one_for(std::chrono::seconds(30)) > 0);
        }
    }
};

inline StoreOptions options(const std::filesystem::path& dir, const std::string& name = "db/cmcd.db") {
    StoreOptions o;
    o.path = (dir / name).string();
    o.migrationsDir = CMC_MIGRATIONS_DIR;
    return o;
}

inline std::unique_ptr<Store> openOrFail(boost::asio::io_context& io, const StoreOptions& o) {
    std::string error;
    auto s = Store::open(io, o, error);
    INFO("open error: " << error);
    REQUIRE(s != nullptr);
    return s;
}

inline std::string integrity(Loop& loop, Store& s) {
    std::string result;
    bool got = false;
    s.integrityCheck([&](std::string r) {
        result = std::move(r);
        got = true;
    });
    loop.runUntil([&] { return got; });
    return result;
}

} // namespace cmc::store::test
