#include "northbound/northbound.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>

#include "common/json_reader.hpp"
#include "northbound/resources.hpp"
#include "redfish/base_messages.hpp"
#include "redfish/odata.hpp"
#include "redfish/query.hpp"
#include "redfish/redfish_errors.hpp"
#include "redfish/redfish_sessions.hpp"

namespace cmc::northbound {

std::optional<int> slotFromId(const std::string& id, std::string_view prefix) {
    if (id.size() <= prefix.size() || id.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    std::string_view digits(id.data() + prefix.size(), id.size() - prefix.size());
    int v = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || digits[0] == '0') return std::nullopt;
    return v;
}

json orNull(const std::string& s) {
    return s.empty() ? json(nullptr) : json(s);
}

void reply(const http::AsyncResp& res, const json& body) {
    res->res = redfish::jsonResponse(200, body);
}

http::Response jsonOk(const json& body) {
    return redfish::jsonResponse(200, body);
}

http::Response noContent() {
    http::Response r;
    r.status = 204;
    r.set("OData-Version", "4.0");
    r.set("Cache-Control", "no-store");
    return r;
}

http::Response internalError() {
    auto r = redfish::generalError("An internal error occurred; it was logged. Retry the request.");
    r.status = 500;
    return r;
}

namespace {
// What a request that nobody answered gets: the initial value of every
// response, so built once (it is the same text every time).
const http::Response& unanswered() {
    static const http::Response kUnanswered = [] {
        auto r = redfish::generalError("The request was not answered.");
        r.status = 500;
        return r;
    }();
    return kUnanswered;
}
} // namespace

std::string systemUri(const std::string& name) {
    return "/redfish/v1/Systems/" + name;
}
std::string blockUri(int slot) {
    return std::string(kBlocksUri) + "/blade-" + std::to_string(slot);
}
std::string zoneUri(const std::string& pool) {
    return "/redfish/v1/CompositionService/ResourceZones/" + pool;
}
std::string taskUri(std::int64_t id) {
    return "/redfish/v1/TaskService/Tasks/" + std::to_string(id);
}

bool readBody(const http::Request& req, json& out, http::Response& error, bool emptyIsObject) {
    if (emptyIsObject && req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        out = json::object();
        return true;
    }
    return redfish::parseJsonObject(req, out, error);
}

json explained(json message, const std::string& why) {
    if (why.empty()) return message;
    std::string text = why;
    text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    if (text.back() != '.') text += '.';
    const auto* res = message.contains("Resolution") ? message["Resolution"].get_ptr<const std::string*>() : nullptr;
    if (res && *res != "None.") text += " " + *res;
    message["Resolution"] = text;
    return message;
}

http::Response operationError(const domain::OperationResult& r) {
    using Code = domain::OperationResult::Code;
    switch (r.code) {
    case Code::NotFound:
        return redfish::errorResponse(
            404, {explained(redfish::base::resourceNotFound(r.resource.empty() ? "Resource" : r.resource, r.id),
                            r.message)});
    case Code::Conflict: return redfish::errorResponse(409, {explained(redfish::base::resourceInUse(), r.message)});
    case Code::BadRequest:
        return redfish::errorResponse(
            400,
            {explained(redfish::base::propertyValueIncorrect(
                           r.property, r.value, r.property.empty() ? std::string() : redfish::jsonPointer(r.property)),
                       r.message)});
    case Code::Unavailable: {
        auto res =
            redfish::errorResponse(503, {explained(redfish::base::serviceTemporarilyUnavailable("5"), r.message)});
        res.set("Retry-After", "5");
        return res;
    }
    case Code::Ok:
    case Code::Accepted: break;
    }
    return internalError(); // not an error: a caller bug, answered as one
}

namespace {
std::string joined(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "/" + std::string(key);
}
} // namespace

void WriteReader::only(const json& o, const std::string& path, std::initializer_list<std::string_view> writable,
                       std::initializer_list<std::string_view> readOnly) {
    if (!o.is_object()) return;
    for (const auto& [k, v] : o.items()) {
        if (k.rfind("@odata.", 0) == 0) continue;
        if (std::find(writable.begin(), writable.end(), k) != writable.end()) continue;
        const std::string at = joined(path, k);
        if (std::find(readOnly.begin(), readOnly.end(), k) != readOnly.end())
            add(redfish::base::propertyNotWritable(at, redfish::jsonPointer(at)));
        else
            add(redfish::base::propertyUnknown(at, redfish::jsonPointer(at)));
        skippable_.back() = true;
    }
}

bool WriteReader::onlySkipped() const {
    return !problems_.empty() && std::all_of(skippable_.begin(), skippable_.end(), [](bool b) { return b; });
}

std::vector<json> WriteReader::skipped() const {
    std::vector<json> out;
    for (std::size_t i = 0; i < problems_.size(); ++i) {
        if (skippable_[i]) out.push_back(problems_[i]);
    }
    return out;
}

http::Response WriteReader::applied(json resource, std::vector<json> skipped) {
    if (skipped.empty()) return redfish::jsonResponse(200, resource);
    const auto tag = redfish::etagOf(resource);
    resource["@Message.ExtendedInfo"] = std::move(skipped);
    auto r = redfish::jsonResponse(200, resource, false);
    r.set("ETag", tag);
    return r;
}

std::optional<std::string> WriteReader::str(const json& o, std::string_view key, const std::string& path) {
    const json* m = jsonr::member(o, key);
    if (!m) return std::nullopt;
    if (!m->is_string()) {
        add(redfish::base::propertyValueTypeError(shown(*m), path, redfish::jsonPointer(path)));
        return std::nullopt;
    }
    return m->get_ref<const std::string&>();
}

std::optional<std::int64_t> WriteReader::integer(const json& o, std::string_view key, const std::string& path,
                                                 std::int64_t lo, std::int64_t hi) {
    const json* m = jsonr::member(o, key);
    if (!m) return std::nullopt;
    auto v = m->is_boolean() ? std::nullopt : jsonr::integer(o, key);
    if (!v) {
        add(redfish::base::propertyValueTypeError(shown(*m), path, redfish::jsonPointer(path)));
        return std::nullopt;
    }
    if (*v < lo || *v > hi) {
        add(redfish::base::propertyValueOutOfRange(shown(*m), path, redfish::jsonPointer(path)));
        return std::nullopt;
    }
    return v;
}

std::optional<bool> WriteReader::boolean(const json& o, std::string_view key, const std::string& path) {
    const json* m = jsonr::member(o, key);
    if (!m) return std::nullopt;
    if (!m->is_boolean()) {
        add(redfish::base::propertyValueTypeError(shown(*m), path, redfish::jsonPointer(path)));
        return std::nullopt;
    }
    return m->get<bool>();
}

const json* WriteReader::object(const json& o, std::string_view key, const std::string& path) {
    const json* m = jsonr::member(o, key);
    if (!m) return nullptr;
    if (!m->is_object()) {
        add(redfish::base::propertyValueTypeError(shown(*m), path, redfish::jsonPointer(path)));
        return nullptr;
    }
    return m;
}

const json* WriteReader::array(const json& o, std::string_view key, const std::string& path) {
    const json* m = jsonr::member(o, key);
    if (!m) return nullptr;
    if (!m->is_array()) {
        add(redfish::base::propertyValueTypeError(shown(*m), path, redfish::jsonPointer(path)));
        return nullptr;
    }
    return m;
}

void WriteReader::add(json message) {
    std::string path;
    if (const json* rel = jsonr::array(message, "RelatedProperties"); rel && !rel->empty() && (*rel)[0].is_string()) {
        path = (*rel)[0].get<std::string>();
        if (path.rfind("#/", 0) == 0) path.erase(0, 2);
    }
    paths_.push_back(std::move(path));
    problems_.push_back(std::move(message));
    skippable_.push_back(false);
}

bool WriteReader::failed(const std::string& path) const {
    return std::find(paths_.begin(), paths_.end(), path) != paths_.end();
}

http::Response WriteReader::response() const {
    return redfish::errorResponse(400, problems_);
}

std::string WriteReader::shown(const json& v) {
    std::string s = v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (s.size() > 80) s = s.substr(0, 77) + "...";
    return s;
}

const char* statusHealthOf(domain::HealthState h) {
    using domain::HealthState;
    switch (h) {
    case HealthState::Healthy:
    case HealthState::Unknown:
    case HealthState::Absent: return "OK";
    case HealthState::Suspect:
    case HealthState::Warning:
    case HealthState::BmcUnreachable: return "Warning";
    case HealthState::Critical:
    case HealthState::Failed: return "Critical";
    }
    return "OK";
}

std::vector<std::string> privilegesOf(const std::string& role) {
    if (role == "Administrator")
        return {"Login", "ConfigureManager", "ConfigureUsers", "ConfigureComponents", "ConfigureSelf"};
    if (role == "Operator") return {"Login", "ConfigureComponents", "ConfigureSelf"};
    if (role == "ReadOnly") return {"Login", "ConfigureSelf"};
    return {};
}

bool isLoopbackAddress(const std::string& address) {
    unsigned char a[16];
    if (inet_pton(AF_INET, address.c_str(), a) == 1) return a[0] == 127;
    if (inet_pton(AF_INET6, address.c_str(), a) != 1) return false;
    static const unsigned char kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(a, kLoopback, 16) == 0 || (std::memcmp(a, kMapped, 12) == 0 && a[12] == 127);
}

bool basicAuthAllowed(const http::Request& req) {
    return req.secure || req.localAddress.empty() || isLoopbackAddress(req.localAddress);
}

namespace {

// 401 for HTTP Basic over plain HTTP off loopback (the password would cross the network in clear).
http::Response basicAuthRefused() {
    return redfish::errorResponse(
        401, {explained(redfish::base::noValidSession(),
                        "HTTP Basic credentials are refused over plain HTTP on a non-loopback address, as the "
                        "password would cross the network in clear: use HTTPS, or log in to a session (POST "
                        "/redfish/v1/SessionService/Sessions) and send its X-Auth-Token")});
}

// What an internal GET showed the query layer: the body of a 200 that is not
// a stream, nothing otherwise (query::Fetch then leaves the link alone).
std::optional<std::string> observed(const http::Response& r) {
    if (r.status != 200 || r.stream) return std::nullopt;
    return r.body;
}

// Answers of GETs with query options ($expand, $select, paging), kept with
// everything they were computed from: the handler's response and the body of
// every internal GET the expansion made. A request whose handler answers the
// same, and whose every fetched URI answers the same again, gets the same
// bytes without parsing, splicing or serialising anything. One entry per
// principal's privileges and request target; on the io_context thread only.
struct QueryCache {
    struct Fetched {
        std::string uri;
        std::optional<std::string> body;
    };
    struct Entry {
        unsigned status = 0;
        std::vector<http::Header> headers;
        std::string body;
        std::vector<Fetched> fetched;
        http::Response result;

