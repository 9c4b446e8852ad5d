// IpmiBmc: libIPMIlanserv driven sans-IO from one Asio UDP socket.
#include "ipmi/ipmi_bmc.hpp"

#include "hal/blade_hal.hpp"
#include "ipmi/command_handler.hpp"
#include "ipmi/lan_filter.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <OpenIPMI/ipmi_auth.h>
#include <OpenIPMI/lanserv.h>
#include <OpenIPMI/persist.h>
#include <openssl/rand.h>

#include <array>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <list>
#include <random>
#include <unordered_set>

namespace cmc::ipmi {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

constexpr unsigned kSessionTimeoutSeconds = 60;
constexpr std::uint8_t kBmcIpmb = 0x20;
constexpr std::size_t kMaxNameLength = 16;
constexpr std::size_t kMaxPasswordLength = 20;
constexpr std::size_t kMaxDatagram = 1024;

bool debugEnabled() {
    static const bool enabled = std::getenv("CMC_IPMI_DEBUG") != nullptr;
    return enabled;
}

} // namespace

class IpmiBmc::Impl : public std::enable_shared_from_this<IpmiBmc::Impl> {
public:
    Impl(asio::io_context& io, hal::BladeHal& hal, BmcOptions options);
    ~Impl();

    bool start(std::string& error);
    void stop();

    // lanserv callbacks (static trampolines below find the instance).
    void* allocate(std::size_t size);
    void release(void* p);
    int smiSend(msg_t* msg);
    int oemHandleMessage(msg_t* msg);
    void sendOut(const struct iovec* data, int vecs, const void* addr, int addrLen);
    void log(const char* what, const char* format, va_list ap);

    static Impl* registering; // ipmi_lan_init -> register_tick_handler

    asio::io_context& io_;
    hal::BladeHal& hal_;
    BmcOptions options_;
    CommandHandler commands_;
    udp::socket socket_;
    udp::endpoint sender_;
    asio::steady_timer tickTimer_;
    std::array<std::uint8_t, kMaxDatagram> rx_{};
    std::mt19937_64 rng_;
    BmcStats stats_;
    std::uint16_t port_ = 0;
    bool started_ = false;
    bool stopped_ = false;

    struct Delayed {
        explicit Delayed(asio::io_context& io) : timer(io) {}
        asio::steady_timer timer;
        std::vector<std::uint8_t> bytes;
        udp::endpoint to;
    };
    std::list<Delayed> delayed_;
    std::unordered_set<void*> allocations_;

    sys_data_t sys_{};
    lanserv_data_t lan_{};
    std::array<user_t, MAX_USERS + 1> users_{};
    std::array<channel_t*, IPMI_MAX_CHANNELS> channels_{};
    std::array<std::uint8_t, 16> guid_{};
    ipmi_tick_handler_t* tick_ = nullptr;

private:
    void receive();
    void onDatagram(const boost::system::error_code& ec, std::size_t n);
    void sendDatagram(std::vector<std::uint8_t> bytes, const udp::endpoint& to);
    void scheduleTick();
    void clampSessionPrivilege(const RakpOneInfo& info);
    [[nodiscard]] Privilege sessionPrivilege(std::uint32_t sid) const;
    void setupLanserv();
};

IpmiBmc::Impl* IpmiBmc::Impl::registering = nullptr;

