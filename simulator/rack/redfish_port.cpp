#include "rack/redfish_port.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <random>

#include "http/http_server.hpp"
#include "redfish/bmc_redfish.hpp"

namespace cmc::sim {

struct RedfishPort::Impl : std::enable_shared_from_this<RedfishPort::Impl> {
    // A request held on a timer: dropped (never answered) or answered later.
    struct Held {
        explicit Held(boost::asio::io_context& io) : timer(io) {}
        boost::asio::steady_timer timer;
        http::Responder done;
        std::optional<http::Response> answer; // empty: the request is dropped when the timer fires
    };

    Impl(boost::asio::io_context& io, const hal::BladeHal& h, bmc::RedfishService& s, RedfishPortOptions o)
        : io_(io), hal_(h), service_(s), options_(std::move(o)), rng_(options_.seed) {}

    void onRequest(http::Request&& req, http::Responder done) {
        if (stopped_) return; // dropping the responder closes the connection
        auto link = hal_.managementLink();
        bool lost = link.lossRatio > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < link.lossRatio;
        if (!link.up || link.bmcHung || lost) {
            // A hung BMC or a lost request: the client waits for an answer that never comes.
            hold(std::move(done), std::nullopt, options_.holdLimit);
            return;
        }
        auto delay = link.latency + link.bmcDelay;
        if (delay.count() <= 0) {
            service_.handle(std::move(req), std::move(done));
            return;
        }
        std::weak_ptr<Impl> weak = shared_from_this();
        service_.handle(std::move(req), [weak, delay, done = std::move(done)](http::Response r) mutable {
            if (auto self = weak.lock()) self->hold(std::move(done), std::move(r), delay);
        });
    }

    void hold(http::Responder done, std::optional<http::Response> answer, std::chrono::milliseconds after) {
        if (stopped_) return;
        while (held_.size() >= options_.maxHeld)
            held_.erase(held_.begin()); // the oldest: its responder goes and that connection closes unanswered
        auto id = nextId_++;
        auto& h = *held_.emplace(id, std::make_unique<Held>(io_)).first->second;
        h.done = std::move(done);
        h.answer = std::move(answer);
        h.timer.expires_after(after);
        std::weak_ptr<Impl> weak = shared_from_this();
        h.timer.async_wait([weak, id](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || self->stopped_) return;
            auto it = self->held_.find(id);
            if (it == self->held_.end()) return; // dropped meanwhile
            auto entry = std::move(it->second);
            self->held_.erase(it);
            if (entry->answer) entry->done(std::move(*entry->answer));
            // else: the responder dies here unanswered and the server closes the connection
        });
    }

    void stop() {
        stopped_ = true;
        held_.clear(); // cancels the timers; the responders close their connections
        if (server_) server_->stop();
    }

    boost::asio::io_context& io_;
    const hal::BladeHal& hal_;
    bmc::RedfishService& service_;
    RedfishPortOptions options_;
    std::mt19937_64 rng_;
    std::map<std::uint64_t, std::unique_ptr<Held>> held_; // by id: oldest first
    std::uint64_t nextId_ = 1;
    std::unique_ptr<http::Server> server_;
    bool stopped_ = false;
};

RedfishPort::RedfishPort(boost::asio::io_context& io, const hal::BladeHal& hal, bmc::RedfishService& service,
                         RedfishPortOptions options)
    : impl_(std::make_shared<Impl>(io, hal, service, std::move(options))) {}

RedfishPort::~RedfishPort() {
    stop();
}

bool RedfishPort::listen(const std::string& address, std::uint16_t port, std::string& error) {
    auto so = bmc::RedfishService::serverOptions();
    so.tls = impl_->options_.tls;
    std::weak_ptr<Impl> weak = impl_;
    impl_->server_ = std::make_unique<http::Server>(
        impl_->io_,
        [weak](http::Request&& r, http::Responder done) {
            if (auto self = weak.lock()) self->onRequest(std::move(r), std::move(done));
        },
        std::move(so));
    return impl_->server_->listen(address, port, error);
}

std::uint16_t RedfishPort::port() const {
    return impl_->server_ ? impl_->server_->port() : 0;
}

std::size_t RedfishPort::connectionCount() const {
    return impl_->server_ ? impl_->server_->connectionCount() : 0;
}

std::size_t RedfishPort::heldCount() const {
    return impl_->held_.size();
}

void RedfishPort::stop() {
    impl_->stop();
}

} // namespace cmc::sim
