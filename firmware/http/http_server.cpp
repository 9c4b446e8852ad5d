// The only translation unit of the HTTP server that includes Beast.
#include "http/http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <unordered_set>

namespace cmc::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

Response defaultError(unsigned status, std::string_view message) {
    Response r;
    r.status = status;
    r.set("Content-Type", "text/plain");
    r.body = std::string(message) + "\n";
    return r;
}

} // namespace

class Session;

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
    Impl(asio::io_context& io, Handler h, ServerOptions o)
        : io_(io), acceptor_(io), handler_(std::move(h)), options_(std::move(o)) {
        if (!options_.errorResponse) options_.errorResponse = defaultError;
    }

    void doAccept();

    asio::io_context& io_;
    tcp::acceptor acceptor_;
    Handler handler_;
    ServerOptions options_;
    std::uint16_t port_ = 0;
    bool stopped_ = false;
    std::unordered_set<Session*> sessions_;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, std::shared_ptr<Server::Impl> server)
        : stream_(std::move(socket)), timer_(stream_.get_executor()), server_(std::move(server)) {
        server_->sessions_.insert(this);
        boost::system::error_code ec;
        auto ep = stream_.socket().remote_endpoint(ec);
        if (!ec) remote_ = ep.address().to_string();
        auto lp = stream_.socket().local_endpoint(ec);
        if (!ec) localPort_ = lp.port();
    }
    ~Session() { server_->sessions_.erase(this); }

    void start(bool rejectBusy) {
        if (rejectBusy) {
            auto r = server_->options_.errorResponse(503, "too many connections");
            r.close = true;
            write(std::move(r), 11, true);
            return;
        }
        doRead();
    }

    void close() {
        auto keep = shared_from_this();
        hung_.reset();
        pending_.reset();
        boost::system::error_code ec;
        timer_.cancel();
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.socket().close(ec);
    }

