// IpmiClient / IpmiConnection on OpenIPMI low-level LAN connections.
//
// Lifetimes: OpenIPMI calls back through C function pointers with a void*.
// We never hand it a pointer to one of our objects: the con-change handler
// gets a link id, each request carries (link id, request id) in its message
// item, and both are looked up in the client's tables. A link is one
// ipmi_con_t (one session attempt); a connection makes a new link for each
// reconnect and forgets the old one before closing it, so a late answer or a
// callback from an old link finds nothing and is dropped.
#include "southbound/ipmi/ipmi_client.hpp"

#include <OpenIPMI/ipmi_err.h>
#include <OpenIPMI/ipmi_msgbits.h>
#include <OpenIPMI/ipmiif.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <optional>
#include <unordered_map>

#include "southbound/ipmi/asio_os_handler.hpp"
#include "southbound/ipmi/ipmi_client_ops.hpp"
#include "southbound/ipmi/ipmi_link.hpp"

namespace cmc::southbound {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const char* toString(IpmiError e) {
    switch (e) {
    case IpmiError::Ok: return "ok";
    case IpmiError::Timeout: return "timeout";
    case IpmiError::NotConnected: return "not connected";
    case IpmiError::AuthFailed: return "authentication failed";
    case IpmiError::CompletionCode: return "completion code";
    case IpmiError::Malformed: return "malformed answer";
    case IpmiError::Busy: return "busy";
    case IpmiError::Closed: return "closed";
    }
    return "unknown";
}

namespace {
constexpr int kTimeoutsUntilDown = 3; // consecutive timeouts that end a session
} // namespace

class ConnImpl;

struct IpmiClient::Impl {
    Impl(asio::io_context& ioRef, IpmiClientOptions o) : io(ioRef), options(std::move(o)) {}

    void log(const std::string& line) const {
        if (options.log) options.log(line);
    }
    void libLog(const std::string& line);

    asio::io_context& io;
    IpmiClientOptions options;
    os_handler_t* os = nullptr;
    std::uint64_t nextId = 1;
    std::unordered_map<std::uint64_t, std::weak_ptr<ConnImpl>> links; // link id -> connection
    std::vector<std::weak_ptr<ConnImpl>> conns;

    static Impl* current; // the live client (one per process)
};

namespace {
// Links dropped from inside a callback wait here for their close on the next
// io_context turn; the client closes what is left when it goes away.
std::unordered_map<ipmi_con_t*, std::uint64_t>& closingLinks() {
    static std::unordered_map<ipmi_con_t*, std::uint64_t> m;
    return m;
}
void closeLink(ipmi_con_t* con, std::uint64_t linkId);
} // namespace

IpmiClient::Impl* IpmiClient::Impl::current = nullptr;

namespace {
using Impl = IpmiClient::Impl;
void onConChange(ipmi_con_t* ipmi, int err, unsigned int port, int anyPortUp, void* cbData);
int onResponse(ipmi_con_t* ipmi, ipmi_msgi_t* rspi);
} // namespace

class ConnImpl final : public IpmiConnection, public std::enable_shared_from_this<ConnImpl> {
public:
    using RawDone = ipmi::RawDone;

    ConnImpl(Impl& client, IpmiEndpoint ep, std::function<void(bool, const std::string&)> onState)
        : client_(&client), io_(client.io), options_(client.options), endpoint_(std::move(ep)),
          onState_(std::move(onState)), retryTimer_(client.io),
          subject_("bmc=" + endpoint_.host + ":" + std::to_string(endpoint_.port)) {
        backoff_ = options_.reconnectMin;
    }

    ~ConnImpl() override { shutdown("connection destroyed"); }

    bool up() const override { return state_ == State::Up; }
    const IpmiEndpoint& endpoint() const override { return endpoint_; }

