#include "app/event_push.hpp"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <iostream>
#include <utility>

#include "app/service.hpp"
#include "events/event_log.hpp"
#include "southbound/redfish/http_client.hpp"
#include "store/store.hpp"

namespace cmc::app {

using domain::OperationResult;
using Code = domain::OperationResult::Code;

struct EventPush::Target {
    Target(boost::asio::io_context& io, domain::EventSubscription s, northbound::Destination d)
        : sub(std::move(s)), dest(std::move(d)), timer(io) {}
    domain::EventSubscription sub;
    northbound::Destination dest;
    domain::DeliveryStats stats;
    std::deque<std::string> queue;      // payloads waiting
    std::optional<std::string> current; // the one being sent (or waiting for its retry)
    bool inFlight = false;
    bool retryPending = false;
    std::int64_t attempts = 0; // failed attempts of `current`
    boost::asio::steady_timer timer;
};

namespace {

std::optional<std::int64_t> numericId(const std::string& id) {
    std::int64_t v = 0;
    for (char c : id) {
        if (c < '0' || c > '9' || v > 1'000'000'000'000) return std::nullopt;
        v = v * 10 + (c - '0');
    }
    if (id.empty() || id[0] == '0') return std::nullopt;
    return v;
}

// What a log line says of a subscription: its id and where it sends (no path
// or query, which may carry a token).
std::string subject(const EventPush::Target& t) {
    return "subscription=" + t.sub.id + " destination=" + t.dest.baseUrl();
}

OperationResult ok(std::string id = {}) {
    OperationResult r;
    r.id = std::move(id);
    return r;
}

OperationResult unavailable(const std::string& why) {
    OperationResult r;
    r.code = Code::Unavailable;
    r.message = why;
    return r;
}

OperationResult notFound(const std::string& id) {
    OperationResult r;
    r.code = Code::NotFound;
    r.resource = "EventDestination";
    r.id = id;
    return r;
}

} // namespace

EventPush::EventPush(boost::asio::io_context& io, store::Store& store, events::EventLog& log,
                     config::EventServiceConfig cfg)
    : io_(io), store_(store), log_(log), cfg_(std::move(cfg)) {
    southbound::HttpClientOptions ho;
    ho.timeout = std::chrono::milliseconds(cfg_.deliveryTimeoutMs);
    ho.maxConnectionsPerHost = 2;
    ho.maxQueuedPerHost = 64;
    ho.bodyLimit = 64 * 1024; // a receiver's answer is not read for anything
    http_ = std::make_unique<southbound::HttpClient>(io_, ho);
    settings_.retryAttempts = cfg_.retryAttempts;
    settings_.retryIntervalSeconds = cfg_.retryIntervalSeconds;
    settings_.queueLimit = static_cast<std::size_t>(cfg_.queueLimit);
    settings_.maxSubscriptions = static_cast<std::size_t>(cfg_.maxSubscriptions);
    settings_.maxSseStreams = static_cast<std::size_t>(cfg_.maxSseStreams);
    settings_.sseKeepAliveMs = cfg_.sseKeepAliveMs;
    settings_.sseReplayLimit = static_cast<std::size_t>(cfg_.sseReplayEvents);
}

EventPush::~EventPush() {
    stop();
}

std::string EventPush::load(store::EventServiceState state) {
    for (std::size_t i = 0; i < cfg_.allowedDestinations.size(); ++i) {
        auto rule = northbound::parseAllowRule(cfg_.allowedDestinations[i]);
        if (!rule) {
            return "config: 'eventService.allowedDestinations[" + std::to_string(i) + "]' must be a host, host:port " +
                   "or CIDR (got \"" + cfg_.allowedDestinations[i] + "\")";
        }
        rules_.push_back(*rule);
    }
    if (state.settings) {
        settings_.enabled = state.settings->enabled;
        settings_.retryAttempts = state.settings->retryAttempts;
        settings_.retryIntervalSeconds = state.settings->retryIntervalSeconds;
    }
    nextId_ = std::max<std::int64_t>(state.nextSubscriptionId, 1);
    for (auto& s : state.subscriptions) {
        auto id = numericId(s.id);
        auto dest = northbound::parseDestination(s.destination);
        if (!id || !dest) {
            std::cerr << "cmcd: event subscription " << s.id << " skipped: its destination is not an http(s) URI\n";
            continue;
        }
        // Kept even if the allowed destinations shrank since: it was allowed
        // when created, and an administrator can delete it.
        targets_[*id] = std::make_shared<Target>(io_, std::move(s), std::move(*dest));
    }
    if (!targets_.empty())
        std::cout << "cmcd: " << targets_.size() << " event subscriptions loaded from the database\n";
    return {};
}

void EventPush::start() {
    listener_ = log_.subscribe([this](const domain::Event& e) { onEvent(e); });
}

void EventPush::stop() {
    if (stopped_) return;
    stopped_ = true;
    *alive_ = false;
    if (listener_) log_.unsubscribe(listener_);
    listener_ = 0;
    for (auto& [id, t] : targets_)
        t->timer.cancel();
    http_->shutdown();
}

void EventPush::every(std::chrono::milliseconds period, std::function<bool()> tick) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_);
    auto arm = std::make_shared<std::function<void()>>();
    std::weak_ptr<std::function<void()>> weakArm = arm;
    std::weak_ptr<bool> alive = alive_;
    *arm = [timer, period, tick = std::move(tick), weakArm, alive] {
        timer->expires_after(period);
        // The lambda keeps itself alive through the pending wait only.
        timer->async_wait([timer, tick, self = weakArm.lock(), alive](const boost::system::error_code& ec) {
            auto live = alive.lock();
            if (ec || !live || !*live || !self) return;
            bool again = false;
            try {
                again = tick();
            } catch (const std::exception& e) {
                std::cerr << "cmcd: event service tick failed: " << e.what() << " (caught)\n";
                again = true;
            }
            if (again) (*self)();
        });
    };
    (*arm)();
}

