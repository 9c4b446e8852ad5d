#include "redfish/event_service.hpp"

#include "redfish/odata.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <deque>
#include <map>
#include <optional>

#include "redfish/bmc_internal.hpp"

namespace cmc::bmc {

namespace {

const std::string kEventService = "/redfish/v1/EventService";
const std::string kSystem = "/redfish/v1/Systems/1";
const std::string kSel = "/redfish/v1/Managers/bmc/LogServices/SEL";
const std::string kSensors = "/redfish/v1/Chassis/1/Sensors/";

// A message of a DMTF registry: id (Prefix.Major.Minor.Key), text with %N, severity.
struct RegistryMessage {
    const char* id;
    const char* text;
    const char* severity;
};

// Texts as in ResourceEvent.1.4.3, SensorEvent.1.1.0 and LogService.1.1.0.
constexpr RegistryMessage kPoweredOn{"ResourceEvent.1.4.ResourcePoweredOn", "The resource '%1' has powered on.", "OK"};
constexpr RegistryMessage kPoweringOn{"ResourceEvent.1.4.ResourcePoweringOn", "The resource '%1' is powering on.",
                                      "OK"};
constexpr RegistryMessage kPoweredOff{"ResourceEvent.1.4.ResourcePoweredOff", "The resource '%1' has powered off.",
                                      "OK"};
constexpr RegistryMessage kPoweringOff{"ResourceEvent.1.4.ResourcePoweringOff", "The resource '%1' is powering off.",
                                       "OK"};
constexpr RegistryMessage kCreated{"ResourceEvent.1.4.ResourceCreated", "The resource was created successfully.", "OK"};
constexpr RegistryMessage kLogCleared{"LogService.1.1.LogCleared", "Log '%1' was cleared.", "OK"};
constexpr RegistryMessage kAboveUpperCaution{"SensorEvent.1.1.ReadingAboveUpperCautionThreshold",
                                             "Sensor '%1' reading of %2 (%3) is above the %4 upper caution threshold.",
                                             "Warning"};
constexpr RegistryMessage kAboveUpperCritical{
    "SensorEvent.1.1.ReadingAboveUpperCriticalThreshold",
    "Sensor '%1' reading of %2 (%3) is above the %4 upper critical threshold.", "Critical"};
constexpr RegistryMessage kBelowUpperCritical{"SensorEvent.1.1.ReadingBelowUpperCriticalThreshold",
                                              "Sensor '%1' reading of %2 (%3) is now below the %4 upper critical "
                                              "threshold but remains outside of normal range.",
                                              "Warning"};
constexpr RegistryMessage kBelowLowerCaution{"SensorEvent.1.1.ReadingBelowLowerCautionThreshold",
                                             "Sensor '%1' reading of %2 (%3) is below the %4 lower caution threshold.",
                                             "Warning"};
constexpr RegistryMessage kBelowLowerCritical{
    "SensorEvent.1.1.ReadingBelowLowerCriticalThreshold",
    "Sensor '%1' reading of %2 (%3) is below the %4 lower critical threshold.", "Critical"};
constexpr RegistryMessage kAboveLowerCritical{"SensorEvent.1.1.ReadingAboveLowerCriticalThreshold",
                                              "Sensor '%1' reading of %2 (%3) is now above the %4 lower critical "
                                              "threshold but remains outside of normal range.",
                                              "Warning"};
constexpr RegistryMessage kNormalRange{"SensorEvent.1.1.SensorReadingNormalRange",
                                       "Sensor '%1' reading of %2 (%3) is within normal operating range.", "OK"};

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    std::string s = buf;
    while (!s.empty() && s.back() == '0')
        s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s;
}

std::string nowRfc3339() {
    return redfish::rfc3339Ms(redfish::nowUnixMs());
}

enum class Level { Normal, UpperCaution, UpperCritical, LowerCaution, LowerCritical };

Level levelOf(const hal::SensorReading& s) {
    const auto& t = s.thresholds;
    if (t.upperCritical && s.value >= *t.upperCritical) return Level::UpperCritical;
    if (t.lowerCritical && s.value <= *t.lowerCritical) return Level::LowerCritical;
    if (t.upperNonCritical && s.value >= *t.upperNonCritical) return Level::UpperCaution;
    if (t.lowerNonCritical && s.value <= *t.lowerNonCritical) return Level::LowerCaution;
    return Level::Normal;
}

std::optional<std::uint64_t> parseId(const std::string* s) {
    if (!s) return std::nullopt;
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
    if (ec != std::errc() || p != s->data() + s->size()) return std::nullopt;
    return v;
}

} // namespace

struct EventService::Impl final : hal::HalObserver, std::enable_shared_from_this<EventService::Impl> {
    Impl(boost::asio::io_context& io, hal::BladeHal& h, EventServiceOptions o)
        : hal_(h), options_(o), timer_(io), power_(h.chassisStatus().power) {
        for (const auto& s : hal_.sensors()) {
            if (s.available) levels_[s.id] = levelOf(s);
        }
        if (!hal_.sel().empty()) lastSelId_ = hal_.sel().back().id;
    }

