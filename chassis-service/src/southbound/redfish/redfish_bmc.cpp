#include "southbound/redfish/redfish_bmc.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/json_reader.hpp"
#include "southbound/redfish/sse_parser.hpp"

namespace cmc::southbound {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using json = nlohmann::json;

namespace {

constexpr std::size_t kMaxMembers = 64; // members read per collection (a BMC listing more is cut short)

const char* kDefaultSessions = "/redfish/v1/SessionService/Sessions";

template <class T> RedfishResult<T> failure(RedfishError e, std::string message, unsigned status = 0) {
    RedfishResult<T> r;
    r.error = e;
    r.message = std::move(message);
    r.status = status;
    return r;
}

// A DMTF error body's first message, for operators.
std::string errorDetail(const std::string& body) {
    auto j = jsonr::parse(body);
    if (!j) return {};
    const json* err = jsonr::object(*j, "error");
    if (!err) return {};
    if (const json* info = jsonr::array(*err, "@Message.ExtendedInfo"); info && !info->empty()) {
        if (auto m = jsonr::text((*info)[0], "Message")) return *m;
    }
    return jsonr::text(*err, "message").value_or("");
}

} // namespace

const char* toString(RedfishError e) {
    switch (e) {
    case RedfishError::None: return "OK";
    case RedfishError::Transport: return "Unreachable";
    case RedfishError::Tls: return "TlsRefused";
    case RedfishError::Unauthorized: return "Unauthorized";
    case RedfishError::HttpStatus: return "HttpError";
    case RedfishError::NotJson: return "NotJson";
    case RedfishError::Missing: return "Missing";
    case RedfishError::Unsupported: return "Unsupported";
    case RedfishError::Internal: return "InternalError";
    }
    return "Unknown";
}

struct RedfishBmc::Impl {
    explicit Impl(asio::io_context& io) : loginWait(io, asio::steady_timer::time_point::max()) {}
    std::string token;
    std::string sessionLocation;
    std::string sessionsPath = kDefaultSessions;
    bool sessionsUnsupported = false;
    bool loginInFlight = false;
    asio::steady_timer loginWait;
    std::shared_ptr<HttpStream> stream;
    SseParser sse;
    std::string lastEventId; // resumes a stream after a reconnect
    bool closed = false;
};

RedfishBmc::RedfishBmc(asio::io_context& io, HttpClient& http, RedfishEndpoint endpoint, Log log)
    : io_(io), http_(http), endpoint_(std::move(endpoint)), log_(std::move(log)), systemPath_(endpoint_.systemPath),
      impl_(std::make_unique<Impl>(io)) {
    if (!log_) log_ = [](const std::string&) {};
}

RedfishBmc::~RedfishBmc() {
    if (impl_->stream) impl_->stream->close();
}

std::shared_ptr<RedfishBmc> RedfishBmc::create(asio::io_context& io, HttpClient& http, RedfishEndpoint endpoint,
                                               Log log) {
    return std::shared_ptr<RedfishBmc>(new RedfishBmc(io, http, std::move(endpoint), std::move(log)));
}

namespace {

// One HTTP exchange as an awaitable.
// Arguments by reference: callers always pass named objects that outlive the
// co_await (GCC 12 mishandles temporaries bound to coroutine parameters).
awaitable<HttpResult> call(HttpClient& http, const RedfishEndpoint& ep, const std::string& method,
                           const std::string& path, const std::string& body, const std::vector<http::Header>& headers) {
    // A named initiation (no temporary lambda in the co_await expression,
    // which GCC 12 destroys twice); it runs before the co_await suspends.
    auto initiate = [&http, &ep, &method, &path, &body, &headers](auto handler) {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        http.request(
            ep.url, method, path, body, headers, [h](HttpResult r) { (*h)(std::move(r)); }, ep.tls);
    };
    HttpResult result =
        co_await asio::async_initiate<decltype(use_awaitable), void(HttpResult)>(initiate, use_awaitable);
    co_return result;
}

// The coroutine side of RedfishBmc, kept out of the header.
struct Ops {
    HttpClient& http;
    const RedfishEndpoint& ep;
    RedfishBmc::Impl& st;
    RedfishBmc::Log& log;

