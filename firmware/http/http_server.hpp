// Asynchronous HTTP/1.1 server (Boost.Beast), one per listening port, plain
// or HTTPS (ServerOptions::tls). Sessions keep alive, limit body size and
// time, and answer one request at a time per connection (no pipelining beyond
// one). While an answer is pending the connection is watched: a client that
// closes frees its session at once. Responses are whole bodies or streams
// (Response::stream).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "http/http_types.hpp"

namespace boost::asio {
class io_context;
}

namespace cmc::http {

class Server {
public:
    Server(boost::asio::io_context& io, Handler handler, ServerOptions options = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and starts accepting. port 0 picks a free port.
    [[nodiscard]] bool listen(const std::string& address, std::uint16_t port, std::string& error);
    [[nodiscard]] std::uint16_t port() const;
    [[nodiscard]] bool tls() const;
    // Replaces the HTTPS identity (ServerOptions::tls): connections accepted
    // from now on present the new certificate, open ones keep theirs. False
    // with `error`, and the old identity kept, when the certificate or key is
    // unusable or they do not match. Call on the io_context's thread.
    [[nodiscard]] bool setTlsIdentity(const TlsIdentity& identity, std::string& error);
    [[nodiscard]] std::size_t connectionCount() const;
    // Stops accepting and closes every connection.
    void stop();

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

} // namespace cmc::http
