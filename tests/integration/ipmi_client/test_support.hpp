// Helpers for the IPMI client integration tests: child processes, a tiny
// blocking HTTP/1.1 client for cmcsim's control API, and running an
// io_context until a condition holds. Test code only.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace cmc::test {

struct ChildProcess {
    int pid = -1;
    int outFd = -1;
    std::string output;
};

// Starts argv with stdout+stderr on a pipe; waits until `needle` is printed.
[[nodiscard]] bool startChild(ChildProcess& c, const std::vector<std::string>& argv, const std::string& needle,
                              std::chrono::milliseconds limit);
void stopChild(ChildProcess& c);
// Reads what the child printed so far (non-blocking).
void drainChild(ChildProcess& c);

struct HttpReply {
    int status = -1;
    std::string body;
};
// One request on its own connection. `url` is like http://127.0.0.1:PORT.
[[nodiscard]] HttpReply http(const std::string& method, const std::string& baseUrl, const std::string& path,
                             const std::string& body = {});

// Runs the loop until pred() holds or `limit` passes.
bool runUntil(boost::asio::io_context& io, const std::function<bool()>& pred,
              std::chrono::milliseconds limit = std::chrono::milliseconds(10000));
// Runs the loop for `d` of real time (to check that nothing more happens).
void runFor(boost::asio::io_context& io, std::chrono::milliseconds d);

[[nodiscard]] std::string makeTempDir(const std::string& prefix);
void removeTree(const std::string& path);
[[nodiscard]] std::uint16_t freeUdpPort();

} // namespace cmc::test
