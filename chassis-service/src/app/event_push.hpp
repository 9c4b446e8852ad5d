// Push delivery of the northbound EventService: each subscription
// (EventDestination) gets the events it wants POSTed to its Destination, one
// at a time, from a bounded queue (the oldest dropped and counted when full),
// retried DeliveryRetryAttempts times DeliveryRetryIntervalSeconds apart, then
// suspended, kept or deleted as its DeliveryRetryPolicy says. Subscriptions
// and settings are persisted through the store. Everything runs on the
// io_context and nothing waits: a slow receiver only fills its own queue.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "domain/event_subscription.hpp"
#include "domain/model.hpp"
#include "domain/views.hpp"
#include "northbound/event_filter.hpp"

namespace cmc::store {
class Store;
struct EventServiceState;
} // namespace cmc::store
namespace cmc::events {
class EventLog;
}
namespace cmc::southbound {
class HttpClient;
struct HttpResult;
} // namespace cmc::southbound

namespace cmc::app {

class EventPush {
public:
    using OpDone = std::function<void(domain::OperationResult)>;

    EventPush(boost::asio::io_context& io, store::Store& store, events::EventLog& log, config::EventServiceConfig cfg);
    ~EventPush();
    EventPush(const EventPush&) = delete;
    EventPush& operator=(const EventPush&) = delete;

    // Checks the configuration's allowed destinations and takes the persisted
    // state; "" or what is wrong (a bad configuration: exit 2).
    [[nodiscard]] std::string load(store::EventServiceState state);
    // Subscribes to the event log: delivery starts.
    void start();
    void stop();

    [[nodiscard]] domain::EventServiceSettings settings() const { return settings_; }
    void setSettings(domain::EventServiceSettings s, OpDone done);
    [[nodiscard]] std::vector<domain::EventSubscriptionView> list() const;
    [[nodiscard]] std::optional<domain::EventSubscriptionView> get(const std::string& id) const;
    void create(domain::EventSubscription s, OpDone done);
    void update(domain::EventSubscription s, OpDone done);
    void remove(const std::string& id, OpDone done);
    // Delivered like a logged event, to every subscription that wants it.
    void submit(const domain::Event& e);
    // Runs `tick` every `period` while it returns true (the SSE keep-alives).
    void every(std::chrono::milliseconds period, std::function<bool()> tick);

    struct Target;

private:
    void onEvent(const domain::Event& e);
    void pump(const std::shared_ptr<Target>& t);
    void send(const std::shared_ptr<Target>& t);
    void delivered(const std::shared_ptr<Target>& t, const southbound::HttpResult& r);
    void persist(const domain::EventSubscription& s);
    [[nodiscard]] domain::OperationResult checkDestination(const std::string& uri) const;

    boost::asio::io_context& io_;
    store::Store& store_;
    events::EventLog& log_;
    config::EventServiceConfig cfg_;
    std::unique_ptr<southbound::HttpClient> http_; // its own pools: receivers never share the BMCs' connections
    std::vector<northbound::AllowRule> rules_;
    domain::EventServiceSettings settings_;
    std::int64_t nextId_ = 1;
    std::map<std::int64_t, std::shared_ptr<Target>> targets_; // by id
    int listener_ = 0;
    bool stopped_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true); // the ticks stop with the service
};

} // namespace cmc::app
