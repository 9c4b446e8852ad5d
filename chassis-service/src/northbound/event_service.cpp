// /redfish/v1/EventService: the SSE stream (with $filter and Last-Event-ID
// replay from the event log's recent window), push subscriptions
// (EventDestination; the backend persists and delivers them) and
// SubmitTestEvent.
#include <algorithm>
#include <charconv>
#include <memory>

#include "common/json_reader.hpp"
#include "events/event_log.hpp"
#include "northbound/event_filter.hpp"
#include "northbound/resources.hpp"
#include "redfish/base_messages.hpp"
#include "redfish/odata.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::northbound {

namespace {

namespace base = redfish::base;
using Code = domain::OperationResult::Code;

const std::string kService = "/redfish/v1/EventService";
const std::string kSse = kService + "/SSE";
const std::string kSubs = kService + "/Subscriptions";
const std::string kTestAction = kService + "/Actions/EventService.SubmitTestEvent";
constexpr std::size_t kMaxHeaders = 16;
constexpr std::size_t kMaxListItems = 64;
constexpr std::size_t kMaxText = 1024;

std::string sseFrame(const domain::Event& e) {
    std::string data = eventPayload(e, {}).dump(-1, ' ', false, json::error_handler_t::replace);
    return (e.id > 0 ? "id: " + std::to_string(e.id) + "\n" : std::string()) + "data: " + data + "\n\n";
}

// The open SSE streams, fed from the event log.
struct SseHub : std::enable_shared_from_this<SseHub> {
    struct Stream {
        std::shared_ptr<http::StreamSink> sink;
        EventFilter filter;
    };
    std::vector<Stream> streams;
    bool enabled = true;

    void broadcast(const domain::Event& e) {
        if (streams.empty() || !enabled) return;
        std::string frame; // built once, for the first stream that wants it
        auto list = streams;
        for (auto& s : list) {
            if (!s.filter.matches(e)) continue;
            if (frame.empty()) frame = sseFrame(e);
            if (!s.sink->write(frame)) detach(s.sink.get());
        }
    }

    void keepAlive() {
        auto list = streams;
        for (auto& s : list) {
            if (!s.sink->write(": keep-alive\n\n")) detach(s.sink.get());
        }
    }

    void detach(http::StreamSink* raw) {
        streams.erase(
            std::remove_if(streams.begin(), streams.end(), [raw](const Stream& s) { return s.sink.get() == raw; }),
            streams.end());
    }

