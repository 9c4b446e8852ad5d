// Accounts and password checks: hashes run off the loop through a bounded,
// per-user fair queue; lockout, the password policy, remembered credentials.
#include <doctest/doctest.h>

#include <boost/asio/executor_work_guard.hpp>

#include <chrono>
#include <thread>

#include "auth/authenticator.hpp"
#include "config/config.hpp"

using cmc::auth::Authenticator;
using cmc::auth::Options;
using cmc::auth::Verdict;
using cmc::domain::Account;
using cmc::domain::AccountRequest;
using Code = cmc::domain::AccountResult::Code;

namespace {

Account hashed(std::int64_t id, const std::string& user, const std::string& pw, const std::string& role,
               int iterations = 20000) {
    Account a;
    a.id = id;
    a.userName = user;
    a.passwordHash = cmc::config::hashPassword(pw, iterations);
    a.roleId = role;
    return a;
}

// One verification run to its answer.
Verdict check(boost::asio::io_context& io, Authenticator& auth, const std::string& user, const std::string& pw) {
    std::optional<Verdict> got;
    auth.verify(user, pw, [&](Verdict v) { got = v; });
    io.restart();
    while (!got)
        io.run_one();
    return *got;
}

Authenticator::Change change(boost::asio::io_context& io, Authenticator& auth, std::optional<std::int64_t> id,
                             AccountRequest req) {
    std::optional<Authenticator::Change> got;
    auto done = [&](Authenticator::Change c) { got = std::move(c); };
    if (id)
        auth.update(*id, std::move(req), done);
    else
        auth.create(std::move(req), done);
    io.restart();
    while (!got)
        io.run_one();
    return *got;
}

Options fastOptions(const std::int64_t* clock = nullptr) {
    Options o;
    o.hashIterations = 1000;
    if (clock) o.nowMs = [clock] { return *clock; };
    return o;
}

} // namespace

TEST_CASE("a hashed password is checked on the worker; the answer comes back on the loop") {
    boost::asio::io_context io;
    Authenticator auth(io, {hashed(1, "admin", "s3cret", "Administrator"), hashed(2, "ro", "view", "ReadOnly")});
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
    // Per-user queues: "ro" is not behind admin's second check.
    int adminOk = 0, roOk = 0, refused = 0;
    for (std::size_t i = 1; i < got.size(); ++i) {
        if (got[i].ok && got[i].role == "Administrator") ++adminOk;
        if (got[i].ok && got[i].role == "ReadOnly") ++roOk;
        if (!got[i].ok) ++refused;
    }
    CHECK(adminOk == 1);
    CHECK(roOk == 1);
    CHECK(refused == 1);
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

TEST_CASE("a flood of logins is refused as busy beyond the queue bounds, not queued without end") {
    boost::asio::io_context io;
    Options o;
    o.maxPending = 8;
    o.maxPendingPerUser = 4;
    o.policy.lockoutThreshold = 0; // this case is about the queue, not lockout
    Authenticator auth(io, {hashed(1, "admin", "s3cret", "Administrator"), hashed(2, "op", "operate!", "Operator")}, o);
    int ok = 0, refused = 0, busy = 0;
    auto count = [&](Verdict v) {
        if (v.busy)
            ++busy;
        else if (v.ok)
            ++ok;
        else
            ++refused;
    };
    for (int i = 0; i < 10; ++i)
        auth.verify("admin", "guess-" + std::to_string(i), count);
    CHECK(busy == 6); // one user holds at most 4 places
    CHECK(auth.busyRefusals() == 6);
    auth.verify("op", "operate!", count); // another account still has room
    CHECK(busy == 6);
    io.run();
    CHECK(refused == 4);
    CHECK(ok == 1);
    CHECK(auth.pending() == 0);
}

TEST_CASE("a flood of wrong passwords delays another account's correct login by at most one hash") {
    boost::asio::io_context io;
    constexpr int kIterations = 200000; // a hash of a few tens of milliseconds
    Options o;
    o.policy.lockoutThreshold = 0; // the worst case: no lockout cuts the flood short
    o.maxPending = 64;             // and every wrong password queued: fairness, not the bound, is tested
    o.maxPendingPerUser = 32;
    Authenticator auth(io,
                       {hashed(1, "admin", "s3cret", "Administrator", kIterations),
                        hashed(2, "op", "operate!", "Operator", kIterations)},
                       o);
    using clock = std::chrono::steady_clock;
    // The hash time, measured here.
    auto t0 = clock::now();
    CHECK_FALSE(check(io, auth, "op", "not-it").ok);
    const auto hashTime = clock::now() - t0;
    // 32 wrong passwords for admin (as many as the old single queue held), then op's right one.
    int floodAnswers = 0;
    for (int i = 0; i < 32; ++i)
        auth.verify("admin", "guess-" + std::to_string(i), [&](Verdict v) {
            CHECK_FALSE(v.busy);
            ++floodAnswers;
        });
    std::optional<clock::duration> opTook;
    auto start = clock::now();
    auth.verify("op", "operate!", [&](Verdict v) {
        CHECK(v.ok);
        opTook = clock::now() - start;
    });
    io.restart();
    while (!opTook)
        io.run_one();
    auto ms = [](clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
    MESSAGE("hash " << ms(hashTime) << " ms; op's login during the flood " << ms(*opTook) << " ms; " << floodAnswers
                    << " flood answers before it");
    // Its own hash plus at most the one already running (and some scheduling slack).
    CHECK(ms(*opTook) < 2 * ms(hashTime) + 0.5 * ms(hashTime) + 20);
    CHECK(floodAnswers <= 2);
    io.restart();
    io.run();
    CHECK(floodAnswers == 32);
}

TEST_CASE("lockout: threshold failures lock the account; the right password is refused until the duration ends") {
    boost::asio::io_context io;
    std::int64_t now = 1000000;
    auto o = fastOptions(&now);
    o.policy.lockoutThreshold = 3;
    o.policy.lockoutDurationSeconds = 60;
    o.policy.lockoutCounterResetSeconds = 30;
    std::vector<std::string> logged;
    o.log = [&](const std::string& line) { logged.push_back(line); };
    Authenticator auth(io, {hashed(1, "admin", "s3cret", "Administrator", 1000)}, o);

    // Failures spread wider than the reset window never lock.
    for (int i = 0; i < 5; ++i) {
        CHECK_FALSE(check(io, auth, "admin", "wrong").ok);
        now += 31000;
    }
    CHECK_FALSE(auth.account(1)->locked);
    // Three within the window do.
    for (int i = 0; i < 3; ++i)
        CHECK_FALSE(check(io, auth, "admin", "wrong" + std::to_string(i)).ok);
    CHECK(auth.account(1)->locked);
    auto hashes = auth.hashesRun();
    auto v = check(io, auth, "admin", "s3cret");
    CHECK_FALSE(v.ok);
    CHECK(v.locked);
    CHECK(auth.hashesRun() == hashes); // refused before hashing
    now += 59000;
    CHECK(check(io, auth, "admin", "s3cret").locked);
    now += 1001;
    CHECK(check(io, auth, "admin", "s3cret").ok);
    CHECK_FALSE(auth.account(1)->locked);
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].find("user=admin locked for 60 s") != std::string::npos);
    for (const auto& line : logged) {
        CHECK(line.find("s3cret") == std::string::npos);
        CHECK(line.find("wrong") == std::string::npos);
    }
}

