// GET /metrics: cmcd's counters in the Prometheus text exposition format
// (version 0.0.4), for any authenticated user (Login). Blade health, failovers
// and their phase durations, southbound polls and errors, HTTP requests by
// status and their latency, the store's queue, events raised.
#include <charconv>
#include <cmath>

#include "northbound/resources.hpp"

namespace cmc::northbound {

Histogram::Histogram(std::vector<double> upperBounds) : bounds(std::move(upperBounds)), counts(bounds.size() + 1, 0) {}

void Histogram::observe(double value) {
    std::size_t i = 0;
    while (i < bounds.size() && value > bounds[i])
        ++i;
    ++counts[i];
    sum += value;
    ++count;
}

std::vector<double> httpLatencyBuckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> failoverPhaseBuckets() {
    return {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
}

namespace {

constexpr const char* kMethodNames[] = {"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "OTHER"};

int methodIndex(std::string_view m) {
    for (int i = 0; i < 7; ++i)
        if (m == kMethodNames[i]) return i;
    return 7;
}

} // namespace

HttpRequestStats::HttpRequestStats()
    : counts_(static_cast<std::size_t>(kMethods) * kStatuses, 0), latency_(httpLatencyBuckets()) {}

void HttpRequestStats::record(std::string_view method, unsigned status, double seconds) {
    if (status >= kStatuses) status = 0; // not an HTTP status: counted as 0
    ++counts_[static_cast<std::size_t>(methodIndex(method)) * kStatuses + status];
    latency_.observe(seconds < 0 ? 0 : seconds);
}

std::vector<HttpRequestStats::Count> HttpRequestStats::counts() const {
    std::vector<Count> out;
    for (int m = 0; m < kMethods; ++m)
        for (unsigned s = 0; s < kStatuses; ++s)
            if (auto n = counts_[static_cast<std::size_t>(m) * kStatuses + s]) out.push_back({kMethodNames[m], s, n});
    return out;
}

namespace {

std::string number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v)) return "NaN";
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, p) : "0";
}

// A label value escaped as the exposition format wants (backslash, quote, newline).
std::string escaped(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

class Exposition {
public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        text_ += "# HELP ";
        text_ += name;
        text_ += ' ';
        text_ += help;
        text_ += "\n# TYPE ";
        text_ += name;
        text_ += ' ';
        text_ += type;
        text_ += '\n';
    }
    // labels: "slot=\"3\",state=\"Failed\"" (already escaped), or empty.
    void sample(std::string_view name, const std::string& labels, double value) {
        text_ += name;
        if (!labels.empty()) {
            text_ += '{';
            text_ += labels;
            text_ += '}';
        }
        text_ += ' ';
        text_ += number(value);
        text_ += '\n';
    }
    void histogram(const std::string& name, const std::string& labels, const Histogram& h) {
        std::uint64_t cumulative = 0;
        const std::string sep = labels.empty() ? "" : ",";
        for (std::size_t i = 0; i < h.counts.size(); ++i) {
            cumulative += h.counts[i];
            const std::string le = i < h.bounds.size() ? number(h.bounds[i]) : "+Inf";
            sample(name + "_bucket", labels + sep + "le=\"" + le + "\"", static_cast<double>(cumulative));
        }
        sample(name + "_sum", labels, h.sum);
        sample(name + "_count", labels, static_cast<double>(h.count));
    }
    [[nodiscard]] std::string take() { return std::move(text_); }

private:
    std::string text_;
};

std::string label(std::string_view k, std::string_view v) {
    return std::string(k) + "=\"" + escaped(v) + "\"";
}

constexpr domain::HealthState kStates[] = {domain::HealthState::Unknown,        domain::HealthState::Healthy,
                                           domain::HealthState::Suspect,        domain::HealthState::Warning,
                                           domain::HealthState::Critical,       domain::HealthState::Failed,
                                           domain::HealthState::BmcUnreachable, domain::HealthState::Absent};