private:
    void doRead() {
        parser_.emplace();
        parser_->body_limit(server_->options_.bodyLimit);
        parser_->header_limit(static_cast<std::uint32_t>(server_->options_.headerLimit));
        stream_.expires_after(first_ ? server_->options_.readTimeout : server_->options_.idleTimeout);
        bhttp::async_read(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
    }

    void onRead(beast::error_code ec) {
        first_ = false;
        if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
            close();
            return;
        }
        if (ec) {
            unsigned status = 400;
            std::string msg = "malformed HTTP request: " + ec.message();
            if (ec == bhttp::error::body_limit) {
                status = 413;
                msg = "request body exceeds " + std::to_string(server_->options_.bodyLimit) + " bytes";
            } else if (ec == bhttp::error::header_limit) {
                status = 431;
                msg = "request header fields too large";
            }
            auto r = server_->options_.errorResponse(status, msg);
            r.close = true;
            write(std::move(r), 11, true);
            return;
        }
        stream_.expires_never();
        auto msg = parser_->release();
        Request req;
        req.method = std::string(msg.method_string());
        req.target = std::string(msg.target());
        auto q = req.target.find('?');
        std::string_view rawPath = std::string_view(req.target).substr(0, q);
        if (q != std::string::npos) req.query = req.target.substr(q + 1);
        auto decoded = percentDecode(rawPath);
        version_ = msg.version();
        keepAlive_ = msg.keep_alive();
        if (!decoded || rawPath.empty() || rawPath.front() != '/') {
            auto r = server_->options_.errorResponse(400, "malformed request target");
            r.close = true;
            write(std::move(r), version_, true);
            return;
        }
        req.path = std::move(*decoded);
        req.headers.reserve(16);
        for (const auto& f : msg) {
            req.headers.push_back({std::string(f.name_string()), std::string(f.value())});
        }
        req.body = std::move(msg.body());
        req.remoteAddress = remote_;
        req.localPort = localPort_;
        isHead_ = req.method == "HEAD";
        std::weak_ptr<Session> weak = shared_from_this();
        // The responder holds only a weak reference; hold the session until it answers.
        pending_ = shared_from_this();
        auto server = server_;
        server->handler_(std::move(req), [weak](Response r) {
            if (auto self = weak.lock()) self->respond(std::move(r));
        });
    }

    void respond(Response r) {
        auto keep = std::move(pending_);
        if (r.hang) {
            // Hold the connection without an answer, as a hung service would.
            timer_.expires_after(server_->options_.hangTimeout);
            timer_.async_wait([self = shared_from_this()](beast::error_code) { self->close(); });
            hung_ = shared_from_this();
            drainWhileHung();
            return;
        }
        if (r.delay.count() > 0) {
            auto d = r.delay;
            r.delay = std::chrono::milliseconds(0);
            delayed_ = std::move(r);
            timer_.expires_after(d);
            timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
                if (ec) return;
                auto resp = std::move(*self->delayed_);
                self->delayed_.reset();
                self->write(std::move(resp), self->version_, false);
            });
            return;
        }
        write(std::move(r), version_, false);
    }

    // A hung service still notices when the client gives up and closes: read
    // and discard until then, so abandoned connections do not pile up.
    void drainWhileHung() {
        stream_.expires_never();
        stream_.socket().async_read_some(asio::buffer(drain_),
                                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                             if (ec) {
                                                 self->close();
                                                 return;
                                             }
                                             if (self->hung_) self->drainWhileHung();
                                         });
    }

    void write(Response r, unsigned version, bool forceClose) {
        auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
        res->version(version);
        res->result(r.status);
        res->set(bhttp::field::server, server_->options_.serverName);
        for (auto& h : r.headers)
            res->set(h.name, h.value);
        bool keep = keepAlive_ && !r.close && !forceClose;
        res->keep_alive(keep);
        if (isHead_) {
            res->content_length(r.body.size());
        } else {
            res->body() = std::move(r.body);
            res->prepare_payload();
        }
        stream_.expires_after(server_->options_.readTimeout);
        bhttp::async_write(stream_, *res, [self = shared_from_this(), res, keep](beast::error_code ec, std::size_t) {
            if (ec || !keep) {
                self->close();
                return;
            }
            self->doRead();
        });
    }

    beast::tcp_stream stream_;
    asio::steady_timer timer_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::shared_ptr<Server::Impl> server_;
    std::shared_ptr<Session> pending_;
    std::shared_ptr<Session> hung_;
    std::optional<Response> delayed_;
    std::array<char, 512> drain_{};
    std::string remote_;
    std::uint16_t localPort_ = 0;
    unsigned version_ = 11;
    bool keepAlive_ = true;
    bool isHead_ = false;
    bool first_ = true;
};

void Server::Impl::doAccept() {
    acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (self->stopped_) return;
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
            bool busy = self->sessions_.size() >= self->options_.maxConnections;
            std::make_shared<Session>(std::move(socket), self)->start(busy);
        }
        self->doAccept();
    });
}

Server::Server(asio::io_context& io, Handler handler, ServerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(handler), std::move(options))) {}

Server::~Server() {
    stop();
}

bool Server::listen(const std::string& address, std::uint16_t port, std::string& error) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(address, ec);
    if (ec) {
        error = "invalid listen address '" + address + "': " + ec.message();
        return false;
    }
    tcp::endpoint ep(addr, port);
    impl_->acceptor_.open(ep.protocol(), ec);
    if (!ec) impl_->acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) impl_->acceptor_.bind(ep, ec);
    if (!ec) impl_->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        error = "cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message();
        boost::system::error_code ignored;
        impl_->acceptor_.close(ignored);
        return false;
    }
    impl_->port_ = impl_->acceptor_.local_endpoint().port();
    impl_->doAccept();
    return true;
}

std::uint16_t Server::port() const {
    return impl_->port_;
}

std::size_t Server::connectionCount() const {
    return impl_->sessions_.size();
}

void Server::stop() {
    if (!impl_ || impl_->stopped_) return;
    impl_->stopped_ = true;
    boost::system::error_code ec;
    impl_->acceptor_.close(ec);
    // Closing sockets makes pending operations complete with errors; sessions then die.
    std::vector<Session*> sessions(impl_->sessions_.begin(), impl_->sessions_.end());
    for (auto* s : sessions)
        s->close();
}

} // namespace cmc::http
