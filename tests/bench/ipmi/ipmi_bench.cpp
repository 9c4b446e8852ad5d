// IPMI BMC benchmark: N BMCs in one process on one io_context thread.
// Prints RSS per BMC (IPMI part), the BMC thread's CPU time per request and
// the resulting capacity in requests/s on one thread, driven by FreeIPMI
// clients (ipmipower --stat and ipmi-sensors over all BMCs, fanned out), and
// the wall time of one `ipmitool -I lanplus ... chassis power status`.
//   ipmi_bench [--count N] [--sensors-hosts M]
#include "../../unit/ipmi/fake_blade_hal.hpp"
#include "ipmi/ipmi_bmc.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

double rssMiB() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
        }
    }
    return 0.0;
}

double threadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Sample {
    double cpu = 0;
    std::uint64_t datagrams = 0;
    std::uint64_t commands = 0;
};

// Runs a shell command; returns wall seconds and the number of output lines
// containing `needle`.
std::pair<double, int> runCommand(const std::string& cmd, const std::string& needle) {
    const auto start = std::chrono::steady_clock::now();
    FILE* p = popen(cmd.c_str(), "r");
    int hits = 0;
    if (p != nullptr) {
        char line[4096];
        while (std::fgets(line, sizeof line, p) != nullptr) {
            if (std::string(line).find(needle) != std::string::npos) {
                ++hits;
            }
        }
        pclose(p);
    }
    return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), hits};
}

} // namespace

