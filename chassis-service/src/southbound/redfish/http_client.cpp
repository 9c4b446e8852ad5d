#include "southbound/redfish/http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>

namespace cmc::southbound {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string basicAuth(const std::string& user, const std::string& password) {
    return "Basic " + http::base64Encode(user + ":" + password);
}

std::string TlsPolicy::key() const {
    return fingerprintSha256 + "|" + caFile + "|" + (insecure ? "1" : "0");
}

std::string normaliseFingerprint(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == ':' || c == ' ') continue;
        if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return {};
        out += c;
    }
    return out.size() == 64 ? out : std::string();
}

const std::string* HttpResult::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (http::iequals(h.name, name)) return &h.value;
    }
    return nullptr;
}

namespace {

std::string colonHex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        if (i) out += ':';
        out += hex.substr(i, 2);
    }
    return out;
}

struct Job {
    std::string method;
    std::string target;
    std::string body;
    std::vector<http::Header> headers;
    std::function<void(HttpResult)> done;
    Clock::time_point started;
    bool retried = false;
};

struct Target {
    bool https = false;
    std::string host;
    std::string port;
};

bool parseBase(const std::string& url, Target& t) {
    std::string rest;
    if (url.rfind("http://", 0) == 0) {
        rest = url.substr(7);
    } else if (url.rfind("https://", 0) == 0) {
        t.https = true;
        rest = url.substr(8);
    } else {
        return false;
    }
    auto slash = rest.find('/');
    if (slash != std::string::npos) rest = rest.substr(0, slash);
    if (!rest.empty() && rest.front() == '[') { // [IPv6]:port
        auto close = rest.find(']');
        if (close == std::string::npos) return false;
        t.host = rest.substr(1, close - 1);
        auto after = rest.substr(close + 1);
        t.port = after.size() > 1 && after[0] == ':' ? after.substr(1) : (t.https ? "443" : "80");
    } else {
        auto colon = rest.rfind(':');
        if (colon == std::string::npos) {
            t.host = rest;
            t.port = t.https ? "443" : "80";
        } else {
            t.host = rest.substr(0, colon);
            t.port = rest.substr(colon + 1);
        }
    }
    if (t.host.empty() || t.port.empty() || t.port.find_first_not_of("0123456789") != std::string::npos) return false;
    return std::strtoul(t.port.c_str(), nullptr, 10) <= 65535;
}

// One TLS context per connection pool (per peer and policy).
struct TlsSetup {
    std::shared_ptr<ssl::context> ctx;
    std::string error; // set when the policy cannot be used (unreadable CA file)
};

TlsSetup makeTls(const TlsPolicy& p) {
    TlsSetup s;
    s.ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    s.ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    if (!p.fingerprintSha256.empty() || p.insecure) {
        s.ctx->set_verify_mode(p.insecure && p.fingerprintSha256.empty() ? ssl::verify_none : ssl::verify_peer, ec);
    } else if (!p.caFile.empty()) {
        s.ctx->set_verify_mode(ssl::verify_peer, ec);
        s.ctx->load_verify_file(p.caFile, ec);
        if (ec) s.error = "cannot load CA file '" + p.caFile + "': " + ec.message();
    } else {
        s.ctx->set_verify_mode(ssl::verify_peer, ec);
        s.ctx->set_default_verify_paths(ec);
    }
    return s;
}

} // namespace

struct Conn : std::enable_shared_from_this<Conn> {
    Conn(asio::io_context& io, const std::shared_ptr<ssl::context>& ctx) {
        if (ctx)
            tls.emplace(io, *ctx);
        else
            plain.emplace(io);
    }
    beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
    template <class F> void with(F&& f) {
        if (tls)
            f(*tls);
        else
            f(*plain);
    }
    void closeNow() {
        beast::error_code ec;
        tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
        tcp().close();
    }

    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;
    bool connected = false;
    std::string verifyError; // why the peer's certificate was refused
    Clock::time_point lastUsed = Clock::now();
};

struct Pool {
    std::string key;
    Target target;
    TlsPolicy policy;
    TlsSetup tls;
    std::vector<std::shared_ptr<Conn>> idle;
    std::size_t active = 0;
    std::deque<Job> queue;
};

struct HttpClient::Impl : std::enable_shared_from_this<HttpClient::Impl> {
    Impl(asio::io_context& io, HttpClientOptions o) : io_(io), options_(o), resolver_(io) {}

    void finish(Job& job, HttpResult r) {
        r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - job.started);
        auto done = std::move(job.done);
        asio::post(io_, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
    }