    // What a resumed stream missed (Last-Event-ID), as far as the window goes
    // back, then live events.
    void attach(std::shared_ptr<http::StreamSink> sink, EventFilter filter, std::optional<std::int64_t> lastId,
                const std::deque<domain::Event>& recent, std::size_t replayMax) {
        std::weak_ptr<SseHub> weak = shared_from_this();
        auto* raw = sink.get();
        sink->onClose([weak, raw] {
            if (auto self = weak.lock()) self->detach(raw);
        });
        if (!sink->isOpen()) return;
        if (lastId) {
            std::vector<const domain::Event*> missed;
            for (const auto& e : recent) {
                if (e.id > *lastId && filter.matches(e)) missed.push_back(&e);
            }
            bool lost = !recent.empty() && *lastId < recent.front().id - 1;
            if (missed.size() > replayMax) {
                missed.erase(missed.begin(), missed.end() - static_cast<std::ptrdiff_t>(replayMax));
                lost = true;
            }
            if (lost) {
                // Said twice: a comment for people reading the stream, an
                // event (no id: it is not in the log) for programs.
                std::string first = missed.empty() ? std::string("none") : std::to_string(missed.front()->id);
                sink->write(": events after " + std::to_string(*lastId) +
                            " are older than the replay buffer; replay starts at " + first + "\n\n");
                domain::Event note;
                note.timeMs = events::nowUnixMs();
                note.messageId = std::string(redfish::kBaseRegistry) + ".EventBufferExceeded";
                note.message = "Undelivered events may have been lost due to exceeding the event buffer.";
                note.severity = "Warning";
                note.origin = kService;
                sink->write(sseFrame(note));
            }
            for (const auto* e : missed) {
                if (!sink->write(sseFrame(*e))) return;
            }
        }
        streams.push_back({std::move(sink), std::move(filter)});
    }
};

std::string subUri(const std::string& id) {
    return kSubs + "/" + id;
}

json serviceJson(Backend& b) {
    auto s = b.eventServiceSettings();
    json r;
    r["@odata.id"] = kService;
    r["@odata.type"] = "#EventService.v1_12_0.EventService";
    r["Id"] = "EventService";
    r["Name"] = "Event Service";
    r["ServiceEnabled"] = s.enabled;
    r["Status"] = {{"State", s.enabled ? "Enabled" : "Disabled"}, {"Health", "OK"}};
    r["DeliveryRetryAttempts"] = s.retryAttempts;
    r["DeliveryRetryIntervalSeconds"] = s.retryIntervalSeconds;
    r["EventFormatTypes"] = json::array({"Event"});
    r["RegistryPrefixes"] = json::array({b.eventLog().registry().prefix()});
    r["ServerSentEventUri"] = kSse;
    r["SSEFilterPropertiesSupported"] = {{"EventFormatType", false},        {"MessageId", true},
                                         {"MetricReportDefinition", false}, {"OriginResource", true},
                                         {"RegistryPrefix", true},          {"ResourceType", false},
                                         {"SubordinateResources", false}};
    r["OriginResourcesSupported"] = true;
    r["SubordinateResourcesSupported"] = false;
    r["IncludeOriginOfConditionSupported"] = false;
    r["Subscriptions"] = redfish::odataId(kSubs);
    r["Actions"]["#EventService.SubmitTestEvent"] = {{"target", kTestAction}};
    return r;
}

json subscriptionJson(const domain::EventSubscriptionView& v) {
    const auto& s = v.subscription;
    json r;
    r["@odata.id"] = subUri(s.id);
    r["@odata.type"] = "#EventDestination.v1_16_0.EventDestination";
    r["Id"] = s.id;
    r["Name"] = "Event subscription " + s.id;
    r["Destination"] = s.destination;
    r["Protocol"] = "Redfish";
    r["Context"] = s.context;
    r["SubscriptionType"] = "RedfishEvent";
    r["EventFormatType"] = "Event";
    r["RegistryPrefixes"] = s.registryPrefixes;
    r["MessageIds"] = s.messageIds;
    json origins = json::array();
    for (const auto& o : s.originResources)
        origins.push_back(redfish::odataId(o));
    r["OriginResources"] = origins;
    r["OriginResources@odata.count"] = origins.size();
    r["SubordinateResources"] = false;
    r["HttpHeaders"] = json::array(); // write-only: never shown
    r["DeliveryRetryPolicy"] = domain::toString(s.retryPolicy);
    r["Status"] = {{"State", s.suspended ? "Disabled" : "Enabled"}, {"Health", s.suspended ? "Warning" : "OK"}};
    r["Actions"]["#EventDestination.ResumeSubscription"] = {
        {"target", subUri(s.id) + "/Actions/EventDestination.ResumeSubscription"}};
    return r;
}

// A list of strings (RegistryPrefixes, MessageIds).
void readStrings(WriteReader& rd, const json& body, const char* key, std::vector<std::string>& out) {
    const json* a = rd.array(body, key, key);
    if (!a) return;
    out.clear();
    for (std::size_t i = 0; i < a->size(); ++i) {
        const std::string at = std::string(key) + "/" + std::to_string(i);
        const auto& v = (*a)[i];
        if (!v.is_string() || v.get_ref<const std::string&>().empty() || v.get_ref<const std::string&>().size() > 256)
            rd.add(base::propertyValueFormatError(WriteReader::shown(v), at, redfish::jsonPointer(at)));
        else
            out.push_back(v.get<std::string>());
    }
    if (out.size() > kMaxListItems) rd.add(base::propertyValueOutOfRange(std::to_string(out.size()), key));
}

// OriginResources: [{"@odata.id": "/redfish/v1/..."}] (a bare string is accepted too).
void readOrigins(WriteReader& rd, const json& body, std::vector<std::string>& out) {
    const json* a = rd.array(body, "OriginResources", "OriginResources");
    if (!a) return;
    out.clear();
    for (std::size_t i = 0; i < a->size(); ++i) {
        const std::string at = "OriginResources/" + std::to_string(i);
        const auto& v = (*a)[i];
        std::optional<std::string> uri =
            v.is_string() ? std::optional<std::string>(v.get<std::string>()) : jsonr::string(v, "@odata.id");
        if (!uri || uri->rfind("/redfish/v1", 0) != 0 || uri->size() > 512)
            rd.add(base::propertyValueFormatError(WriteReader::shown(v), at, redfish::jsonPointer(at)));
        else
            out.push_back(*uri);
    }
    if (out.size() > kMaxListItems)
        rd.add(base::propertyValueOutOfRange(std::to_string(out.size()), "OriginResources"));
}

bool headerToken(const std::string& s) {
    if (s.empty() || s.size() > 128) return false;
    return std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string::npos;
    });
}