std::string exposition(const ServiceMetrics& m) {
    Exposition x;
    x.family("cmcd_build_info", "gauge", "cmcd's version (always 1).");
    x.sample("cmcd_build_info", label("version", m.version), 1);
    x.family("cmcd_start_time_seconds", "gauge", "When this cmcd process started (Unix time).");
    x.sample("cmcd_start_time_seconds", {}, static_cast<double>(m.startedUnixMs) / 1000.0);

    x.family("cmcd_blade_health", "gauge", "1 for the health state each blade slot is in, 0 for the others.");
    for (const auto& b : m.blades)
        for (auto s : kStates)
            x.sample("cmcd_blade_health", label("slot", std::to_string(b.slot)) + "," + label("state", toString(s)),
                     b.state == s ? 1 : 0);
    x.family("cmcd_blades", "gauge", "Blade slots cmcd manages.");
    x.sample("cmcd_blades", {}, static_cast<double>(m.blades.size()));
    x.family("cmcd_health_transitions_total", "counter", "Blade health state changes since start.");
    x.sample("cmcd_health_transitions_total", {}, static_cast<double>(m.counters.transitions));

    x.family("cmcd_failovers_total", "counter", "Finished failovers (and migrations, binds) by kind and outcome.");
    for (const auto& [key, n] : m.failovers)
        x.sample("cmcd_failovers_total", label("kind", key.first) + "," + label("outcome", key.second),
                 static_cast<double>(n));
    x.family("cmcd_failovers_in_progress", "gauge", "Failovers running now, by kind.");
    for (const auto& [kind, n] : m.failoversInProgress)
        x.sample("cmcd_failovers_in_progress", label("kind", kind), static_cast<double>(n));
    x.family("cmcd_failover_phase_duration_seconds", "histogram", "Time finished failovers spent in each phase.");
    for (const auto& [phase, h] : m.phaseSeconds)
        x.histogram("cmcd_failover_phase_duration_seconds", label("phase", phase), h);
    x.family("cmcd_failover_duration_seconds", "histogram", "Finished failovers, detection to end, by outcome.");
    for (const auto& [outcome, h] : m.failoverSeconds)
        x.histogram("cmcd_failover_duration_seconds", label("outcome", outcome), h);

    const auto& c = m.counters;
    x.family("cmcd_southbound_polls_total", "counter", "Southbound polls sent, by protocol and kind.");
    x.sample("cmcd_southbound_polls_total", label("protocol", "ipmi") + "," + label("kind", "status"),
             static_cast<double>(c.ipmiPolls));
    x.sample("cmcd_southbound_polls_total", label("protocol", "ipmi") + "," + label("kind", "sel"),
             static_cast<double>(c.selReads));
    x.sample("cmcd_southbound_polls_total", label("protocol", "redfish") + "," + label("kind", "state"),
             static_cast<double>(c.redfishPolls));
    x.sample("cmcd_southbound_polls_total", label("protocol", "fabric") + "," + label("kind", "probe"),
             static_cast<double>(c.fabricPolls));
    x.family("cmcd_southbound_errors_total", "counter", "Southbound polls that failed, by protocol and kind.");
    x.sample("cmcd_southbound_errors_total", label("protocol", "ipmi") + "," + label("kind", "status"),
             static_cast<double>(c.ipmiFailures));
    x.sample("cmcd_southbound_errors_total", label("protocol", "redfish") + "," + label("kind", "state"),
             static_cast<double>(c.redfishFailures));
    x.family("cmcd_bmc_events_received_total", "counter", "Events received on BMCs' Redfish SSE streams.");
    x.sample("cmcd_bmc_events_received_total", {}, static_cast<double>(c.redfishEvents));
    x.family("cmcd_handler_failures_total", "counter", "Exceptions caught at handler and timer boundaries.");
    x.sample("cmcd_handler_failures_total", {}, static_cast<double>(c.handlerFailures));

    x.family("cmcd_http_requests_total", "counter", "Northbound API requests answered, by method and status.");
    for (const auto& r : m.http.counts())
        x.sample("cmcd_http_requests_total", label("method", r.method) + "," + label("code", std::to_string(r.status)),
                 static_cast<double>(r.count));
    x.family("cmcd_http_request_duration_seconds", "histogram", "Northbound API requests, arrival to answer.");
    x.histogram("cmcd_http_request_duration_seconds", {}, m.http.latency());

    x.family("cmcd_store_queue_depth", "gauge", "Operations waiting for the database writer thread.");
    x.sample("cmcd_store_queue_depth", {}, static_cast<double>(m.storeQueueDepth));
    x.family("cmcd_events_raised_total", "counter", "Events this process added to the event log.");
    x.sample("cmcd_events_raised_total", {}, static_cast<double>(m.eventsRaised));
    if (m.httpsCertificateNotAfterUnix) {
        x.family("cmcd_https_certificate_not_after_seconds", "gauge",
                 "When the HTTPS certificate expires (Unix time).");
        x.sample("cmcd_https_certificate_not_after_seconds", {}, static_cast<double>(*m.httpsCertificateNotAfterUnix));
    }
    return x.take();
}

} // namespace

void addMetricsRoutes(http::Router& r, Backend& b) {
    r.route("/metrics")([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        http::Response out;
        out.status = 200;
        out.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        out.set("Cache-Control", "no-store");
        out.body = exposition(b.metrics());
        res->res = std::move(out);
    });
}

} // namespace cmc::northbound
