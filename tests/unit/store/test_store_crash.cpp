// Crash safety (invariant 6): a child process writes events and samples in a
// loop and reports every write whose done-callback ran; the parent SIGKILLs it
// at a seeded random moment, reopens the database and finds every reported
// write, with integrity_check "ok".
#include <doctest/doctest.h>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "store_test_util.hpp"

using namespace cmc;
using namespace cmc::store;
using namespace cmc::store::test;

namespace {

struct Record {
    char kind = 0; // 'E' event id committed, 'S' sample batch time committed
    char pad[7] = {};
    std::int64_t value = 0;
};
static_assert(sizeof(Record) == 16); // well below PIPE_BUF: each write is atomic

constexpr int kSamplesPerBatch = 4;

void writeRecord(int fd, char kind, std::int64_t value) {
    Record r;
    r.kind = kind;
    r.value = value;
    if (::write(fd, &r, sizeof r) != static_cast<ssize_t>(sizeof r)) ::_exit(5);
}

// Runs in the child: never returns.
[[noreturn]] void childMain(const StoreOptions& o, int fd, std::int64_t timeBase) {
    boost::asio::io_context io;
    auto guard = boost::asio::make_work_guard(io);
    std::string error;
    auto s = Store::open(io, o, error);
    if (!s) ::_exit(3);
    std::int64_t lastId = 0;
    std::int64_t tick = timeBase;
    std::function<void()> pumpEvent = [&] {
        domain::Event e;
        e.timeMs = tick;
        e.messageId = "OpenCMC.1.0.CrashTest";
        e.args = {std::to_string(tick)};
        e.severity = "OK";
        e.message = "crash test";
        e.origin = "/redfish/v1/Managers/cmc";
        s->appendEvent(std::move(e), [&](std::int64_t id) {
            if (id <= lastId) ::_exit(4); // failed (0) or not increasing
            lastId = id;
            writeRecord(fd, 'E', id);
            pumpEvent();
        });
    };
    std::function<void()> pumpSamples = [&] {
        std::int64_t t = ++tick;
        std::vector<domain::HealthSample> batch;
        for (int k = 0; k < kSamplesPerBatch; ++k) {
            batch.push_back(domain::HealthSample{1, t, "signal" + std::to_string(k), k != 0, 1.5 * k, "crash"});
        }
        s->appendHealthSamples(std::move(batch), [&, t](bool ok, const std::string&) {
            if (!ok) ::_exit(4);
            writeRecord(fd, 'S', t);
            pumpSamples();
        });
    };
    // Retention now and then, so a kill can land in a long transaction too
    // (nothing is old enough to fold: every sample must survive).
    std::function<void()> pumpRetention = [&] {
        s->runRetention(0, [&](bool ok, const std::string&) {
            if (!ok) ::_exit(4);
            pumpRetention();
        });
    };
    pumpRetention();
    // Several writes in flight so batches of different sizes get committed.
    for (int i = 0; i < 12; ++i)
        pumpEvent();
    for (int i = 0; i < 4; ++i)
        pumpSamples();
    io.run();
    ::_exit(0);
}

} // namespace

TEST_CASE("killing the writer process at a random moment loses no reported write") {
    TempDir dir;
    auto o = options(dir.path());
    std::mt19937 rng(20261125); // seeded: the kill points are reproducible
    std::set<std::int64_t> reportedEvents;
    std::set<std::int64_t> reportedSampleTimes;
    std::int64_t maxEventBefore = 0;

    for (int round = 0; round < 4; ++round) {
        CAPTURE(round);
        const std::size_t killAfter = std::uniform_int_distribution<std::size_t>(50, 1500)(rng);
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            childMain(o, fds[1], (round + 1) * 1000000000LL);
        }
        ::close(fds[1]);
        std::size_t records = 0;
        bool killed = false;
        std::string pending;
        char buf[4096];
        for (;;) {
            ssize_t n = ::read(fds[0], buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break; // EOF: the child is gone
            pending.append(buf, static_cast<std::size_t>(n));
            while (pending.size() >= sizeof(Record)) {
                Record r;
                std::memcpy(&r, pending.data(), sizeof r);
                pending.erase(0, sizeof r);
                ++records;
                if (r.kind == 'E') {
                    CHECK(r.value > maxEventBefore); // ids keep increasing across restarts
                    reportedEvents.insert(r.value);
                } else if (r.kind == 'S') {
                    reportedSampleTimes.insert(r.value);
                } else {
                    FAIL("unexpected record kind");
                }
            }
            if (!killed && records >= killAfter) {
                REQUIRE(::kill(pid, SIGKILL) == 0);
                killed = true; // keep reading: what the child reported before dying counts
            }
        }
        ::close(fds[0]);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        INFO("child exit status " << status);
        REQUIRE(killed);
        REQUIRE(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGKILL);
        CHECK(pending.empty());
        if (!reportedEvents.empty()) maxEventBefore = *reportedEvents.rbegin();

        Loop loop;
        auto s = openOrFail(loop.io, o);
        CHECK(integrity(loop, *s) == "ok");
        std::set<std::int64_t> stored;
        for (const auto& e : s->loadEventsSync(0, 10000000))
            stored.insert(e.id);
        std::size_t missingEvents = 0;
        for (auto id : reportedEvents)
            missingEvents += stored.count(id) == 0 ? 1 : 0;
        CHECK(missingEvents == 0);
        CHECK(s->lastEventIdSync() >= maxEventBefore);
        std::map<std::int64_t, int> perTime;
        bool got = false;
        s->loadSamples(1, 0, [&](std::vector<domain::HealthSample> v) {
            for (const auto& x : v)
                ++perTime[x.timeMs];
            got = true;
        });
        loop.runUntil([&] { return got; });
        std::size_t missingSamples = 0;
        for (auto t : reportedSampleTimes) {
            auto it = perTime.find(t);
            missingSamples += (it == perTime.end() || it->second != kSamplesPerBatch) ? 1 : 0;
        }
        CHECK(missingSamples == 0);
        MESSAGE("round " << round << ": killed after " << records << " reported writes; " << reportedEvents.size()
                         << " events and " << reportedSampleTimes.size() << " sample batches verified");
        if (!stored.empty()) maxEventBefore = std::max(maxEventBefore, *stored.rbegin());
    }
}
