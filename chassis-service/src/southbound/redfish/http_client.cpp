#include "southbound/redfish/http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdlib>
#include <deque>
#include <map>

namespace cmc::southbound {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string basicAuth(const std::string& user, const std::string& password) {
    return "Basic " + http::base64Encode(user + ":" + password);
}

namespace {

struct Job {
    std::string method;
    std::string target;
    std::string body;
    std::vector<http::Header> headers;
    std::function<void(HttpResult)> done;
    Clock::time_point started;
    bool retried = false;
};

bool parseBase(const std::string& url, std::string& host, std::string& port) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) return false;
    auto rest = url.substr(scheme.size());
    auto slash = rest.find('/');
    if (slash != std::string::npos) rest = rest.substr(0, slash);
    auto colon = rest.rfind(':');
    if (colon == std::string::npos) {
        host = rest;
        port = "80";
    } else {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    return !host.empty() && !port.empty();
}

} // namespace

struct Pool;

struct Conn : std::enable_shared_from_this<Conn> {
    explicit Conn(asio::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bool connected = false;
    Clock::time_point lastUsed = Clock::now();
};

struct Pool {
    std::string key; // host:port
    std::string host;
    std::string port;
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

    void request(const std::string& baseUrl, Job job) {
        std::string host, port;
        if (!parseBase(baseUrl, host, port)) {
            HttpResult r;
            r.error = "unsupported URL '" + baseUrl + "' (http://host:port expected)";
            finish(job, std::move(r));
            return;
        }
        if (stopped_) {
            HttpResult r;
            r.error = "client shut down";
            finish(job, std::move(r));
            return;
        }
        auto key = host + ":" + port;
        auto& pool = pools_[key];
        if (pool.key.empty()) {
            pool.key = key;
            pool.host = host;
            pool.port = port;
        }
        if (pool.queue.size() >= options_.maxQueuedPerHost) {
            HttpResult r;
            r.error = "too many requests queued for " + key;
            finish(job, std::move(r));
            return;
        }
        pool.queue.push_back(std::move(job));
        pump(pool);
    }

