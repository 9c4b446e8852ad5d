// The client runs its own io_context on the calling thread: each call issues
// its requests and runs the loop until they are answered, so the commands
// read as straight-line code while the HTTP client stays asynchronous.
#include "cmcctl/client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "common/json_reader.hpp"

namespace cmc::cmcctl {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kParallel = 32; // GETs in flight at once (the client queues 64 per host)
const std::string kSessions = "/redfish/v1/SessionService/Sessions";

// "https://host:port/redfish/..." -> "/redfish/..." (a Location may be absolute).
std::string pathOf(const std::string& location) {
    auto scheme = location.find("://");
    if (scheme == std::string::npos) return location;
    auto slash = location.find('/', scheme + 3);
    return slash == std::string::npos ? "/" : location.substr(slash);
}

Reply toReply(southbound::HttpResult r) {
    Reply out;
    out.transportOk = r.transportOk;
    out.tlsError = r.tlsError;
    out.status = r.status;
    out.error = std::move(r.error);
    out.headers = std::move(r.headers);
    if (!r.body.empty()) out.body = jsonr::parse(r.body);
    return out;
}

} // namespace

const std::string* Reply::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (http::iequals(h.name, name)) return &h.value;
    }
    return nullptr;
}

struct Client::Impl {
    explicit Impl(const Settings& s)
        : http(io, southbound::HttpClientOptions{s.timeout, 4, 64, 16 * 1024 * 1024, std::chrono::milliseconds(30000)}),
          signals(io, SIGINT, SIGTERM) {
        armSignals();
    }

    void armSignals() {
        signals.async_wait([this](const boost::system::error_code& ec, int) {
            if (ec) return;
            if (interrupted) std::_Exit(130); // a second Ctrl-C: stop at once
            interrupted = true;
            if (timer) timer->cancel();
            if (stream) stream->close();
            armSignals();
        });
    }

    // Runs the loop until `done` (the loop never runs dry: idle connections hold timers).
    void runUntil(const bool& done) {
        while (!done) {
            if (io.stopped()) io.restart();
            io.run_one();
        }
    }

    asio::io_context io;
    southbound::HttpClient http;
    asio::signal_set signals;
    asio::steady_timer* timer = nullptr;
    std::shared_ptr<southbound::HttpStream> stream;
    bool interrupted = false;
};

Client::Client(Settings s) : impl_(std::make_unique<Impl>(s)), settings_(std::move(s)) {}

Client::~Client() {
    impl_->http.shutdown();
}

std::vector<http::Header> Client::authHeaders() const {
    std::vector<http::Header> h{{"Accept", "application/json"}, {"User-Agent", "cmcctl"}, {"OData-Version", "4.0"}};
    if (!token_.empty())
        h.push_back({"X-Auth-Token", token_});
    else if (!basic_.empty())
        h.push_back({"Authorization", basic_});
    return h;
}

int Client::login() {
    if (!settings_.token.empty()) {
        token_ = settings_.token;
        return kOk;
    }
    json body{{"UserName", settings_.user}, {"Password", settings_.password}};
    Reply r = call("POST", kSessions, &body);
    if (r.transportOk && (r.status == 404 || r.status == 405)) {
        // No SessionService: HTTP Basic on every request.
        basic_ = southbound::basicAuth(settings_.user, settings_.password);
        return kOk;
    }
    if (!r.ok()) return reportFailure("login as " + settings_.user, r, true);
    const std::string* token = r.header("X-Auth-Token");
    if (!token || token->empty()) {
        std::cerr << "cmcctl: login as " << settings_.user << ": the service answered " << r.status
                  << " without an X-Auth-Token\n";
        return kRefused;
    }
    token_ = *token;
    if (const std::string* loc = r.header("Location"))
        sessionUri_ = pathOf(*loc);
    else if (r.body)
        sessionUri_ = jsonr::text(*r.body, "@odata.id").value_or("");
    return kOk;
}

void Client::logout() {
    if (keep_ || sessionUri_.empty() || !settings_.token.empty()) return;
    (void)call("DELETE", sessionUri_);
    sessionUri_.clear();
    token_.clear();
}