OperationResult EventPush::checkDestination(const std::string& uri) const {
    auto d = northbound::parseDestination(uri);
    OperationResult r;
    r.code = Code::BadRequest;
    r.property = "Destination";
    r.value = uri;
    if (!d) {
        r.message = "the destination must be an http:// or https:// URI";
        return r;
    }
    if (!northbound::destinationAllowed(*d, rules_)) {
        r.message = "events go to loopback or to destinations the configuration allows (eventService." +
                    std::string("allowedDestinations); ") + d->host + " is not one of them";
        return r;
    }
    return ok();
}

std::vector<domain::EventSubscriptionView> EventPush::list() const {
    std::vector<domain::EventSubscriptionView> out;
    for (const auto& [id, t] : targets_) {
        domain::EventSubscriptionView v{t->sub, t->stats};
        v.stats.queued = t->queue.size() + (t->current ? 1 : 0);
        out.push_back(std::move(v));
    }
    return out;
}

std::optional<domain::EventSubscriptionView> EventPush::get(const std::string& id) const {
    auto n = numericId(id);
    auto it = n ? targets_.find(*n) : targets_.end();
    if (it == targets_.end()) return std::nullopt;
    domain::EventSubscriptionView v{it->second->sub, it->second->stats};
    v.stats.queued = it->second->queue.size() + (it->second->current ? 1 : 0);
    return v;
}

void EventPush::setSettings(domain::EventServiceSettings s, OpDone done) {
    store::Batch b;
    b.saveEventService(s, nextId_);
    store_.apply(std::move(b), [this, s, done = std::move(done)](bool okWrite, const std::string& error) {
        if (!okWrite) {
            done(unavailable("the settings could not be saved: " + error));
            return;
        }
        bool enabling = s.enabled && !settings_.enabled;
        settings_.enabled = s.enabled;
        settings_.retryAttempts = s.retryAttempts;
        settings_.retryIntervalSeconds = s.retryIntervalSeconds;
        std::cout << "cmcd: event service " << (s.enabled ? "enabled" : "disabled") << ", " << s.retryAttempts
                  << " retries " << s.retryIntervalSeconds << " s apart\n";
        if (enabling) {
            for (auto& [id, t] : targets_)
                pump(t);
        }
        done(ok());
    });
}