    Pool* poolFor(const std::string& baseUrl, const TlsPolicy& policy, std::string& error) {
        Target t;
        if (!parseBase(baseUrl, t)) {
            error = "unsupported URL '" + baseUrl + "' (http://host:port or https://host:port expected)";
            return nullptr;
        }
        auto key = std::string(t.https ? "https://" : "http://") + t.host + ":" + t.port +
                   (t.https ? "#" + policy.key() : std::string());
        auto& pool = pools_[key];
        if (pool.key.empty()) {
            pool.key = key;
            pool.target = t;
            pool.policy = policy;
            if (t.https) pool.tls = makeTls(policy);
        }
        return &pool;
    }

    void request(const std::string& baseUrl, const TlsPolicy& policy, Job job) {
        HttpResult r;
        if (stopped_) {
            r.error = "client shut down";
            finish(job, std::move(r));
            return;
        }
        Pool* pool = poolFor(baseUrl, policy, r.error);
        if (pool && !pool->tls.error.empty()) {
            r.error = pool->tls.error;
            r.tlsError = true;
            pool = nullptr;
        }
        if (!pool) {
            finish(job, std::move(r));
            return;
        }
        if (pool->queue.size() >= options_.maxQueuedPerHost) {
            r.error = "too many requests queued for " + pool->target.host + ":" + pool->target.port;
            finish(job, std::move(r));
            return;
        }
        pool->queue.push_back(std::move(job));
        pump(*pool);
    }

    void pump(Pool& pool) {
        while (!pool.queue.empty()) {
            std::shared_ptr<Conn> conn;
            while (!pool.idle.empty()) {
                auto c = pool.idle.back();
                pool.idle.pop_back();
                if (Clock::now() - c->lastUsed < options_.idleTimeout && c->tcp().socket().is_open()) {
                    conn = c;
                    break;
                }
            }
            if (!conn) {
                if (pool.active >= options_.maxConnectionsPerHost) return;
                conn = std::make_shared<Conn>(io_, pool.tls.ctx);
            }
            ++pool.active;
            Job job = std::move(pool.queue.front());
            pool.queue.pop_front();
            run(pool.key, conn, std::move(job));
        }
    }

    void release(const std::string& key, const std::shared_ptr<Conn>& conn, bool reusable) {
        auto it = pools_.find(key);
        if (it == pools_.end()) return;
        auto& pool = it->second;
        if (pool.active > 0) --pool.active;
        if (reusable && !stopped_) {
            conn->lastUsed = Clock::now();
            pool.idle.push_back(conn);
        } else {
            conn->closeNow();
        }
        pump(pool);
    }

    // Sets the certificate check of a new TLS connection to the pool's policy.
    static void armVerify(Pool& pool, Conn& conn) {
        if (!conn.tls) return;
        const auto& host = pool.target.host;
        boost::system::error_code ec;
        asio::ip::make_address(host, ec);
        if (ec) SSL_set_tlsext_host_name(conn.tls->native_handle(), host.c_str()); // SNI for names only
        Conn* c = &conn;                                                           // the stream lives in conn
        auto pin = normaliseFingerprint(pool.policy.fingerprintSha256);
        if (!pool.policy.fingerprintSha256.empty()) {
            conn.tls->set_verify_callback([c, pin](bool, ssl::verify_context& vc) {
                X509_STORE_CTX* store = vc.native_handle();
                if (X509_STORE_CTX_get_error_depth(store) > 0) return true; // the leaf is pinned, not the chain
                X509* cert = X509_STORE_CTX_get_current_cert(store);
                unsigned char md[EVP_MAX_MD_SIZE];
                unsigned int len = 0;
                if (!cert || X509_digest(cert, EVP_sha256(), md, &len) != 1) {
                    c->verifyError = "cannot read the BMC's certificate";
                    return false;
                }
                static const char* hexd = "0123456789ABCDEF";
                std::string got;
                for (unsigned i = 0; i < len; ++i) {
                    got += hexd[md[i] >> 4];
                    got += hexd[md[i] & 15];
                }
                if (!pin.empty() && got == pin) return true;
                c->verifyError = "certificate fingerprint SHA256 " + colonHex(got) + " does not match the pinned " +
                                 (pin.empty() ? std::string("(malformed pin)") : colonHex(pin));
                return false;
            });
        } else if (!pool.policy.insecure) {
            ssl::host_name_verification check(host);
            conn.tls->set_verify_callback([c, check](bool preverified, ssl::verify_context& vc) mutable {
                bool ok = check(preverified, vc);
                if (!ok && c->verifyError.empty()) {
                    int err = X509_STORE_CTX_get_error(vc.native_handle());
                    c->verifyError = std::string("certificate not trusted: ") +
                                     (err != X509_V_OK ? X509_verify_cert_error_string(err) : "host name mismatch");
                }
                return ok;
            });
        }
    }

