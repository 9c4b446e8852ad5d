// What /metrics shows (metrics.cpp formats it as Prometheus text): a
// snapshot the backend fills, and the HTTP request counters the dispatcher
// feeds. Plain C++: no JSON, no Beast.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/model.hpp"
#include "domain/views.hpp"

namespace cmc::northbound {

// A Prometheus histogram: per-bucket counts (not cumulative) for the upper
// bounds, the last bucket is +Inf.
struct Histogram {
    explicit Histogram(std::vector<double> upperBounds = {});
    void observe(double value);

    std::vector<double> bounds;
    std::vector<std::uint64_t> counts; // bounds.size() + 1
    double sum = 0;
    std::uint64_t count = 0;
};

// Answered API requests by method and status, and their latency (arrival to
// answer). record() runs once per request on the loop: cheap, bounded labels
// (methods other than the HTTP/1.1 ones count as "OTHER").
class HttpRequestStats {
public:
    HttpRequestStats();
    void record(std::string_view method, unsigned status, double seconds);

    struct Count {
        std::string method;
        unsigned status = 0;
        std::uint64_t count = 0;
    };
    [[nodiscard]] std::vector<Count> counts() const;
    [[nodiscard]] const Histogram& latency() const { return latency_; }

private:
    static constexpr int kMethods = 8; // GET HEAD POST PATCH PUT DELETE OPTIONS OTHER
    static constexpr unsigned kStatuses = 600;
    std::vector<std::uint64_t> counts_; // [method * kStatuses + status]
    Histogram latency_;
};

struct ServiceMetrics {
    std::string version;
    std::int64_t startedUnixMs = 0;
    struct Blade {
        int slot = 0;
        domain::HealthState state = domain::HealthState::Unknown;
    };
    std::vector<Blade> blades;
    domain::MonitorCounters counters; // southbound polls and failures, BMC events, transitions
    // Finished failovers by kind and outcome ("Completed"/"Failed"); in progress by kind.
    std::map<std::pair<std::string, std::string>, std::uint64_t> failovers;
    std::map<std::string, std::uint64_t> failoversInProgress;
    // Time spent in each phase of finished failovers (seconds), by phase name.
    std::map<std::string, Histogram> phaseSeconds;
    // Whole failovers, creation to end (seconds), by outcome.
    std::map<std::string, Histogram> failoverSeconds;
    HttpRequestStats http;
    std::size_t storeQueueDepth = 0; // writes and reads waiting for the store's writer thread
    std::uint64_t eventsRaised = 0;  // by this process (the event log's ids since start)
    std::optional<std::int64_t> httpsCertificateNotAfterUnix;
};

// Bucket bounds (seconds).
[[nodiscard]] std::vector<double> httpLatencyBuckets();
[[nodiscard]] std::vector<double> failoverPhaseBuckets();

} // namespace cmc::northbound