    void getDeviceId(std::function<void(IpmiResult<IpmiDeviceId>)> done) override {
        if (!admit(done)) return;
        submit(ipmi::kNetFnApp, ipmi::kCmdGetDeviceId, {},
               ipmi::decodeWith(track(std::move(done)), ipmi::decodeDeviceId));
    }
    void getChassisStatus(std::function<void(IpmiResult<IpmiChassisStatus>)> done) override {
        if (!admit(done)) return;
        submit(ipmi::kNetFnChassis, ipmi::kCmdGetChassisStatus, {},
               ipmi::decodeWith(track(std::move(done)), ipmi::decodeChassisStatus));
    }
    void chassisControl(ChassisControl op, std::function<void(IpmiResult<bool>)> done) override {
        if (!admit(done)) return;
        submit(ipmi::kNetFnChassis, ipmi::kCmdChassisControl, {static_cast<std::uint8_t>(op)},
               ipmi::decodeWith(track(std::move(done)), ipmi::decodeChassisControl));
    }
    void readFru(std::function<void(IpmiResult<IpmiFru>)> done) override {
        if (!admit(done)) return;
        ipmi::startFruRead(submitter(), track(std::move(done)));
    }
    void getSelInfo(std::function<void(IpmiResult<IpmiSelInfo>)> done) override {
        if (!admit(done)) return;
        submit(ipmi::kNetFnStorage, ipmi::kCmdGetSelInfo, {},
               ipmi::decodeWith(track(std::move(done)), ipmi::decodeSelInfo));
    }
    void readSel(std::uint16_t firstId, std::size_t max,
                 std::function<void(IpmiResult<std::vector<IpmiSelEntry>>)> done) override {
        if (!admit(done)) return;
        ipmi::startSelRead(submitter(), firstId, max, track(std::move(done)));
    }
    void getWatchdog(std::function<void(IpmiResult<IpmiWatchdog>)> done) override {
        if (!admit(done)) return;
        submit(ipmi::kNetFnApp, ipmi::kCmdGetWatchdog, {},
               ipmi::decodeWith(track(std::move(done)), ipmi::decodeWatchdog));
    }
    void raw(std::uint8_t netfn, std::uint8_t cmd, std::vector<std::uint8_t> data,
             std::function<void(IpmiResult<std::vector<std::uint8_t>>)> done) override {
        if (!admit(done)) return;
        if (data.size() > IPMI_MAX_MSG_LENGTH || (netfn & 1) != 0 || netfn > 0x3f) {
            IpmiResult<std::vector<std::uint8_t>> r;
            r.error = IpmiError::Malformed;
            r.message = "raw: netfn must be an even request netfn <= 0x3e and data at most 256 bytes";
            track(std::move(done))(std::move(r)); // track() posts
            return;
        }
        submit(netfn, cmd, std::move(data), track(std::move(done)));
    }
    void close() override { shutdown("closed by cmcd"); }

    // ---- driven by the client ----
    void start() { startLink(); }

    const std::string& subject() const { return subject_; }
    // OpenIPMI logged a line naming this BMC.
    void libLogged() {
        if (state_ == State::Connecting) libComplained_ = true;
    }

    void clientGone() {
        shutdown("IPMI client shut down");
        client_ = nullptr;
    }

    void conChanged(std::uint64_t linkId, int err, bool anyUp) {
        if (linkId != linkId_ || state_ == State::Closed) return;
        if (err == 0 && anyUp) {
            if (state_ == State::Up) return; // OpenIPMI repeats "up" after a recovered retry
            connectTimer_.reset();
            state_ = State::Up;
            backoff_ = options_.reconnectMin;
            consecutiveTimeouts_ = 0;
            downError_ = IpmiError::NotConnected;
            notifiedDown_ = false;
            log("session up");
            notify(true, "session up");
            pump();
            return;
        }
        const bool auth = state_ == State::Connecting && ipmi::isAuthError(err, libComplained_);
        if (auth) {
            linkFailed(IpmiError::AuthFailed,
                       "authentication failed (wrong user name or password?): " + ipmi::describeConError(err));
        } else {
            linkFailed(IpmiError::NotConnected, ipmi::describeConError(err));
        }
    }