    void pump(Pool& pool) {
        while (!pool.queue.empty()) {
            std::shared_ptr<Conn> conn;
            while (!pool.idle.empty()) {
                auto c = pool.idle.back();
                pool.idle.pop_back();
                if (Clock::now() - c->lastUsed < options_.idleTimeout && c->stream.socket().is_open()) {
                    conn = c;
                    break;
                }
            }
            if (!conn) {
                if (pool.active >= options_.maxConnectionsPerHost) return;
                conn = std::make_shared<Conn>(io_);
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
            beast::error_code ec;
            conn->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
            conn->stream.close();
        }
        pump(pool);
    }

    void run(const std::string& key, std::shared_ptr<Conn> conn, Job job) {
        auto self = shared_from_this();
        auto jobPtr = std::make_shared<Job>(std::move(job));
        if (jobPtr->started == Clock::time_point{}) jobPtr->started = Clock::now();
        conn->stream.expires_after(options_.timeout);
        if (conn->connected) {
            send(key, conn, jobPtr, true);
            return;
        }
        auto& pool = pools_[key];
        beast::error_code addrEc;
        auto addr = asio::ip::make_address(pool.host, addrEc);
        if (!addrEc) {
            std::uint16_t portNum = static_cast<std::uint16_t>(std::strtoul(pool.port.c_str(), nullptr, 10));
            conn->stream.async_connect(tcp::endpoint(addr, portNum), [self, key, conn, jobPtr](beast::error_code ec2) {
                if (ec2) {
                    self->fail(key, conn, jobPtr, "cannot connect: " + ec2.message());
                    return;
                }
                conn->connected = true;
                conn->stream.socket().set_option(tcp::no_delay(true), ec2);
                self->send(key, conn, jobPtr, false);
            });
            return;
        }
        resolver_.async_resolve(
            pool.host, pool.port, [self, key, conn, jobPtr](beast::error_code ec, tcp::resolver::results_type results) {
                if (ec) {
                    self->fail(key, conn, jobPtr, "cannot resolve: " + ec.message());
                    return;
                }
                conn->stream.async_connect(results,
                                           [self, key, conn, jobPtr](beast::error_code ec2, const tcp::endpoint&) {
                                               if (ec2) {
                                                   self->fail(key, conn, jobPtr, "cannot connect: " + ec2.message());
                                                   return;
                                               }
                                               conn->connected = true;
                                               conn->stream.socket().set_option(tcp::no_delay(true), ec2);
                                               self->send(key, conn, jobPtr, false);
                                           });
            });
    }

    void send(const std::string& key, std::shared_ptr<Conn> conn, std::shared_ptr<Job> job, bool reused) {
        auto self = shared_from_this();
        auto req = std::make_shared<bhttp::request<bhttp::string_body>>();
        req->version(11);
        req->method_string(job->method);
        req->target(job->target);
        req->set(bhttp::field::host, key);
        req->set(bhttp::field::user_agent, "OpenCMC-cmcd");
        req->keep_alive(true);
        for (const auto& h : job->headers)
            req->set(h.name, h.value);
        if (!job->body.empty() || job->method == "POST" || job->method == "PATCH" || job->method == "PUT") {
            req->body() = job->body;
            if (!req->count(bhttp::field::content_type)) req->set(bhttp::field::content_type, "application/json");
        }
        req->prepare_payload();
        bhttp::async_write(conn->stream, *req, [self, key, conn, job, req, reused](beast::error_code ec, std::size_t) {
            if (ec) {
                self->retryOrFail(key, conn, job, reused, "write failed: " + ec.message());
                return;
            }
            auto parser = std::make_shared<bhttp::response_parser<bhttp::string_body>>();
            parser->body_limit(self->options_.bodyLimit);
            if (job->method == "HEAD") parser->skip(true);
            bhttp::async_read(conn->stream, conn->buffer, *parser,
                              [self, key, conn, job, parser, reused](beast::error_code ec2, std::size_t) {
                                  if (ec2) {
                                      self->retryOrFail(key, conn, job, reused,
                                                        ec2 == beast::error::timeout ? "timed out"
                                                                                     : "read failed: " + ec2.message());
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
                                  conn->stream.expires_never();
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
            beast::error_code ec;
            conn->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
            conn->stream.close();
            auto fresh = std::make_shared<Conn>(io_);
            run(key, fresh, std::move(*job));
            return;
        }
        fail(key, conn, job, why);
    }

    void fail(const std::string& key, std::shared_ptr<Conn> conn, std::shared_ptr<Job> job, const std::string& why) {
        release(key, conn, false);
        HttpResult r;
        r.error = key + ": " + why;
        finish(*job, std::move(r));
    }

    void shutdown() {
        stopped_ = true;
        for (auto& [key, pool] : pools_) {
            for (auto& c : pool.idle)
                c->stream.close();
            pool.idle.clear();
            while (!pool.queue.empty()) {
                HttpResult r;
                r.error = "client shut down";
                finish(pool.queue.front(), std::move(r));
                pool.queue.pop_front();
            }
        }
    }

    asio::io_context& io_;
    HttpClientOptions options_;
    tcp::resolver resolver_;
    std::map<std::string, Pool> pools_;
    bool stopped_ = false;
};

HttpClient::HttpClient(asio::io_context& io, HttpClientOptions options) : impl_(std::make_shared<Impl>(io, options)) {}

HttpClient::~HttpClient() {
    impl_->shutdown();
}

void HttpClient::request(const std::string& baseUrl, const std::string& method, const std::string& target,
                         std::string body, std::vector<http::Header> headers, std::function<void(HttpResult)> done) {
    Job job;
    job.method = method;
    job.target = target;
    job.body = std::move(body);
    job.headers = std::move(headers);
    job.done = std::move(done);
    job.started = Clock::now();
    impl_->request(baseUrl, std::move(job));
}

void HttpClient::shutdown() {
    impl_->shutdown();
}

} // namespace cmc::southbound