// HttpHeaders: [{"Name": "value", ...}, ...]; names that cmcd sets itself are refused.
void readHeaders(WriteReader& rd, const json& body, std::vector<std::pair<std::string, std::string>>& out) {
    const json* a = rd.array(body, "HttpHeaders", "HttpHeaders");
    if (!a) return;
    out.clear();
    for (std::size_t i = 0; i < a->size(); ++i) {
        const std::string at = "HttpHeaders/" + std::to_string(i);
        const auto& o = (*a)[i];
        if (!o.is_object()) {
            rd.add(base::propertyValueTypeError(WriteReader::shown(o), at, redfish::jsonPointer(at)));
            continue;
        }
        for (const auto& [k, v] : o.items()) {
            const std::string kat = at + "/" + k;
            bool reserved = http::iequals(k, "Host") || http::iequals(k, "Content-Length") ||
                            http::iequals(k, "Content-Type") || http::iequals(k, "Connection") ||
                            http::iequals(k, "Transfer-Encoding");
            if (!headerToken(k) || reserved) {
                rd.add(base::propertyValueIncorrect(kat, "(header name)", redfish::jsonPointer(kat)));
                continue;
            }
            const auto* s = v.is_string() ? v.get_ptr<const std::string*>() : nullptr;
            if (!s || s->size() > 4096 || s->find_first_of("\r\n", 0) != std::string::npos ||
                s->find('\0') != std::string::npos) {
                // The value is never echoed: it may be a credential.
                rd.add(base::propertyValueIncorrect(kat, "(hidden)", redfish::jsonPointer(kat)));
                continue;
            }
            out.emplace_back(k, *s);
        }
    }
    if (out.size() > kMaxHeaders) rd.add(base::propertyValueOutOfRange(std::to_string(out.size()), "HttpHeaders"));
}

void readPolicy(WriteReader& rd, const json& body, domain::RetryPolicy& out) {
    if (auto p = rd.str(body, "DeliveryRetryPolicy", "DeliveryRetryPolicy")) {
        if (auto v = domain::retryPolicyFrom(*p))
            out = *v;
        else
            rd.add(base::propertyValueNotInList(*p, "DeliveryRetryPolicy", "#/DeliveryRetryPolicy"));
    }
}

void readContext(WriteReader& rd, const json& body, std::string& out) {
    if (auto c = rd.str(body, "Context", "Context")) {
        if (c->size() > kMaxText)
            rd.add(base::propertyValueOutOfRange(WriteReader::shown(*c), "Context", "#/Context"));
        else
            out = *c;
    }
}

// 412 when If-Match names another version of `current`.
bool preconditionHolds(const http::Request& req, const json& current) {
    const auto* match = req.header("If-Match");
    return !match || *match == "*" || *match == redfish::etagOf(current);
}

