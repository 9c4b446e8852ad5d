// The EventService's tables (migration 0006): push subscriptions and the
// service settings round-trip through the writer thread and survive a
// reopen; the next subscription id never goes back.
#include <doctest/doctest.h>

#include "store/store.hpp"
#include "store_test_util.hpp"

using namespace cmc;
using namespace cmc::store;
using namespace cmc::store::test;

namespace {

std::string appliedBatch(Loop& loop, Store& s, Batch batch) {
    std::string error = "no answer";
    bool answered = false;
    s.apply(std::move(batch), [&](bool ok, std::string e) {
        error = ok ? std::string() : (e.empty() ? std::string("failed without a message") : e);
        answered = true;
    });
    loop.runUntil([&] { return answered; });
    return error;
}

domain::EventSubscription subscription(std::string id, std::string dest) {
    domain::EventSubscription s;
    s.id = std::move(id);
    s.destination = std::move(dest);
    s.context = "ctx " + s.id;
    s.registryPrefixes = {"OpenCMC"};
    s.messageIds = {"OpenCMC.BladeFailed", "OpenCMC.1.0.BladeRecovered"};
    s.originResources = {"/redfish/v1/Chassis/blade-2"};
    s.httpHeaders = {{"X-Token", "t0k\"en"}};
    s.retryPolicy = domain::RetryPolicy::TerminateAfterRetries;
    s.createdMs = 1700000000000;
    return s;
}

} // namespace

TEST_CASE("event subscriptions and the event service settings round-trip and survive a reopen") {
    TempDir dir;
    Loop loop;
    auto o = options(dir.path());
    {
        auto s = openOrFail(loop.io, o);
        auto empty = s->loadEventServiceSync();
        CHECK(empty.subscriptions.empty());
        CHECK_FALSE(empty.settings.has_value());
        CHECK(empty.nextSubscriptionId == 1);
        domain::EventServiceSettings settings;
        settings.enabled = false;
        settings.retryAttempts = 7;
        settings.retryIntervalSeconds = 9;
        Batch b;
        b.saveEventSubscription(subscription("1", "http://127.0.0.1:9/a"))
            .saveEventSubscription(subscription("2", "https://[::1]/b"))
            .saveEventSubscription(subscription("3", "http://127.0.0.1/c"))
            .saveEventService(settings, 4);
        REQUIRE(appliedBatch(loop, *s, std::move(b)).empty());
        auto changed = subscription("2", "https://[::1]/b");
        changed.context = "changed";
        changed.suspended = true;
        changed.httpHeaders.clear();
        changed.retryPolicy = domain::RetryPolicy::RetryForever;
        REQUIRE(appliedBatch(loop, *s, std::move(Batch().saveEventSubscription(changed))).empty());
        REQUIRE(appliedBatch(loop, *s, std::move(Batch().deleteEventSubscription("3"))).empty());
        // A non-numeric id is refused, and the batch with it rolls back.
        Batch bad;
        bad.saveEventSubscription(subscription("9", "http://127.0.0.1/z")).deleteEventSubscription("x");
        CHECK_FALSE(appliedBatch(loop, *s, std::move(bad)).empty());
    }
    auto s = openOrFail(loop.io, o);
    auto st = s->loadEventServiceSync();
    REQUIRE(st.settings.has_value());
    CHECK_FALSE(st.settings->enabled);
    CHECK(st.settings->retryAttempts == 7);
    CHECK(st.settings->retryIntervalSeconds == 9);
    CHECK(st.nextSubscriptionId == 4); // 3 was deleted: its id is not handed out again
    REQUIRE(st.subscriptions.size() == 2);
    const auto& a = st.subscriptions[0];
    CHECK(a.id == "1");
    CHECK(a.destination == "http://127.0.0.1:9/a");
    CHECK(a.context == "ctx 1");
    CHECK(a.registryPrefixes == std::vector<std::string>{"OpenCMC"});
    CHECK(a.messageIds == std::vector<std::string>{"OpenCMC.BladeFailed", "OpenCMC.1.0.BladeRecovered"});
    CHECK(a.originResources == std::vector<std::string>{"/redfish/v1/Chassis/blade-2"});
    REQUIRE(a.httpHeaders.size() == 1);
    CHECK(a.httpHeaders[0].second == "t0k\"en");
    CHECK(std::string(domain::toString(a.retryPolicy)) == "TerminateAfterRetries");
    CHECK_FALSE(a.suspended);
    CHECK(a.createdMs == 1700000000000);
    const auto& b = st.subscriptions[1];
    CHECK(b.context == "changed");
    CHECK(b.suspended);
    CHECK(b.httpHeaders.empty());
    CHECK(std::string(domain::toString(b.retryPolicy)) == "RetryForever");
}
