// Password checks run off the loop through a bounded queue.
#include <doctest/doctest.h>

#include <boost/asio/executor_work_guard.hpp>

#include <thread>

#include "auth/authenticator.hpp"

using cmc::auth::Account;
using cmc::auth::Authenticator;
using cmc::auth::Verdict;

namespace {
Account hashed(const std::string& user, const std::string& pw, const std::string& role, int iterations = 20000) {
    Account a;
    a.credentials.username = user;
    a.credentials.passwordHash = cmc::config::hashPassword(pw, iterations);
    a.role = role;
    return a;
}
} // namespace

TEST_CASE("a hashed password is checked on the worker; the answer comes back on the loop") {
    boost::asio::io_context io;
    Authenticator auth(io, {hashed("admin", "s3cret", "Administrator"), hashed("ro", "view", "ReadOnly")});
    std::vector<Verdict> got;
    const auto loop = std::this_thread::get_id();
    auto collect = [&](Verdict v) {
        CHECK(std::this_thread::get_id() == loop);
        got.push_back(v);
    };
    auth.verify("admin", "s3cret", collect);
    auth.verify("admin", "wrong", collect);
    auth.verify("ro", "view", collect);
    auth.verify("nobody", "x", collect); // unknown users answer at once
    CHECK(got.size() == 1);
    CHECK_FALSE(got[0].ok);
    CHECK(auth.pending() == 3);
    io.run();
    REQUIRE(got.size() == 4);
    CHECK(got[1].ok);
    CHECK(got[1].role == "Administrator");
    CHECK_FALSE(got[2].ok);
    CHECK(got[3].ok);
    CHECK(got[3].role == "ReadOnly");
    // Verified once: remembered, answered without the worker.
    got.clear();
    auth.verify("admin", "s3cret", collect);
    REQUIRE(got.size() == 1);
    CHECK(got[0].ok);
    // A wrong password is never remembered.
    auth.verify("admin", "wrong", collect);
    CHECK(got.size() == 1);
    io.restart();
    io.run();
    REQUIRE(got.size() == 2);
    CHECK_FALSE(got[1].ok);
}

TEST_CASE("a flood of logins is refused as busy beyond the queue bound, not queued without end") {
    boost::asio::io_context io;
    Authenticator auth(io, {hashed("admin", "s3cret", "Administrator")}, 4);
    int ok = 0, refused = 0, busy = 0;
    for (int i = 0; i < 10; ++i) {
        auth.verify("admin", "guess-" + std::to_string(i), [&](Verdict v) {
            if (v.busy)
                ++busy;
            else if (v.ok)
                ++ok;
            else
                ++refused;
        });
    }
    CHECK(busy == 6);
    CHECK(auth.busyRefusals() == 6);
    io.run();
    CHECK(refused == 4);
    CHECK(ok == 0);
    CHECK(auth.pending() == 0);
}

TEST_CASE("stopping drops answers still in flight; nothing runs after") {
    boost::asio::io_context io;
    int answers = 0;
    {
        Authenticator auth(io, {hashed("admin", "s3cret", "Administrator", 200000)});
        auth.verify("admin", "s3cret", [&](Verdict) { ++answers; });
        auth.stop();
        auth.verify("admin", "s3cret", [&](Verdict v) {
            ++answers;
            CHECK_FALSE(v.ok);
        });
    }
    io.run(); // the posted answer of the first check finds the authenticator gone
    CHECK(answers == 1);
}