    void answer(std::uint64_t linkId, std::uint64_t reqId, std::vector<std::uint8_t> bytes) {
        if (linkId == linkId_ && inLib_ > 0) --inLib_;
        // Any real answer (even a late one) shows the BMC is alive.
        if (!bytes.empty() && bytes[0] != IPMI_TIMEOUT_CC && bytes[0] != IPMI_UNKNOWN_ERR_CC) consecutiveTimeouts_ = 0;
        auto it = requests_.find(reqId);
        if (it == requests_.end()) {
            pump();
            return; // timed out or answered already: the late answer is dropped
        }
        auto req = std::move(it->second);
        requests_.erase(it);
        consecutiveTimeouts_ = 0;
        IpmiResult<std::vector<std::uint8_t>> r;
        if (bytes.empty()) {
            r.error = IpmiError::Malformed;
            r.message = subject_ + ": empty answer";
        } else {
            r.completionCode = bytes[0];
            if (bytes[0] == IPMI_TIMEOUT_CC) {
                r.error = IpmiError::Timeout;
                r.message = subject_ + ": no answer from the BMC (OpenIPMI retries exhausted)";
            } else if (bytes[0] == IPMI_UNKNOWN_ERR_CC && state_ != State::Up) {
                r.error = IpmiError::NotConnected;
                r.message = subject_ + ": session went down";
            } else if (bytes[0] != 0) {
                r.error = IpmiError::CompletionCode;
                char cc[8];
                std::snprintf(cc, sizeof cc, "0x%02x", bytes[0]);
                r.message = subject_ + ": completion code " + cc;
            }
        }
        r.value = std::move(bytes);
        deliver(req, std::move(r));
        pump();
    }

private:
    enum class State { Connecting, Up, Backoff, Closed };

    struct Request {
        std::uint8_t netfn = 0;
        std::uint8_t cmd = 0;
        std::vector<std::uint8_t> data;
        RawDone done;
        std::unique_ptr<asio::steady_timer> timer;
    };

    void log(const std::string& what) const {
        if (client_ != nullptr) client_->log("ipmi-client " + subject_ + " " + what);
    }

    void notify(bool isUp, std::string reason) {
        if (!onState_) return;
        asio::post(io_, [w = weak_from_this(), isUp, reason = std::move(reason)] {
            if (auto self = w.lock(); self && self->onState_ && self->state_ != State::Closed)
                self->onState_(isUp, reason);
        });
    }

    template <typename T> void postResult(std::function<void(IpmiResult<T>)>& done, IpmiError e, std::string msg) {
        IpmiResult<T> r;
        r.error = e;
        r.message = subject_ + ": " + std::move(msg);
        asio::post(io_, [d = std::move(done), r = std::move(r)]() mutable { d(std::move(r)); });
    }

    // Admission of a public call: false (and the call answered) if closed,
    // down or too busy.
    template <typename T> bool admit(std::function<void(IpmiResult<T>)>& done) {
        if (!done) done = [](IpmiResult<T>) {};
        if (state_ == State::Closed || client_ == nullptr) {
            postResult(done, IpmiError::Closed, "connection closed");
            return false;
        }
        if (state_ != State::Up) {
            postResult(done, downError_, downReason_.empty() ? std::string("session is not up") : downReason_);
            return false;
        }
        if (publicPending_ >= options_.maxQueuedPerBmc) {
            postResult(done, IpmiError::Busy,
                       "too many requests queued (" + std::to_string(options_.maxQueuedPerBmc) + ")");
            return false;
        }
        ++publicPending_;
        return true;
    }

    // Wraps a user callback: counts it out and posts it, exactly once.
    template <typename T> std::function<void(IpmiResult<T>)> track(std::function<void(IpmiResult<T>)> done) {
        auto once = std::make_shared<bool>(false);
        return [w = weak_from_this(), io = &io_, d = std::move(done), once](IpmiResult<T> r) mutable {
            if (*once) return;
            *once = true;
            if (auto self = w.lock(); self && self->publicPending_ > 0) --self->publicPending_;
            asio::post(*io, [d = std::move(d), r = std::move(r)]() mutable { d(std::move(r)); });
        };
    }