TEST_CASE("a success resets the failure count; an administrator unlocks with Locked false") {
    boost::asio::io_context io;
    std::int64_t now = 5000;
    auto o = fastOptions(&now);
    o.policy.lockoutThreshold = 2;
    Authenticator auth(io, {hashed(1, "admin", "s3cret", "Administrator", 1000)}, o);
    CHECK_FALSE(check(io, auth, "admin", "bad").ok);
    CHECK(check(io, auth, "admin", "s3cret").ok);
    CHECK_FALSE(check(io, auth, "admin", "bad").ok);
    CHECK_FALSE(auth.account(1)->locked); // the success in between reset the count
    CHECK_FALSE(check(io, auth, "admin", "bad").ok);
    CHECK(auth.account(1)->locked);
    // Remembered credentials do not get past a lock either.
    CHECK(check(io, auth, "admin", "s3cret").locked);
    AccountRequest bad;
    bad.locked = true;
    CHECK(change(io, auth, 1, bad).result.code == Code::BadValue); // only false is writable
    AccountRequest unlock;
    unlock.locked = false;
    auto c = change(io, auth, 1, unlock);
    REQUIRE(c.result.ok());
    CHECK_FALSE(c.result.account->locked);
    CHECK(check(io, auth, "admin", "s3cret").ok);
}