    // Connects (and shakes hands) then calls next(error); empty error = ready.
    void connect(Pool& pool, const std::shared_ptr<Conn>& conn, std::function<void(std::string, bool)> next) {
        auto self = shared_from_this();
        armVerify(pool, *conn);
        auto afterTcp = [self, conn, next](beast::error_code ec) {
            if (ec) {
                next(ec == beast::error::timeout ? "cannot connect: timed out" : "cannot connect: " + ec.message(),
                     false);
                return;
            }
            conn->tcp().socket().set_option(tcp::no_delay(true), ec);
            if (!conn->tls) {
                conn->connected = true;
                next({}, false);
                return;
            }
            conn->tls->async_handshake(ssl::stream_base::client, [conn, next](beast::error_code hec) {
                if (hec) {
                    std::string why = !conn->verifyError.empty()     ? conn->verifyError
                                      : hec == beast::error::timeout ? std::string("timed out")
                                                                     : hec.message();
                    next("TLS handshake failed: " + why, true);
                    return;
                }
                conn->connected = true;
                next({}, false);
            });
        };
        beast::error_code addrEc;
        auto addr = asio::ip::make_address(pool.target.host, addrEc);
        if (!addrEc) {
            auto portNum = static_cast<std::uint16_t>(std::strtoul(pool.target.port.c_str(), nullptr, 10));
            conn->tcp().async_connect(tcp::endpoint(addr, portNum), afterTcp);
            return;
        }
        resolver_.async_resolve(pool.target.host, pool.target.port,
                                [conn, afterTcp, next](beast::error_code ec, tcp::resolver::results_type results) {
                                    if (ec) {
                                        next("cannot resolve: " + ec.message(), false);
                                        return;
                                    }
                                    conn->tcp().async_connect(
                                        results,
                                        [afterTcp](beast::error_code ec2, const tcp::endpoint&) { afterTcp(ec2); });
                                });
    }

    void run(const std::string& key, std::shared_ptr<Conn> conn, Job job) {
        auto jobPtr = std::make_shared<Job>(std::move(job));
        if (jobPtr->started == Clock::time_point{}) jobPtr->started = Clock::now();
        conn->tcp().expires_after(options_.timeout);
        if (conn->connected) {
            send(key, conn, jobPtr, true);
            return;
        }
        auto self = shared_from_this();
        connect(pools_[key], conn, [self, key, conn, jobPtr](std::string error, bool tlsError) {
            if (!error.empty()) {
                self->fail(key, conn, jobPtr, error, tlsError);
                return;
            }
            self->send(key, conn, jobPtr, false);
        });
    }