void handleServicePatch(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res) {
    if (!preconditionHolds(req.http, serviceJson(b))) {
        res->res = redfish::preconditionFailed();
        return;
    }
    json body;
    http::Response error;
    if (!readBody(req.http, body, error)) {
        res->res = std::move(error);
        return;
    }
    WriteReader rd;
    rd.only(body, "", {"DeliveryRetryAttempts", "DeliveryRetryIntervalSeconds", "ServiceEnabled"},
            {"Id", "Name", "Status", "EventFormatTypes", "RegistryPrefixes", "ServerSentEventUri",
             "SSEFilterPropertiesSupported", "Subscriptions", "Actions", "OriginResourcesSupported",
             "SubordinateResourcesSupported", "IncludeOriginOfConditionSupported"});
    auto s = b.eventServiceSettings();
    if (auto v = rd.integer(body, "DeliveryRetryAttempts", "DeliveryRetryAttempts", 0, 100)) s.retryAttempts = *v;
    if (auto v = rd.integer(body, "DeliveryRetryIntervalSeconds", "DeliveryRetryIntervalSeconds", 1, 3600))
        s.retryIntervalSeconds = *v;
    if (auto v = rd.boolean(body, "ServiceEnabled", "ServiceEnabled")) s.enabled = *v;
    if (!rd.failed() && !body.contains("DeliveryRetryAttempts") && !body.contains("DeliveryRetryIntervalSeconds") &&
        !body.contains("ServiceEnabled"))
        rd.add(base::noOperation());
    if (rd.failed()) {
        res->res = rd.response();
        return;
    }
    b.setEventServiceSettings(s, [&b, res](const domain::OperationResult& r) {
        guarded(b, "PATCH " + kService, res, [&] {
            if (!r.ok())
                res->res = operationError(r);
            else
                reply(res, serviceJson(b));
        });
    });
}

void handleSse(Backend& b, const std::shared_ptr<SseHub>& hub, const http::RouteRequest& req,
               const http::AsyncResp& res) {
    auto settings = b.eventServiceSettings();
    if (!settings.enabled) {
        res->res = redfish::errorResponse(503, {base::serviceDisabled(kService)});
        return;
    }
    std::vector<std::string> others;
    std::string text = filterParameter(req.http.query, others);
    for (const auto& o : others) {
        if (!o.empty() && o[0] == '$') { // another system query option: not offered on the stream
            res->res = redfish::errorResponse(501, {base::queryNotSupported()});
            return;
        }
    }
    std::string why;
    auto filter = EventFilter::parse(text, why);
    if (!filter) {
        res->res = redfish::errorResponse(400, {explained(base::queryParameterValueFormatError(text, "$filter"),
                                                          "the filter is not supported: " + why)});
        return;
    }
    if (hub->streams.size() >= settings.maxSseStreams) {
        res->res = redfish::errorResponse(503, {base::eventSubscriptionLimitExceeded()});
        res->res.set("Retry-After", "5");
        return;
    }
    std::optional<std::int64_t> lastId;
    if (const auto* h = req.http.header("Last-Event-ID")) {
        std::int64_t v = 0;
        auto [p, ec] = std::from_chars(h->data(), h->data() + h->size(), v);
        if (ec == std::errc() && p == h->data() + h->size() && v >= 0) lastId = v;
    }
    http::Response r;
    r.status = 200;
    r.set("Content-Type", "text/event-stream");
    r.set("Cache-Control", "no-store");
    r.set("OData-Version", "4.0");
    std::weak_ptr<SseHub> weak = hub;
    r.stream = [weak, &b, f = std::move(*filter), lastId](std::shared_ptr<http::StreamSink> sink) mutable {
        auto self = weak.lock();
        if (!self) {
            sink->close();
            return;
        }
        self->attach(std::move(sink), std::move(f), lastId, b.eventLog().recent(),
                     b.eventServiceSettings().sseReplayLimit);
    };
    res->res = std::move(r);
}