    awaitable<void> login() {
        if (st.loginInFlight) {
            auto [ec] = co_await st.loginWait.async_wait(asio::as_tuple(use_awaitable));
            (void)ec;
            co_return;
        }
        st.loginInFlight = true;
        json body{{"UserName", ep.username}, {"Password", ep.password}};
        std::vector<http::Header> headers;
        headers.push_back(http::Header{std::string("Accept"), std::string("application/json")});
        headers.push_back(http::Header{std::string("Content-Type"), std::string("application/json")});
        std::string method = "POST";
        std::string payload = body.dump();
        auto r = co_await call(http, ep, method, st.sessionsPath, payload, headers);
        st.loginInFlight = false;
        if (r.transportOk && (r.status == 200 || r.status == 201)) {
            const std::string* tok = r.header("X-Auth-Token");
            if (tok && !tok->empty()) {
                st.token = *tok;
                const std::string* loc = r.header("Location");
                st.sessionLocation = loc ? *loc : "";
            } else {
                st.sessionsUnsupported = true;
                log("Redfish session answered without X-Auth-Token; using HTTP Basic");
            }
        } else if (r.transportOk && (r.status == 404 || r.status == 405 || r.status == 501)) {
            st.sessionsUnsupported = true;
            log("Redfish SessionService unavailable (HTTP " + std::to_string(r.status) + "); using HTTP Basic");
        }
        // Wake every request that waited for this login.
        st.loginWait.cancel();
        st.loginWait.expires_at(asio::steady_timer::time_point::max());
    }

    awaitable<std::vector<http::Header>> authHeaders() {
        std::vector<http::Header> h;
        h.push_back(http::Header{std::string("Accept"), std::string("application/json")});
        if (ep.sessionAuth && !st.sessionsUnsupported && st.token.empty()) co_await login();
        if (ep.sessionAuth && !st.token.empty())
            h.push_back({"X-Auth-Token", st.token});
        else
            h.push_back({"Authorization", basicAuth(ep.username, ep.password)});
        co_return h;
    }

    // An authenticated exchange; a 401 on a session token logs in again once.
    awaitable<HttpResult> authed(const std::string& method, const std::string& path, const std::string& body) {
        HttpResult r;
        for (int attempt = 0; attempt < 2; ++attempt) {
            auto headers = co_await authHeaders();
            bool usedToken = !st.token.empty() && ep.sessionAuth;
            if (!body.empty()) headers.push_back({"Content-Type", "application/json"});
            r = co_await call(http, ep, method, path, body, headers);
            if (r.transportOk && r.status == 401 && usedToken && attempt == 0) {
                st.token.clear();
                continue;
            }
            break;
        }
        co_return r;
    }

    static RedfishResult<json> toJson(const HttpResult& r, const std::string& path) {
        if (!r.transportOk) {
            return failure<json>(r.tlsError ? RedfishError::Tls : RedfishError::Transport,
                                 "GET " + path + ": " + r.error);
        }
        if (r.status == 401 || r.status == 403) {
            return failure<json>(RedfishError::Unauthorized,
                                 "GET " + path + ": HTTP " + std::to_string(r.status) + " (credentials refused)",
                                 r.status);
        }
        if (r.status != 200) {
            auto d = errorDetail(r.body);
            return failure<json>(r.status == 404 ? RedfishError::Missing : RedfishError::HttpStatus,
                                 "GET " + path + ": HTTP " + std::to_string(r.status) + (d.empty() ? "" : ": " + d),
                                 r.status);
        }
        auto j = jsonr::parse(r.body);
        if (!j || !j->is_object()) return failure<json>(RedfishError::NotJson, "GET " + path + ": not a JSON object");
        RedfishResult<json> ok;
        ok.status = r.status;
        ok.value = std::move(*j);
        return ok;
    }