    static std::shared_ptr<bhttp::request<bhttp::string_body>> makeRequest(const Target& t, const std::string& method,
                                                                           const std::string& target,
                                                                           const std::vector<http::Header>& headers,
                                                                           const std::string& body, bool keepAlive) {
        auto req = std::make_shared<bhttp::request<bhttp::string_body>>();
        req->version(11);
        req->method_string(method);
        req->target(target);
        req->set(bhttp::field::host, t.host + ":" + t.port);
        req->set(bhttp::field::user_agent, "OpenCMC-cmcd");
        req->keep_alive(keepAlive);
        for (const auto& h : headers)
            req->set(h.name, h.value);
        if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
            req->body() = body;
            if (!req->count(bhttp::field::content_type)) req->set(bhttp::field::content_type, "application/json");
        }
        req->prepare_payload();
        return req;
    }

    void send(const std::string& key, std::shared_ptr<Conn> conn, std::shared_ptr<Job> job, bool reused) {
        auto self = shared_from_this();
        auto req = makeRequest(pools_[key].target, job->method, job->target, job->headers, job->body, true);
        conn->with([&](auto& stream) {
            bhttp::async_write(stream, *req, [self, key, conn, job, req, reused](beast::error_code ec, std::size_t) {
                if (ec) {
                    self->retryOrFail(key, conn, job, reused, "write failed: " + ec.message());
                    return;
                }
                self->readResponse(key, conn, job, reused);
            });
        });
    }

    void readResponse(const std::string& key, std::shared_ptr<Conn> conn, std::shared_ptr<Job> job, bool reused) {
        auto self = shared_from_this();
        auto parser = std::make_shared<bhttp::response_parser<bhttp::string_body>>();
        parser->body_limit(options_.bodyLimit);
        if (job->method == "HEAD") parser->skip(true);
        conn->with([&](auto& stream) {
            bhttp::async_read(stream, conn->buffer, *parser,
                              [self, key, conn, job, parser, reused](beast::error_code ec, std::size_t) {
                                  if (ec) {
                                      self->retryOrFail(key, conn, job, reused,
                                                        ec == beast::error::timeout ? "timed out"
                                                                                    : "read failed: " + ec.message());
                                      return;
                                  }
                                  auto res = parser->release();
                                  HttpResult r;
                                  r.transportOk = true;
                                  r.status = res.result_int();
                                  for (const auto& f : res)
                                      r.headers.push_back({std::string(f.name_string()), std::string(f.value())});
                                  r.body = std::move(res.body());
                                  bool keep = res.keep_alive();
                                  conn->tcp().expires_never();
                                  self->release(key, conn, keep);
                                  self->finish(*job, std::move(r));
                              });
        });
    }

    // A reused keep-alive connection may have been closed by the server: retry
    // once on a fresh connection when the request is idempotent.
    void retryOrFail(const std::string& key, std::shared_ptr<Conn> conn, std::shared_ptr<Job> job, bool reused,
                     const std::string& why) {
        bool idempotent = job->method == "GET" || job->method == "HEAD" || job->method == "DELETE";
        if (reused && !job->retried && idempotent && why != "timed out" && !stopped_) {
            job->retried = true;
            conn->closeNow();
            auto fresh = std::make_shared<Conn>(io_, pools_[key].tls.ctx);
            run(key, fresh, std::move(*job));
            return;
        }
        fail(key, conn, job, why, false);
    }

    void fail(const std::string& key, std::shared_ptr<Conn> conn, std::shared_ptr<Job> job, const std::string& why,
              bool tlsError) {
        std::string peer = key.substr(0, key.find('#'));
        release(key, conn, false);
        HttpResult r;
        r.error = peer + ": " + why;
        r.tlsError = tlsError;
        finish(*job, std::move(r));
    }

    void shutdown() {
        stopped_ = true;
        for (auto& [key, pool] : pools_) {
            for (auto& c : pool.idle)
                c->closeNow();
            pool.idle.clear();
            while (!pool.queue.empty()) {
                HttpResult r;
                r.error = "client shut down";
                finish(pool.queue.front(), std::move(r));
                pool.queue.pop_front();
            }
        }
        auto streams = std::move(streams_);
        for (auto& w : streams) {
            if (auto s = w.lock()) s->close();
        }
    }

    asio::io_context& io_;
    HttpClientOptions options_;
    tcp::resolver resolver_;
    std::map<std::string, Pool> pools_;
    std::vector<std::weak_ptr<HttpStream>> streams_;
    bool stopped_ = false;
};

namespace {

// A streamed GET on its own connection: headers, then chunks as they come.
class StreamImpl : public HttpStream, public std::enable_shared_from_this<StreamImpl> {
public:
    StreamImpl(std::shared_ptr<HttpClient::Impl> client, std::shared_ptr<Conn> conn, std::chrono::milliseconds idle,
               StreamCallbacks cb)
        : client_(std::move(client)), conn_(std::move(conn)), idle_(idle), cb_(std::move(cb)) {}

    void start(Pool& pool, std::shared_ptr<bhttp::request<bhttp::string_body>> req,
               std::chrono::milliseconds connectTimeout) {
        auto self = shared_from_this();
        conn_->tcp().expires_after(connectTimeout);
        client_->connect(pool, conn_, [self, req](std::string error, bool) {
            if (!error.empty()) {
                self->end(error);
                return;
            }
            self->conn_->with([&](auto& stream) {
                bhttp::async_write(stream, *req, [self, req](beast::error_code ec, std::size_t) {
                    if (ec) {
                        self->end("write failed: " + ec.message());
                        return;
                    }
                    self->readHeader();
                });
            });
        });
    }

    void close() override { abort("closed"); }

