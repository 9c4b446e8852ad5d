#include "test_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace cmc::test {

bool startChild(ChildProcess& c, const std::vector<std::string>& argv, const std::string& needle,
                std::chrono::milliseconds limit) {
    int fds[2];
    if (::pipe(fds) != 0) return false;
    const int pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        ::close(fds[0]);
        ::close(fds[1]);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
    c.pid = pid;
    c.outFd = fds[0];
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (c.output.find(needle) == std::string::npos) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{c.outFd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[4096];
        const auto n = ::read(c.outFd, buf, sizeof buf);
        if (n == 0) return false; // exited
        if (n > 0) c.output.append(buf, static_cast<std::size_t>(n));
    }
    return true;
}

void drainChild(ChildProcess& c) {
    if (c.outFd < 0) return;
    char buf[4096];
    for (;;) {
        const auto n = ::read(c.outFd, buf, sizeof buf);
        if (n <= 0) break;
        c.output.append(buf, static_cast<std::size_t>(n));
    }
}

void stopChild(ChildProcess& c) {
    if (c.pid > 0) {
        ::kill(c.pid, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(c.pid, nullptr, WNOHANG) == c.pid) {
                c.pid = -1;
                break;
            }
            ::usleep(20000);
        }
        if (c.pid > 0) {
            ::kill(c.pid, SIGKILL);
            ::waitpid(c.pid, nullptr, 0);
            c.pid = -1;
        }
    }
    if (c.outFd >= 0) {
        drainChild(c);
        ::close(c.outFd);
        c.outFd = -1;
    }
}

HttpReply http(const std::string& method, const std::string& baseUrl, const std::string& path,
               const std::string& body) {
    HttpReply r;
    // baseUrl: http://HOST:PORT
    const auto hostStart = baseUrl.find("//");
    const auto colon = baseUrl.rfind(':');
    if (hostStart == std::string::npos || colon == std::string::npos) return r;
    const std::string host = baseUrl.substr(hostStart + 2, colon - hostStart - 2);
    const int port = std::atoi(baseUrl.c_str() + colon + 1);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return r;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return r;
    }
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n";
    if (!body.empty()) req += "Content-Type: application/json\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
        ::close(fd);
        return r;
    }
    std::string in;
    char buf[8192];
    for (;;) {
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (in.size() < 12) return r;
    r.status = std::atoi(in.c_str() + 9);
    const auto bodyAt = in.find("\r\n\r\n");
    if (bodyAt != std::string::npos) r.body = in.substr(bodyAt + 4);
    // Chunked bodies: keep only the JSON part.
    if (in.find("chunked") != std::string::npos) {
        const auto b = r.body.find_first_of("{[");
        const auto e = r.body.find_last_of("}]");
        if (b != std::string::npos && e != std::string::npos) r.body = r.body.substr(b, e - b + 1);
    }
    return r;
}

bool runUntil(boost::asio::io_context& io, const std::function<bool()>& pred, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        io.restart();
        io.run_one_for(std::chrono::milliseconds(5));
    }
    return true;
}

void runFor(boost::asio::io_context& io, std::chrono::milliseconds d) {
    const auto deadline = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_one_for(std::chrono::milliseconds(5));
    }
}

std::string makeTempDir(const std::string& prefix) {
    std::string t = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
    if (::mkdtemp(t.data()) == nullptr) return {};
    return t;
}

void removeTree(const std::string& path) {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
}

std::uint16_t freeUdpPort() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

} // namespace cmc::test