Reply Client::call(const std::string& method, const std::string& target, const json* body) {
    bool done = false;
    Reply out;
    auto headers = authHeaders();
    std::string text;
    if (body) {
        text = body->dump(-1, ' ', false, json::error_handler_t::replace);
        headers.push_back({"Content-Type", "application/json"});
    }
    impl_->http.request(
        settings_.url, method, target, std::move(text), std::move(headers),
        [&out, &done](southbound::HttpResult r) {
            out = toReply(std::move(r));
            done = true;
        },
        settings_.tls);
    impl_->runUntil(done);
    return out;
}

std::vector<Reply> Client::getAll(const std::vector<std::string>& targets) {
    std::vector<Reply> out(targets.size());
    for (std::size_t start = 0; start < targets.size(); start += kParallel) {
        std::size_t end = std::min(targets.size(), start + kParallel);
        std::size_t pending = end - start;
        bool done = pending == 0;
        for (std::size_t i = start; i < end; ++i) {
            impl_->http.request(
                settings_.url, "GET", targets[i], {}, authHeaders(),
                [&out, &pending, &done, i](southbound::HttpResult r) {
                    out[i] = toReply(std::move(r));
                    if (--pending == 0) done = true;
                },
                settings_.tls);
        }
        impl_->runUntil(done);
    }
    return out;
}

bool Client::pause(std::chrono::milliseconds d) {
    if (impl_->interrupted) return false;
    asio::steady_timer timer(impl_->io, d);
    bool done = false;
    impl_->timer = &timer;
    timer.async_wait([&done](const boost::system::error_code&) { done = true; });
    impl_->runUntil(done);
    impl_->timer = nullptr;
    return !impl_->interrupted;
}

bool Client::interrupted() const {
    return impl_->interrupted;
}

std::string Client::stream(const std::string& target, std::vector<http::Header> headers,
                           const std::function<bool(unsigned status)>& onHeaders,
                           const std::function<void(std::string_view chunk)>& onData) {
    auto all = authHeaders();
    for (auto& h : all) {
        if (h.name == "Accept") h.value = "text/event-stream";
    }
    for (auto& h : headers)
        all.push_back(std::move(h));
    bool done = false;
    std::string why;
    southbound::StreamCallbacks cb;
    cb.onHeaders = [this, &onHeaders](unsigned status, const std::vector<http::Header>&) {
        if (!onHeaders(status) && impl_->stream) impl_->stream->close();
    };
    cb.onData = [&onData](std::string_view chunk) { onData(chunk); };
    cb.onEnd = [&done, &why](const std::string& w) {
        why = w;
        done = true;
    };
    // No chunk for 60 s is a dead stream (cmcd sends a keep-alive comment before that).
    impl_->stream =
        impl_->http.stream(settings_.url, target, std::move(all), settings_.tls, std::chrono::seconds(60), cb);
    if (impl_->interrupted) impl_->stream->close();
    impl_->runUntil(done);
    impl_->stream.reset();
    return why;
}

int reportFailure(const std::string& what, const Reply& r, bool login) {
    if (!r.transportOk) {
        std::cerr << "cmcctl: " << what << ": " << (r.tlsError ? "TLS: " : "") << r.error << "\n";
        if (r.tlsError) std::cerr << "cmcctl: check --ca-file or --fingerprint (or --insecure for a test service)\n";
        return kUnreachable;
    }
    std::cerr << "cmcctl: " << what << ": HTTP " << r.status;
    const json* err = r.body ? jsonr::object(*r.body, "error") : nullptr;
    if (err) {
        const json* infos = jsonr::array(*err, "@Message.ExtendedInfo");
        if (infos && !infos->empty()) {
            std::cerr << "\n";
            for (const auto& m : *infos) {
                std::cerr << "  " << jsonr::text(m, "Message").value_or("(no message)") << " ["
                          << jsonr::text(m, "MessageId").value_or("-") << "]\n";
                if (auto res = jsonr::text(m, "Resolution"); res && *res != "None.")
                    std::cerr << "    " << *res << "\n";
            }
        } else {
            std::cerr << ": " << jsonr::text(*err, "message").value_or("(no message)") << " ["
                      << jsonr::text(*err, "code").value_or("-") << "]\n";
        }
    } else {
        std::cerr << " (no DMTF error body)\n";
    }
    if (r.status == 401) return kAuthFailed;
    if (r.status == 403) return login ? kAuthFailed : kRefused;
    if (r.status == 404) return kNotFound;
    return kRefused;
}

} // namespace cmc::cmcctl