namespace {

using Impl = IpmiBmc::Impl;

Impl* fromSys(sys_data_t* sys) {
    return static_cast<Impl*>(sys->info);
}
Impl* fromLan(lanserv_data_t* lan) {
    return static_cast<Impl*>(lan->user_info);
}
Impl* fromChan(channel_t* chan) {
    return fromLan(static_cast<lanserv_data_t*>(chan->chan_info));
}
Impl* fromMc(lmc_data_t* mc) {
    return reinterpret_cast<Impl*>(mc);
}

void* sysAlloc(sys_data_t* sys, int size) {
    return fromSys(sys)->allocate(static_cast<std::size_t>(size));
}
void sysFree(sys_data_t* sys, void* p) {
    fromSys(sys)->release(p);
}
void* chanAlloc(channel_t* chan, int size) {
    return fromChan(chan)->allocate(static_cast<std::size_t>(size));
}
void chanFree(channel_t* chan, void* p) {
    fromChan(chan)->release(p);
}

void sysLog(sys_data_t* sys, int /*type*/, msg_t* /*msg*/, const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    fromSys(sys)->log("lanserv", format, ap);
    va_end(ap);
}

void chanLog(channel_t* chan, int /*type*/, msg_t* /*msg*/, const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    fromChan(chan)->log("channel", format, ap);
    va_end(ap);
}

int fillTime(struct timeval* tv, clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
    return 0;
}
int monotonicTime(sys_data_t*, struct timeval* tv) {
    return fillTime(tv, CLOCK_MONOTONIC);
}
int realTime(sys_data_t*, struct timeval* tv) {
    return fillTime(tv, CLOCK_REALTIME);
}

int randomBytes(void* data, int size) {
    return RAND_bytes(static_cast<unsigned char*>(data), size) == 1 ? 0 : EIO;
}
int sysRand(sys_data_t*, void* data, int len) {
    return randomBytes(data, len);
}
int lanRand(lanserv_data_t*, void* data, int size) {
    return randomBytes(data, size);
}

unsigned char mcIpmb(lmc_data_t*) {
    return kBmcIpmb;
}
channel_t** mcChannels(lmc_data_t* mc) {
    return fromMc(mc)->channels_.data();
}
user_t* mcUsers(lmc_data_t* mc) {
    return fromMc(mc)->users_.data();
}
int mcUsersChanged(lmc_data_t*) {
    return 0;
}
msg_t* mcNextRecvQ(channel_t*) {
    return nullptr;
}

void registerTick(ipmi_tick_handler_t* handler) {
    if (Impl::registering != nullptr) {
        Impl::registering->tick_ = handler;
    }
}

int smiSendCb(channel_t* chan, msg_t* msg) {
    return fromChan(chan)->smiSend(msg);
}
int oemHandleMsgCb(channel_t* chan, msg_t* msg) {
    return fromChan(chan)->oemHandleMessage(msg);
}

// lanserv handles these App commands itself (session management, GUID).
bool lanservOwnsCommand(unsigned char netFn, unsigned char cmd) {
    return netFn == netfn::kApp && cmd >= 0x37 && cmd <= 0x3D;
}

int checkPermitted(unsigned char priv, unsigned char netFn, unsigned char cmd) {
    if (lanservOwnsCommand(netFn, cmd)) {
        return IPMI_PRIV_INVALID; // lanserv's own table decides
    }
    const auto needed = static_cast<unsigned char>(CommandHandler::requiredPrivilege(netFn, cmd));
    return priv >= needed ? IPMI_PRIV_PERMITTED : IPMI_PRIV_DENIED;
}

void sendOut(lanserv_data_t* lan, struct iovec* data, int vecs, void* addr, int addrLen) {
    fromLan(lan)->sendOut(data, vecs, addr, addrLen);
}

} // namespace

IpmiBmc::Impl::Impl(asio::io_context& io, hal::BladeHal& hal, BmcOptions options)
    : io_(io), hal_(hal), options_(std::move(options)), commands_(hal,
                                                                  [this] {
                                                                      std::vector<UserEntry> users;
                                                                      for (const auto& u : options_.users) {
                                                                          users.push_back({u.name, u.privilege});
                                                                      }
                                                                      return users;
                                                                  }()),
      socket_(io), tickTimer_(io), rng_(options_.seed) {
    commands_.setSessionCounter([this] { return static_cast<std::uint8_t>(lan_.channel.active_sessions); });
}

IpmiBmc::Impl::~Impl() {
    stop();
    delayed_.clear();
    for (void* p : allocations_) {
        std::free(p);
    }
}

void* IpmiBmc::Impl::allocate(std::size_t size) {
    void* p = std::malloc(size == 0 ? 1 : size);
    if (p != nullptr) {
        allocations_.insert(p);
    }
    return p;
}

void IpmiBmc::Impl::release(void* p) {
    if (p != nullptr && allocations_.erase(p) == 1) {
        std::free(p);
    }
}

void IpmiBmc::Impl::log(const char* what, const char* format, va_list ap) {
    if (!debugEnabled()) {
        return;
    }
    char line[512];
    std::vsnprintf(line, sizeof line, format, ap);
    std::fprintf(stderr, "ipmi port=%u %s: %s\n", static_cast<unsigned>(port_), what, line);
}

