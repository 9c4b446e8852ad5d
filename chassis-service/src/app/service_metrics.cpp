// ChassisService's side of /metrics: one snapshot of the counters, gauges and
// histograms (northbound/metrics.cpp formats it), and the HTTP request
// counters the dispatcher feeds.
#include "app/https_certificate.hpp"
#include "app/service.hpp"
#include "events/event_log.hpp"
#include "http/http_server.hpp"
#include "store/store.hpp"

namespace cmc::app {

void ChassisService::recordHttpRequest(const std::string& method, unsigned status, double seconds) {
    httpStats_.record(method, status, seconds);
}

northbound::Backend::Listeners ChassisService::listeners() const {
    return {server_ ? server_->port() : std::uint16_t{0}, httpsServer_ ? httpsServer_->port() : std::uint16_t{0}};
}

northbound::ServiceMetrics ChassisService::metrics() const {
    northbound::ServiceMetrics m;
    m.version = kVersion;
    m.startedUnixMs = startedUnixMs_;
    m.blades.reserve(blades_.size());
    for (const auto& [slot, b] : blades_)
        m.blades.push_back({slot, b.blade.health});
    m.counters = counters_;
    if (orch_) {
        for (auto id : orch_->failoverIds()) {
            auto f = orch_->failover(id);
            if (!f) continue;
            const std::string kind = domain::toString(f->kind);
            if (!f->terminal()) {
                ++m.failoversInProgress[kind];
                continue;
            }
            const std::string outcome = domain::toString(f->phase);
            ++m.failovers[{kind, outcome}];
            if (f->endMs >= f->createdMs && f->createdMs > 0)
                m.failoverSeconds.try_emplace(outcome, northbound::failoverPhaseBuckets())
                    .first->second.observe(static_cast<double>(f->endMs - f->createdMs) / 1000.0);
            for (std::size_t i = 0; i + 1 < f->history.size(); ++i) {
                const auto& h = f->history[i];
                const auto took = f->history[i + 1].timeMs - h.timeMs;
                if (took < 0) continue;
                m.phaseSeconds.try_emplace(domain::toString(h.phase), northbound::failoverPhaseBuckets())
                    .first->second.observe(static_cast<double>(took) / 1000.0);
            }
        }
    }
    m.http = httpStats_;
    if (store_) m.storeQueueDepth = store_->queueDepth();
    if (events_ && events_->lastId() > firstEventId_)
        m.eventsRaised = static_cast<std::uint64_t>(events_->lastId() - firstEventId_);
    if (httpsServer_ && certs_) m.httpsCertificateNotAfterUnix = certs_->details().notAfterUnix;
    return m;
}

} // namespace cmc::app