TEST_CASE("password policy: length bounds and not the user name; duplicate names and bad roles refused") {
    boost::asio::io_context io;
    auto o = fastOptions();
    o.policy.minPasswordLength = 8;
    o.policy.maxPasswordLength = 16;
    Authenticator auth(io, {hashed(1, "admin", "s3cret-pw", "Administrator", 1000)}, o);
    auto req = [](std::string user, std::string pw, std::string role) {
        AccountRequest r;
        r.userName = std::move(user);
        r.password = std::move(pw);
        r.roleId = std::move(role);
        return r;
    };
    CHECK(change(io, auth, std::nullopt, req("op", "short", "Operator")).result.code == Code::PasswordLength);
    CHECK(change(io, auth, std::nullopt, req("op", std::string(17, 'x'), "Operator")).result.code ==
          Code::PasswordLength);
    CHECK(change(io, auth, std::nullopt, req("operator1", "OPERATOR1", "Operator")).result.code == Code::PasswordRule);
    CHECK(change(io, auth, std::nullopt, req("admin", "long-enough", "Operator")).result.code == Code::Duplicate);
    CHECK(change(io, auth, std::nullopt, req("op", "long-enough", "Superuser")).result.code == Code::BadRole);
    CHECK(change(io, auth, std::nullopt, req("a:b", "long-enough", "Operator")).result.code == Code::BadValue);
    auto made = change(io, auth, std::nullopt, req("op", "long-enough", "Operator"));
    REQUIRE(made.result.ok());
    REQUIRE(made.after);
    CHECK(made.after->id == 2);
    CHECK(made.after->passwordHash.rfind("pbkdf2-sha256$1000$", 0) == 0);
    CHECK(made.after->passwordHash.find("long-enough") == std::string::npos);
    CHECK(check(io, auth, "op", "long-enough").ok);
    CHECK(check(io, auth, "op", "long-enough").role == "Operator");
    // Policy consistency.
    cmc::domain::AccountPolicy p;
    p.lockoutDurationSeconds = 10;
    p.lockoutCounterResetSeconds = 20;
    CHECK(Authenticator::checkPolicy(p).property == "AccountLockoutDuration");
    p.lockoutDurationSeconds = 20;
    CHECK(Authenticator::checkPolicy(p).ok());
}

TEST_CASE("a password change forgets remembered credentials and ends sessions; the last administrator stays") {
    boost::asio::io_context io;
    Authenticator auth(io, {hashed(1, "admin", "s3cret-pw", "Administrator", 1000)}, fastOptions());
    auto v = check(io, auth, "admin", "s3cret-pw");
    REQUIRE(v.ok);
    auto stamp = v.stamp;
    CHECK(auth.sessionRole("admin", stamp) == "Administrator");
    auto hashes = auth.hashesRun();
    CHECK(check(io, auth, "admin", "s3cret-pw").ok);
    CHECK(auth.hashesRun() == hashes); // remembered

    AccountRequest pw;
    pw.password = "another-pw";
    REQUIRE(change(io, auth, 1, pw).result.ok());
    CHECK_FALSE(auth.sessionRole("admin", stamp)); // sessions opened before end
    auto old = check(io, auth, "admin", "s3cret-pw");
    CHECK_FALSE(old.ok);              // the remembered digest no longer opens it
    CHECK(auth.hashesRun() > hashes); // it was hashed again, against the new hash
    CHECK(check(io, auth, "admin", "another-pw").ok);

    // The last enabled Administrator can be neither demoted, disabled nor deleted.
    AccountRequest demote;
    demote.roleId = "Operator";
    CHECK(change(io, auth, 1, demote).result.code == Code::LastAdministrator);
    AccountRequest disable;
    disable.enabled = false;
    CHECK(change(io, auth, 1, disable).result.code == Code::LastAdministrator);
    CHECK(auth.remove(1).result.code == Code::LastAdministrator);
    // With a second one, it can; the removed account's sessions end.
    AccountRequest second;
    second.userName = "root";
    second.password = "root-password";
    second.roleId = "Administrator";
    REQUIRE(change(io, auth, std::nullopt, second).result.ok());
    auto rootStamp = check(io, auth, "root", "root-password").stamp;
    auto gone = auth.remove(2);
    REQUIRE(gone.result.ok());
    CHECK_FALSE(auth.sessionRole("root", rootStamp));
    CHECK_FALSE(check(io, auth, "root", "root-password").ok);
    // A failed write is undone: the account is back.
    auth.revert(gone);
    CHECK(check(io, auth, "root", "root-password").ok);
}

TEST_CASE("a disabled account is refused at once; a role change applies to open sessions") {
    boost::asio::io_context io;
    Authenticator auth(
        io, {hashed(1, "admin", "s3cret-pw", "Administrator", 1000), hashed(2, "op", "operate-pw", "Operator", 1000)},
        fastOptions());
    auto v = check(io, auth, "op", "operate-pw");
    REQUIRE(v.ok);
    AccountRequest ro;
    ro.roleId = "ReadOnly";
    REQUIRE(change(io, auth, 2, ro).result.ok());
    CHECK(auth.sessionRole("op", v.stamp) == "ReadOnly");
    AccountRequest off;
    off.enabled = false;
    REQUIRE(change(io, auth, 2, off).result.ok());
    CHECK_FALSE(auth.sessionRole("op", v.stamp));
    auto hashes = auth.hashesRun();
    CHECK_FALSE(check(io, auth, "op", "operate-pw").ok);
    CHECK(auth.hashesRun() == hashes);
}

TEST_CASE("stopping drops answers still in flight; nothing runs after") {
    boost::asio::io_context io;
    int answers = 0;
    {
        Authenticator auth(io, {hashed(1, "admin", "s3cret", "Administrator", 200000)});
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
