// The only translation unit of the HTTP server that includes Beast.
//
// One session per connection, plain TCP or TLS (the same template on two
// stream types). A request is answered through a responder; while the answer
// is pending the session watches the socket so that a client that gives up is
// noticed at once. An answer is either a whole response (keep-alive) or a
// stream: status and headers, then a close-delimited body fed by a bounded
// queue.
#include "http/http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

#include <deque>
#include <unordered_set>

namespace cmc::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace {

Response defaultError(unsigned status, std::string_view message) {
    Response r;
    r.status = status;
    r.set("Content-Type", "text/plain");
    r.body = std::string(message) + "\n";
    return r;
}

bool headerSafe(std::string_view s) {
    return s.find_first_of("\r\n") == std::string_view::npos;
}

// How long a TLS close_notify exchange may take before the socket is closed.
constexpr std::chrono::milliseconds kTlsShutdownTimeout{1000};
// Bytes a client may send while its answer is pending (a pipelined request) before it is cut off.
constexpr std::size_t kPendingReadLimit = 64 * 1024;

} // namespace

class SessionBase : public std::enable_shared_from_this<SessionBase> {
public:
    virtual ~SessionBase() = default;
    virtual void close() = 0;
};

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
    Impl(asio::io_context& io, Handler h, ServerOptions o)
        : io_(io), acceptor_(io), handler_(std::move(h)), options_(std::move(o)) {
        if (!options_.errorResponse) options_.errorResponse = defaultError;
    }

    [[nodiscard]] bool setupTls(const TlsIdentity& id, std::string& error);
    void doAccept();

    asio::io_context& io_;
    tcp::acceptor acceptor_;
    Handler handler_;
    ServerOptions options_;
    std::unique_ptr<ssl::context> tls_;
    std::uint16_t port_ = 0;
    bool stopped_ = false;
    std::unordered_set<SessionBase*> sessions_;
};

template <class Stream> class Session;

// The handle a streaming handler keeps: forwards to its session while it lives.
template <class Stream> class Sink final : public StreamSink {
public:
    explicit Sink(std::weak_ptr<Session<Stream>> s) : session_(std::move(s)) {}
    bool write(std::string data) override {
        auto s = session_.lock();
        return s && s->streamWrite(std::move(data));
    }
    [[nodiscard]] bool isOpen() const override {
        auto s = session_.lock();
        return s && s->streamOpen();
    }
    void close() override {
        if (auto s = session_.lock()) s->streamClose();
    }
    void onClose(std::function<void()> fn) override {
        auto s = session_.lock();
        if (s && s->streamOpen())
            s->onStreamClose_ = std::move(fn);
        else if (fn)
            fn();
    }

private:
    std::weak_ptr<Session<Stream>> session_;
};