    awaitable<RedfishResult<json>> get(const std::string& path) {
        std::string method = "GET";
        std::string noBody;
        auto r = co_await authed(method, path, noBody);
        co_return toJson(r, path);
    }

    // PATCH of any resource: 200/202/204 is success (the body is not needed).
    awaitable<RedfishResult<bool>> patch(const std::string& path, const std::string& body) {
        std::string method = "PATCH";
        std::string payload = body;
        auto r = co_await authed(method, path, payload);
        if (!r.transportOk)
            co_return failure<bool>(r.tlsError ? RedfishError::Tls : RedfishError::Transport,
                                    "PATCH " + path + ": " + r.error);
        if (r.status == 401 || r.status == 403)
            co_return failure<bool>(RedfishError::Unauthorized, "PATCH " + path + ": HTTP " + std::to_string(r.status),
                                    r.status);
        if (r.status != 200 && r.status != 202 && r.status != 204) {
            auto d = errorDetail(r.body);
            co_return failure<bool>(
                RedfishError::HttpStatus,
                "PATCH " + path + ": HTTP " + std::to_string(r.status) + (d.empty() ? "" : ": " + d), r.status);
        }
        co_return RedfishResult<bool>{RedfishError::None, {}, r.status, true};
    }

    // Members of a collection (bounded).
    awaitable<std::vector<std::string>> members(const std::string& path, std::vector<std::string>& warnings) {
        auto c = co_await get(path);
        if (!c.ok()) {
            warnings.push_back(c.message);
            co_return std::vector<std::string>{};
        }
        auto m = jsonr::links(c.value, "Members");
        if (m.size() > kMaxMembers) m.resize(kMaxMembers);
        co_return m;
    }

