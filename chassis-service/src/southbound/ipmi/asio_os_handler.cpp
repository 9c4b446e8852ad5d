#include "southbound/ipmi/asio_os_handler.hpp"

#include <OpenIPMI/ipmiif.h>
#include <OpenIPMI/os_handler.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/time.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <optional>
#include <unordered_set>

// OpenIPMI's opaque handle types are ours to define.
struct os_hnd_fd_id_s {
    std::shared_ptr<struct CmcFdWait> wait;
};
struct os_hnd_timer_id_s {
    std::shared_ptr<struct CmcTimer> timer;
};

namespace asio = boost::asio;

// A registered file-descriptor wait. OpenIPMI owns the descriptor: the Asio
// object is always released, never closes it.
struct CmcFdWait {
    int fd = -1;
    os_data_ready_t dataReady = nullptr;
    void* cbData = nullptr;
    os_fd_data_freed_t freed = nullptr;
    os_hnd_fd_id_t* handle = nullptr;
    std::optional<asio::posix::stream_descriptor> sd;
    std::uint64_t armGen = 0;
    bool removed = false;
    bool inCallback = false;

    void dropDescriptor() {
        if (sd) {
            boost::system::error_code ec;
            sd->cancel(ec);
            (void)sd->release();
            sd.reset();
        }
    }
};

struct CmcTimer {
    std::optional<asio::steady_timer> timer;
    os_timed_out_t timedOut = nullptr;
    void* cbData = nullptr;
    os_hnd_timer_id_t* handle = nullptr;
    std::chrono::steady_clock::time_point deadline;
    std::uint64_t gen = 0;
    bool running = false;
};