    void abort(const std::string& why) {
        if (ended_) return;
        conn_->closeNow();
        end(why);
    }

private:
    void readHeader() {
        auto self = shared_from_this();
        parser_.body_limit(boost::none);
        conn_->with([&](auto& stream) {
            bhttp::async_read_header(stream, conn_->buffer, parser_, [self](beast::error_code ec, std::size_t) {
                if (ec) {
                    self->end(ec == beast::error::timeout ? "timed out" : "read failed: " + ec.message());
                    return;
                }
                const auto& res = self->parser_.get();
                std::vector<http::Header> headers;
                for (const auto& f : res)
                    headers.push_back({std::string(f.name_string()), std::string(f.value())});
                unsigned status = res.result_int();
                if (self->cb_.onHeaders && !self->ended_) self->cb_.onHeaders(status, headers);
                if (status != 200) {
                    self->conn_->closeNow();
                    self->end("HTTP " + std::to_string(status));
                    return;
                }
                self->readBody();
            });
        });
    }

    void readBody() {
        if (ended_) return;
        auto self = shared_from_this();
        auto& body = parser_.get().body();
        body.data = chunk_.data();
        body.size = chunk_.size();
        conn_->tcp().expires_after(idle_);
        conn_->with([&](auto& stream) {
            bhttp::async_read_some(stream, conn_->buffer, parser_, [self](beast::error_code ec, std::size_t) {
                auto& b = self->parser_.get().body();
                std::size_t got = self->chunk_.size() - b.size;
                if (got > 0 && self->cb_.onData && !self->ended_)
                    self->cb_.onData(std::string_view(self->chunk_.data(), got));
                if (ec == bhttp::error::need_buffer) ec = {};
                if (ec) {
                    self->end(ec == beast::error::timeout ? "idle timeout" : "stream ended: " + ec.message());
                    return;
                }
                if (self->parser_.is_done()) {
                    self->end("stream ended by the server");
                    return;
                }
                self->readBody();
            });
        });
    }

    void end(const std::string& why) {
        if (ended_) return;
        ended_ = true;
        conn_->closeNow();
        auto onEnd = std::move(cb_.onEnd);
        cb_ = {};
        if (onEnd) onEnd(why);
    }

    std::shared_ptr<HttpClient::Impl> client_;
    std::shared_ptr<Conn> conn_;
    std::chrono::milliseconds idle_;
    StreamCallbacks cb_;
    bhttp::response_parser<bhttp::buffer_body> parser_;
    std::array<char, 8192> chunk_{};
    bool ended_ = false;
};

} // namespace

HttpClient::HttpClient(asio::io_context& io, HttpClientOptions options) : impl_(std::make_shared<Impl>(io, options)) {}

HttpClient::~HttpClient() {
    impl_->shutdown();
}

void HttpClient::request(const std::string& baseUrl, const std::string& method, const std::string& target,
                         std::string body, std::vector<http::Header> headers, std::function<void(HttpResult)> done,
                         const TlsPolicy& tls) {
    Job job;
    job.method = method;
    job.target = target;
    job.body = std::move(body);
    job.headers = std::move(headers);
    job.done = std::move(done);
    job.started = Clock::now();
    impl_->request(baseUrl, tls, std::move(job));
}

std::shared_ptr<HttpStream> HttpClient::stream(const std::string& baseUrl, const std::string& target,
                                               std::vector<http::Header> headers, const TlsPolicy& tls,
                                               std::chrono::milliseconds idle, StreamCallbacks callbacks) {
    std::string error = impl_->stopped_ ? "client shut down" : "";
    Pool* pool = error.empty() ? impl_->poolFor(baseUrl, tls, error) : nullptr;
    if (pool && !pool->tls.error.empty()) {
        error = pool->tls.error;
        pool = nullptr;
    }
    auto conn = std::make_shared<Conn>(impl_->io_, pool ? pool->tls.ctx : nullptr);
    auto s = std::make_shared<StreamImpl>(impl_, conn, idle, std::move(callbacks));
    if (!pool) {
        auto weak = std::weak_ptr<StreamImpl>(s);
        asio::post(impl_->io_, [weak, error] {
            if (auto p = weak.lock()) p->abort(error);
        });
        return s;
    }
    headers.push_back({"Accept", "text/event-stream"});
    auto req = Impl::makeRequest(pool->target, "GET", target, headers, {}, true);
    impl_->streams_.push_back(s);
    std::erase_if(impl_->streams_, [](const std::weak_ptr<HttpStream>& w) { return w.expired(); });
    s->start(*pool, req, impl_->options_.timeout);
    return s;
}

void HttpClient::shutdown() {
    impl_->shutdown();
}

} // namespace cmc::southbound