    awaitable<RedfishResult<RedfishInventory>> discover() {
        RedfishInventory inv;
        // The service root is public; a service that wants credentials for it gets them.
        std::vector<http::Header> accept;
        accept.push_back(http::Header{std::string("Accept"), std::string("application/json")});
        std::string method = "GET";
        std::string rootPath = "/redfish/v1";
        std::string noBody;
        auto rootHttp = co_await call(http, ep, method, rootPath, noBody, accept);
        auto root = toJson(rootHttp, "/redfish/v1");
        if (root.error == RedfishError::Unauthorized) root = co_await get(rootPath);
        if (!root.ok()) co_return failure<RedfishInventory>(root.error, root.message, root.status);
        if (const json* links = jsonr::object(root.value, "Links")) {
            if (auto s = jsonr::link(*links, "Sessions")) st.sessionsPath = *s;
        }
        auto systems = jsonr::link(root.value, "Systems");
        if (!systems && ep.systemPath.empty())
            co_return failure<RedfishInventory>(RedfishError::Unsupported, "the service root has no Systems");
        inv.systemPath = ep.systemPath;
        if (inv.systemPath.empty()) {
            auto m = co_await members(*systems, inv.warnings);
            inv.systemCount = m.size();
            if (m.empty())
                co_return failure<RedfishInventory>(RedfishError::Missing,
                                                    "the Systems collection lists no ComputerSystem" +
                                                        (inv.warnings.empty() ? "" : ": " + inv.warnings.back()));
            inv.systemPath = m.front();
        }
        auto sys = co_await get(inv.systemPath);
        if (!sys.ok()) co_return failure<RedfishInventory>(sys.error, sys.message, sys.status);
        const json& s = sys.value;
        inv.manufacturer = jsonr::text(s, "Manufacturer");
        inv.model = jsonr::text(s, "Model");
        inv.serialNumber = jsonr::text(s, "SerialNumber");
        inv.partNumber = jsonr::text(s, "PartNumber");
        inv.uuid = jsonr::text(s, "UUID");
        inv.biosVersion = jsonr::text(s, "BiosVersion");
        inv.powerState = jsonr::text(s, "PowerState");
        if (const json* status = jsonr::object(s, "Status")) inv.health = jsonr::text(*status, "Health");
        if (const json* ps = jsonr::object(s, "ProcessorSummary")) inv.cpuCount = jsonr::integer(*ps, "Count", 0, 4096);
        if (const json* ms = jsonr::object(s, "MemorySummary")) {
            if (auto g = jsonr::number(*ms, "TotalSystemMemoryGiB"); g && *g >= 0) inv.memoryGiB = *g;
        }
        if (const json* actions = jsonr::object(s, "Actions")) {
            if (const json* rst = jsonr::object(*actions, "#ComputerSystem.Reset")) {
                inv.resetTarget = jsonr::text(*rst, "target").value_or("");
                inv.resetTypes = jsonr::strings(*rst, "ResetType@Redfish.AllowableValues");
            }
        }
        if (const json* links = jsonr::object(s, "Links")) {
            inv.chassisPath = jsonr::firstLink(*links, "Chassis").value_or("");
            inv.managerPath = jsonr::firstLink(*links, "ManagedBy").value_or("");
        }
        // Counts the summaries left out.
        if (!inv.cpuCount) {
            if (auto p = jsonr::link(s, "Processors")) {
                auto m = co_await members(*p, inv.warnings);
                if (!m.empty()) inv.cpuCount = static_cast<std::int64_t>(m.size());
            }
        }
        if (!inv.memoryGiB) {
            if (auto p = jsonr::link(s, "Memory")) {
                double mib = 0;
                bool any = false;
                auto dimmList = co_await members(*p, inv.warnings);
                for (const auto& dimm : dimmList) {
                    auto d = co_await get(dimm);
                    if (!d.ok()) continue;
                    if (auto c = jsonr::number(d.value, "CapacityMiB"); c && *c > 0) {
                        mib += *c;
                        any = true;
                    }
                }
                if (any) inv.memoryGiB = mib / 1024.0;
            }
        }
        // Host NICs: the system's EthernetInterfaces ...
        if (auto p = jsonr::link(s, "EthernetInterfaces")) {
            auto nicPathList = co_await members(*p, inv.warnings);
            for (const auto& nicPath : nicPathList) {
                auto n = co_await get(nicPath);
                if (!n.ok()) {
                    inv.warnings.push_back(n.message);
                    continue;
                }
                inv.nics.push_back(
                    {nicPath, jsonr::text(n.value, "MACAddress"), jsonr::text(n.value, "PermanentMACAddress")});
            }
        }
        if (inv.chassisPath.empty()) {
            if (auto c = jsonr::link(root.value, "Chassis")) {
                auto m = co_await members(*c, inv.warnings);
                if (m.size() == 1) inv.chassisPath = m.front();
            }
        }
        if (!inv.chassisPath.empty()) co_await readChassis(inv);
        if (inv.managerPath.empty()) {
            if (auto m = jsonr::link(root.value, "Managers")) {
                auto list = co_await members(*m, inv.warnings);
                if (list.size() == 1) inv.managerPath = list.front();
            }
        }
        if (!inv.managerPath.empty()) co_await readManager(inv);
        if (auto es = jsonr::link(root.value, "EventService")) {
            auto e = co_await get(*es);
            if (e.ok() && jsonr::boolean(e.value, "ServiceEnabled").value_or(true)) {
                inv.sseUri = jsonr::text(e.value, "ServerSentEventUri").value_or("");
            } else if (!e.ok()) {
                inv.warnings.push_back(e.message);
            }
        }
        co_return RedfishResult<RedfishInventory>{RedfishError::None, {}, 200, std::move(inv)};
    }

