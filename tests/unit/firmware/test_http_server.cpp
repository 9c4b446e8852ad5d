// The HTTP server with real sockets on 127.0.0.1: pending answers watched for
// a departing client, dropped responders, streaming responses and their bound,
// HTTPS with a self-signed identity. The client runs on its own thread with
// blocking sockets; the test thread runs the server's io_context until a
// condition holds (no sleeping).
#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <functional>
#include <regex>
#include <thread>

#include "http/http_server.hpp"
#include "http/self_signed.hpp"

using namespace cmc::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

bool runUntil(asio::io_context& io, const std::function<bool()>& pred,
              std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        io.run_one_for(std::chrono::milliseconds(5));
    }
    return true;
}

// Runs `fn` on a client thread while the server's loop runs; true when it finished in time.
bool withClient(asio::io_context& io, const std::function<void()>& fn) {
    std::atomic<bool> done{false};
    std::thread t([&] {
        fn();
        done = true;
    });
    bool ok = runUntil(io, [&] { return done.load(); });
    t.join();
    return ok;
}

// Reads until the peer closes (or an error); returns what arrived.
template <class Stream> std::string readAll(Stream& s) {
    std::string out;
    char buf[4096];
    for (;;) {
        boost::system::error_code ec;
        auto n = s.read_some(asio::buffer(buf), ec);
        out.append(buf, n);
        if (ec) return out;
    }
}

const char* kGet = "GET /x HTTP/1.1\r\nHost: t\r\n\r\n";

struct Fixture {
    asio::io_context io;
    std::unique_ptr<Server> server;
    std::uint16_t port = 0;

    void start(Handler h, ServerOptions o = {}) {
        server = std::make_unique<Server>(io, std::move(h), std::move(o));
        std::string err;
        REQUIRE(server->listen("127.0.0.1", 0, err));
        port = server->port();
    }
    tcp::endpoint endpoint() const { return {asio::ip::make_address("127.0.0.1"), port}; }
};

} // namespace

TEST_CASE("a pending answer is freed when its client closes") {
    Fixture f;
    Responder held;
    f.start([&](Request&&, Responder done) { held = std::move(done); });
    asio::io_context cio;
    tcp::socket s(cio);
    CHECK(withClient(f.io, [&] {
        s.connect(f.endpoint());
        asio::write(s, asio::buffer(std::string(kGet)));
    }));
    REQUIRE(runUntil(f.io, [&] { return static_cast<bool>(held); }));
    CHECK(f.server->connectionCount() == 1);
    s.close();
    CHECK(runUntil(f.io, [&] { return f.server->connectionCount() == 0; }));
    Response r;
    held(std::move(r)); // too late: nobody to answer, nothing happens
    f.io.poll();
}

TEST_CASE("a pending answer still arrives, and keep-alive goes on") {
    Fixture f;
    Responder held;
    f.start([&](Request&& req, Responder done) {
        if (req.path == "/later") {
            held = std::move(done);
            return;
        }
        Response r;
        r.body = "now";
        done(std::move(r));
    });
    asio::io_context cio;
    tcp::socket s(cio);
    std::string got;
    std::thread t([&] {
        s.connect(f.endpoint());
        asio::write(s, asio::buffer(std::string("GET /later HTTP/1.1\r\nHost: t\r\n\r\n")));
        char buf[1024];
        while (got.find("later") == std::string::npos) {
            auto n = s.read_some(asio::buffer(buf));
            got.append(buf, n);
        }
        asio::write(s, asio::buffer(std::string("GET /now HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")));
        got += readAll(s);
    });
    REQUIRE(runUntil(f.io, [&] { return static_cast<bool>(held); }));
    Response r;
    r.body = "later";
    held(std::move(r));
    runUntil(f.io, [&] { return got.find("now") != std::string::npos; });
    t.join();
    CHECK(got.find("HTTP/1.1 200") == 0);
    CHECK(got.find("now") != std::string::npos);
}

TEST_CASE("a responder dropped without an answer closes the connection") {
    Fixture f;
    f.start([](Request&&, Responder) {});
    std::string got = "x";
    CHECK(withClient(f.io, [&] {
        asio::io_context cio;
        tcp::socket s(cio);
        s.connect(f.endpoint());
        asio::write(s, asio::buffer(std::string(kGet)));
        got = readAll(s);
    }));
    CHECK(got.empty());
}

TEST_CASE("a stream sends headers without Content-Length, then its data in order") {
    Fixture f;
    std::shared_ptr<StreamSink> sink;
    f.start([&](Request&&, Responder done) {
        Response r;
        r.set("Content-Type", "text/event-stream");
        r.stream = [&](std::shared_ptr<StreamSink> s) { sink = std::move(s); };
        done(std::move(r));
    });
    std::string got;
    std::atomic<bool> finished{false};
    std::thread t([&] {
        asio::io_context cio;
        tcp::socket s(cio);
        s.connect(f.endpoint());
        asio::write(s, asio::buffer(std::string(kGet)));
        got = readAll(s);
        finished = true;
    });
    REQUIRE(runUntil(f.io, [&] { return sink != nullptr; }));
    bool closedSeen = false;
    sink->onClose([&] { closedSeen = true; });
    CHECK(sink->isOpen());
    CHECK(sink->write("one\n"));
    CHECK(sink->write("two\n"));
    sink->close();
    CHECK_FALSE(sink->write("late\n"));
    CHECK(runUntil(f.io, [&] { return finished.load(); }));
    t.join();
    CHECK(closedSeen);
    CHECK_FALSE(sink->isOpen());
    CHECK(got.find("HTTP/1.1 200 OK\r\n") == 0);
    CHECK(got.find("Content-Type: text/event-stream\r\n") != std::string::npos);
    CHECK(got.find("Connection: close\r\n") != std::string::npos);
    CHECK(got.find("Content-Length") == std::string::npos);
    CHECK(got.substr(got.find("\r\n\r\n") + 4) == "one\ntwo\n");
}