void handleCreate(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res) {
    json body;
    http::Response error;
    if (!readBody(req.http, body, error)) {
        res->res = std::move(error);
        return;
    }
    WriteReader rd;
    rd.only(body, "",
            {"Destination", "Protocol", "Context", "RegistryPrefixes", "MessageIds", "OriginResources",
             "SubscriptionType", "EventFormatType", "HttpHeaders", "DeliveryRetryPolicy", "EventTypes",
             "SubordinateResources"},
            {"Id", "Name", "Status", "Actions", "OriginResources@odata.count"});
    domain::EventSubscription s;
    auto dest = rd.str(body, "Destination", "Destination");
    if (!dest && !rd.failed("Destination")) rd.add(base::createFailedMissingReqProperties("Destination"));
    if (dest && (dest->size() > 2048 || !parseDestination(*dest)))
        rd.add(base::propertyValueFormatError(*dest, "Destination", "#/Destination"));
    if (dest) s.destination = *dest;
    auto protocol = rd.str(body, "Protocol", "Protocol");
    if (!protocol && !rd.failed("Protocol")) rd.add(base::createFailedMissingReqProperties("Protocol"));
    if (protocol && *protocol != "Redfish") rd.add(base::propertyValueNotInList(*protocol, "Protocol", "#/Protocol"));
    if (auto t = rd.str(body, "SubscriptionType", "SubscriptionType"); t && *t != "RedfishEvent")
        rd.add(base::propertyValueNotInList(*t, "SubscriptionType", "#/SubscriptionType"));
    if (auto t = rd.str(body, "EventFormatType", "EventFormatType"); t && *t != "Event")
        rd.add(base::propertyValueNotInList(*t, "EventFormatType", "#/EventFormatType"));
    if (auto sub = rd.boolean(body, "SubordinateResources", "SubordinateResources"); sub && *sub)
        rd.add(base::propertyValueNotInList("true", "SubordinateResources", "#/SubordinateResources"));
    std::vector<std::string> eventTypes; // deprecated (Event v1.3); accepted from older clients, not used
    readStrings(rd, body, "EventTypes", eventTypes);
    readContext(rd, body, s.context);
    readStrings(rd, body, "RegistryPrefixes", s.registryPrefixes);
    readStrings(rd, body, "MessageIds", s.messageIds);
    readOrigins(rd, body, s.originResources);
    readHeaders(rd, body, s.httpHeaders);
    readPolicy(rd, body, s.retryPolicy);
    if (rd.failed()) {
        res->res = rd.response();
        return;
    }
    if (b.eventSubscriptions().size() >= b.eventServiceSettings().maxSubscriptions) {
        res->res = redfish::errorResponse(503, {base::eventSubscriptionLimitExceeded()});
        return;
    }
    b.createEventSubscription(std::move(s), [&b, res](const domain::OperationResult& r) {
        guarded(b, "POST " + kSubs, res, [&] {
            if (!r.ok()) {
                res->res = operationError(r);
                return;
            }
            auto v = b.eventSubscription(r.id);
            res->res = redfish::jsonResponse(201, v ? subscriptionJson(*v) : redfish::odataId(subUri(r.id)));
            res->res.set("Location", subUri(r.id));
        });
    });
}

