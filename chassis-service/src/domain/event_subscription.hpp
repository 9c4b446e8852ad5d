// Push event subscriptions of the northbound EventService (Redfish
// EventDestination): where events go, which ones, and how delivery is doing.
// Plain data; the API maps it to JSON, the store persists it, app/event_push
// delivers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cmc::domain {

// DMTF EventDestination.DeliveryRetryPolicy (RetryForeverWithBackoff is not offered).
enum class RetryPolicy { TerminateAfterRetries, SuspendRetries, RetryForever };

inline const char* toString(RetryPolicy p) {
    switch (p) {
    case RetryPolicy::TerminateAfterRetries: return "TerminateAfterRetries";
    case RetryPolicy::SuspendRetries: return "SuspendRetries";
    case RetryPolicy::RetryForever: return "RetryForever";
    }
    return "SuspendRetries";
}

inline std::optional<RetryPolicy> retryPolicyFrom(const std::string& s) {
    if (s == "TerminateAfterRetries") return RetryPolicy::TerminateAfterRetries;
    if (s == "SuspendRetries") return RetryPolicy::SuspendRetries;
    if (s == "RetryForever") return RetryPolicy::RetryForever;
    return std::nullopt;
}

struct EventSubscription {
    std::string id; // "1", "2", ... (never reused)
    std::string destination;
    std::string context;
    std::vector<std::string> registryPrefixes;                    // empty: every registry
    std::vector<std::string> messageIds;                          // empty: every message
    std::vector<std::string> originResources;                     // empty: every origin
    std::vector<std::pair<std::string, std::string>> httpHeaders; // sent with each POST; never shown
    RetryPolicy retryPolicy = RetryPolicy::SuspendRetries;
    bool suspended = false; // delivery stopped after the retries ran out (State Disabled)
    std::int64_t createdMs = 0;
};

// How delivery to one subscription is doing (in memory, since the start).
struct DeliveryStats {
    std::uint64_t delivered = 0;
    std::uint64_t failedAttempts = 0;
    std::uint64_t dropped = 0; // the queue was full: the oldest was dropped
    std::size_t queued = 0;
    std::string lastError;
};

struct EventSubscriptionView {
    EventSubscription subscription;
    DeliveryStats stats;
};

// EventService-wide settings: the first three a client may change
// (DeliveryRetryAttempts and friends), the rest from the configuration.
struct EventServiceSettings {
    bool enabled = true;
    std::int64_t retryAttempts = 3;
    std::int64_t retryIntervalSeconds = 5;
    std::size_t queueLimit = 1000; // events queued per subscription (oldest dropped)
    std::size_t maxSubscriptions = 64;
    std::size_t maxSseStreams = 64;
    std::int64_t sseKeepAliveMs = 15000;
    std::size_t sseReplayLimit = 200; // events replayed after a Last-Event-ID at most
};

} // namespace cmc::domain