    ipmi::Submit submitter() {
        return
            [w = weak_from_this()](std::uint8_t netfn, std::uint8_t cmd, std::vector<std::uint8_t> data, RawDone done) {
                auto self = w.lock();
                if (!self) {
                    IpmiResult<std::vector<std::uint8_t>> r;
                    r.error = IpmiError::Closed;
                    r.message = "connection closed";
                    done(std::move(r)); // only reached from a posted step: not re-entrant
                    return;
                }
                self->submit(netfn, cmd, std::move(data), std::move(done));
            };
    }

    // Queues one IPMI request. `done` always runs later from the io_context,
    // never inside this call.
    void submit(std::uint8_t netfn, std::uint8_t cmd, std::vector<std::uint8_t> data, RawDone done) {
        if (state_ != State::Up) {
            IpmiResult<std::vector<std::uint8_t>> r;
            r.error = state_ == State::Closed ? IpmiError::Closed : downError_;
            r.message = subject_ + ": " + (state_ == State::Closed ? std::string("connection closed") : downReason_);
            asio::post(io_, [d = std::move(done), r = std::move(r)]() mutable { d(std::move(r)); });
            return;
        }
        const std::uint64_t id = client_->nextId++;
        Request req{netfn, cmd, std::move(data), std::move(done), std::make_unique<asio::steady_timer>(io_)};
        req.timer->expires_after(options_.requestTimeout);
        req.timer->async_wait([w = weak_from_this(), id](const boost::system::error_code& ec) {
            if (ec) return;
            if (auto self = w.lock()) self->requestTimedOut(id);
        });
        requests_.emplace(id, std::move(req));
        waiting_.push_back(id);
        pump();
    }

    void requestTimedOut(std::uint64_t id) {
        auto it = requests_.find(id);
        if (it == requests_.end()) return;
        auto req = std::move(it->second);
        requests_.erase(it);
        IpmiResult<std::vector<std::uint8_t>> r;
        r.error = IpmiError::Timeout;
        r.message = subject_ + ": no answer within " + std::to_string(options_.requestTimeout.count()) + " ms";
        deliver(req, std::move(r));
        if (++consecutiveTimeouts_ >= kTimeoutsUntilDown && state_ == State::Up) {
            // Post: we may be inside nothing of OpenIPMI here, but keep one path.
            asio::post(io_, [w = weak_from_this(), link = linkId_] {
                auto self = w.lock();
                if (self && self->linkId_ == link && self->state_ == State::Up)
                    self->linkFailed(IpmiError::NotConnected,
                                     std::to_string(kTimeoutsUntilDown) + " requests in a row got no answer");
            });
        }
    }

    void deliver(Request& req, IpmiResult<std::vector<std::uint8_t>> r) {
        if (req.timer) req.timer->cancel();
        asio::post(io_, [d = std::move(req.done), r = std::move(r)]() mutable { d(std::move(r)); });
    }

    // Hands waiting requests to OpenIPMI, at most ipmi::kLinkMaxOutstanding at once.
    void pump() {
        while (state_ == State::Up && con_ != nullptr && inLib_ < ipmi::kLinkMaxOutstanding && !waiting_.empty()) {
            const auto id = waiting_.front();
            waiting_.pop_front();
            auto it = requests_.find(id);
            if (it == requests_.end()) continue; // timed out while waiting
            auto& req = it->second;
            ++inLib_;
            // May answer synchronously; `req` is not used after this call.
            const int rv = ipmi::sendOnLink(con_, linkId_, id, req.netfn, req.cmd, req.data, onResponse);
            if (rv != 0) {
                --inLib_;
                auto again = requests_.find(id);
                if (again != requests_.end()) {
                    auto failed = std::move(again->second);
                    requests_.erase(again);
                    IpmiResult<std::vector<std::uint8_t>> r;
                    r.error = IpmiError::NotConnected;
                    r.message = subject_ + ": OpenIPMI refused the request: " + std::strerror(rv);
                    deliver(failed, std::move(r));
                }
            }
        }
    }

    void failAll(IpmiError e, const std::string& why) {
        waiting_.clear();
        auto pending = std::move(requests_);
        requests_.clear();
        for (auto& [id, req] : pending) {
            IpmiResult<std::vector<std::uint8_t>> r;
            r.error = e;
            r.message = subject_ + ": " + why;
            deliver(req, std::move(r));
        }
    }