namespace cmc::southbound::ipmi {
namespace {

struct HandlerState {
    os_handler_t* os = nullptr;
    asio::io_context* io = nullptr;
    LogSink log;
    std::unordered_set<std::shared_ptr<CmcFdWait>> fds;
    std::unordered_set<std::shared_ptr<CmcTimer>> timers; // allocated, not yet freed
};

HandlerState& state() {
    static HandlerState s;
    return s;
}

void armFd(const std::shared_ptr<CmcFdWait>& w);

// Calls OpenIPMI's data_ready while the socket has datagrams (Asio's epoll
// reactor is edge-triggered: one wake-up may stand for several datagrams).
void serviceFd(const std::shared_ptr<CmcFdWait>& w) {
    for (int i = 0; i < 256 && !w->removed; ++i) {
        w->inCallback = true;
        w->dataReady(w->fd, w->cbData, w->handle);
        w->inCallback = false;
        if (w->removed) break;
        pollfd p{w->fd, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0 || (p.revents & POLLIN) == 0) break;
    }
    if (w->removed) {
        if (w->freed) w->freed(w->fd, w->cbData);
        return;
    }
    armFd(w);
}

void armFd(const std::shared_ptr<CmcFdWait>& w) {
    if (!w->sd || w->removed) return;
    const auto gen = ++w->armGen;
    w->sd->async_wait(asio::posix::descriptor_base::wait_read, [w, gen](const boost::system::error_code& ec) {
        if (ec || w->removed || gen != w->armGen || !w->sd) return;
        serviceFd(w);
    });
}

void attachFd(const std::shared_ptr<CmcFdWait>& w) {
    auto& s = state();
    if (s.io == nullptr) return;
    w->sd.emplace(*s.io, w->fd);
    armFd(w);
}

void armTimer(const std::shared_ptr<CmcTimer>& t) {
    auto& s = state();
    if (s.io == nullptr) return;
    if (!t->timer) t->timer.emplace(*s.io);
    t->timer->expires_at(t->deadline);
    const auto gen = t->gen;
    t->timer->async_wait([t, gen](const boost::system::error_code& ec) {
        if (ec || !t->running || gen != t->gen) return;
        t->running = false;
        // May free the timer (and its handle) from inside: t stays alive here.
        t->timedOut(t->cbData, t->handle);
    });
}

int addFd(os_handler_t*, int fd, os_data_ready_t dataReady, void* cbData, os_fd_data_freed_t freed,
          os_hnd_fd_id_t** id) {
    auto w = std::make_shared<CmcFdWait>();
    w->fd = fd;
    w->dataReady = dataReady;
    w->cbData = cbData;
    w->freed = freed;
    w->handle = new os_hnd_fd_id_s{w};
    state().fds.insert(w);
    attachFd(w);
    *id = w->handle;
    return 0;
}

int removeFd(os_handler_t*, os_hnd_fd_id_t* id) {
    if (id == nullptr) return EINVAL;
    auto w = id->wait;
    delete id;
    w->handle = nullptr;
    w->removed = true;
    w->dropDescriptor();
    state().fds.erase(w);
    // Inside its own callback the freed notice comes when the callback returns.
    if (!w->inCallback && w->freed) w->freed(w->fd, w->cbData);
    return 0;
}

int allocTimer(os_handler_t*, os_hnd_timer_id_t** id) {
    auto t = std::make_shared<CmcTimer>();
    t->handle = new os_hnd_timer_id_s{t};
    state().timers.insert(t);
    *id = t->handle;
    return 0;
}

int stopTimer(os_handler_t*, os_hnd_timer_id_t* id) {
    if (id == nullptr) return EINVAL;
    auto& t = id->timer;
    if (!t->running) return ESRCH;
    t->running = false;
    ++t->gen;
    if (t->timer) t->timer->cancel();
    return 0;
}

int freeTimer(os_handler_t* h, os_hnd_timer_id_t* id) {
    if (id == nullptr) return EINVAL;
    (void)stopTimer(h, id);
    auto t = id->timer;
    t->handle = nullptr;
    t->timer.reset();
    state().timers.erase(t);
    delete id;
    return 0;
}

int startTimer(os_handler_t*, os_hnd_timer_id_t* id, struct timeval* timeout, os_timed_out_t timedOut, void* cbData) {
    if (id == nullptr || timeout == nullptr) return EINVAL;
    auto& t = id->timer;
    if (t->running) return EBUSY;
    t->running = true;
    ++t->gen;
    t->timedOut = timedOut;
    t->cbData = cbData;
    t->deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout->tv_sec) +
                  std::chrono::microseconds(timeout->tv_usec);
    armTimer(t);
    return 0;
}

int getRandom(os_handler_t*, void* data, unsigned int len) {
    if (RAND_bytes(static_cast<unsigned char*>(data), static_cast<int>(len)) != 1) return EIO;
    return 0;
}

const char* logTypeName(enum ipmi_log_type_e t) {
    switch (t) {
    case IPMI_LOG_INFO: return "info";
    case IPMI_LOG_WARNING: return "warning";
    case IPMI_LOG_SEVERE: return "severe";
    case IPMI_LOG_FATAL: return "fatal";
    case IPMI_LOG_ERR_INFO: return "error";
    case IPMI_LOG_DEBUG: return "debug";
    case IPMI_LOG_DEBUG_START:
    case IPMI_LOG_DEBUG_CONT:
    case IPMI_LOG_DEBUG_END: return "debug";
    }
    return "log";
}

void vlogLine(os_handler_t*, enum ipmi_log_type_e type, const char* format, va_list ap) {
    auto& s = state();
    if (!s.log) return;
    char buf[512];
    std::vsnprintf(buf, sizeof buf, format, ap);
    std::string line = std::string("ipmi-client openipmi ") + logTypeName(type) + ": " + buf;
    while (!line.empty() && (line.back() == '\n' || line.back() == ' '))
        line.pop_back();
    s.log(line);
}

void logLine(os_handler_t* h, enum ipmi_log_type_e type, const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    vlogLine(h, type, format, ap);
    va_end(ap);
}

int monotonicTime(os_handler_t*, struct timeval* tv) {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
    return 0;
}

int realTime(os_handler_t*, struct timeval* tv) {
    return gettimeofday(tv, nullptr);
}

void* memAlloc(int size) {
    return std::malloc(static_cast<std::size_t>(size));
}

void memFree(void* p) {
    std::free(p);
}

os_handler_t* createHandler() {
    // Not ipmi_alloc_os_handler(): it allocates through OpenIPMI's
    // allocator, which needs ipmi_init() first.
    static os_handler_t handler{};
    os_handler_t* h = &handler;
    h->mem_alloc = memAlloc;
    h->mem_free = memFree;
    h->add_fd_to_wait_for = addFd;
    h->remove_fd_to_wait_for = removeFd;
    h->alloc_timer = allocTimer;
    h->free_timer = freeTimer;
    h->start_timer = startTimer;
    h->stop_timer = stopTimer;
    h->create_lock = nullptr;
    h->destroy_lock = nullptr;
    h->lock = nullptr;
    h->unlock = nullptr;
    h->get_random = getRandom;
    h->log = logLine;
    h->vlog = vlogLine;
    h->get_monotonic_time = monotonicTime;
    h->get_real_time = realTime;
    return h;
}

} // namespace

os_handler_s* bindOsHandler(asio::io_context& io, LogSink log) {
    auto& s = state();
    if (s.io != &io) (void)unbindOsHandler();
    s.log = std::move(log);
    if (s.os == nullptr) {
        s.os = createHandler();
        if (s.os == nullptr) return nullptr;
        if (ipmi_init(s.os) != 0) {
            if (s.log) s.log("ipmi-client: ipmi_init failed: OpenIPMI could not be initialised");
            return nullptr;
        }
    }
    if (s.io != &io) {
        s.io = &io;
        for (const auto& w : s.fds)
            attachFd(w);
        for (const auto& t : s.timers) {
            if (t->running) armTimer(t);
        }
    }
    return s.os;
}

std::size_t unbindOsHandler() {
    auto& s = state();
    for (const auto& w : s.fds)
        w->dropDescriptor();
    for (const auto& t : s.timers)
        t->timer.reset();
    s.io = nullptr;
    s.log = nullptr;
    return osHandlerActiveCount();
}

std::size_t osHandlerActiveCount() {
    auto& s = state();
    std::size_t n = s.fds.size();
    for (const auto& t : s.timers)
        n += t->running ? 1 : 0;
    return n;
}

} // namespace cmc::southbound::ipmi