    // The chassis: NetworkAdapters -> NetworkDeviceFunctions (current against
    // permanent MAC / WWPN), and where its sensors are.
    awaitable<void> readChassis(RedfishInventory& inv) {
        auto c = co_await get(inv.chassisPath);
        if (!c.ok()) {
            inv.warnings.push_back(c.message);
            co_return;
        }
        const json& ch = c.value;
        if (!inv.model) inv.model = jsonr::text(ch, "Model");
        if (!inv.serialNumber) inv.serialNumber = jsonr::text(ch, "SerialNumber");
        if (!inv.manufacturer) inv.manufacturer = jsonr::text(ch, "Manufacturer");
        if (!inv.partNumber) inv.partNumber = jsonr::text(ch, "PartNumber");
        inv.thermalPath = jsonr::link(ch, "ThermalSubsystem").value_or(jsonr::link(ch, "Thermal").value_or(""));
        inv.powerPath = jsonr::link(ch, "PowerSubsystem").value_or(jsonr::link(ch, "Power").value_or(""));
        inv.sensorsPath = jsonr::link(ch, "Sensors").value_or("");
        auto adapters = jsonr::link(ch, "NetworkAdapters");
        if (!adapters) co_return;
        std::vector<RedfishNic> fromFunctions;
        auto adapterList = co_await members(*adapters, inv.warnings);
        for (const auto& adapter : adapterList) {
            auto a = co_await get(adapter);
            if (!a.ok()) {
                inv.warnings.push_back(a.message);
                continue;
            }
            auto fns = jsonr::link(a.value, "NetworkDeviceFunctions");
            if (!fns) continue;
            auto fnPathList = co_await members(*fns, inv.warnings);
            for (const auto& fnPath : fnPathList) {
                auto f = co_await get(fnPath);
                if (!f.ok()) {
                    inv.warnings.push_back(f.message);
                    continue;
                }
                if (const json* eth = jsonr::object(f.value, "Ethernet")) {
                    fromFunctions.push_back(
                        {fnPath, jsonr::text(*eth, "MACAddress"), jsonr::text(*eth, "PermanentMACAddress")});
                } else if (const json* fc = jsonr::object(f.value, "FibreChannel")) {
                    inv.hbas.push_back({fnPath, jsonr::text(*fc, "WWPN"), jsonr::text(*fc, "PermanentWWPN")});
                }
            }
        }
        // Device functions are where virtual MACs are programmed: they replace
        // the host's EthernetInterfaces when both describe the same ports.
        if (!fromFunctions.empty()) inv.nics = std::move(fromFunctions);
    }

    awaitable<void> readManager(RedfishInventory& inv) {
        auto m = co_await get(inv.managerPath);
        if (!m.ok()) {
            inv.warnings.push_back(m.message);
            co_return;
        }
        inv.bmcFirmwareVersion = jsonr::text(m.value, "FirmwareVersion");
        inv.bmcModel = jsonr::text(m.value, "Model");
        if (auto p = jsonr::link(m.value, "EthernetInterfaces")) {
            auto list = co_await members(*p, inv.warnings);
            if (!list.empty()) {
                auto e = co_await get(list.front());
                if (e.ok()) {
                    inv.bmcMac = jsonr::text(e.value, "PermanentMACAddress");
                    if (!inv.bmcMac) inv.bmcMac = jsonr::text(e.value, "MACAddress");
                }
            }
        }
        if (auto p = jsonr::link(m.value, "LogServices")) inv.logServices = co_await members(*p, inv.warnings);
    }

    awaitable<RedfishResult<RedfishSystemState>> readSystem(const std::string& path) {
        auto r = co_await get(path);
        if (!r.ok()) co_return failure<RedfishSystemState>(r.error, r.message, r.status);
        RedfishResult<RedfishSystemState> out;
        out.status = r.status;
        out.value.powerState = jsonr::text(r.value, "PowerState");
        if (const json* status = jsonr::object(r.value, "Status")) {
            out.value.health = jsonr::text(*status, "Health");
            out.value.state = jsonr::text(*status, "State");
        }
        co_return out;
    }

