// The AccountService's tables (migration 0005): accounts and the policy
// round-trip through the writer thread and survive a reopen; the schema's
// checks refuse what the service never writes.
#include <doctest/doctest.h>

#include "store/store.hpp"
#include "store_test_util.hpp"

using namespace cmc;
using namespace cmc::store;
using namespace cmc::store::test;

namespace {

std::string applied(Loop& loop, Store& s, Batch batch) {
    std::string error = "no answer";
    bool answered = false;
    s.apply(std::move(batch), [&](bool ok, std::string e) {
        error = ok ? std::string() : (e.empty() ? std::string("failed without a message") : e);
        answered = true;
    });
    loop.runUntil([&] { return answered; });
    return error;
}

domain::Account account(std::int64_t id, std::string user, std::string role) {
    domain::Account a;
    a.id = id;
    a.userName = std::move(user);
    a.roleId = std::move(role);
    a.passwordHash = "pbkdf2-sha256$1000$00112233445566778899aabbccddeeff$" + std::string(64, 'a');
    return a;
}

} // namespace

TEST_CASE("accounts and the account policy round-trip and survive a reopen") {
    TempDir dir;
    Loop loop;
    auto o = options(dir.path());
    {
        auto s = openOrFail(loop.io, o);
        CHECK(s->loadAccountsSync().empty());
        CHECK_FALSE(s->loadAccountPolicySync().has_value());
        auto ro = account(3, "viewer", "ReadOnly");
        ro.enabled = false;
        Batch b;
        b.saveAccount(account(1, "admin", "Administrator")).saveAccount(account(2, "op", "Operator")).saveAccount(ro);
        REQUIRE(applied(loop, *s, std::move(b)).empty());
        // An update by id: renamed, new role.
        auto op = account(2, "operator", "Administrator");
        REQUIRE(applied(loop, *s, std::move(Batch().saveAccount(op))).empty());
        REQUIRE(applied(loop, *s, std::move(Batch().deleteAccount(1))).empty());
        domain::AccountPolicy p;
        p.minPasswordLength = 12;
        p.lockoutThreshold = 3;
        p.lockoutDurationSeconds = 2;
        p.lockoutCounterResetSeconds = 1;
        REQUIRE(applied(loop, *s, std::move(Batch().saveAccountPolicy(p))).empty());
    }
    auto s = openOrFail(loop.io, o);
    auto all = s->loadAccountsSync();
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == 2);
    CHECK(all[0].userName == "operator");
    CHECK(all[0].roleId == "Administrator");
    CHECK(all[0].enabled);
    CHECK(all[0].accountTypes == std::vector<std::string>{"Redfish"});
    CHECK(all[1].userName == "viewer");
    CHECK_FALSE(all[1].enabled);
    CHECK(all[1].passwordHash == account(3, "viewer", "ReadOnly").passwordHash);
    auto p = s->loadAccountPolicySync();
    REQUIRE(p);
    CHECK(p->minPasswordLength == 12);
    CHECK(p->maxPasswordLength == 64);
    CHECK(p->lockoutThreshold == 3);
    CHECK(p->lockoutDurationSeconds == 2);
    CHECK(p->lockoutCounterResetSeconds == 1);
    CHECK(integrity(loop, *s) == "ok");
}

TEST_CASE("the accounts table refuses a duplicate name, an unknown role and a plain password, atomically") {
    TempDir dir;
    Loop loop;
    auto s = openOrFail(loop.io, options(dir.path()));
    REQUIRE(applied(loop, *s, std::move(Batch().saveAccount(account(1, "admin", "Administrator")))).empty());
    Batch dup;
    dup.saveAccount(account(2, "other", "Operator")).saveAccount(account(3, "admin", "Operator"));
    CHECK_FALSE(applied(loop, *s, std::move(dup)).empty());
    CHECK_FALSE(applied(loop, *s, std::move(Batch().saveAccount(account(4, "x", "Superuser")))).empty());
    auto plain = account(5, "plain", "Operator");
    plain.passwordHash = "hunter2";
    auto error = applied(loop, *s, std::move(Batch().saveAccount(plain)));
    CHECK_FALSE(error.empty());
    CHECK(error.find("hunter2") == std::string::npos); // errors name the account, never the secret
    auto all = s->loadAccountsSync();
    REQUIRE(all.size() == 1); // the failed batch left nothing behind ("other" rolled back with it)
    CHECK(all[0].userName == "admin");
}
