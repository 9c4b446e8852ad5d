// Small helpers for benchmark programs: child processes, /proc readings, a
// blocking keep-alive HTTP/1.1 client. Benchmarks only; not product code.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace cmc::bench {

struct Child {
    int pid = -1;
    int stdoutFd = -1;
    std::string output; // collected so far
};

// Starts argv[0] with its stdout+stderr on a pipe.
[[nodiscard]] Child spawn(const std::vector<std::string>& argv);
// Reads what the child printed until `needle` appears or the deadline passes.
[[nodiscard]] bool waitForOutput(Child& c, const std::string& needle, std::chrono::milliseconds limit);
void terminate(Child& c);

[[nodiscard]] std::uint64_t rssKiB(int pid);
[[nodiscard]] double cpuSeconds(int pid); // utime + stime

class HttpClient {
public:
    HttpClient(const std::string& host, std::uint16_t port);
    ~HttpClient();
    // GET with optional Authorization; returns the status, or -1 on a socket error.
    int get(const std::string& path, const std::string& authorization, std::string* body = nullptr);

private:
    bool connect();
    std::string host_;
    std::uint16_t port_;
    int fd_ = -1;
    std::string buf_;
};

[[nodiscard]] std::string base64(const std::string& in);
[[nodiscard]] double percentile(std::vector<double> v, double p);

} // namespace cmc::bench