void IpmiBmc::Impl::setupLanserv() {
    persist_enable = 0; // process-wide; several BMCs share it
    sysinfo_init(&sys_);
    sys_.info = this;
    sys_.alloc = sysAlloc;
    sys_.free = sysFree;
    sys_.log = sysLog;
    sys_.get_monotonic_time = monotonicTime;
    sys_.get_real_time = realTime;
    sys_.gen_rand = sysRand;
    sys_.chan_set = channels_.data();
    sys_.cusers = users_.data();
    sys_.bmc_ipmb = kBmcIpmb;
    sys_.mc = reinterpret_cast<lmc_data_t*>(this);
    sys_.mc_get_ipmb = mcIpmb;
    sys_.mc_get_channelset = mcChannels;
    sys_.mc_get_users = mcUsers;
    sys_.mc_users_changed = mcUsersChanged;
    sys_.mc_get_next_recv_q = mcNextRecvQ;
    sys_.register_tick_handler = registerTick;

    for (std::size_t i = 0; i < users_.size(); ++i) {
        users_[i].idx = static_cast<int>(i);
    }
    // Slot 0 is unused and slot 1 is lanserv's null user: both stay invalid,
    // so null user names and anonymous logins never match.
    for (std::size_t i = 0; i < options_.users.size(); ++i) {
        const User& u = options_.users[i];
        user_t& slot = users_[CommandHandler::kFirstUserId + i];
        slot.valid = 1;
        std::memcpy(slot.username, u.name.data(), u.name.size());
        std::memcpy(slot.pw, u.password.data(), u.password.size());
        slot.privilege = static_cast<unsigned char>(u.privilege);
        slot.max_sessions = MAX_SESSIONS;
    }

    // System GUID: the blade UUID, also used by RAKP.
    const auto guidRsp = commands_.handle({netfn::kApp, 0x37, {}, Privilege::Administrator});
    if (guidRsp.size() == 17) {
        std::copy(guidRsp.begin() + 1, guidRsp.end(), guid_.begin());
    }

    lan_.sysinfo = &sys_;
    lan_.user_info = this;
    lan_.users = users_.data();
    lan_.send_out = cmc::ipmi::sendOut;
    lan_.gen_rand = lanRand;
    lan_.default_session_timeout = kSessionTimeoutSeconds;
    lan_.guid = guid_.data();
    channel_t& ch = lan_.channel;
    ch.mc = reinterpret_cast<lmc_data_t*>(this);
    ch.chan_info = &lan_;
    ch.channel_num = kLanChannel;
    ch.medium_type = 4;     // 802.3 LAN
    ch.protocol_type = 1;   // IPMB-1.0
    ch.session_support = 2; // multi-session
    ch.privilege_limit = static_cast<unsigned>(Privilege::Administrator);
    ch.privilege_limit_nonv = static_cast<unsigned>(Privilege::Administrator);
    for (auto& p : ch.priv_info) {
        p.allowed_auths = 1 << IPMI_AUTHTYPE_MD5; // IPMI 1.5: MD5 only, never "none"
    }
    ch.smi_send = smiSendCb;
    ch.alloc = chanAlloc;
    ch.free = chanFree;
    ch.log = chanLog;
    ch.oem.oem_check_permitted = checkPermitted;
    ch.oem.oem_handle_msg = oemHandleMsgCb;
    channels_[kLanChannel] = &ch;
}

