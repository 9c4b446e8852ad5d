#include "bench_util.hpp"

#include "http/http_types.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cmc::bench {

Child spawn(const std::vector<std::string>& argv) {
    int p[2];
    if (pipe(p) != 0) return {};
    Child c;
    c.pid = fork();
    if (c.pid == 0) {
        dup2(p[1], 1);
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(p[1]);
    c.stdoutFd = p[0];
    return c;
}

bool waitForOutput(Child& c, const std::string& needle, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (c.output.find(needle) == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd pfd{c.stdoutFd, POLLIN, 0};
        if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[4096];
        auto n = read(c.stdoutFd, buf, sizeof buf);
        if (n <= 0) return false;
        c.output.append(buf, static_cast<std::size_t>(n));
    }
    return true;
}

void terminate(Child& c) {
    if (c.pid <= 0) return;
    kill(c.pid, SIGTERM);
    int status = 0;
    waitpid(c.pid, &status, 0);
    if (c.stdoutFd >= 0) close(c.stdoutFd);
    c.pid = -1;
}

std::uint64_t rssKiB(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
    }
    return 0;
}

double cpuSeconds(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto close = s.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream in(s.substr(close + 2));
    std::string field;
    std::vector<std::string> fields;
    while (in >> field)
        fields.push_back(field);
    // fields[0] is state (field 3); utime is field 14, stime field 15.
    if (fields.size() < 13) return 0;
    double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    return (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
}

HttpClient::HttpClient(const std::string& host, std::uint16_t port) : host_(host), port_(port) {}

HttpClient::~HttpClient() {
    if (fd_ >= 0) close(fd_);
}

bool HttpClient::connect() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port_);
    inet_pton(AF_INET, host_.c_str(), &a.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        close(fd_);
        fd_ = -1;
        return false;
    }
    buf_.clear();
    return true;
}

int HttpClient::get(const std::string& path, const std::string& authorization, std::string* body) {
    if (fd_ < 0 && !connect()) return -1;
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: " + host_ + "\r\n";
    if (!authorization.empty()) req += "Authorization: " + authorization + "\r\n";
    req += "\r\n";
    if (send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
        close(fd_);
        fd_ = -1;
        return -1;
    }
    std::size_t headerEnd;
    while ((headerEnd = buf_.find("\r\n\r\n")) == std::string::npos) {
        char tmp[16384];
        auto n = recv(fd_, tmp, sizeof tmp, 0);
        if (n <= 0) {
            close(fd_);
            fd_ = -1;
            return -1;
        }
        buf_.append(tmp, static_cast<std::size_t>(n));
    }
    int status = std::atoi(buf_.c_str() + 9);
    std::size_t length = 0;
    auto cl = buf_.find("Content-Length: ");
    if (cl == std::string::npos) cl = buf_.find("content-length: ");
    if (cl != std::string::npos && cl < headerEnd) length = std::stoul(buf_.substr(cl + 16));
    while (buf_.size() < headerEnd + 4 + length) {
        char tmp[16384];
        auto n = recv(fd_, tmp, sizeof tmp, 0);
        if (n <= 0) {
            close(fd_);
            fd_ = -1;
            return -1;
        }
        buf_.append(tmp, static_cast<std::size_t>(n));
    }
    if (body) *body = buf_.substr(headerEnd + 4, length);
    buf_.erase(0, headerEnd + 4 + length);
    return status;
}

std::string base64(const std::string& in) {
    return http::base64Encode(in);
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto idx = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1));
    return v[idx];
}

} // namespace cmc::bench