        [[nodiscard]] bool sameInput(const http::Response& r) const {
            if (r.status != status || r.body != body || r.headers.size() != headers.size()) return false;
            for (std::size_t i = 0; i < headers.size(); ++i) {
                if (r.headers[i].name != headers[i].name || r.headers[i].value != headers[i].value) return false;
            }
            return true;
        }
    };
    // Bounds: what one entry may hold, and how many entries.
    static constexpr std::size_t kMaxFetched = 64;
    static constexpr std::size_t kMaxResultBytes = 256 * 1024;
    static constexpr std::size_t kCapacity = 128;

    std::map<std::string, std::shared_ptr<const Entry>> entries;

    void keep(const std::string& key, std::shared_ptr<const Entry> e) {
        if (e->fetched.size() > kMaxFetched || e->result.body.size() > kMaxResultBytes) {
            entries.erase(key);
            return;
        }
        if (entries.size() >= kCapacity) entries.clear();
        entries.insert_or_assign(key, std::move(e));
    }
};

// What the router and the authentication share for the life of the server.
struct Api {
    explicit Api(Backend& b) : backend(b), sessions(std::chrono::seconds(b.sessionIdleTimeoutSeconds()), 256) {
        addServiceRootRoutes(router, backend);
        addChassisRoutes(router, backend);
        addManagerRoutes(router, backend);
        addRegistryRoutes(router, backend);
        addMetadataRoutes(router, backend);
        addSessionRoutes(router, backend, sessions);
        addAccountRoutes(router, backend, sessions);
        addSystemRoutes(router, backend);
        addCompositionRoutes(router, backend);
        addTaskRoutes(router, backend);
        addCertificateRoutes(router, backend);
        addMetricsRoutes(router, backend);
        addEventServiceRoutes(router, backend);
    }
    Backend& backend;
    redfish::SessionService sessions;
    http::Router router;
    QueryCache queries;
};

// Runs a route's handler; an exception is an internal error answered with a
// DMTF body (and counted), never a dropped connection.
void run(Api& api, const http::Router::Method& m, const http::RouteRequest& rr, const http::AsyncResp& res) {
    try {
        m.handler(rr, res);
    } catch (const std::exception& e) {
        api.backend.reportFailure("northbound " + rr.http.method + " " + rr.http.path, e.what());
        res->res = internalError();
    } catch (...) {
        api.backend.reportFailure("northbound " + rr.http.method + " " + rr.http.path, "unknown exception");
        res->res = internalError();
    }
}

// The GET of `uri` run internally with `who`'s privileges ($expand, If-Match).
void internalGet(const std::shared_ptr<Api>& api, const std::string& uri, const http::Principal& who,
                 http::Responder done) {
    auto segments = http::pathSegments(uri);
    auto match = segments ? api->router.match(*segments, "GET") : http::Router::Match{};
    if (match.kind != http::Router::Match::Kind::Found) {
        done(redfish::resourceNotFound("Resource", uri));
        return;
    }
    if (!match.method->publicAccess && !who.hasAll(match.method->privileges)) {
        done(redfish::insufficientPrivilege());
        return;
    }
    http::Request get;
    get.method = "GET";
    get.target = uri;
    get.path = uri;
    http::Response initial = unanswered();
    auto res = std::make_shared<http::AsyncResponse>(std::move(done), std::move(initial));
    run(*api, *match.method, http::RouteRequest{get, who, std::move(match.params)}, res);
}

// Applies `q` to the handler's answer `r` (query::apply), or answers from
// the query cache when nothing it was computed from changed (see QueryCache).
void applyQuery(const std::shared_ptr<Api>& api, const std::shared_ptr<http::Principal>& who, std::string key,
                const redfish::query::Query& q, std::string path, http::Response r, http::Responder done);

// query::apply with a fetch that records what each internal GET answered;
// the result is kept in the cache under `key`.
void computeQuery(const std::shared_ptr<Api>& api, const std::shared_ptr<http::Principal>& who, std::string key,
                  const redfish::query::Query& q, std::string path, http::Response r, http::Responder done) {
    auto entry = std::make_shared<QueryCache::Entry>();
    entry->status = r.status;
    entry->headers = r.headers;
    entry->body = r.body;
    redfish::query::Fetch fetch = [api, who, entry](const std::string& uri, redfish::query::Fetched got) {
        internalGet(api, uri, *who, [entry, uri, got = std::move(got)](http::Response fetched) {
            auto seen = observed(fetched);
            entry->fetched.push_back({uri, seen});
            auto body = seen ? json::parse(*seen, nullptr, false) : json();
            if (!seen || body.is_discarded() || !body.is_object())
                got(std::nullopt);
            else
                got(std::move(body));
        });
    };
    redfish::query::apply(std::move(r), q, std::move(path), std::move(fetch),
                          [api, key = std::move(key), entry, done = std::move(done)](http::Response out) {
                              entry->result = out;
                              api->queries.keep(key, entry);
                              done(std::move(out));
                          });
}

void applyQuery(const std::shared_ptr<Api>& api, const std::shared_ptr<http::Principal>& who, std::string key,
                const redfish::query::Query& q, std::string path, http::Response r, http::Responder done) {
    auto it = api->queries.entries.find(key);
    if (it == api->queries.entries.end() || !it->second->sameInput(r)) {
        computeQuery(api, who, std::move(key), q, std::move(path), std::move(r), std::move(done));
        return;
    }
    std::shared_ptr<const QueryCache::Entry> entry = it->second;
    if (entry->fetched.empty()) {
        done(entry->result);
        return;
    }
    // Every URI the expansion fetched is asked again; one differing answer
    // and the whole query is computed afresh.
    struct Check {
        std::size_t pending = 0;
        bool same = true;
    };
    auto check = std::make_shared<Check>();
    check->pending = entry->fetched.size();
    auto finish = [api, who, key, q, path, r = std::make_shared<http::Response>(std::move(r)), entry, check,
                   done = std::move(done)]() {
        if (check->same)
            done(entry->result);
        else
            computeQuery(api, who, key, q, path, std::move(*r), done);
    };
    auto shared = std::make_shared<decltype(finish)>(std::move(finish));
    for (const auto& f : entry->fetched) {
        // `f` lives in the entry, which the callback holds.
        internalGet(api, f.uri, *who, [entry, check, shared, &seen = f.body](http::Response got) {
            const bool ok = got.status == 200 && !got.stream;
            if (ok != seen.has_value() || (ok && got.body != *seen)) check->same = false;
            if (--check->pending == 0) (*shared)();
        });
    }
}

// A PATCH or DELETE with If-Match: the GET of the same path gives the current
// ETag; a mismatch is 412 and the write never runs.
void runIfMatching(const std::shared_ptr<Api>& api, const http::Router::Method& method,
                   const std::shared_ptr<http::Request>& req, const std::shared_ptr<std::vector<std::string>>& params,
                   const std::shared_ptr<http::Principal>& who, const http::AsyncResp& res) {
    const std::string uri = req->target.substr(0, req->target.find_first_of("?#"));
    internalGet(api, uri, *who, [api, m = &method, req, params, who, res](http::Response current) {
        const auto* tag = current.header("ETag");
        const auto* ifMatch = req->header("If-Match");
        if (current.status == 200 && tag && ifMatch && !redfish::query::ifMatchAccepts(*ifMatch, *tag)) {
            res->res = redfish::preconditionFailed();
            return;
        }
        run(*api, *m, http::RouteRequest{*req, *who, *params}, res);
    });
}

} // namespace

http::Handler makeHandler(Backend& backend) {
    auto api = std::make_shared<Api>(backend);
    return [api](http::Request&& req, http::Responder done) {
        // Counted once per answered request, from arrival to answer (/metrics).
        http::Responder counted = [api, done = std::move(done), method = req.method,
                                   start = std::chrono::steady_clock::now()](http::Response r) {
            const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
            api->backend.recordHttpRequest(method, r.status, took.count());
            done(std::move(r));
        };
        if (auto refused = redfish::query::checkODataVersion(req)) {
            counted(std::move(*refused));
            return;
        }
        auto segments = http::pathSegments(req.target);
        http::Router::Match match;
        if (segments) match = api->router.match(*segments, req.method);
        if (segments && match.kind != http::Router::Match::Kind::Found && req.method == "POST" &&
            segments->size() > 1 && segments->back() == "Members") {
            // POST to a collection's Members is a POST to the collection.
            segments->pop_back();
            auto collection = api->router.match(*segments, req.method);
            if (collection.kind == http::Router::Match::Kind::Found) match = std::move(collection);
        }
        // 404 and 405 are told only to an authenticated client (DSP0266: no
        // credentials is 401 everywhere but the public URIs), so an anonymous
        // client cannot map which resources exist.
        std::shared_ptr<http::Response> refusal;
        if (match.kind == http::Router::Match::Kind::NotFound) {
            refusal = std::make_shared<http::Response>(redfish::resourceNotFound("Resource", req.path));
        } else if (match.kind == http::Router::Match::Kind::MethodNotAllowed) {
            auto get = api->router.match(*segments, "GET");
            if (get.kind == http::Router::Match::Kind::Found && get.method->publicAccess) {
                counted(redfish::methodNotAllowed(match.allow)); // a public URI: nothing to hide
                return;
            }
            refusal = std::make_shared<http::Response>(redfish::methodNotAllowed(match.allow));
        }
        const http::Router::Method* method = match.method; // null with a refusal
        const bool read = !refusal && (req.method == "GET" || req.method == "HEAD");
        std::shared_ptr<http::Principal> asker; // for internal GETs ($expand), set once authenticated
        http::Responder answer = std::move(counted);
        if (read) {
            // Allow and the schema Link on every resource read (after any query is applied).
            answer = [answer = std::move(answer), allow = match.allow](http::Response r) {
                redfish::query::addResourceHeaders(r, allow, "OpenCMC");
                answer(std::move(r));
            };
            redfish::query::Query query;
            if (auto bad = redfish::query::parse(req.query, query, method->ownFilter)) {
                answer(std::move(*bad));
                return;
            }
            if (method->ownPaging) { // the handler paged already: slicing again would skip twice
                query.top.reset();
                query.skip.reset();
            }
            if (!query.empty()) {
                asker = std::make_shared<http::Principal>();
                answer = [api, asker, query = std::move(query), path = req.path, target = req.target,
                          answer = std::move(answer)](http::Response r) {
                    // Who asks decides what an expansion may fetch: part of the key.
                    std::string key = asker->role;
                    for (const auto& p : asker->privileges)
                        key += "," + p;
                    key += "\n" + target;
                    applyQuery(api, asker, std::move(key), query, path, std::move(r), answer);
                };
            }
        }
        http::Response initial = unanswered();
        auto res = std::make_shared<http::AsyncResponse>(std::move(answer), std::move(initial));
        if (method && method->publicAccess) {
            static const http::Principal anonymous;
            run(*api, *method, http::RouteRequest{req, anonymous, std::move(match.params)}, res);
            return;
        }
        // Authenticated below; the handler runs once the credentials are checked.
        auto shared = std::make_shared<http::Request>(std::move(req));
        auto params = std::make_shared<std::vector<std::string>>(std::move(match.params));
        auto proceed = [api, method, shared, params, res, asker, refusal](std::optional<http::Principal> who,
                                                                          bool busy) {
            if (busy) {
                res->res = redfish::serviceUnavailable(1); // too many password checks queued: retry shortly
                return;
            }
            if (!who) {
                res->res = redfish::noValidSession("OpenCMC");
                return;
            }
            if (refusal) {
                res->res = std::move(*refusal);
                return;
            }
            if (!who->hasAll(method->privileges)) {
                res->res = redfish::insufficientPrivilege();
                return;
            }
            if (asker) *asker = *who;
            const auto* ifMatch = shared->header("If-Match");
            if (ifMatch && (shared->method == "PATCH" || shared->method == "DELETE")) {
                runIfMatching(api, *method, shared, params, std::make_shared<http::Principal>(std::move(*who)), res);
                return;
            }
            run(*api, *method, http::RouteRequest{*shared, *who, *params}, res);
        };
        const auto& r = *shared;
        if (const auto* token = r.header("X-Auth-Token")) {
            const auto* s = api->sessions.authenticate(*token);
            if (!s) {
                proceed(std::nullopt, false);
                return;
            }
            // The account decides what the session may do now (accounts.cpp):
            // deleted, disabled or a changed password ends it.
            auto who = api->backend.sessionPrincipal(s->user, s->stamp);
            if (!who) api->sessions.close(s->id);
            proceed(std::move(who), false);
        } else if (const auto* auth = r.header("Authorization"); auth && http::parseBasicAuth(*auth)) {
            if (!basicAuthAllowed(r)) {
                res->res = basicAuthRefused();
                return;
            }
            auto cred = *http::parseBasicAuth(*auth);
            api->backend.authenticate(cred.first, cred.second, proceed);
        } else {
            proceed(std::nullopt, false);
        }
    };
}

} // namespace cmc::northbound
