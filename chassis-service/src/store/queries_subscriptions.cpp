#include "store/queries_subscriptions.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

#include "store/db.hpp"

namespace cmc::store::sql {

namespace {

using json = nlohmann::json;

std::string dump(const json& j) {
    // replace: a stray invalid UTF-8 byte must not throw on the writer thread.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string strings(const std::vector<std::string>& items) {
    json j = json::array();
    for (const auto& s : items)
        j.push_back(s);
    return dump(j);
}

std::vector<std::string> stringsFrom(const std::string& text) {
    std::vector<std::string> out;
    auto j = json::parse(text, nullptr, false);
    if (!j.is_array()) return out;
    for (const auto& item : j) {
        if (item.is_string()) out.push_back(item.get<std::string>());
    }
    return out;
}

std::string headers(const std::vector<std::pair<std::string, std::string>>& items) {
    json j = json::array();
    for (const auto& [k, v] : items)
        j.push_back(json::array({k, v}));
    return dump(j);
}

std::vector<std::pair<std::string, std::string>> headersFrom(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> out;
    auto j = json::parse(text, nullptr, false);
    if (!j.is_array()) return out;
    for (const auto& item : j) {
        if (item.is_array() && item.size() == 2 && item[0].is_string() && item[1].is_string())
            out.emplace_back(item[0].get<std::string>(), item[1].get<std::string>());
    }
    return out;
}

std::optional<std::int64_t> idOf(const std::string& id) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
    if (id.empty() || ec != std::errc() || p != id.data() + id.size() || v < 1) return std::nullopt;
    return v;
}

} // namespace

std::string saveEventSubscription(Db& db, const domain::EventSubscription& s) {
    auto id = idOf(s.id);
    if (!id) return "event subscription '" + s.id + "': not a numeric id";
    auto q = db.query("INSERT INTO event_subscriptions (id, destination, context, registry_prefixes, message_ids, "
                      "origin_resources, http_headers, retry_policy, suspended, created_ms) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                      "ON CONFLICT (id) DO UPDATE SET destination = excluded.destination, context = excluded.context, "
                      "registry_prefixes = excluded.registry_prefixes, message_ids = excluded.message_ids, "
                      "origin_resources = excluded.origin_resources, http_headers = excluded.http_headers, "
                      "retry_policy = excluded.retry_policy, suspended = excluded.suspended");
    q.bind(1, *id).bind(2, s.destination).bind(3, s.context).bind(4, strings(s.registryPrefixes));
    q.bind(5, strings(s.messageIds)).bind(6, strings(s.originResources)).bind(7, headers(s.httpHeaders));
    q.bind(8, std::string_view(domain::toString(s.retryPolicy))).bind(9, s.suspended).bind(10, s.createdMs);
    // The error names the subscription, never its headers (they may carry credentials).
    return q.exec() ? std::string() : "event subscription " + s.id + ": " + q.error();
}

std::string deleteEventSubscription(Db& db, const std::string& id) {
    auto n = idOf(id);
    if (!n) return "event subscription '" + id + "': not a numeric id";
    auto q = db.query("DELETE FROM event_subscriptions WHERE id = ?1");
    q.bind(1, *n);
    return q.exec() ? std::string() : "delete event subscription " + id + ": " + q.error();
}

std::string saveEventService(Db& db, const domain::EventServiceSettings& s, std::int64_t nextSubscriptionId) {
    auto q = db.query("INSERT INTO event_service (id, enabled, retry_attempts, retry_interval_seconds, "
                      "next_subscription_id) VALUES (1, ?1, ?2, ?3, ?4) "
                      "ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, "
                      "retry_attempts = excluded.retry_attempts, "
                      "retry_interval_seconds = excluded.retry_interval_seconds, "
                      "next_subscription_id = excluded.next_subscription_id");
    q.bind(1, s.enabled).bind(2, s.retryAttempts).bind(3, s.retryIntervalSeconds).bind(4, nextSubscriptionId);
    return q.exec() ? std::string() : "event service settings: " + q.error();
}

std::string loadEventService(Db& db, EventServiceState& out) {
    out = EventServiceState{};
    {
        auto q = db.query("SELECT enabled, retry_attempts, retry_interval_seconds, next_subscription_id "
                          "FROM event_service WHERE id = 1");
        if (q.next()) {
            domain::EventServiceSettings s;
            s.enabled = q.int64(0) != 0;
            s.retryAttempts = q.int64(1);
            s.retryIntervalSeconds = q.int64(2);
            out.settings = s;
            out.nextSubscriptionId = q.int64(3);
        }
        if (q.failed()) return "load event service settings: " + q.error();
    }
    auto q = db.query("SELECT id, destination, context, registry_prefixes, message_ids, origin_resources, "
                      "http_headers, retry_policy, suspended, created_ms FROM event_subscriptions ORDER BY id");
    while (q.next()) {
        domain::EventSubscription s;
        s.id = std::to_string(q.int64(0));
        s.destination = q.text(1);
        s.context = q.text(2);
        s.registryPrefixes = stringsFrom(q.text(3));
        s.messageIds = stringsFrom(q.text(4));
        s.originResources = stringsFrom(q.text(5));
        s.httpHeaders = headersFrom(q.text(6));
        s.retryPolicy = domain::retryPolicyFrom(q.text(7)).value_or(domain::RetryPolicy::SuspendRetries);
        s.suspended = q.int64(8) != 0;
        s.createdMs = q.int64(9);
        if (q.int64(0) >= out.nextSubscriptionId) out.nextSubscriptionId = q.int64(0) + 1;
        out.subscriptions.push_back(std::move(s));
    }
    return q.failed() ? "load event subscriptions: " + q.error() : std::string();
}

} // namespace cmc::store::sql