template <class Stream> class Session final : public SessionBase {
    static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
    enum class State { Handshake, Reading, Pending, Writing, Streaming, Closed };

    // One per request: answers once; its destruction without an answer drops the request.
    struct Answer {
        std::weak_ptr<Session> session;
        bool done = false;
        ~Answer() {
            if (done) return;
            if (auto s = session.lock()) s->abandoned();
        }
    };

public:
    template <class... Args>
    explicit Session(std::shared_ptr<Server::Impl> server, Args&&... streamArgs)
        : stream_(std::forward<Args>(streamArgs)...), server_(std::move(server)) {
        server_->sessions_.insert(this);
        boost::system::error_code ec;
        socket().set_option(tcp::no_delay(true), ec); // an answer leaves at once, never held back by Nagle
        auto ep = socket().remote_endpoint(ec);
        if (!ec) remote_ = ep.address().to_string();
        auto lp = socket().local_endpoint(ec);
        if (!ec) {
            localPort_ = lp.port();
            local_ = lp.address().to_string();
        }
    }
    ~Session() override { server_->sessions_.erase(this); }

    void start(bool rejectBusy) {
        if constexpr (kTls) {
            state_ = State::Handshake;
            lowest().expires_after(server_->options_.handshakeTimeout);
            stream_.async_handshake(ssl::stream_base::server, [self = self(), rejectBusy](beast::error_code ec) {
                if (ec) {
                    // Garbage, plain HTTP, an old protocol, a timeout: nothing to answer in.
                    self->close();
                    return;
                }
                self->afterHandshake(rejectBusy);
            });
        } else {
            afterHandshake(rejectBusy);
        }
    }

    void close() override {
        if (state_ == State::Closed) return;
        auto keep = self();
        state_ = State::Closed;
        queue_.clear();
        if (onStreamClose_) {
            auto fn = std::move(onStreamClose_);
            onStreamClose_ = nullptr;
            fn();
        }
        boost::system::error_code ec;
        socket().shutdown(tcp::socket::shutdown_both, ec);
        socket().close(ec);
    }

    // --- stream sink side
    bool streamOpen() const { return state_ == State::Streaming && !closing_ && !closeAfterFlush_; }

    bool streamWrite(std::string data) {
        if (!streamOpen()) return false;
        if (queuedBytes_ + data.size() > server_->options_.streamQueueLimit) {
            close(); // the client does not read: drop it rather than buffer without bound
            return false;
        }
        if (data.empty()) return true;
        queuedBytes_ += data.size();
        queue_.push_back(std::move(data));
        if (!writing_) doStreamWrite();
        return true;
    }

    void streamClose() {
        if (!streamOpen()) return;
        closeAfterFlush_ = true;
        if (!writing_) gracefulClose();
    }

    std::function<void()> onStreamClose_;

private:
    std::shared_ptr<Session> self() { return std::static_pointer_cast<Session>(shared_from_this()); }
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
    tcp::socket& socket() { return lowest().socket(); }

    void afterHandshake(bool rejectBusy) {
        if (rejectBusy) {
            auto r = server_->options_.errorResponse(503, "too many connections");
            r.close = true;
            write(std::move(r), 11, true);
            return;
        }
        doRead();
    }

    void doRead() {
        state_ = State::Reading;
        parser_.emplace();
        parser_->body_limit(server_->options_.bodyLimit);
        parser_->header_limit(static_cast<std::uint32_t>(server_->options_.headerLimit));
        lowest().expires_after(first_ ? server_->options_.readTimeout : server_->options_.idleTimeout);
        bhttp::async_read(stream_, buffer_, *parser_,
                          [self = self()](beast::error_code ec, std::size_t) { self->onRead(ec); });
    }

    void onRead(beast::error_code ec) {
        if (state_ == State::Closed) return;
        first_ = false;
        if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
            ec == ssl::error::stream_truncated) {
            close();
            return;
        }
        if (ec) {
            if (ec.category() != bhttp::make_error_code(bhttp::error::end_of_stream).category()) {
                close(); // a transport or TLS error: nobody to answer
                return;
            }
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
        lowest().expires_never();
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
        req.localAddress = local_;
        req.localPort = localPort_;
        req.secure = kTls;
        isHead_ = req.method == "HEAD";
        state_ = State::Pending;
        auto answer = std::make_shared<Answer>();
        answer->session = self();
        auto server = server_; // the handler may stop the server
        server->handler_(std::move(req), [answer](Response r) {
            if (answer->done) return;
            answer->done = true;
            if (auto s = answer->session.lock()) s->respond(std::move(r));
        });
        // Not answered yet: notice a client that gives up meanwhile.
        if (state_ == State::Pending && !watching_) startWatch();
    }

    // Reads while the answer is pending (or while streaming): end of stream or
    // an error means the client is gone; bytes are kept for the next request
    // (or discarded while streaming).
    void startWatch() {
        watching_ = true;
        auto buf = buffer_.prepare(2048);
        stream_.async_read_some(buf, [self = self()](beast::error_code ec, std::size_t n) { self->onWatch(ec, n); });
    }

    void onWatch(beast::error_code ec, std::size_t n) {
        watching_ = false;
        if (state_ == State::Closed) return;
        if (!ec) buffer_.commit(n);
        if (closing_) {
            finishClose();
            return;
        }
        if (resumeAfterWatch_) {
            resumeAfterWatch_ = false;
            if (ec && ec != asio::error::operation_aborted) {
                close();
                return;
            }
            doRead();
            return;
        }
        if (ec) {
            close(); // the client closed (or reset) while waiting: free the session
            return;
        }
        if (state_ == State::Streaming) {
            buffer_.consume(buffer_.size()); // nothing a client says on an event stream matters
        } else if (buffer_.size() > kPendingReadLimit) {
            close(); // pipelining beyond one request is not supported
            return;
        }
        startWatch();
    }

    // The last responder copy went away without an answer: drop the request.
    void abandoned() {
        if (state_ == State::Pending) close();
    }

    void respond(Response r) {
        if (state_ != State::Pending) return;
        if (r.stream) {
            startStream(std::move(r));
            return;
        }
        write(std::move(r), version_, false);
    }

    // The answer is serialised here (status line, headers, Content-Length,
    // body) into one buffer the session keeps and sent in one write: no
    // per-field allocation as a Beast message would make. (A body in a second
    // buffer of a gathered write did not arrive over TLS when above 16 KB.)
    void write(Response r, unsigned version, bool forceClose) {
        state_ = State::Writing;
        const bool keep = keepAlive_ && !r.close && !forceClose;
        // 1xx, 204 and 304 have no body and no Content-Length (RFC 9110 8.6).
        const bool bodyless = r.status < 200 || r.status == 204 || r.status == 304;
        out_.clear();
        out_ += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
        appendHead(out_, r);
        if (!bodyless) {
            out_ += "Content-Length: ";
            out_ += std::to_string(r.body.size());
            out_ += "\r\n";
        }
        if (!keep && version != 10) out_ += "Connection: close\r\n";
        if (keep && version == 10) out_ += "Connection: keep-alive\r\n";
        out_ += "\r\n";
        if (!isHead_ && !bodyless) out_ += r.body;
        lowest().expires_after(server_->options_.readTimeout);
        asio::async_write(stream_, asio::buffer(out_),
                          [self = self(), keep](beast::error_code ec, std::size_t) { self->afterWrite(ec, keep); });
    }

    // "<status> <reason>\r\n", Server and the response's own header fields
    // (those the server sets itself, and any with a line break, left out).
    void appendHead(std::string& out, const Response& r) const {
        out += std::to_string(r.status);
        out += ' ';
        out += bhttp::obsolete_reason(bhttp::int_to_status(r.status));
        out += "\r\nServer: ";
        out += server_->options_.serverName;
        out += "\r\n";
        for (const auto& h : r.headers) {
            if (!headerSafe(h.name) || !headerSafe(h.value) || iequals(h.name, "Content-Length") ||
                iequals(h.name, "Connection") || iequals(h.name, "Transfer-Encoding") || iequals(h.name, "Server"))
                continue;
            out += h.name;
            out += ": ";
            out += h.value;
            out += "\r\n";
        }
    }

    void afterWrite(beast::error_code ec, bool keep) {
        if (state_ == State::Closed) return;
        if (ec) {
            close();
            return;
        }
        if (!keep) {
            gracefulClose();
            return;
        }
        if (watching_) {
            // Stop the watch (no write is outstanding now); it resumes reading.
            resumeAfterWatch_ = true;
            boost::system::error_code ignored;
            socket().cancel(ignored);
            return;
        }
        doRead();
    }

    void startStream(Response r) {
        state_ = State::Streaming;
        std::string head = "HTTP/1.1 ";
        appendHead(head, r);
        head += "Connection: close\r\n\r\n";
        queuedBytes_ = head.size();
        queue_.push_back(std::move(head));
        doStreamWrite();
        if (!watching_) startWatch();
        if (isHead_) {
            closeAfterFlush_ = true;
            return;
        }
        auto sink = std::make_shared<Sink<Stream>>(self());
        r.stream(std::move(sink));
    }

    void doStreamWrite() {
        if (state_ != State::Streaming || queue_.empty()) return;
        writing_ = true;
        lowest().expires_after(server_->options_.readTimeout); // a client that stops reading times out
        asio::async_write(stream_, asio::buffer(queue_.front()), [self = self()](beast::error_code ec, std::size_t) {
            self->writing_ = false;
            if (self->state_ != State::Streaming) return;
            if (ec) {
                self->close();
                return;
            }
            self->queuedBytes_ -= self->queue_.front().size();
            self->queue_.pop_front();
            if (!self->queue_.empty()) {
                self->doStreamWrite();
                return;
            }
            if (self->closeAfterFlush_) self->gracefulClose();
        });
    }

    // Closes after a complete answer: TLS sends close_notify first.
    void gracefulClose() {
        if (state_ == State::Closed || closing_) return;
        closing_ = true;
        if (watching_) {
            boost::system::error_code ignored;
            socket().cancel(ignored); // onWatch continues with finishClose()
            return;
        }
        finishClose();
    }

    void finishClose() {
        if (state_ == State::Closed) return;
        if constexpr (kTls) {
            lowest().expires_after(kTlsShutdownTimeout);
            stream_.async_shutdown([self = self()](beast::error_code) { self->close(); });
        } else {
            boost::system::error_code ec;
            socket().shutdown(tcp::socket::shutdown_send, ec);
            close();
        }
    }

    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::shared_ptr<Server::Impl> server_;
    std::deque<std::string> queue_;
    std::string out_; // the answer being written, whole
    std::size_t queuedBytes_ = 0;
    std::string remote_;
    std::string local_;
    std::uint16_t localPort_ = 0;
    unsigned version_ = 11;
    State state_ = State::Reading;
    bool keepAlive_ = true;
    bool isHead_ = false;
    bool first_ = true;
    bool watching_ = false;
    bool resumeAfterWatch_ = false;
    bool writing_ = false;
    bool closing_ = false;
    bool closeAfterFlush_ = false;
};

