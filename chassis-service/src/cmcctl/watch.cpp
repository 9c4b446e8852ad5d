// `cmcctl watch`: cmcd's events as they happen. With an EventService that
// names a ServerSentEventUri, the SSE stream (reconnecting with
// Last-Event-ID); without one, the event log polled every second. Either way
// one line per event (with --json one JSON object per line, the same keys
// from both sources).
#include <charconv>
#include <iostream>

#include "cmcctl/commands.hpp"
#include "cmcctl/output.hpp"
#include "common/json_reader.hpp"
#include "southbound/redfish/sse_parser.hpp"

namespace cmc::cmcctl {

namespace {

const std::string kEventService = "/redfish/v1/EventService";
const std::string kEntries = "/redfish/v1/Managers/cmc/LogServices/EventLog/Entries";
constexpr int kMaxReconnects = 5;

// One event, from an SSE Event record or an event log entry.
struct Line {
    json id, time, severity, messageId, origin, message, args;
};

json stringsOf(const json& j, std::string_view key) {
    json out = json::array();
    if (const json* a = jsonr::array(j, key)) {
        for (const auto& v : *a)
            if (v.is_string()) out.push_back(v);
    }
    return out;
}

Line fromRecord(const json& r) {
    auto origin = linkAt(r, {"OriginOfCondition"});
    json sev = field(r, {"MessageSeverity"});
    if (sev.is_null()) sev = field(r, {"Severity"});
    return {field(r, {"EventId"}),
            field(r, {"EventTimestamp"}),
            sev,
            field(r, {"MessageId"}),
            origin.empty() ? json(nullptr) : json(origin),
            field(r, {"Message"}),
            stringsOf(r, "MessageArgs")};
}

Line fromEntry(const json& e) {
    auto origin = linkAt(e, {"Links", "OriginOfCondition"});
    return {field(e, {"Id"}),
            field(e, {"Created"}),
            field(e, {"Severity"}),
            field(e, {"MessageId"}),
            origin.empty() ? json(nullptr) : json(origin),
            field(e, {"Message"}),
            stringsOf(e, "MessageArgs")};
}

// A local $filter: `Property eq 'value'` terms joined by `and` (binding
// tighter) and `or`, on MessageId and OriginResource.
struct Term {
    std::string property;
    std::string value;
};
using Filter = std::vector<std::vector<Term>>; // OR of ANDs; empty: everything

bool parseFilter(const std::string& text, Filter& out, std::string& error) {
    out.assign(1, {});
    std::size_t i = 0;
    auto skipSpace = [&] {
        while (i < text.size() && text[i] == ' ')
            ++i;
    };
    auto word = [&] {
        skipSpace();
        std::size_t s = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\'')
            ++i;
        return text.substr(s, i - s);
    };
    for (;;) {
        Term t;
        t.property = word();
        if (t.property != "MessageId" && t.property != "OriginResource") {
            error = "unsupported property '" + t.property + "' (MessageId or OriginResource)";
            return false;
        }
        if (word() != "eq") {
            error = "expected 'eq' after " + t.property;
            return false;
        }
        skipSpace();
        if (i >= text.size() || text[i] != '\'') {
            error = "expected a quoted value after " + t.property + " eq";
            return false;
        }
        auto end = text.find('\'', i + 1);
        if (end == std::string::npos) {
            error = "unterminated quote";
            return false;
        }
        t.value = text.substr(i + 1, end - i - 1);
        i = end + 1;
        out.back().push_back(std::move(t));
        skipSpace();
        if (i >= text.size()) return true;
        auto op = word();
        if (op == "or")
            out.emplace_back();
        else if (op != "and") {
            error = "expected 'and' or 'or', not '" + op + "'";
            return false;
        }
    }
}

bool matches(const Filter& f, const Line& l) {
    if (f.empty()) return true;
    auto text = [](const json& j) { return j.is_string() ? j.get<std::string>() : std::string(); };
    for (const auto& all : f) {
        bool ok = true;
        for (const auto& t : all) {
            if (t.property == "MessageId") {
                auto id = text(l.messageId);
                ok = ok && (id == t.value || id.ends_with("." + t.value));
            } else {
                ok = ok && text(l.origin) == t.value;
            }
        }
        if (ok) return true;
    }
    return false;
}

void print(const Context& c, const Line& l) {
    if (c.json) {
        json j{{"id", l.id},         {"time", l.time},       {"severity", l.severity}, {"messageId", l.messageId},
               {"origin", l.origin}, {"message", l.message}, {"messageArgs", l.args}};
        std::cout << j.dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
        return;
    }
    std::string mid = cellOf(&l.messageId);
    std::string origin = cellOf(&l.origin);
    if (origin.rfind("/redfish/v1/", 0) == 0) origin = origin.substr(12);
    std::cout << cellOf(&l.time) << "  " << cellOf(&l.severity) << "  " << mid.substr(mid.rfind('.') + 1) << "  "
              << origin << "  " << cellOf(&l.message) << std::endl;
}

std::string percentEncode(const std::string& s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char ch : s) {
        if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
            out += static_cast<char>(ch);
        } else {
            out += '%';
            out += kHex[ch >> 4];
            out += kHex[ch & 15];
        }
    }
    return out;
}