TEST_CASE("a stream notices its client leaving, and bounds what it queues") {
    Fixture f;
    std::vector<std::shared_ptr<StreamSink>> sinks;
    ServerOptions o;
    o.streamQueueLimit = 256 * 1024;
    f.start(
        [&](Request&&, Responder done) {
            Response r;
            r.stream = [&](std::shared_ptr<StreamSink> s) { sinks.push_back(std::move(s)); };
            done(std::move(r));
        },
        o);
    asio::io_context cio;
    tcp::socket a(cio), b(cio);
    CHECK(withClient(f.io, [&] {
        a.connect(f.endpoint());
        asio::write(a, asio::buffer(std::string(kGet)));
        b.connect(f.endpoint());
        asio::write(b, asio::buffer(std::string(kGet)));
    }));
    REQUIRE(runUntil(f.io, [&] { return sinks.size() == 2; }));
    int closes = 0;
    sinks[0]->onClose([&] { ++closes; });
    sinks[1]->onClose([&] { ++closes; });
    a.close();
    CHECK(runUntil(f.io, [&] { return closes == 1; }));
    CHECK_FALSE(sinks[0]->isOpen());
    CHECK_FALSE(sinks[0]->write("x"));
    // b never reads: writes queue up to the bound, then the stream is dropped.
    std::string chunk(64 * 1024, 'e');
    int accepted = 0;
    while (sinks[1]->write(chunk) && accepted < 100)
        ++accepted;
    CHECK(accepted >= 3);
    CHECK(accepted < 5);
    CHECK(closes == 2);
    CHECK(runUntil(f.io, [&] { return f.server->connectionCount() == 0; }));
}

TEST_CASE("self-signed identity: P-256 certificate and its SHA-256 fingerprint") {
    std::string err;
    auto id = makeSelfSignedIdentity("blade-1-bmc", "127.0.0.1", 3650, err);
    REQUIRE_MESSAGE(id.has_value(), err);
    CHECK(std::regex_match(id->fingerprintSha256, std::regex("^([0-9A-F]{2}:){31}[0-9A-F]{2}$")));
    CHECK(certificateFingerprintSha256(id->identity.certificatePem) == id->fingerprintSha256);
    CHECK(id->identity.privateKeyPem.find("BEGIN PRIVATE KEY") != std::string::npos);
    auto other = makeSelfSignedIdentity("blade-2-bmc", "127.0.0.1", 3650, err);
    REQUIRE(other.has_value());
    CHECK(other->fingerprintSha256 != id->fingerprintSha256);
    CHECK_FALSE(certificateFingerprintSha256("not a certificate").has_value());
}

TEST_CASE("HTTPS: the pinned certificate is served; plain HTTP on the port is closed") {
    std::string err;
    auto id = makeSelfSignedIdentity("test", "127.0.0.1", 30, err);
    REQUIRE(id.has_value());
    Fixture f;
    ServerOptions o;
    o.tls = id->identity;
    f.start(
        [](Request&& req, Responder done) {
            Response r;
            r.body = "secure " + req.path;
            done(std::move(r));
        },
        o);
    CHECK(f.server->tls());

    std::string plain = "x";
    CHECK(withClient(f.io, [&] {
        asio::io_context cio;
        tcp::socket s(cio);
        s.connect(f.endpoint());
        asio::write(s, asio::buffer(std::string(kGet)));
        plain = readAll(s);
    }));
    CHECK(plain.find("HTTP/") == std::string::npos);

    std::string got, fingerprint;
    CHECK(withClient(f.io, [&] {
        asio::io_context cio;
        asio::ssl::context ctx(asio::ssl::context::tls_client);
        ctx.set_verify_mode(asio::ssl::verify_none);
        asio::ssl::stream<tcp::socket> s(cio, ctx);
        s.next_layer().connect(f.endpoint());
        s.handshake(asio::ssl::stream_base::client);
        X509* cert = SSL_get1_peer_certificate(s.native_handle());
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        X509_digest(cert, EVP_sha256(), md, &len);
        X509_free(cert);
        char hex[4];
        for (unsigned int i = 0; i < len; ++i) {
            std::snprintf(hex, sizeof hex, "%02X", md[i]);
            fingerprint += (i ? ":" : "") + std::string(hex);
        }
        asio::write(s, asio::buffer(std::string("GET /tls HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")));
        got = readAll(s);
    }));
    CHECK(fingerprint == id->fingerprintSha256);
    CHECK(got.find("HTTP/1.1 200") == 0);
    CHECK(got.find("secure /tls") != std::string::npos);
}

TEST_CASE("a bad TLS identity fails listen() with a message") {
    asio::io_context io;
    ServerOptions o;
    o.tls = TlsIdentity{"garbage", "garbage"};
    Server s(
        io, [](Request&&, Responder) {}, o);
    std::string err;
    CHECK_FALSE(s.listen("127.0.0.1", 0, err));
    CHECK(err.find("TLS") != std::string::npos);
}