using PlainSession = Session<beast::tcp_stream>;
using TlsSession = Session<beast::ssl_stream<beast::tcp_stream>>;

// TLS 1.2 or later only (SSL 3, TLS 1.0 and 1.1 are refused in the handshake).
bool Server::Impl::setupTls(const TlsIdentity& id, std::string& error) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    boost::system::error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                     ec);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_num_tickets(ctx->native_handle(), 0);
    if (!ec) ctx->use_certificate_chain(asio::buffer(id.certificatePem), ec);
    if (ec) {
        error = "TLS certificate rejected: " + ec.message();
        return false;
    }
    ctx->use_private_key(asio::buffer(id.privateKeyPem), ssl::context::pem, ec);
    if (ec) {
        error = "TLS private key rejected: " + ec.message();
        return false;
    }
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
        error = "TLS private key does not match the certificate";
        return false;
    }
    // A session's SSL object holds its own reference to the context it was
    // made from (SSL_new takes one), so open connections outlive a replacement.
    tls_ = std::move(ctx);
    return true;
}

void Server::Impl::doAccept() {
    acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (self->stopped_) return;
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
            bool busy = self->sessions_.size() >= self->options_.maxConnections;
            if (self->tls_)
                std::make_shared<TlsSession>(self, std::move(socket), *self->tls_)->start(busy);
            else
                std::make_shared<PlainSession>(self, std::move(socket))->start(busy);
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
    if (impl_->options_.tls && !impl_->tls_ && !impl_->setupTls(*impl_->options_.tls, error)) return false;
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

bool Server::tls() const {
    return impl_->options_.tls.has_value();
}

bool Server::setTlsIdentity(const TlsIdentity& identity, std::string& error) {
    if (!impl_->options_.tls) {
        error = "this server speaks plain HTTP";
        return false;
    }
    if (!impl_->setupTls(identity, error)) return false;
    impl_->options_.tls = identity;
    return true;
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
    // Hold each while closing: a stream's close callback may close others.
    std::vector<std::shared_ptr<SessionBase>> sessions;
    for (auto* s : impl_->sessions_) {
        if (auto p = s->weak_from_this().lock()) sessions.push_back(std::move(p));
    }
    for (auto& s : sessions)
        s->close();
}

} // namespace cmc::http