    // ---- HAL observer
    void powerStateChanged(hal::PowerState now) override {
        if (now == power_) return;
        power_ = now;
        const RegistryMessage* m = nullptr;
        switch (now) {
        case hal::PowerState::On: m = &kPoweredOn; break;
        case hal::PowerState::PoweringOn: m = &kPoweringOn; break;
        case hal::PowerState::Off: m = &kPoweredOff; break;
        case hal::PowerState::PoweringOff: m = &kPoweringOff; break;
        }
        emit(*m, {kSystem}, kSystem);
    }

    void selRecordAdded(const hal::SelRecord& r) override {
        lastSelId_ = r.id;
        auto entry = kSel + "/Entries/" + std::to_string(r.id);
        emit(kCreated, {}, entry, entry);
    }

    void selCleared() override {
        lastSelId_.reset();
        emit(kLogCleared, {"SEL"}, kSel);
    }

    void sensorsChanged() override {
        for (const auto& s : hal_.sensors()) {
            if (!s.available) {
                levels_.erase(s.id); // unreadable (host off): judged afresh when it reads again
                continue;
            }
            auto level = levelOf(s);
            auto [it, fresh] = levels_.try_emplace(s.id, Level::Normal);
            if (fresh && level == Level::Normal) continue;
            if (!fresh && it->second == level) continue;
            auto old = it->second;
            it->second = level;
            const auto& t = s.thresholds;
            const RegistryMessage* m = &kNormalRange;
            std::optional<double> threshold;
            switch (level) {
            case Level::UpperCritical:
                m = &kAboveUpperCritical;
                threshold = t.upperCritical;
                break;
            case Level::LowerCritical:
                m = &kBelowLowerCritical;
                threshold = t.lowerCritical;
                break;
            case Level::UpperCaution:
                m = old == Level::UpperCritical ? &kBelowUpperCritical : &kAboveUpperCaution;
                threshold = old == Level::UpperCritical ? t.upperCritical : t.upperNonCritical;
                break;
            case Level::LowerCaution:
                m = old == Level::LowerCritical ? &kAboveLowerCritical : &kBelowLowerCaution;
                threshold = old == Level::LowerCritical ? t.lowerCritical : t.lowerNonCritical;
                break;
            case Level::Normal: break;
            }
            std::vector<std::string> args{s.name, number(s.value), s.units};
            if (threshold) args.push_back(number(*threshold));
            emit(*m, args, kSensors + s.id);
        }
    }

    // For a HAL that does not push: compare with what was last seen.
    void poll() {
        powerStateChanged(hal_.chassisStatus().power);
        const auto& sel = hal_.sel();
        if (!sel.empty() && (!lastSelId_ || sel.back().id != *lastSelId_)) {
            std::size_t from = 0; // after a clear: every record is new
            if (lastSelId_) {
                auto it = std::find_if(sel.rbegin(), sel.rend(),
                                       [this](const hal::SelRecord& r) { return r.id == *lastSelId_; });
                // Not found (wrapped): only the newest is known to be new.
                from = it == sel.rend() ? sel.size() - 1 : static_cast<std::size_t>(sel.rend() - it);
            }
            std::vector<hal::SelRecord> fresh(sel.begin() + static_cast<std::ptrdiff_t>(from), sel.end());
            for (const auto& r : fresh)
                selRecordAdded(r);
        }
        sensorsChanged();
    }

    // ---- events
    void emit(const RegistryMessage& m, std::vector<std::string> args, const std::string& origin,
              const std::string& logEntry = {}) {
        auto id = std::to_string(nextId_);
        json rec;
        rec["EventId"] = id;
        rec["EventTimestamp"] = nowRfc3339();
        rec["EventType"] = "Other";
        rec["MemberId"] = "0";
        rec["MessageId"] = m.id;
        rec["Message"] = redfish::substituteArgs(m.text, args);
        rec["MessageArgs"] = args;
        rec["MessageSeverity"] = m.severity;
        rec["OriginOfCondition"] = odataId(origin);
        if (!logEntry.empty()) rec["LogEntry"] = odataId(logEntry);
        json ev;
        ev["@odata.type"] = "#Event.v1_7_0.Event";
        ev["Id"] = id;
        ev["Name"] = "Blade BMC event";
        ev["Context"] = "blade-" + std::to_string(hal_.inventory().slot);
        ev["Events"] = json::array({rec});
        std::string frame = "id: " + id + "\ndata: " + ev.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
        replay_.push_back({nextId_, frame});
        while (replay_.size() > options_.replayEvents)
            replay_.pop_front();
        ++nextId_;
        broadcast(frame);
    }

    void broadcast(const std::string& frame) {
        if (streams_.empty()) return;
        auto list = streams_; // a failed write closes a stream and detaches it
        for (auto& s : list) {
            if (!s->write(frame)) detach(s.get());
        }
    }