void EventPush::create(domain::EventSubscription s, OpDone done) {
    auto check = checkDestination(s.destination);
    if (!check.ok()) {
        done(check);
        return;
    }
    if (targets_.size() >= settings_.maxSubscriptions) {
        done(unavailable("the service holds " + std::to_string(targets_.size()) + " subscriptions, its limit"));
        return;
    }
    const std::int64_t id = nextId_++;
    s.id = std::to_string(id);
    s.createdMs = events::nowUnixMs();
    s.suspended = false;
    store::Batch b;
    b.saveEventSubscription(s).saveEventService(settings_, nextId_);
    store_.apply(std::move(b), [this, s, id, done = std::move(done)](bool okWrite, const std::string& error) mutable {
        if (!okWrite) {
            done(unavailable("the subscription could not be saved: " + error));
            return;
        }
        auto dest = *northbound::parseDestination(s.destination);
        auto t = std::make_shared<Target>(io_, std::move(s), std::move(dest));
        targets_[id] = t;
        std::cout << "cmcd: event " << subject(*t) << " created (context \"" << t->sub.context << "\")\n";
        done(ok(std::to_string(id)));
    });
}

void EventPush::update(domain::EventSubscription s, OpDone done) {
    auto n = numericId(s.id);
    if (!n || !targets_.count(*n)) {
        done(notFound(s.id));
        return;
    }
    store::Batch b;
    b.saveEventSubscription(s);
    store_.apply(std::move(b), [this, s, n, done = std::move(done)](bool okWrite, const std::string& error) {
        auto it = targets_.find(*n);
        if (it == targets_.end()) {
            done(notFound(s.id));
            return;
        }
        if (!okWrite) {
            done(unavailable("the subscription could not be saved: " + error));
            return;
        }
        auto& t = it->second;
        bool resumed = t->sub.suspended && !s.suspended;
        // Only what a client may change; the destination and filters stay.
        t->sub.context = s.context;
        t->sub.retryPolicy = s.retryPolicy;
        t->sub.httpHeaders = s.httpHeaders;
        t->sub.suspended = s.suspended;
        if (resumed) {
            t->attempts = 0;
            std::cout << "cmcd: event " << subject(*t) << " resumed\n";
            pump(t);
        }
        done(ok(s.id));
    });
}

void EventPush::remove(const std::string& id, OpDone done) {
    auto n = numericId(id);
    if (!n || !targets_.count(*n)) {
        done(notFound(id));
        return;
    }
    store::Batch b;
    b.deleteEventSubscription(id);
    store_.apply(std::move(b), [this, id, n, done = std::move(done)](bool okWrite, const std::string& error) {
        if (!okWrite) {
            done(unavailable("the subscription could not be deleted: " + error));
            return;
        }
        auto it = targets_.find(*n);
        if (it == targets_.end()) {
            done(notFound(id));
            return;
        }
        std::cout << "cmcd: event " << subject(*it->second) << " deleted\n";
        it->second->timer.cancel();
        targets_.erase(it);
        done(ok(id));
    });
}

void EventPush::submit(const domain::Event& e) {
    onEvent(e);
}