    void startLink() {
        if (state_ == State::Closed || client_ == nullptr) return;
        const std::uint64_t linkId = client_->nextId++;
        std::string why;
        ipmi_con_t* con =
            ipmi::openLink(endpoint_, options_.privilege, client_->os, subject_, linkId, onConChange, why);
        if (con == nullptr) {
            state_ = State::Connecting; // so linkFailed schedules a retry
            linkId_ = linkId;
            linkFailed(IpmiError::NotConnected, why);
            return;
        }
        con_ = con;
        linkId_ = linkId;
        inLib_ = 0;
        libComplained_ = false;
        state_ = State::Connecting;
        client_->links[linkId] = weak_from_this();
        connectTimer_ = std::make_unique<asio::steady_timer>(io_);
        connectTimer_->expires_after(std::max<std::chrono::milliseconds>(10s, options_.requestTimeout * 4));
        connectTimer_->async_wait([w = weak_from_this(), linkId](const boost::system::error_code& ec) {
            if (ec) return;
            auto self = w.lock();
            if (self && self->linkId_ == linkId && self->state_ == State::Connecting)
                self->linkFailed(IpmiError::NotConnected, "session setup did not finish in time");
        });
        const int st = ipmi::startLink(con);
        if (st != 0 && linkId_ == linkId && state_ == State::Connecting) {
            linkFailed(IpmiError::NotConnected, std::string("cannot start the session: ") + std::strerror(st));
        }
    }

    // Forgets the current link at once (its callbacks become no-ops) and
    // closes it from a fresh io_context turn (never from inside OpenIPMI).
    void dropLink(bool now) {
        connectTimer_.reset();
        if (client_ != nullptr && linkId_ != 0) client_->links.erase(linkId_);
        ipmi_con_t* con = con_;
        const std::uint64_t linkId = linkId_;
        con_ = nullptr;
        linkId_ = 0;
        inLib_ = 0;
        if (con == nullptr) return;
        if (now) {
            closeLink(con, linkId);
            return;
        }
        closingLinks()[con] = linkId;
        asio::post(io_, [con] {
            auto& m = closingLinks();
            auto it = m.find(con);
            if (it == m.end()) return;
            const auto id = it->second;
            m.erase(it);
            closeLink(con, id);
        });
    }

    void linkFailed(IpmiError e, const std::string& reason) {
        if (state_ == State::Closed) return;
        const bool wasUp = state_ == State::Up;
        downError_ = e;
        downReason_ = reason;
        failAll(e, reason);
        dropLink(false);
        state_ = State::Backoff;
        log(std::string(wasUp ? "session down: " : "connect failed: ") + reason + "; retry in " +
            std::to_string(backoff_.count()) + " ms");
        // A change only: up -> down, the first failure, or a new kind of
        // failure (say, NotConnected -> AuthFailed); not every retry.
        if (wasUp || !notifiedDown_ || e != notifiedError_) notify(false, reason);
        notifiedDown_ = true;
        notifiedError_ = e;
        retryTimer_.expires_after(backoff_);
        retryTimer_.async_wait([w = weak_from_this()](const boost::system::error_code& ec) {
            if (ec) return;
            if (auto self = w.lock(); self && self->state_ == State::Backoff) self->startLink();
        });
        backoff_ = std::min(options_.reconnectMax, backoff_ * 2);
    }

    void shutdown(const std::string& why) {
        if (state_ == State::Closed) return;
        const bool wasUp = state_ == State::Up;
        state_ = State::Closed;
        retryTimer_.cancel();
        failAll(IpmiError::Closed, "connection closed");
        // Synchronous close: OpenIPMI answers its outstanding requests inside
        // this call; their link is forgotten first, so they are dropped.
        dropLink(true);
        if (wasUp) log("session closed: " + why);
    }

    Impl* client_;
    asio::io_context& io_;
    IpmiClientOptions options_;
    IpmiEndpoint endpoint_;
    std::function<void(bool, const std::string&)> onState_;
    asio::steady_timer retryTimer_;
    std::unique_ptr<asio::steady_timer> connectTimer_;
    std::string subject_;