int watchSse(Context& c, const std::string& uri, const std::optional<std::string>& filter) {
    std::string target = uri + (filter ? "?$filter=" + percentEncode(*filter) : "");
    southbound::SseParser parser;
    int failures = 0;
    while (!c.api().interrupted()) {
        unsigned status = 0;
        std::vector<http::Header> headers;
        if (!parser.lastEventId().empty()) headers.push_back({"Last-Event-ID", parser.lastEventId()});
        bool gotData = false;
        std::string why = c.api().stream(
            target, std::move(headers),
            [&status](unsigned s) {
                status = s;
                return s == 200;
            },
            [&](std::string_view chunk) {
                gotData = true;
                parser.feed(chunk, [&](const southbound::SseEvent& e) {
                    auto j = jsonr::parse(e.data);
                    if (!j) return;
                    if (const json* events = jsonr::array(*j, "Events")) {
                        for (const auto& r : *events)
                            print(c, fromRecord(r));
                    } else {
                        print(c, fromRecord(*j));
                    }
                });
            });
        if (c.api().interrupted()) break;
        if (status != 0 && status != 200) {
            // A refused stream tells only its status: ask again for the DMTF error.
            Reply r = c.api().call("GET", target);
            if (r.ok()) {
                r.status = status;
                r.body.reset();
            }
            return reportFailure("GET " + target, r);
        }
        failures = status == 200 || gotData ? 0 : failures + 1;
        if (failures >= kMaxReconnects) {
            std::cerr << "cmcctl: watch: the event stream " << uri << " failed " << failures
                      << " times in a row: " << why << "\n";
            return kUnreachable;
        }
        std::cerr << "cmcctl: watch: the event stream ended (" << why << "); reconnecting\n";
        if (!c.api().pause(std::chrono::seconds(1))) break;
    }
    return kOk;
}

long idOf(const json& e) {
    auto s = jsonr::text(e, "Id").value_or("");
    long v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

int watchPoll(Context& c, const Filter& filter) {
    json head;
    if (int rc = getJson(c, kEntries + "?$top=1", head); rc != kOk) return rc;
    auto count = jsonr::integer(head, "Members@odata.count", 0).value_or(0);
    long last = 0;
    if (count > 0) {
        json tail;
        if (int rc = getJson(c, kEntries + "?$skip=" + std::to_string(count - 1) + "&$top=1", tail); rc != kOk)
            return rc;
        if (const json* m = jsonr::array(tail, "Members"); m && !m->empty()) last = idOf(m->back());
    }
    while (c.api().pause(std::chrono::seconds(1))) {
        std::string next = kEntries + "?$skip=" + std::to_string(std::max<std::int64_t>(0, count - 200)) + "&$top=1000";
        while (!next.empty()) {
            json page;
            if (int rc = getJson(c, next, page); rc != kOk) return rc;
            count = jsonr::integer(page, "Members@odata.count", 0).value_or(count);
            if (const json* m = jsonr::array(page, "Members")) {
                for (const auto& e : *m) {
                    long id = idOf(e);
                    if (id <= last) continue;
                    last = id;
                    Line l = fromEntry(e);
                    if (matches(filter, l)) print(c, l);
                }
            }
            next = jsonr::text(page, "Members@odata.nextLink").value_or("");
        }
    }
    return kOk;
}

} // namespace

int runWatch(Context& c, Args& a) {
    auto filter = a.value("--filter");
    std::vector<std::string> pos;
    if (!a.positionals(0, 0, pos) || a.failed()) return kUsage;
    if (int rc = c.connect(); rc != kOk) return rc;
    Reply es = c.api().call("GET", kEventService);
    if (!es.transportOk) return reportFailure("GET " + kEventService, es);
    std::string sse = es.ok() && es.body ? jsonr::text(*es.body, "ServerSentEventUri").value_or("") : "";
    if (!sse.empty()) {
        if (!c.json) std::cerr << "cmcctl: watching " << sse << " (Ctrl-C stops)\n";
        return watchSse(c, sse, filter);
    }
    Filter f;
    std::string error;
    if (filter && !parseFilter(*filter, f, error)) return a.usage("--filter: " + error);
    if (!filter) f.clear();
    std::cerr << "cmcctl: watch: cmcd offers no SSE stream (GET " << kEventService << ": " << es.status
              << "); polling the event log every second instead (Ctrl-C stops)\n";
    return watchPoll(c, f);
}

} // namespace cmc::cmcctl
