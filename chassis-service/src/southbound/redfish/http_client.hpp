// Asynchronous HTTP/1.1 client with keep-alive connection pools per host, over
// plain TCP or TLS (Boost.Beast; the only Beast translation unit of the client
// side). Used for the blades' Redfish BMCs and the fabric's management API.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_types.hpp"

namespace boost::asio {
class io_context;
}

namespace cmc::southbound {

struct HttpClientOptions {
    std::chrono::milliseconds timeout{2000}; // connect + handshake + write + read of one request
    std::size_t maxConnectionsPerHost = 2;
    std::size_t maxQueuedPerHost = 64;
    std::size_t bodyLimit = 8 * 1024 * 1024;
    std::chrono::milliseconds idleTimeout{30000}; // idle keep-alive connections close after this
};

// How an https:// peer is verified. Exactly one way applies, in this order:
// a pinned certificate fingerprint, a CA file, `insecure` (no verification),
// or else the system's CA store with host name verification.
struct TlsPolicy {
    std::string fingerprintSha256; // "AB:CD:..." (colons and case optional): the leaf certificate's SHA-256
    std::string caFile;            // PEM bundle of trusted CAs
    bool insecure = false;         // accept any certificate (an explicit operator choice)

    [[nodiscard]] std::string key() const; // distinguishes connection pools
};

// Normalises a SHA-256 fingerprint to 64 uppercase hex digits; empty when malformed.
[[nodiscard]] std::string normaliseFingerprint(std::string_view text);

struct HttpResult {
    bool transportOk = false; // false: connect/TLS/timeout/protocol error (see error)
    bool tlsError = false;    // the failure was the TLS handshake or the peer's certificate
    unsigned status = 0;
    std::string body;
    std::vector<http::Header> headers;
    std::string error;
    std::chrono::microseconds elapsed{0};

    [[nodiscard]] const std::string* header(std::string_view name) const;
};

// A long-lived streamed response (Server-Sent Events). Callbacks run on the
// io_context; `onEnd` runs exactly once, after which nothing else is called.
struct StreamCallbacks {
    std::function<void(unsigned status, const std::vector<http::Header>& headers)> onHeaders;
    std::function<void(std::string_view chunk)> onData;
    std::function<void(const std::string& why)> onEnd;
};

class HttpStream {
public:
    virtual ~HttpStream() = default;
    virtual void close() = 0; // ends the stream; onEnd runs with "closed"
};

class HttpClient {
public:
    HttpClient(boost::asio::io_context& io, HttpClientOptions options = {});
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // baseUrl "http://host:port" or "https://host:port"; target "/path?query".
    // `done` runs exactly once on the io_context.
    void request(const std::string& baseUrl, const std::string& method, const std::string& target, std::string body,
                 std::vector<http::Header> headers, std::function<void(HttpResult)> done, const TlsPolicy& tls = {});

    // Opens a dedicated connection for a streamed GET (no read timeout once
    // the headers arrived; `idle` bounds the silence between chunks).
    [[nodiscard]] std::shared_ptr<HttpStream> stream(const std::string& baseUrl, const std::string& target,
                                                     std::vector<http::Header> headers, const TlsPolicy& tls,
                                                     std::chrono::milliseconds idle, StreamCallbacks callbacks);

    // Closes every connection; queued requests answer with an error.
    void shutdown();

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

// "Basic base64(user:password)".
[[nodiscard]] std::string basicAuth(const std::string& user, const std::string& password);

} // namespace cmc::southbound
