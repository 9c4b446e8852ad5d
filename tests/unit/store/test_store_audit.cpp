// The audit trail as the AuditLog LogService pages it: $skip/$top windows in
// id order with the total, one record by id, and a read that fails says so
// (ok false) instead of answering an empty trail.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store_test_util.hpp"

using namespace cmc;
using namespace cmc::store;
using namespace cmc::store::test;

namespace {

Store::AuditPage page(Loop& loop, Store& s, std::size_t skip, std::size_t top) {
    Store::AuditPage out;
    bool got = false;
    s.loadAuditPage(skip, top, [&](Store::AuditPage p) {
        out = std::move(p);
        got = true;
    });
    loop.runUntil([&] { return got; });
    return out;
}

Store::AuditPage record(Loop& loop, Store& s, std::int64_t id) {
    Store::AuditPage out;
    bool got = false;
    s.loadAuditRecord(id, [&](Store::AuditPage p) {
        out = std::move(p);
        got = true;
    });
    loop.runUntil([&] { return got; });
    return out;
}

void fill(Loop& loop, Store& s, int n) {
    Batch b;
    for (int i = 1; i <= n; ++i)
        b.appendAudit({0, 1000 + i, i % 2 ? "admin" : "policy", "CreateLogicalServer", "srv" + std::to_string(i),
                       "reason " + std::to_string(i), "created"});
    bool done = false;
    bool ok = false;
    s.apply(std::move(b), [&](bool k, std::string) {
        ok = k;
        done = true;
    });
    loop.runUntil([&] { return done; });
    REQUIRE(ok);
}

} // namespace

TEST_CASE("audit pages: skip and top over the trail in id order, with the total") {
    TempDir dir;
    Loop loop;
    auto s = openOrFail(loop.io, options(dir.path()));

    auto empty = page(loop, *s, 0, 10);
    CHECK(empty.ok);
    CHECK(empty.total == 0);
    CHECK(empty.records.empty());

    fill(loop, *s, 7);
    auto first = page(loop, *s, 0, 3);
    REQUIRE(first.ok);
    CHECK(first.total == 7);
    REQUIRE(first.records.size() == 3);
    CHECK(first.records[0].subject == "srv1");
    CHECK(first.records[0].who == "admin");
    CHECK(first.records[0].reason == "reason 1");
    CHECK(first.records[0].timeMs == 1001);
    CHECK(first.records[2].subject == "srv3");

    auto last = page(loop, *s, 5, 3); // only two left
    REQUIRE(last.ok);
    CHECK(last.total == 7);
    REQUIRE(last.records.size() == 2);
    CHECK(last.records[0].subject == "srv6");
    CHECK(last.records[1].subject == "srv7");
    CHECK(last.records[1].who == "admin");
    CHECK(last.records[0].id < last.records[1].id);

    auto beyond = page(loop, *s, 50, 3);
    CHECK(beyond.ok);
    CHECK(beyond.total == 7);
    CHECK(beyond.records.empty());

    auto one = record(loop, *s, first.records[1].id);
    REQUIRE(one.ok);
    REQUIRE(one.records.size() == 1);
    CHECK(one.records[0].subject == "srv2");
    CHECK(one.records[0].who == "policy");
    CHECK(one.records[0].outcome == "created");

    auto none = record(loop, *s, 9999);
    CHECK(none.ok);
    CHECK(none.records.empty());
}

TEST_CASE("audit pages survive a restart") {
    TempDir dir;
    Loop loop;
    auto o = options(dir.path());
    {
        auto s = openOrFail(loop.io, o);
        fill(loop, *s, 4);
        s->flush();
    }
    auto s = openOrFail(loop.io, o);
    auto p = page(loop, *s, 1, 10);
    REQUIRE(p.ok);
    CHECK(p.total == 4);
    REQUIRE(p.records.size() == 3);
    CHECK(p.records[0].subject == "srv2");
}
