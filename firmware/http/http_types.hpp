// Plain request/response types of the HTTP server. Handlers include only this
// header (no Beast), so they compile fast.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cmc::http {

struct Header {
    std::string name;
    std::string value;
};

// Case-insensitive ASCII comparison (header names).
[[nodiscard]] bool iequals(std::string_view a, std::string_view b);

struct Request {
    std::string method; // "GET", "PATCH", ...
    std::string target; // raw request target, e.g. "/redfish/v1/Systems?x=1"
    std::string path;   // percent-decoded path, no query
    std::string query;  // raw query string, no '?'
    std::vector<Header> headers;
    std::string body;
    std::string remoteAddress;
    std::string localAddress; // the address the connection arrived at ("127.0.0.1", "10.0.0.5")
    std::uint16_t localPort = 0;
    bool secure = false; // arrived over TLS

    [[nodiscard]] const std::string* header(std::string_view name) const;
};

// The open end of a streaming response (Server-Sent Events and the like): the
// server has sent the status line and headers; whatever is written here
// follows as the body, in order, until either side closes. Every call is made
// on the server's io_context thread.
class StreamSink {
public:
    virtual ~StreamSink() = default;
    // Queues `data` for sending. False when the stream is closed, or when the
    // client reads too slowly and the queue would exceed its bound: the
    // stream is then closed (a slow reader is disconnected, never buffered
    // without limit).
    virtual bool write(std::string data) = 0;
    [[nodiscard]] virtual bool isOpen() const = 0;
    // Sends what is queued, then closes the connection.
    virtual void close() = 0;
    // Runs once when the stream ends for any reason (client gone, close(),
    // server stopped, queue overflow). Set it before writing.
    virtual void onClose(std::function<void()> fn) = 0;
};

struct Response {
    unsigned status = 200;
    std::vector<Header> headers;
    std::string body;
    bool close = false; // close the connection after this response
    // When set, the response streams instead of carrying `body`: the server
    // sends the status and headers without Content-Length (a close-delimited
    // HTTP/1.1 body, "Connection: close"), then hands the sink to `stream`.
    std::function<void(std::shared_ptr<StreamSink>)> stream;

    void set(std::string name, std::string value);
    [[nodiscard]] const std::string* header(std::string_view name) const;
};

// A handler answers at most once through the responder, now or later. While
// it has not answered, the server watches the connection: a client that
// closes frees the session (the responder then does nothing). A responder
// whose last copy is destroyed without answering closes the connection
// without a response (as a service that drops a request would).
using Responder = std::function<void(Response)>;
using Handler = std::function<void(Request&&, Responder)>;

// A server identity for HTTPS: PEM certificate (chain) and PEM private key.
struct TlsIdentity {
    std::string certificatePem;
    std::string privateKeyPem;
};

struct ServerOptions {
    std::size_t bodyLimit = 1024 * 1024;
    std::size_t headerLimit = 16 * 1024;
    std::chrono::milliseconds readTimeout{30000};      // whole request, once started
    std::chrono::milliseconds idleTimeout{60000};      // keep-alive idle
    std::chrono::milliseconds handshakeTimeout{10000}; // TLS handshake, once connected
    std::size_t maxConnections = 512;
    std::size_t streamQueueLimit = 256 * 1024; // bytes queued on a stream before its client is dropped
    // When set, the server speaks only HTTPS (TLS 1.2 or later) with this identity.
    std::optional<TlsIdentity> tls;
    std::string serverName = "OpenCMC";
    // Builds the body of protocol-level errors (400 parse error, 413 too large,
    // 503 too many connections). Default: a plain text body.
    std::function<Response(unsigned status, std::string_view message)> errorResponse;
};

// RFC 4648 base64 (HTTP Basic credentials).
[[nodiscard]] std::string base64Encode(std::string_view in);
[[nodiscard]] std::optional<std::string> base64Decode(std::string_view in);

// Splits "Basic <base64(user:password)>" into user and password.
[[nodiscard]] std::optional<std::pair<std::string, std::string>> parseBasicAuth(std::string_view header);

// Percent-decode a path; nullopt when malformed (bad escape or NUL).
[[nodiscard]] std::optional<std::string> percentDecode(std::string_view in);

} // namespace cmc::http
