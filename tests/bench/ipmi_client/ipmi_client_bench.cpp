// Benchmark of cmcd's southbound IPMI client (not a CTest test): starts
// cmcsim with N blades, opens N RMCP+ sessions, polls Get Chassis Status on
// all of them every interval, then flat out. Prints figures and a JSON line.
//
//   build/bench/ipmi_client_bench [--blades 1000] [--interval-ms 250]
//                                 [--seconds 20] [--flat-seconds 5] [--cmcsim PATH]
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "southbound/ipmi/ipmi_client.hpp"
#include "test_support.hpp"

using namespace cmc::southbound;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

double cpuSelf() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double cpuOf(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = s.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream f(s.substr(close + 2));
    std::string field;
    unsigned long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && f >> field; ++i) {
        if (i == 14) utime = std::stoul(field);
        if (i == 15) stime = std::stoul(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

long rssKiB() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    }
    return 0;
}

double pct(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    return v[i];
}

} // namespace

int main(int argc, char** argv) {
    int blades = 1000;
    int intervalMs = 250;
    int seconds = 20;
    int flatSeconds = 5;
    std::string cmcsim = CMC_CMCSIM_PATH;
    bool printLog = false;
    for (int i = 1; i < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--log") {
            printLog = true;
            --i;
            continue;
        }
        if (i + 1 >= argc) {
            std::cerr << "option " << a << " needs a value\n";
            return 2;
        }
        const std::string v = argv[i + 1];
        if (a == "--blades")
            blades = std::atoi(v.c_str());
        else if (a == "--interval-ms")
            intervalMs = std::atoi(v.c_str());
        else if (a == "--seconds")
            seconds = std::atoi(v.c_str());
        else if (a == "--flat-seconds")
            flatSeconds = std::atoi(v.c_str());
        else if (a == "--cmcsim")
            cmcsim = v;
        else {
            std::cerr << "unknown option " << a << "\n";
            return 2;
        }
    }
    const std::string dir = cmc::test::makeTempDir("ipmi-client-bench-");
    cmc::test::ChildProcess sim;
    if (!cmc::test::startChild(sim,
                               {cmcsim, "--blades", std::to_string(blades), "--control-port", "0", "--bmc-base-port",
                                "0", "--manifest", dir + "/rack.json", "--speed", "1"},
                               "cmcsim: manifest", 120s)) {
        std::cerr << "cmcsim did not start: " << sim.output << "\n";
        return 1;
    }
    std::ifstream in(dir + "/rack.json");
    const auto manifest = nlohmann::json::parse(in, nullptr, false);
    if (manifest.is_discarded()) {
        std::cerr << "bad manifest\n";
        return 1;
    }

    boost::asio::io_context io;
    IpmiClientOptions opt;
    opt.requestTimeout = 2000ms;
    std::size_t logLines = 0;
    opt.log = [&](const std::string& line) {
        ++logLines;
        if (printLog) std::cerr << line << "\n";
    };
    IpmiClient client(io, opt);
    const long rssBefore = rssKiB();

    std::vector<std::shared_ptr<IpmiConnection>> conns;
    const auto t0 = Clock::now();
    for (const auto& b : manifest["blades"]) {
        IpmiEndpoint e{b["ipmi"]["host"].get<std::string>(), b["ipmi"]["port"].get<std::uint16_t>(),
                       b["ipmi"]["username"].get<std::string>(), b["ipmi"]["password"].get<std::string>()};
        conns.push_back(client.connect(e, nullptr));
    }
    const bool allUp = cmc::test::runUntil(
        io, [&] { return std::all_of(conns.begin(), conns.end(), [](const auto& c) { return c->up(); }); }, 120s);
    const double upSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
    const auto upCount = std::count_if(conns.begin(), conns.end(), [](const auto& c) { return c->up(); });
    std::printf("sessions: %ld/%d up in %.3f s\n", static_cast<long>(upCount), blades, upSeconds);
    if (!allUp) std::printf("warning: not every session came up\n");

    // Paced polling.
    std::vector<double> rtt;
    rtt.reserve(static_cast<std::size_t>(blades) * static_cast<std::size_t>(seconds * 1000 / intervalMs + 1));
    std::size_t done = 0, errors = 0;
    boost::asio::steady_timer tick(io);
    const auto pollStart = Clock::now();
    const auto pollEnd = pollStart + std::chrono::seconds(seconds);
    const double cpu0 = cpuSelf();
    const double simCpu0 = cpuOf(sim.pid);
    // Each session polls every interval; the sessions are spread over the
    // interval in 5 ms slices (as a poller would), not fired in one burst.
    constexpr int kSliceMs = 5;
    const std::size_t slices = static_cast<std::size_t>(std::max(1, intervalMs / kSliceMs));
    std::size_t slice = 0;
    std::function<void()> round = [&] {
        if (Clock::now() >= pollEnd) return;
        const std::size_t from = conns.size() * slice / slices;
        const std::size_t to = conns.size() * (slice + 1) / slices;
        slice = (slice + 1) % slices;
        for (std::size_t k = from; k < to; ++k) {
            auto& c = conns[k];
            const auto sent = Clock::now();
            c->getChassisStatus([&, sent](IpmiResult<IpmiChassisStatus> r) {
                ++done;
                if (!r.ok())
                    ++errors;
                else
                    rtt.push_back(std::chrono::duration<double, std::micro>(Clock::now() - sent).count());
            });
        }
        tick.expires_at(tick.expiry() + std::chrono::milliseconds(intervalMs) / static_cast<long>(slices));
        tick.async_wait([&](boost::system::error_code ec) {
            if (!ec) round();
        });
    };
    tick.expires_at(Clock::now());
    round();
    while (Clock::now() < pollEnd + 2s) {
        io.restart();
        io.run_for(100ms);
    }
    const double wall = std::chrono::duration<double>(Clock::now() - pollStart).count();
    const double cpu = cpuSelf() - cpu0;
    const double simCpu = cpuOf(sim.pid) - simCpu0;
    const double pollsPerSec = static_cast<double>(done - errors) / static_cast<double>(seconds);
    const long rss = rssKiB();
    std::printf("paced: %zu polls (%zu errors) in %d s: %.0f polls/s, rtt p50 %.0f us p99 %.0f us\n", done, errors,
                seconds, pollsPerSec, pct(rtt, 0.5), pct(rtt, 0.99));
    std::printf(
        "client: CPU %.1f%% of one core, %.1f us CPU per poll, RSS %ld KiB (%.1f KiB per session); cmcsim CPU %.1f%%\n",
        100.0 * cpu / wall, 1e6 * cpu / static_cast<double>(std::max<std::size_t>(done, 1)), rss,
        static_cast<double>(rss - rssBefore) / blades, 100.0 * simCpu / wall);

    // Flat out: two requests outstanding per session, re-issued on answer.
    std::size_t flatDone = 0, flatErrors = 0;
    bool flatRunning = true;
    std::vector<double> flatRtt;
    std::function<void(std::size_t)> issue = [&](std::size_t i) {
        if (!flatRunning) return;
        const auto sent = Clock::now();
        conns[i]->getChassisStatus([&, i, sent](IpmiResult<IpmiChassisStatus> r) {
            ++flatDone;
            if (!r.ok())
                ++flatErrors;
            else
                flatRtt.push_back(std::chrono::duration<double, std::micro>(Clock::now() - sent).count());
            issue(i);
        });
    };
    const double fcpu0 = cpuSelf();
    const double fsim0 = cpuOf(sim.pid);
    const auto flatStart = Clock::now();
    for (std::size_t i = 0; i < conns.size(); ++i) {
        issue(i);
        issue(i);
    }
    io.restart();
    io.run_for(std::chrono::seconds(flatSeconds));
    flatRunning = false;
    const double fwall = std::chrono::duration<double>(Clock::now() - flatStart).count();
    const std::size_t flatOk = flatDone - flatErrors;
    const double fcpu = cpuSelf() - fcpu0;
    const double fsim = cpuOf(sim.pid) - fsim0;
    std::printf(
        "flat out: %.0f polls/s (%zu errors), rtt p50 %.0f us p99 %.0f us, client CPU %.1f%%, cmcsim CPU %.1f%%\n",
        static_cast<double>(flatOk) / fwall, flatErrors, pct(flatRtt, 0.5), pct(flatRtt, 0.99), 100.0 * fcpu / fwall,
        100.0 * fsim / fwall);
    io.restart();
    io.run_for(2500ms); // let the flat-out requests drain

    nlohmann::json j{{"bench", "ipmi_client"},
                     {"blades", blades},
                     {"sessionsUp", upCount},
                     {"sessionsUpSeconds", upSeconds},
                     {"intervalMs", intervalMs},
                     {"seconds", seconds},
                     {"polls", done},
                     {"errors", errors},
                     {"pollsPerSecond", pollsPerSec},
                     {"rttP50Us", pct(rtt, 0.5)},
                     {"rttP99Us", pct(rtt, 0.99)},
                     {"clientCpuPercent", 100.0 * cpu / wall},
                     {"clientCpuUsPerPoll", 1e6 * cpu / static_cast<double>(std::max<std::size_t>(done, 1))},
                     {"rssKiB", rss},
                     {"rssKiBPerSession", static_cast<double>(rss - rssBefore) / blades},
                     {"cmcsimCpuPercent", 100.0 * simCpu / wall},
                     {"flatOutPollsPerSecond", static_cast<double>(flatOk) / fwall},
                     {"flatOutErrors", flatErrors},
                     {"flatOutClientCpuPercent", 100.0 * fcpu / fwall},
                     {"flatOutCmcsimCpuPercent", 100.0 * fsim / fwall},
                     {"logLines", logLines}};
    std::printf("%s\n", j.dump().c_str());
    conns.clear();
    cmc::test::stopChild(sim);
    cmc::test::removeTree(dir);
    return 0;
}