bool IpmiBmc::Impl::start(std::string& error) {
    if (started_) {
        error = "already started";
        return false;
    }
    if (options_.users.size() > MAX_USERS - CommandHandler::kFirstUserId + 1) {
        error = "too many users";
        return false;
    }
    for (const User& u : options_.users) {
        if (u.name.empty() || u.name.size() > kMaxNameLength || u.name.find('\0') != std::string::npos) {
            error = "user name must be 1..16 bytes without NUL: '" + u.name + "'";
            return false;
        }
        if (u.password.size() > kMaxPasswordLength) {
            error = "password of user '" + u.name + "' is longer than 20 bytes";
            return false;
        }
        const auto p = static_cast<int>(u.privilege);
        if (p < 2 || p > 4) {
            error = "invalid privilege for user '" + u.name + "'";
            return false;
        }
    }
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options_.address, ec);
    if (ec) {
        error = "invalid address '" + options_.address + "': " + ec.message();
        return false;
    }
    const udp::endpoint local(address, options_.port);
    if (socket_.open(local.protocol(), ec); ec) {
        error = "cannot open UDP socket: " + ec.message();
        return false;
    }
    if (socket_.bind(local, ec); ec) {
        error = "cannot bind UDP " + options_.address + ":" + std::to_string(options_.port) + ": " + ec.message();
        socket_.close(ec);
        return false;
    }
    socket_.non_blocking(true, ec);
    port_ = socket_.local_endpoint(ec).port();

    setupLanserv();
    registering = this;
    const int rv = ipmi_lan_init(&lan_);
    registering = nullptr;
    if (rv != 0) {
        error = "lanserv initialisation failed: error " + std::to_string(rv);
        socket_.close(ec);
        port_ = 0;
        return false;
    }
    started_ = true;
    receive();
    scheduleTick();
    return true;
}

void IpmiBmc::Impl::stop() {
    stopped_ = true;
    boost::system::error_code ec;
    socket_.close(ec);
    tickTimer_.cancel();
    for (auto& d : delayed_) {
        d.timer.cancel();
    }
}

void IpmiBmc::Impl::scheduleTick() {
    if (tick_ == nullptr) {
        return;
    }
    tickTimer_.expires_after(std::chrono::seconds(1));
    tickTimer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self || ec || self->stopped_) {
            return;
        }
        self->tick_->handler(self->tick_->info, 1);
        self->scheduleTick();
    });
}

void IpmiBmc::Impl::receive() {
    socket_.async_receive_from(asio::buffer(rx_), sender_,
                               [weak = weak_from_this()](const boost::system::error_code& ec, std::size_t n) {
                                   if (auto self = weak.lock()) {
                                       self->onDatagram(ec, n);
                                   }
                               });
}

void IpmiBmc::Impl::onDatagram(const boost::system::error_code& ec, std::size_t n) {
    if (stopped_ || ec == asio::error::operation_aborted) {
        return;
    }
    if (ec) { // e.g. ICMP port unreachable from an earlier reply: keep going
        receive();
        return;
    }
    ++stats_.datagramsIn;
    const hal::ManagementLink link = hal_.managementLink();
    bool drop = !link.up || link.bmcHung;
    if (!drop && link.lossRatio > 0.0) {
        drop = std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < link.lossRatio;
    }
    if (drop) {
        ++stats_.datagramsDropped;
        receive();
        return;
    }
    const udp::endpoint from = sender_;
    std::span<std::uint8_t> datagram(rx_.data(), n);
    FilterResult r = filterDatagram(datagram);
    switch (r.verdict) {
    case FilterVerdict::Drop: ++stats_.datagramsDropped; break;
    case FilterVerdict::Reply: sendDatagram(std::move(r.reply), from); break;
    case FilterVerdict::Pass: {
        // lanserv keeps the pointer only for the duration of the call (it
        // copies the address into sessions).
        udp::endpoint addr = from;
        ipmi_handle_lan_msg(&lan_, datagram.data(), static_cast<int>(datagram.size()), addr.data(),
                            static_cast<int>(addr.size()));
        if (r.rakpOne) {
            clampSessionPrivilege(*r.rakpOne);
        }
        break;
    }
    }
    if (!stopped_) {
        receive();
    }
}

// lanserv sets a session's maximum privilege from the role requested in RAKP
// message 1 without comparing it with the user's; we bound it by the user's
// privilege ("highest" included), so Set Session Privilege cannot go above.
void IpmiBmc::Impl::clampSessionPrivilege(const RakpOneInfo& info) {
    session_t& s = lan_.sessions[(info.bmcSessionId >> 1) & SESSION_MASK];
    if (!s.active || s.sid != info.bmcSessionId || s.userid == 0 || s.userid > MAX_USERS) {
        return;
    }
    const unsigned char userMax = users_[s.userid].privilege;
    s.max_priv = info.requestedRole == 0 ? userMax : std::min<unsigned char>(info.requestedRole, userMax);
    if (s.priv > s.max_priv) {
        s.priv = s.max_priv;
    }
}

