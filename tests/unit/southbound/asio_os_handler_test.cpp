// The Asio os_handler's contract with OpenIPMI: timer start/stop/free return
// codes, timers freed from their own callback, fd readiness delivered for
// every queued datagram, removal from inside the callback.
#include <doctest/doctest.h>

#include <OpenIPMI/os_handler.h>

#include <boost/asio/io_context.hpp>

#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

#include "southbound/ipmi/asio_os_handler.hpp"

using namespace cmc::southbound::ipmi;

namespace {

struct TimerProbe {
    os_handler_t* os = nullptr;
    os_hnd_timer_id_t* id = nullptr;
    int fired = 0;
    bool freeInside = false;
};

void onTimer(void* cbData, os_hnd_timer_id_t* id) {
    auto* p = static_cast<TimerProbe*>(cbData);
    ++p->fired;
    if (p->freeInside) {
        CHECK(p->os->free_timer(p->os, id) == 0);
        p->id = nullptr;
    }
}

void runFor(boost::asio::io_context& io, std::chrono::milliseconds d) {
    io.restart();
    io.run_for(d);
}

struct FdProbe {
    os_handler_t* os = nullptr;
    os_hnd_fd_id_t* id = nullptr;
    int reads = 0;
    int freed = 0;
    int removeAfter = -1;
};

void onReadable(int fd, void* cbData, os_hnd_fd_id_t* id) {
    auto* p = static_cast<FdProbe*>(cbData);
    char buf[64];
    if (::recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) ++p->reads; // one datagram per call, as OpenIPMI does
    if (p->reads == p->removeAfter) {
        CHECK(p->os->remove_fd_to_wait_for(p->os, id) == 0);
        p->id = nullptr;
    }
}

void onFreed(int, void* cbData) {
    ++static_cast<FdProbe*>(cbData)->freed;
}

} // namespace

TEST_CASE("os_handler timers: EBUSY, ESRCH, fire once, free inside the callback") {
    boost::asio::io_context io;
    os_handler_t* os = bindOsHandler(io, nullptr);
    REQUIRE(os != nullptr);
    TimerProbe p;
    p.os = os;
    REQUIRE(os->alloc_timer(os, &p.id) == 0);
    timeval tv{0, 20000};
    CHECK(os->stop_timer(os, p.id) == ESRCH);
    REQUIRE(os->start_timer(os, p.id, &tv, onTimer, &p) == 0);
    CHECK(os->start_timer(os, p.id, &tv, onTimer, &p) == EBUSY);
    runFor(io, std::chrono::milliseconds(100));
    CHECK(p.fired == 1);
    CHECK(os->stop_timer(os, p.id) == ESRCH); // already fired

    REQUIRE(os->start_timer(os, p.id, &tv, onTimer, &p) == 0);
    CHECK(os->stop_timer(os, p.id) == 0);
    runFor(io, std::chrono::milliseconds(60));
    CHECK(p.fired == 1); // stopped: no call

    p.freeInside = true;
    REQUIRE(os->start_timer(os, p.id, &tv, onTimer, &p) == 0);
    runFor(io, std::chrono::milliseconds(100));
    CHECK(p.fired == 2);
    CHECK(p.id == nullptr);

    // Freed while running: never fires.
    TimerProbe q;
    q.os = os;
    REQUIRE(os->alloc_timer(os, &q.id) == 0);
    REQUIRE(os->start_timer(os, q.id, &tv, onTimer, &q) == 0);
    CHECK(os->free_timer(os, q.id) == 0);
    runFor(io, std::chrono::milliseconds(60));
    CHECK(q.fired == 0);
    CHECK(osHandlerActiveCount() == 0);
    (void)unbindOsHandler();
}

TEST_CASE("os_handler fds: every queued datagram is delivered; removal inside the callback") {
    boost::asio::io_context io;
    os_handler_t* os = bindOsHandler(io, nullptr);
    REQUIRE(os != nullptr);
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
    FdProbe p;
    p.os = os;
    p.removeAfter = 7;
    REQUIRE(os->add_fd_to_wait_for(os, sv[0], onReadable, &p, onFreed, &p.id) == 0);
    // Five datagrams before the loop runs: one wake-up, five reads.
    for (int i = 0; i < 5; ++i)
        REQUIRE(::send(sv[1], "x", 1, 0) == 1);
    runFor(io, std::chrono::milliseconds(50));
    CHECK(p.reads == 5);
    for (int i = 0; i < 5; ++i)
        REQUIRE(::send(sv[1], "y", 1, 0) == 1);
    runFor(io, std::chrono::milliseconds(50));
    CHECK(p.reads == 7); // removed after the seventh
    CHECK(p.freed == 1);
    CHECK(p.id == nullptr);
    // The descriptor still belongs to its owner: not closed by the handler.
    CHECK(::send(sv[1], "z", 1, 0) == 1);
    char buf[8];
    CHECK(::recv(sv[0], buf, sizeof buf, MSG_DONTWAIT) == 1);
    CHECK(osHandlerActiveCount() == 0);
    (void)unbindOsHandler();
    ::close(sv[0]);
    ::close(sv[1]);
}