int main(int argc, char** argv) {
    std::size_t count = 1000;
    std::size_t sensorsHosts = 200;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        if (key == "--count")
            count = std::strtoul(argv[i + 1], nullptr, 10);
        else if (key == "--sensors-hosts")
            sensorsHosts = std::strtoul(argv[i + 1], nullptr, 10);
    }
    rlimit nofile{};
    getrlimit(RLIMIT_NOFILE, &nofile);
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);

    boost::asio::io_context io;
    const double rssStart = rssMiB();
    std::vector<std::unique_ptr<cmc::ipmi::test::FakeBladeHal>> hals;
    for (std::size_t i = 0; i < count; ++i) {
        hals.push_back(std::make_unique<cmc::ipmi::test::FakeBladeHal>());
    }
    const double rssHals = rssMiB();
    std::vector<std::unique_ptr<cmc::ipmi::IpmiBmc>> bmcs;
    std::string hosts;
    for (std::size_t i = 0; i < count; ++i) {
        cmc::ipmi::BmcOptions o;
        o.users = {{"admin", "adminpass", cmc::ipmi::Privilege::Administrator},
                   {"operator", "operpass", cmc::ipmi::Privilege::Operator},
                   {"user", "userpass", cmc::ipmi::Privilege::User}};
        bmcs.push_back(std::make_unique<cmc::ipmi::IpmiBmc>(io, *hals[i], o));
        std::string error;
        if (!bmcs.back()->start(error)) {
            std::fprintf(stderr, "bmc %zu: %s\n", i, error.c_str());
            return 1;
        }
        hosts += (i ? "," : "") + std::string("127.0.0.1:") + std::to_string(bmcs.back()->port());
    }
    const double rssBmcs = rssMiB();

    auto guard = boost::asio::make_work_guard(io);
    std::thread loop([&io] { io.run(); });
    auto sample = [&] {
        std::promise<Sample> done;
        boost::asio::post(io, [&] {
            Sample s;
            s.cpu = threadCpuSeconds();
            for (const auto& b : bmcs) {
                s.datagrams += b->stats().datagramsIn;
                s.commands += b->stats().commandsHandled;
            }
            done.set_value(s);
        });
        return done.get_future().get();
    };

    const std::string creds = " -u admin -p adminpass ";
    const std::string firstHost = hosts.substr(0, hosts.find(','));
    const std::string firstPort = firstHost.substr(firstHost.find(':') + 1);

    // One ipmitool invocation (a process and a session).
    const auto ipmitool = runCommand("ipmitool -I lanplus -H 127.0.0.1 -p " + firstPort +
                                         " -U admin -P adminpass chassis power status 2>&1",
                                     "Chassis Power is");

    // Session set-up plus one command on every BMC.
    const Sample s0 = sample();
    const auto power = runCommand("ipmipower -h " + hosts + creds + "--stat --fanout=128 2>&1", ": off");
    const Sample s1 = sample();

    // SDR, sensor readings: more in-session commands per session.
    std::string sensorList;
    for (std::size_t i = 0, at = 0; i < std::min(sensorsHosts, count); ++i) {
        const std::size_t next = hosts.find(',', at);
        sensorList += (i ? "," : "") + hosts.substr(at, next - at);
        at = next + 1;
    }
    char cacheDir[] = "/tmp/ipmi-bench-XXXXXX";
    const std::string cache = mkdtemp(cacheDir) != nullptr ? cacheDir : "/tmp";
    const auto sensors = runCommand("ipmi-sensors -D LAN_2_0 -h " + sensorList + creds +
                                        "--fanout=64 --sdr-cache-directory=" + cache + " 2>&1",
                                    "CPU Temp");
    const Sample s2 = sample();
    std::system(("rm -rf " + cache).c_str());

    guard.reset();
    io.stop();
    loop.join();
    const double rssEnd = rssMiB();

    const double ipmiMiB = rssBmcs - rssHals;
    const double perBmcKiB = ipmiMiB * 1024.0 / static_cast<double>(count);
    auto report = [](const char* name, const Sample& a, const Sample& b, double wall, int ok, std::size_t n) {
        const double cpu = b.cpu - a.cpu;
        const auto dg = b.datagrams - a.datagrams;
        const auto cmds = b.commands - a.commands;
        std::printf("%-16s %4d/%zu ok  wall %.3f s  datagrams %llu (commands %llu)  BMC-thread CPU %.3f s  "
                    "%.1f us/request  capacity %.0f requests/s/thread\n",
                    name, ok, n, wall, static_cast<unsigned long long>(dg), static_cast<unsigned long long>(cmds), cpu,
                    dg ? cpu * 1e6 / static_cast<double>(dg) : 0.0, cpu > 0 ? static_cast<double>(dg) / cpu : 0.0);
        return std::make_pair(dg ? cpu * 1e6 / static_cast<double>(dg) : 0.0,
                              cpu > 0 ? static_cast<double>(dg) / cpu : 0.0);
    };
    std::printf("BMCs: %zu  RSS: start %.1f MiB, +HALs %.1f MiB, +BMCs %.1f MiB\n", count, rssStart, rssHals, rssBmcs);
    std::printf("IPMI part: %.1f MiB total, %.1f KiB per BMC (target: 1000 BMCs < 100 MiB); "
                "RSS after the traffic: %.1f MiB\n",
                ipmiMiB, perBmcKiB, rssEnd);
    std::printf("ipmitool -I lanplus chassis power status: %.1f ms wall (%s)\n", ipmitool.first * 1e3,
                ipmitool.second == 1 ? "ok" : "FAILED");
    const auto p = report("ipmipower --stat", s0, s1, power.first, power.second, count);
    const auto s = report("ipmi-sensors", s1, s2, sensors.first, sensors.second, std::min(sensorsHosts, count));
    std::printf("{\"bench\":\"ipmi\",\"bmcs\":%zu,\"ipmi_rss_mib\":%.2f,\"rss_per_bmc_kib\":%.2f,"
                "\"rss_end_mib\":%.2f,\"ipmitool_wall_ms\":%.2f,\"power_stat_ok\":%d,\"power_stat_wall_s\":%.3f,"
                "\"power_stat_us_per_request\":%.2f,\"power_stat_requests_per_s\":%.0f,"
                "\"sensors_ok\":%d,\"sensors_wall_s\":%.3f,\"sensors_us_per_request\":%.2f,"
                "\"sensors_requests_per_s\":%.0f}\n",
                count, ipmiMiB, perBmcKiB, rssEnd, ipmitool.first * 1e3, power.second, power.first, p.first, p.second,
                sensors.second, sensors.first, s.first, s.second);
    return (power.second == static_cast<int>(count) && ipmitool.second == 1) ? 0 : 1;
}