void handlePatch(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res) {
    auto v = b.eventSubscription(req.params[0]);
    if (!v) {
        res->res = redfish::resourceNotFound("EventDestination", req.params[0]);
        return;
    }
    if (!preconditionHolds(req.http, subscriptionJson(*v))) {
        res->res = redfish::preconditionFailed();
        return;
    }
    json body;
    http::Response error;
    if (!readBody(req.http, body, error)) {
        res->res = std::move(error);
        return;
    }
    WriteReader rd;
    rd.only(body, "", {"Context", "DeliveryRetryPolicy", "HttpHeaders"},
            {"Id", "Name", "Destination", "Protocol", "SubscriptionType", "EventFormatType", "RegistryPrefixes",
             "MessageIds", "OriginResources", "OriginResources@odata.count", "SubordinateResources", "Status",
             "Actions", "EventTypes"});
    auto s = v->subscription;
    readContext(rd, body, s.context);
    readPolicy(rd, body, s.retryPolicy);
    readHeaders(rd, body, s.httpHeaders);
    if (!rd.failed() && !body.contains("Context") && !body.contains("DeliveryRetryPolicy") &&
        !body.contains("HttpHeaders"))
        rd.add(base::noOperation());
    if (rd.failed()) {
        res->res = rd.response();
        return;
    }
    const std::string id = s.id;
    b.updateEventSubscription(std::move(s), [&b, res, id](const domain::OperationResult& r) {
        guarded(b, "PATCH " + subUri(id), res, [&] {
            auto now = r.ok() ? b.eventSubscription(id) : std::nullopt;
            if (now)
                reply(res, subscriptionJson(*now));
            else
                res->res = r.ok() || r.code == Code::NotFound ? redfish::resourceNotFound("EventDestination", id)
                                                              : operationError(r);
        });
    });
}

void handleResume(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res) {
    auto v = b.eventSubscription(req.params[0]);
    if (!v) {
        res->res = redfish::resourceNotFound("EventDestination", req.params[0]);
        return;
    }
    auto s = v->subscription;
    s.suspended = false;
    const std::string id = s.id;
    b.updateEventSubscription(std::move(s), [&b, res, id](const domain::OperationResult& r) {
        guarded(b, "POST " + subUri(id) + "/Actions/EventDestination.ResumeSubscription", res, [&] {
            res->res = r.ok() ? redfish::success()
                              : (r.code == Code::NotFound ? redfish::resourceNotFound("EventDestination", id)
                                                          : operationError(r));
        });
    });
}

void handleDelete(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res) {
    auto v = b.eventSubscription(req.params[0]);
    if (!v) {
        res->res = redfish::resourceNotFound("EventDestination", req.params[0]);
        return;
    }
    if (!preconditionHolds(req.http, subscriptionJson(*v))) {
        res->res = redfish::preconditionFailed();
        return;
    }
    const std::string id = req.params[0];
    b.deleteEventSubscription(id, [&b, res, id](const domain::OperationResult& r) {
        guarded(b, "DELETE " + subUri(id), res, [&] {
            res->res = r.ok() ? noContent()
                              : (r.code == Code::NotFound ? redfish::resourceNotFound("EventDestination", id)
                                                          : operationError(r));
        });
    });
}

void handleTestEvent(Backend& b, const std::shared_ptr<SseHub>& hub, const http::RouteRequest& req,
                     const http::AsyncResp& res) {
    json body;
    http::Response error;
    if (!readBody(req.http, body, error, true)) {
        res->res = std::move(error);
        return;
    }
    WriteReader rd;
    rd.only(body, "",
            {"MessageId", "MessageArgs", "OriginOfCondition", "Severity", "MessageSeverity", "Message", "EventId",
             "EventTimestamp", "EventGroupId", "EventType"},
            {});
    domain::Event e;
    e.timeMs = events::nowUnixMs();
    auto id = rd.str(body, "MessageId", "MessageId");
    if (!id && !rd.failed("MessageId"))
        rd.add(base::actionParameterMissing("EventService.SubmitTestEvent", "MessageId"));
    if (id && (id->find('.') == std::string::npos || id->size() > 256))
        rd.add(base::propertyValueFormatError(*id, "MessageId", "#/MessageId"));
    if (id) e.messageId = *id;
    readStrings(rd, body, "MessageArgs", e.args);
    if (const json* o = jsonr::member(body, "OriginOfCondition")) {
        auto uri = o->is_string() ? std::optional<std::string>(o->get<std::string>()) : jsonr::string(*o, "@odata.id");
        if (!uri || uri->rfind("/redfish/v1", 0) != 0)
            rd.add(base::propertyValueFormatError(WriteReader::shown(*o), "OriginOfCondition", "#/OriginOfCondition"));
        else
            e.origin = *uri;
    }
    e.severity = "OK";
    for (const char* k : {"Severity", "MessageSeverity"}) {
        if (auto sev = rd.str(body, k, k)) {
            if (*sev != "OK" && *sev != "Warning" && *sev != "Critical")
                rd.add(base::propertyValueNotInList(*sev, k, redfish::jsonPointer(k)));
            else
                e.severity = *sev;
        }
    }
    if (auto m = rd.str(body, "Message", "Message")) e.message = m->substr(0, kMaxText);
    (void)rd.str(body, "EventId", "EventId"); // the service numbers its own events
    (void)rd.str(body, "EventTimestamp", "EventTimestamp");
    (void)rd.str(body, "EventType", "EventType");
    (void)rd.integer(body, "EventGroupId", "EventGroupId");
    if (rd.failed()) {
        res->res = rd.response();
        return;
    }
    if (e.message.empty()) e.message = "Test event " + e.messageId + ".";
    hub->enabled = b.eventServiceSettings().enabled;
    hub->broadcast(e);
    b.submitTestEvent(e);
    res->res = redfish::success();
}

} // namespace