    // ---- streams
    http::Response open(const http::Request& req) {
        if (stopped_ || streams_.size() >= options_.maxStreams) return redfish::serviceUnavailable(5);
        auto lastId = parseId(req.header("Last-Event-ID"));
        http::Response r;
        r.status = 200;
        r.set("Content-Type", "text/event-stream");
        r.set("Cache-Control", "no-store");
        r.set("OData-Version", "4.0");
        std::weak_ptr<Impl> weak = shared_from_this();
        r.stream = [weak, lastId](std::shared_ptr<http::StreamSink> sink) {
            auto self = weak.lock();
            if (!self || self->stopped_ || self->streams_.size() >= self->options_.maxStreams) {
                sink->close();
                return;
            }
            self->attach(std::move(sink), lastId);
        };
        return r;
    }

    void attach(std::shared_ptr<http::StreamSink> sink, std::optional<std::uint64_t> lastId) {
        std::weak_ptr<Impl> weak = shared_from_this();
        auto* raw = sink.get();
        sink->onClose([weak, raw] {
            if (auto self = weak.lock()) self->detach(raw);
        });
        if (!sink->isOpen()) return;
        streams_.push_back(sink);
        if (lastId) {
            // A stream resumed: what it missed, as far as the buffer goes back
            // (everything kept when the id is from before a BMC restart).
            bool known = *lastId < nextId_;
            for (const auto& e : replay_) {
                if ((!known || e.id > *lastId) && !sink->write(e.frame)) return;
            }
        }
        if (streams_.size() == 1) armTimer();
    }

    void detach(http::StreamSink* raw) {
        for (auto it = streams_.begin(); it != streams_.end(); ++it) {
            if (it->get() == raw) {
                streams_.erase(it);
                break;
            }
        }
        if (streams_.empty()) timer_.cancel();
    }

    void armTimer() {
        timer_.expires_after(options_.keepAliveInterval);
        std::weak_ptr<Impl> weak = shared_from_this();
        timer_.async_wait([weak](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || self->stopped_) return;
            self->poll();
            self->broadcast(": keep-alive\n\n");
            if (!self->streams_.empty()) self->armTimer();
        });
    }

    void stop() {
        if (stopped_) return;
        stopped_ = true;
        timer_.cancel();
        auto list = streams_;
        for (auto& s : list)
            s->close();
        streams_.clear();
    }

    http::Response serviceJson(const Ctx& c) const {
        json r;
        r["@odata.id"] = kEventService;
        r["@odata.type"] = "#EventService.v1_10_0.EventService";
        r["Id"] = "EventService";
        r["Name"] = "Event Service";
        r["ServiceEnabled"] = true;
        r["Status"] = {{"State", "Enabled"}, {"Health", "OK"}};
        r["EventFormatTypes"] = json::array({"Event"});
        r["RegistryPrefixes"] = json::array({"ResourceEvent", "SensorEvent", "LogService"});
        r["ServerSentEventUri"] = EventService::kSseUri;
        r["SSEFilterPropertiesSupported"] = {{"EventFormatType", false},        {"MessageId", false},
                                             {"MetricReportDefinition", false}, {"OriginResource", false},
                                             {"RegistryPrefix", false},         {"ResourceType", false},
                                             {"SubordinateResources", false}};
        r["Subscriptions"] = odataId(kEventService + "/Subscriptions");
        return getOnly(c, r);
    }

    struct Stored {
        std::uint64_t id;
        std::string frame;
    };

    hal::BladeHal& hal_;
    EventServiceOptions options_;
    boost::asio::steady_timer timer_;
    std::vector<std::shared_ptr<http::StreamSink>> streams_;
    std::deque<Stored> replay_;
    std::uint64_t nextId_ = 1;
    hal::PowerState power_;
    std::optional<std::uint16_t> lastSelId_;
    std::map<std::string, Level> levels_;
    bool stopped_ = false;
};

EventService::EventService(boost::asio::io_context& io, hal::BladeHal& hal, EventServiceOptions options)
    : impl_(std::make_shared<Impl>(io, hal, options)) {
    hal.addObserver(impl_.get());
}

EventService::~EventService() {
    impl_->hal_.removeObserver(impl_.get());
    impl_->stop();
}

std::size_t EventService::streamCount() const {
    return impl_->streams_.size();
}

void EventService::stop() {
    impl_->stop();
}

http::Response EventService::route(const Ctx& c) {
    const auto& seg = c.seg;
    if (seg.size() == 1) return impl_->serviceJson(c);
    if (seg[1] == "SSE" && seg.size() == 2) {
        if (c.req.method != "GET") return redfish::methodNotAllowed("GET");
        return impl_->open(c.req);
    }
    if (seg[1] == "Subscriptions") {
        if (seg.size() == 2) {
            // Push subscriptions are not offered (yet): the collection is empty and read-only.
            return getOnly(c, collection(kEventService + "/Subscriptions",
                                         "#EventDestinationCollection.EventDestinationCollection",
                                         "Event Subscriptions", {}));
        }
        if (seg.size() == 3) return redfish::resourceNotFound("EventDestination", seg[2]);
    }
    return redfish::resourceNotFound("Resource", c.req.path);
}

} // namespace cmc::bmc