    awaitable<RedfishResult<bool>> reset(const std::string& target, const std::string& type) {
        json body{{"ResetType", type}};
        std::string method = "POST";
        std::string payload = body.dump();
        auto r = co_await authed(method, target, payload);
        if (!r.transportOk)
            co_return failure<bool>(r.tlsError ? RedfishError::Tls : RedfishError::Transport,
                                    "POST " + target + ": " + r.error);
        if (r.status == 401 || r.status == 403)
            co_return failure<bool>(RedfishError::Unauthorized, "POST " + target + ": HTTP " + std::to_string(r.status),
                                    r.status);
        if (r.status != 200 && r.status != 202 && r.status != 204) {
            auto d = errorDetail(r.body);
            co_return failure<bool>(RedfishError::HttpStatus,
                                    "POST " + target + " ResetType " + type + ": HTTP " + std::to_string(r.status) +
                                        (d.empty() ? "" : ": " + d),
                                    r.status);
        }
        co_return RedfishResult<bool>{RedfishError::None, {}, r.status, true};
    }
};

// Runs a coroutine and hands its result (or an internal error) to `done`.
template <class T>
void spawn(asio::io_context& io, awaitable<RedfishResult<T>> task, std::function<void(RedfishResult<T>)> done,
           RedfishBmc::Log log) {
    asio::co_spawn(io, std::move(task), [done = std::move(done), log](std::exception_ptr e, RedfishResult<T> r) {
        if (e) {
            std::string what = "internal error";
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                what += std::string(": ") + ex.what();
            } catch (...) {
            }
            log("Redfish client " + what);
            done(failure<T>(RedfishError::Internal, what));
            return;
        }
        done(std::move(r));
    });
}

} // namespace

// The coroutines behind the public calls. They take everything by value (a
// coroutine's parameters live in its frame; a capturing lambda's captures
// would not) and hold the client alive through `self`.
struct RedfishBmcTasks {
    static Ops ops(const std::shared_ptr<RedfishBmc>& self) {
        return Ops{self->http_, self->endpoint_, *self->impl_, self->log_};
    }

    static awaitable<RedfishResult<RedfishInventory>> discover(std::shared_ptr<RedfishBmc> self) {
        auto o = ops(self);
        auto r = co_await o.discover();
        if (r.ok()) {
            self->systemPath_ = r.value.systemPath;
            self->resetTarget_ = r.value.resetTarget;
            self->sseUri_ = r.value.sseUri;
        }
        co_return r;
    }

    // Discovers first when the system is not known yet; false with `error` set.
    static awaitable<bool> ensureSystem(std::shared_ptr<RedfishBmc> self, RedfishError& error, std::string& message) {
        if (!self->systemPath_.empty()) co_return true;
        auto inv = co_await discover(self);
        if (inv.ok()) co_return true;
        error = inv.error;
        message = inv.message;
        co_return false;
    }

    static awaitable<RedfishResult<RedfishSystemState>> readSystem(std::shared_ptr<RedfishBmc> self) {
        RedfishError e = RedfishError::None;
        std::string m;
        if (!co_await ensureSystem(self, e, m)) co_return failure<RedfishSystemState>(e, m);
        auto o = ops(self);
        std::string path = self->systemPath_;
        co_return co_await o.readSystem(path);
    }

    static std::string resetTarget(const RedfishBmc& b) {
        return b.resetTarget_.empty() ? b.systemPath_ + "/Actions/ComputerSystem.Reset" : b.resetTarget_;
    }

    static awaitable<RedfishResult<bool>> reset(std::shared_ptr<RedfishBmc> self, std::string type) {
        RedfishError e = RedfishError::None;
        std::string m;
        if (!co_await ensureSystem(self, e, m)) co_return failure<bool>(e, m);
        auto o = ops(self);
        std::string target = resetTarget(*self);
        co_return co_await o.reset(target, type);
    }

