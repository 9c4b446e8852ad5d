// Reading an operator's certificate and key (parseTlsIdentity,
// describeCertificate) and replacing a running HTTPS server's identity: new
// connections present the new certificate, a connection already open keeps
// working, a bad identity is refused and the old one stays. Real sockets on
// 127.0.0.1; the client runs on its own thread (no sleeping).
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <ctime>
#include <functional>
#include <thread>

#include "http/http_server.hpp"
#include "http/self_signed.hpp"

using namespace cmc::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

bool runUntil(asio::io_context& io, const std::function<bool()>& pred) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        io.run_one_for(std::chrono::milliseconds(5));
    }
    return true;
}

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

std::string peerFingerprint(asio::ssl::stream<tcp::socket>& s) {
    X509* cert = SSL_get1_peer_certificate(s.native_handle());
    if (!cert) return {};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    X509_digest(cert, EVP_sha256(), md, &len);
    X509_free(cert);
    std::string out;
    char hex[4];
    for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(hex, sizeof hex, "%02X", md[i]);
        out += (i ? ":" : "") + std::string(hex);
    }
    return out;
}

// One request on an open TLS stream; the status line and body of the answer.
std::string roundTrip(asio::ssl::stream<tcp::socket>& s) {
    asio::write(s, asio::buffer(std::string("GET /x HTTP/1.1\r\nHost: t\r\n\r\n")));
    std::string got;
    char buf[4096];
    while (got.find("\r\n\r\n") == std::string::npos || got.find("secure=") == std::string::npos) {
        boost::system::error_code ec;
        auto n = s.read_some(asio::buffer(buf), ec);
        got.append(buf, n);
        if (ec) break;
    }
    return got;
}

SelfSignedIdentity identity(const char* cn) {
    std::string err;
    auto id = makeSelfSignedIdentity(cn, "127.0.0.1", 30, err);
    REQUIRE_MESSAGE(id.has_value(), err);
    return *id;
}

} // namespace

TEST_CASE("parseTlsIdentity: certificate and key in either order; what is wrong is named") {
    auto a = identity("a");
    auto b = identity("b");
    std::string err;
    auto id = parseTlsIdentity(a.identity.privateKeyPem + a.identity.certificatePem, err);
    REQUIRE_MESSAGE(id.has_value(), err);
    CHECK(certificateFingerprintSha256(id->certificatePem) == a.fingerprintSha256);
    CHECK(id->privateKeyPem.find("BEGIN PRIVATE KEY") != std::string::npos);
    CHECK(id->certificatePem.find("PRIVATE") == std::string::npos);

    struct Bad {
        std::string pem;
        const char* says;
    };
    const Bad bad[] = {
        {"", "no PEM certificate"},
        {"garbage", "no PEM certificate"},
        {a.identity.certificatePem, "no PEM private key"},
        {a.identity.certificatePem + b.identity.privateKeyPem, "does not belong"},
        {a.identity.certificatePem + a.identity.privateKeyPem + b.identity.privateKeyPem, "more than one"},
        {"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" + a.identity.privateKeyPem, "cannot be read"},
        {"-----BEGIN CERTIFICATE-----\nAAAA\n", "no END line"},
        {"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", "encrypted"},
        {"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", "unexpected PEM block"},
    };
    for (const auto& x : bad) {
        std::string e;
        CHECK_FALSE(parseTlsIdentity(x.pem, e).has_value());
        CHECK_MESSAGE(e.find(x.says) != std::string::npos, e);
        CHECK(e.find("BEGIN") == std::string::npos); // the input is never quoted
    }
}

TEST_CASE("describeCertificate: subject, issuer, validity, serial, key usage, alternative names") {
    auto a = identity("cmcd-test");
    std::string err;
    auto d = describeCertificate(a.identity.certificatePem, err);
    REQUIRE_MESSAGE(d.has_value(), err);
    CHECK(d->subject.commonName == "cmcd-test");
    CHECK(d->subject.organization == "OpenCMC");
    CHECK(d->issuer.commonName == "cmcd-test");
    CHECK(d->subject.display.find("CN=cmcd-test") != std::string::npos);
    CHECK(d->fingerprintSha256 == a.fingerprintSha256);
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    CHECK(d->notBeforeUnix <= now);
    CHECK(d->notAfterUnix > now + 29 * 86400);
    CHECK(d->notAfterUnix <= now + 30 * 86400);
    CHECK(!d->serialNumber.empty());
    CHECK(d->signatureAlgorithm == "ecdsa-with-SHA256");
    CHECK(d->keyUsage == std::vector<std::string>{"DigitalSignature", "ServerAuthentication"});
    CHECK(d->alternativeNames == std::vector<std::string>{"127.0.0.1"});
    CHECK_FALSE(describeCertificate("nope", err).has_value());
}

TEST_CASE("setTlsIdentity: new connections present the new certificate, an open one goes on") {
    auto a = identity("a");
    auto b = identity("b");
    asio::io_context io;
    ServerOptions o;
    o.tls = a.identity;
    Server server(
        io,
        [](Request&& req, Responder done) {
            Response r;
            r.body = std::string("secure=") + (req.secure ? "yes" : "no") + " local=" + req.localAddress;
            done(std::move(r));
        },
        o);
    std::string err;
    REQUIRE(server.listen("127.0.0.1", 0, err));
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), server.port());

    asio::io_context cio;
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_verify_mode(asio::ssl::verify_none);
    auto connect = [&](asio::ssl::stream<tcp::socket>& s) {
        s.next_layer().connect(ep);
        s.handshake(asio::ssl::stream_base::client);
    };
    asio::ssl::stream<tcp::socket> first(cio, ctx);
    std::string print, answer;
    CHECK(withClient(io, [&] {
        connect(first);
        print = peerFingerprint(first);
        answer = roundTrip(first);
    }));
    CHECK(print == a.fingerprintSha256);
    CHECK(answer.find("secure=yes local=127.0.0.1") != std::string::npos);

    // A bad identity is refused; the old one stays.
    CHECK_FALSE(server.setTlsIdentity({a.identity.certificatePem, b.identity.privateKeyPem}, err));
    CHECK(!err.empty());
    asio::ssl::stream<tcp::socket> second(cio, ctx);
    CHECK(withClient(io, [&] {
        connect(second);
        print = peerFingerprint(second);
    }));
    CHECK(print == a.fingerprintSha256);

    REQUIRE(server.setTlsIdentity(b.identity, err));
    asio::ssl::stream<tcp::socket> third(cio, ctx);
    CHECK(withClient(io, [&] {
        connect(third);
        print = peerFingerprint(third);
        answer = roundTrip(first); // the connection made before the replacement still works
    }));
    CHECK(print == b.fingerprintSha256);
    CHECK(answer.find("HTTP/1.1 200") == 0);
    CHECK(answer.find("secure=yes") != std::string::npos);
    server.stop();
}

TEST_CASE("a plain server refuses setTlsIdentity; its requests are not secure") {
    auto a = identity("a");
    asio::io_context io;
    Server server(io, [](Request&&, Responder) {});
    std::string err;
    CHECK_FALSE(server.setTlsIdentity(a.identity, err));
    CHECK(err.find("plain") != std::string::npos);
}
