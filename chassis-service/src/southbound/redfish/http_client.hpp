// Asynchronous HTTP/1.1 client with keep-alive connection pools per host
// (Boost.Beast; the only Beast translation unit of the client side). Used for
// the blades' Redfish BMCs and the fabric's management API.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/http_types.hpp"

namespace boost::asio {
class io_context;
}

namespace cmc::southbound {

struct HttpClientOptions {
    std::chrono::milliseconds timeout{2000}; // connect + write + read of one request
    std::size_t maxConnectionsPerHost = 2;
    std::size_t maxQueuedPerHost = 64;
    std::size_t bodyLimit = 8 * 1024 * 1024;
    std::chrono::milliseconds idleTimeout{30000}; // idle keep-alive connections close after this
};

struct HttpResult {
    bool transportOk = false; // false: connect/timeout/protocol error (see error)
    unsigned status = 0;
    std::string body;
    std::vector<http::Header> headers;
    std::string error;
    std::chrono::microseconds elapsed{0};
};

class HttpClient {
public:
    HttpClient(boost::asio::io_context& io, HttpClientOptions options = {});
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // baseUrl "http://host:port"; target "/path?query". `done` runs once on the io_context.
    void request(const std::string& baseUrl, const std::string& method, const std::string& target, std::string body,
                 std::vector<http::Header> headers, std::function<void(HttpResult)> done);

    // Closes every connection; queued requests answer with an error.
    void shutdown();

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

// "Basic base64(user:password)".
[[nodiscard]] std::string basicAuth(const std::string& user, const std::string& password);

} // namespace cmc::southbound