Privilege IpmiBmc::Impl::sessionPrivilege(std::uint32_t sid) const {
    if (sid == 0) {
        return Privilege::Administrator; // lanserv's own start-up query
    }
    const session_t& s = lan_.sessions[(sid >> 1) & SESSION_MASK];
    if (!s.active || s.sid != sid) {
        return Privilege::User;
    }
    return static_cast<Privilege>(std::clamp<unsigned char>(s.priv, 2, 4));
}

int IpmiBmc::Impl::smiSend(msg_t* msg) {
    if (stopped_ || hal_.managementLink().bmcHung) {
        ++stats_.datagramsDropped;
        lan_.channel.free(&lan_.channel, msg);
        return 0;
    }
    const CommandRequest rq{msg->netfn, msg->cmd, std::span<const std::uint8_t>(msg->data, msg->len),
                            sessionPrivilege(msg->sid)};
    auto rsp = commands_.handle(rq);
    ++stats_.commandsHandled;
    ipmi_handle_smi_rsp(&lan_.channel, msg, rsp.data(), static_cast<int>(rsp.size()));
    return 0;
}

int IpmiBmc::Impl::oemHandleMessage(msg_t* msg) {
    constexpr unsigned char kGetChannelCipherSuites = 0x54;
    if (msg->netfn != netfn::kApp || msg->cmd != kGetChannelCipherSuites) {
        return 0;
    }
    auto body = cipherSuitesResponse(std::span<const std::uint8_t>(msg->data, msg->len));
    rsp_msg_t rsp{};
    rsp.netfn = static_cast<std::uint8_t>(msg->netfn | 1);
    rsp.cmd = msg->cmd;
    rsp.data = body.data();
    rsp.data_len = static_cast<unsigned short>(body.size());
    ++stats_.commandsHandled;
    lan_.channel.return_rsp(&lan_.channel, msg, &rsp);
    return 1;
}

void IpmiBmc::Impl::sendOut(const struct iovec* data, int vecs, const void* addr, int addrLen) {
    std::vector<std::uint8_t> bytes;
    for (int i = 0; i < vecs; ++i) {
        const auto* p = static_cast<const std::uint8_t*>(data[i].iov_base);
        bytes.insert(bytes.end(), p, p + data[i].iov_len);
    }
    udp::endpoint to;
    if (addr == nullptr || addrLen <= 0 || static_cast<std::size_t>(addrLen) > to.capacity()) {
        return;
    }
    std::memcpy(to.data(), addr, static_cast<std::size_t>(addrLen));
    to.resize(static_cast<std::size_t>(addrLen));
    sendDatagram(std::move(bytes), to);
}

void IpmiBmc::Impl::sendDatagram(std::vector<std::uint8_t> bytes, const udp::endpoint& to) {
    if (stopped_) {
        return;
    }
    const hal::ManagementLink link = hal_.managementLink();
    const auto delay = link.latency + link.bmcDelay;
    boost::system::error_code ec;
    if (delay.count() <= 0) {
        socket_.send_to(asio::buffer(bytes), to, 0, ec); // non-blocking; a full buffer drops
        return;
    }
    auto it = delayed_.emplace(delayed_.end(), io_);
    it->bytes = std::move(bytes);
    it->to = to;
    it->timer.expires_after(delay);
    it->timer.async_wait([weak = weak_from_this(), it](const boost::system::error_code& wec) {
        auto self = weak.lock();
        if (!self) {
            return;
        }
        if (!wec && !self->stopped_) {
            boost::system::error_code sec;
            self->socket_.send_to(asio::buffer(it->bytes), it->to, 0, sec);
        }
        self->delayed_.erase(it);
    });
}

IpmiBmc::IpmiBmc(asio::io_context& io, hal::BladeHal& hal, BmcOptions options)
    : impl_(std::make_shared<Impl>(io, hal, std::move(options))) {}

IpmiBmc::~IpmiBmc() {
    if (impl_) {
        impl_->stop();
    }
}

bool IpmiBmc::start(std::string& error) {
    return impl_->start(error);
}

std::uint16_t IpmiBmc::port() const {
    return impl_->port_;
}

void IpmiBmc::stop() {
    impl_->stop();
}

BmcStats IpmiBmc::stats() const {
    return impl_->stats_;
}

} // namespace cmc::ipmi