    State state_ = State::Connecting;
    ipmi_con_t* con_ = nullptr;
    std::uint64_t linkId_ = 0;
    unsigned inLib_ = 0;
    std::unordered_map<std::uint64_t, Request> requests_;
    std::deque<std::uint64_t> waiting_;
    std::size_t publicPending_ = 0;
    int consecutiveTimeouts_ = 0;
    std::chrono::milliseconds backoff_;
    IpmiError downError_ = IpmiError::NotConnected;
    std::string downReason_ = "session is being set up";
    bool notifiedDown_ = false;
    IpmiError notifiedError_ = IpmiError::Ok;
    bool libComplained_ = false;
};

namespace {

void closeLink(ipmi_con_t* con, std::uint64_t linkId) {
    ipmi::closeLink(con, linkId, onConChange);
}

std::shared_ptr<ConnImpl> findLink(std::uint64_t linkId) {
    Impl* c = Impl::current;
    if (c == nullptr) return nullptr;
    auto it = c->links.find(linkId);
    if (it == c->links.end()) return nullptr;
    return it->second.lock();
}

void onConChange(ipmi_con_t*, int err, unsigned int, int anyPortUp, void* cbData) {
    const auto linkId = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(cbData));
    auto conn = findLink(linkId);
    if (!conn) return;
    // Not from inside OpenIPMI: a failure closes the link.
    Impl* c = Impl::current;
    asio::post(c->io, [w = std::weak_ptr<ConnImpl>(conn), linkId, err, anyPortUp] {
        if (auto s = w.lock()) s->conChanged(linkId, err, anyPortUp != 0);
    });
}

int onResponse(ipmi_con_t*, ipmi_msgi_t* rspi) {
    std::uint64_t reqId = 0;
    std::uint64_t linkId = 0;
    std::vector<std::uint8_t> bytes;
    ipmi::readAnswer(rspi, reqId, linkId, bytes);
    if (auto conn = findLink(linkId)) conn->answer(linkId, reqId, std::move(bytes));
    return IPMI_MSG_ITEM_NOT_USED;
}

} // namespace

void IpmiClient::Impl::libLog(const std::string& line) {
    // Lines about one BMC carry its connection name "bmc=HOST:PORT ".
    if (line.find(" bmc=") != std::string::npos) {
        for (const auto& w : conns) {
            auto c = w.lock();
            if (c && line.find(" " + c->subject() + " ") != std::string::npos) c->libLogged();
        }
    }
    log(line);
}

IpmiClient::IpmiClient(asio::io_context& io, IpmiClientOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(options))) {
    Impl::current = impl_.get();
    Impl* impl = impl_.get();
    impl_->os = ipmi::bindOsHandler(io, [impl](const std::string& line) { impl->libLog(line); });
}

IpmiClient::~IpmiClient() {
    for (auto& w : impl_->conns) {
        if (auto c = w.lock()) c->clientGone();
    }
    impl_->conns.clear();
    impl_->links.clear();
    auto closing = std::move(closingLinks());
    closingLinks().clear();
    for (auto& [con, linkId] : closing)
        closeLink(con, linkId);
    const std::size_t left = ipmi::unbindOsHandler();
    if (left != 0) impl_->log("ipmi-client: " + std::to_string(left) + " OpenIPMI waits still registered at shutdown");
    if (Impl::current == impl_.get()) Impl::current = nullptr;
}

std::shared_ptr<IpmiConnection> IpmiClient::connect(const IpmiEndpoint& endpoint,
                                                    std::function<void(bool up, const std::string& reason)> onState) {
    auto conn = std::make_shared<ConnImpl>(*impl_, endpoint, std::move(onState));
    auto& conns = impl_->conns;
    conns.erase(std::remove_if(conns.begin(), conns.end(), [](const auto& w) { return w.expired(); }), conns.end());
    conns.push_back(conn);
    if (impl_->os == nullptr) {
        conn->clientGone();
        return conn;
    }
    conn->start();
    return conn;
}

} // namespace cmc::southbound