void EventPush::onEvent(const domain::Event& e) {
    if (stopped_ || !settings_.enabled) return;
    for (auto& [id, t] : targets_) {
        if (t->sub.suspended || !northbound::subscriptionMatches(t->sub, e)) continue;
        auto payload = northbound::eventPayload(e, t->sub.context);
        if (t->queue.size() >= settings_.queueLimit) {
            t->queue.pop_front();
            if (++t->stats.dropped % 100 == 1)
                std::cerr << "cmcd: event " << subject(*t) << ": queue full (" << settings_.queueLimit
                          << " events), the oldest dropped; " << t->stats.dropped << " dropped so far\n";
        }
        t->queue.push_back(payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        pump(t);
    }
}

void EventPush::pump(const std::shared_ptr<Target>& t) {
    if (stopped_ || !settings_.enabled || t->sub.suspended || t->inFlight || t->retryPending) return;
    if (!t->current) {
        if (t->queue.empty()) return;
        t->current = std::move(t->queue.front());
        t->queue.pop_front();
        t->attempts = 0;
    }
    send(t);
}

void EventPush::send(const std::shared_ptr<Target>& t) {
    t->inFlight = true;
    std::vector<http::Header> headers{{"Content-Type", "application/json"}};
    for (const auto& [k, v] : t->sub.httpHeaders)
        headers.push_back({k, v});
    std::weak_ptr<Target> weak = t;
    http_->request(t->dest.baseUrl(), "POST", t->dest.target, *t->current, std::move(headers),
                   [this, weak](southbound::HttpResult r) {
                       auto target = weak.lock(); // gone: deleted, or the service stopped
                       if (!target || stopped_) return;
                       delivered(target, r);
                   });
}

void EventPush::delivered(const std::shared_ptr<Target>& t, const southbound::HttpResult& r) {
    t->inFlight = false;
    if (r.transportOk && r.status >= 200 && r.status < 300) {
        ++t->stats.delivered;
        t->current.reset();
        t->attempts = 0;
        pump(t);
        return;
    }
    ++t->stats.failedAttempts;
    ++t->attempts;
    t->stats.lastError = r.transportOk ? "HTTP " + std::to_string(r.status) : r.error;
    const auto allowed = settings_.retryAttempts;
    if (t->attempts > allowed) {
        switch (t->sub.retryPolicy) {
        case domain::RetryPolicy::RetryForever:
            t->attempts = 0; // and on, at the same interval
            break;
        case domain::RetryPolicy::SuspendRetries:
            std::cerr << "cmcd: event " << subject(*t) << ": delivery failed " << allowed + 1 << " times ("
                      << t->stats.lastError << "); subscription suspended (POST its ResumeSubscription action to "
                      << "resume)\n";
            t->sub.suspended = true;
            persist(t->sub);
            return;
        case domain::RetryPolicy::TerminateAfterRetries: {
            std::cerr << "cmcd: event " << subject(*t) << ": delivery failed " << allowed + 1 << " times ("
                      << t->stats.lastError << "); subscription deleted (TerminateAfterRetries)\n";
            auto id = numericId(t->sub.id);
            store::Batch b;
            b.deleteEventSubscription(t->sub.id);
            store_.apply(std::move(b));
            t->timer.cancel();
            if (id) targets_.erase(*id);
            return;
        }
        }
    }
    std::cerr << "cmcd: event " << subject(*t) << ": delivery failed (" << t->stats.lastError << "); retry in "
              << settings_.retryIntervalSeconds << " s\n";
    t->retryPending = true;
    t->timer.expires_after(std::chrono::seconds(settings_.retryIntervalSeconds));
    std::weak_ptr<Target> weak = t;
    t->timer.async_wait([this, weak](const boost::system::error_code& ec) {
        auto target = weak.lock();
        if (ec || !target || stopped_) return;
        target->retryPending = false;
        if (target->sub.suspended || !settings_.enabled) return;
        send(target);
    });
}

void EventPush::persist(const domain::EventSubscription& s) {
    store::Batch b;
    b.saveEventSubscription(s);
    store_.apply(std::move(b), [id = s.id](bool okWrite, const std::string& error) {
        if (!okWrite) std::cerr << "cmcd: event subscription=" << id << " could not be saved: " << error << "\n";
    });
}

// ---- ChassisService: the Backend's EventService methods

domain::EventServiceSettings ChassisService::eventServiceSettings() const {
    return eventPush_ ? eventPush_->settings() : domain::EventServiceSettings{};
}

void ChassisService::setEventServiceSettings(domain::EventServiceSettings s, OpDone done) {
    eventPush_->setSettings(s, std::move(done));
}

std::vector<domain::EventSubscriptionView> ChassisService::eventSubscriptions() const {
    return eventPush_->list();
}

std::optional<domain::EventSubscriptionView> ChassisService::eventSubscription(const std::string& id) const {
    return eventPush_->get(id);
}

void ChassisService::createEventSubscription(domain::EventSubscription s, OpDone done) {
    eventPush_->create(std::move(s), std::move(done));
}

void ChassisService::updateEventSubscription(domain::EventSubscription s, OpDone done) {
    eventPush_->update(std::move(s), std::move(done));
}

void ChassisService::deleteEventSubscription(const std::string& id, OpDone done) {
    eventPush_->remove(id, std::move(done));
}

void ChassisService::submitTestEvent(const domain::Event& e) {
    eventPush_->submit(e);
}

void ChassisService::every(std::chrono::milliseconds period, std::function<bool()> tick) {
    eventPush_->every(period, std::move(tick));
}

} // namespace cmc::app
