// The northbound benchmark's reference: a bare Boost.Beast server (the shape
// of Beast's example/http/server/async) that answers every request with the
// same 1 KB JSON body, keep-alive, on one io_context thread as cmcd runs. It
// listens on plain HTTP and on HTTPS (a fresh self-signed ECDSA P-256
// certificate, TLS 1.2 or later), and prints both ports:
//
//   build/bench/bare_beast_server [--address 127.0.0.1]
//   -> "bare_beast_server: http 127.0.0.1:PORT https 127.0.0.1:PORT"
//
// It runs until SIGINT or SIGTERM.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "http/self_signed.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace {

// A Redfish-looking JSON object of exactly 1024 bytes.
std::string fixedBody() {
    std::string body = R"({"@odata.id":"/redfish/v1/Chassis/blade-1","@odata.type":"#Chassis.v1_25_0.Chassis",)"
                       R"("Id":"blade-1","Name":"Blade slot 1","ChassisType":"Blade","Padding":")";
    const std::string tail = "\"}";
    body.append(1024 - body.size() - tail.size(), 'x');
    body += tail;
    return body;
}

const std::string& body() {
    static const std::string kBody = fixedBody();
    return kBody;
}

template <class Stream> class Session : public std::enable_shared_from_this<Session<Stream>> {
public:
    template <class... Args> explicit Session(Args&&... args) : stream_(std::forward<Args>(args)...) {}

    void start() {
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
            doRead();
        } else {
            beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
            stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
                if (!ec) self->doRead();
            });
        }
    }

private:
    void doRead() {
        req_ = {};
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(60));
        bhttp::async_read(stream_, buffer_, req_,
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
    }

    void onRead(beast::error_code ec) {
        if (ec) {
            close();
            return;
        }
        res_ = {};
        res_.version(req_.version());
        res_.result(bhttp::status::ok);
        res_.set(bhttp::field::server, "bare");
        res_.set(bhttp::field::content_type, "application/json");
        res_.keep_alive(req_.keep_alive());
        res_.body() = body();
        res_.prepare_payload();
        bhttp::async_write(stream_, res_, [self = this->shared_from_this()](beast::error_code e, std::size_t) {
            if (e || !self->res_.keep_alive()) {
                self->close();
                return;
            }
            self->doRead();
        });
    }

    void close() {
        beast::error_code ignored;
        beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    }

    Stream stream_;
    beast::flat_buffer buffer_;
    bhttp::request<bhttp::string_body> req_;
    bhttp::response<bhttp::string_body> res_;
};

class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(asio::io_context& io, const tcp::endpoint& ep, ssl::context* tls) : acceptor_(io, ep), tls_(tls) {}
    [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

    void doAccept() {
        acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
            if (!ec) {
                if (self->tls_)
                    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket), *self->tls_)
                        ->start();
                else
                    std::make_shared<Session<beast::tcp_stream>>(std::move(socket))->start();
            }
            if (ec != asio::error::operation_aborted) self->doAccept();
        });
    }

    void stop() {
        beast::error_code ignored;
        acceptor_.close(ignored);
    }

private:
    tcp::acceptor acceptor_;
    ssl::context* tls_;
};

} // namespace

int main(int argc, char** argv) {
    std::string address = "127.0.0.1";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--address" && i + 1 < argc) {
            address = argv[++i];
        } else {
            std::cerr << "usage: bare_beast_server [--address 127.0.0.1]\n";
            return 2;
        }
    }
    std::string error;
    auto identity = cmc::http::makeSelfSignedIdentity("bare", address, 1, error);
    if (!identity) {
        std::cerr << "bare_beast_server: " << error << "\n";
        return 1;
    }
    ssl::context tls(ssl::context::tls_server);
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    tls.use_certificate_chain(asio::buffer(identity->identity.certificatePem));
    tls.use_private_key(asio::buffer(identity->identity.privateKeyPem), ssl::context::pem);

    asio::io_context io(1);
    beast::error_code ec;
    auto addr = asio::ip::make_address(address, ec);
    if (ec) {
        std::cerr << "bare_beast_server: bad address " << address << "\n";
        return 2;
    }
    auto plain = std::make_shared<Listener>(io, tcp::endpoint(addr, 0), nullptr);
    auto secure = std::make_shared<Listener>(io, tcp::endpoint(addr, 0), &tls);
    plain->doAccept();
    secure->doAccept();
    std::cout << "bare_beast_server: http " << address << ":" << plain->port() << " https " << address << ":"
              << secure->port() << std::endl;
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) { io.stop(); });
    io.run();
    return 0;
}