    static awaitable<RedfishResult<bool>> forceOff(std::shared_ptr<RedfishBmc> self,
                                                   std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        RedfishError e = RedfishError::None;
        std::string m;
        if (!co_await ensureSystem(self, e, m)) co_return failure<bool>(e, m);
        auto o = ops(self);
        std::string path = self->systemPath_;
        auto before = co_await o.readSystem(path);
        bool wasOff = before.ok() && before.value.powerState == "Off";
        // ForceOff is sent even to a system that reads Off: a power-on still in
        // progress is cancelled by it. A BMC that refuses it for a system that
        // is off has nothing to do.
        std::string target = resetTarget(*self);
        std::string forceOff = "ForceOff";
        auto r = co_await o.reset(target, forceOff);
        if (!r.ok() && !wasOff) co_return r;
        asio::steady_timer t(self->io_);
        std::string last = "unknown";
        while (std::chrono::steady_clock::now() < deadline) {
            auto st = co_await o.readSystem(path);
            if (st.ok() && st.value.powerState == "Off") co_return RedfishResult<bool>{{}, {}, 200, !wasOff};
            if (st.ok()) last = st.value.powerState.value_or("unknown");
            t.expires_after(std::chrono::milliseconds(50));
            auto [ec] = co_await t.async_wait(asio::as_tuple(use_awaitable));
            (void)ec;
        }
        co_return failure<bool>(RedfishError::HttpStatus, "ForceOff accepted but PowerState read back '" + last +
                                                              "', not Off, within " + std::to_string(timeout.count()) +
                                                              " ms");
    }

    static awaitable<RedfishResult<json>> get(std::shared_ptr<RedfishBmc> self, std::string path) {
        auto o = ops(self);
        co_return co_await o.get(path);
    }

    static awaitable<RedfishResult<bool>> patch(std::shared_ptr<RedfishBmc> self, std::string path, std::string body) {
        auto o = ops(self);
        co_return co_await o.patch(path, body);
    }

    static void onStreamData(const std::shared_ptr<RedfishBmc>& s, std::string_view chunk,
                             const std::function<void(const RedfishEvent&)>& onEvent) {
        s->impl_->sse.feed(chunk, [&](const SseEvent& e) {
            auto j = jsonr::parse(e.data);
            if (!j) return;
            const json* events = jsonr::array(*j, "Events");
            if (!events) return;
            for (const auto& entry : *events) {
                RedfishEvent ev;
                ev.eventId = jsonr::text(entry, "EventId").value_or(e.id);
                ev.messageId = jsonr::text(entry, "MessageId").value_or("");
                ev.message = jsonr::text(entry, "Message").value_or("");
                ev.severity =
                    jsonr::text(entry, "MessageSeverity").value_or(jsonr::text(entry, "Severity").value_or(""));
                ev.origin = jsonr::link(entry, "OriginOfCondition").value_or("");
                ev.args = jsonr::strings(entry, "MessageArgs");
                if (!ev.messageId.empty()) onEvent(ev);
            }
        });
        if (!s->impl_->sse.lastEventId().empty()) s->impl_->lastEventId = s->impl_->sse.lastEventId();
    }