void addEventServiceRoutes(http::Router& r, Backend& b) {
    auto hub = std::make_shared<SseHub>();
    hub->enabled = b.eventServiceSettings().enabled;
    std::weak_ptr<SseHub> weak = hub;
    b.eventLog().subscribe([weak, &b](const domain::Event& e) {
        if (auto h = weak.lock()) {
            h->enabled = b.eventServiceSettings().enabled;
            h->broadcast(e);
        }
    });
    b.every(std::chrono::milliseconds(b.eventServiceSettings().sseKeepAliveMs), [weak] {
        auto h = weak.lock();
        if (!h) return false;
        h->keepAlive();
        return true;
    });

    r.route(kService)([&b](const http::RouteRequest&, const http::AsyncResp& res) { reply(res, serviceJson(b)); });
    r.route(kService).methods({"PATCH"}).privileges({"ConfigureManager"})(
        [&b](const http::RouteRequest& req, const http::AsyncResp& res) { handleServicePatch(b, req, res); });
    r.route(kSse).filter()(
        [&b, hub](const http::RouteRequest& req, const http::AsyncResp& res) { handleSse(b, hub, req, res); });
    r.route(kSubs)([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        std::vector<std::string> members;
        for (const auto& v : b.eventSubscriptions())
            members.push_back(subUri(v.subscription.id));
        reply(res, redfish::collection(kSubs, "#EventDestinationCollection.EventDestinationCollection",
                                       "Event Subscriptions", members));
    });
    r.route(kSubs).methods({"POST"}).privileges({"ConfigureManager"})(
        [&b](const http::RouteRequest& req, const http::AsyncResp& res) { handleCreate(b, req, res); });
    r.route(kSubs + "/<str>")([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        auto v = b.eventSubscription(req.params[0]);
        if (v)
            reply(res, subscriptionJson(*v));
        else
            res->res = redfish::resourceNotFound("EventDestination", req.params[0]);
    });
    r.route(kSubs + "/<str>")
        .methods({"PATCH"})
        .privileges({"ConfigureManager"})(
            [&b](const http::RouteRequest& req, const http::AsyncResp& res) { handlePatch(b, req, res); });
    r.route(kSubs + "/<str>")
        .methods({"DELETE"})
        .privileges({"ConfigureManager"})(
            [&b](const http::RouteRequest& req, const http::AsyncResp& res) { handleDelete(b, req, res); });
    r.route(kSubs + "/<str>/Actions/EventDestination.ResumeSubscription")
        .methods({"POST"})
        .privileges({"ConfigureManager"})(
            [&b](const http::RouteRequest& req, const http::AsyncResp& res) { handleResume(b, req, res); });
    r.route(kTestAction)
        .methods({"POST"})
        .privileges({"ConfigureManager"})([&b, hub](const http::RouteRequest& req, const http::AsyncResp& res) {
            handleTestEvent(b, hub, req, res);
        });
}

} // namespace cmc::northbound
