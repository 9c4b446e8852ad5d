// The SQL of the northbound EventService (migration 0006): push
// subscriptions and the service's settings. Runs on the store's writer thread.
#pragma once

#include <string>

#include "domain/event_subscription.hpp"
#include "store/store.hpp"

namespace cmc::store {

class Db;

namespace sql {

[[nodiscard]] std::string saveEventSubscription(Db& db, const domain::EventSubscription& s);
[[nodiscard]] std::string deleteEventSubscription(Db& db, const std::string& id);
[[nodiscard]] std::string saveEventService(Db& db, const domain::EventServiceSettings& s,
                                           std::int64_t nextSubscriptionId);
[[nodiscard]] std::string loadEventService(Db& db, EventServiceState& out);

} // namespace sql
} // namespace cmc::store