    static awaitable<void> subscribe(std::shared_ptr<RedfishBmc> self, std::function<void(const RedfishEvent&)> onEvent,
                                     std::function<void(const std::string&)> onEnd) {
        auto o = ops(self);
        auto headers = co_await o.authHeaders();
        if (self->impl_->closed) {
            self->impl_->stream.reset();
            co_return;
        }
        std::weak_ptr<RedfishBmc> weak = self;
        self->impl_->sse = SseParser();
        if (!self->impl_->lastEventId.empty()) headers.push_back({"Last-Event-ID", self->impl_->lastEventId});
        StreamCallbacks cb;
        cb.onHeaders = [weak](unsigned status, const std::vector<http::Header>&) {
            if (status != 401) return;
            if (auto s = weak.lock()) s->impl_->token.clear(); // the next subscription logs in again
        };
        cb.onData = [weak, onEvent](std::string_view chunk) {
            if (auto s = weak.lock()) onStreamData(s, chunk, onEvent);
        };
        cb.onEnd = [weak, onEnd](const std::string& why) {
            if (auto s = weak.lock()) s->impl_->stream.reset();
            if (onEnd) onEnd(why);
        };
        self->impl_->stream = self->http_.stream(self->endpoint_.url, self->sseUri_, std::move(headers),
                                                 self->endpoint_.tls, std::chrono::seconds(90), std::move(cb));
    }
};

void RedfishBmc::discover(std::function<void(RedfishResult<RedfishInventory>)> done) {
    spawn<RedfishInventory>(io_, RedfishBmcTasks::discover(shared_from_this()), std::move(done), log_);
}

void RedfishBmc::readSystem(std::function<void(RedfishResult<RedfishSystemState>)> done) {
    spawn<RedfishSystemState>(io_, RedfishBmcTasks::readSystem(shared_from_this()), std::move(done), log_);
}

void RedfishBmc::reset(const std::string& resetType, std::function<void(RedfishResult<bool>)> done) {
    spawn<bool>(io_, RedfishBmcTasks::reset(shared_from_this(), resetType), std::move(done), log_);
}

void RedfishBmc::forceOffConfirmed(std::chrono::milliseconds timeout, std::function<void(RedfishResult<bool>)> done) {
    spawn<bool>(io_, RedfishBmcTasks::forceOff(shared_from_this(), timeout), std::move(done), log_);
}

void RedfishBmc::get(const std::string& path, std::function<void(RedfishResult<json>)> done) {
    spawn<json>(io_, RedfishBmcTasks::get(shared_from_this(), path), std::move(done), log_);
}

void RedfishBmc::patch(const std::string& path, const nlohmann::json& body,
                       std::function<void(RedfishResult<bool>)> done) {
    spawn<bool>(io_, RedfishBmcTasks::patch(shared_from_this(), path, body.dump()), std::move(done), log_);
}

bool RedfishBmc::subscribed() const {
    return impl_->stream != nullptr;
}

bool RedfishBmc::subscribe(std::function<void(const RedfishEvent&)> onEvent,
                           std::function<void(const std::string&)> onEnd) {
    if (sseUri_.empty() || impl_->stream || impl_->closed) return false;
    // A placeholder marks the subscription as pending while the session is made.
    struct Pending : HttpStream {
        void close() override {}
    };
    impl_->stream = std::make_shared<Pending>();
    auto self = shared_from_this();
    asio::co_spawn(io_, RedfishBmcTasks::subscribe(self, std::move(onEvent), onEnd),
                   [self, onEnd](std::exception_ptr e) {
                       if (!e) return;
                       self->impl_->stream.reset();
                       self->log_("Redfish SSE subscription failed with an internal error");
                       if (onEnd) onEnd("internal error");
                   });
    return true;
}

void RedfishBmc::close() {
    impl_->closed = true;
    if (impl_->stream) {
        auto s = std::move(impl_->stream);
        s->close();
    }
    if (!impl_->token.empty() && !impl_->sessionLocation.empty()) {
        std::string loc = impl_->sessionLocation;
        // Location may be absolute ("https://host/redfish/v1/..."): keep the path.
        if (auto p = loc.find("/redfish/"); p != std::string::npos) loc = loc.substr(p);
        http_.request(
            endpoint_.url, "DELETE", loc, {}, {{"X-Auth-Token", impl_->token}}, [](HttpResult) {}, endpoint_.tls);
        impl_->token.clear();
    }
}

} // namespace cmc::southbound
