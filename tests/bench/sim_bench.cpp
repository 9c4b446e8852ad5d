// cmcsim benchmark: start-up time and RSS of a large rack, and Redfish GET
// throughput against one blade BMC. Prints figures and one JSON line.
//
//   build/bench/sim_bench [--bin build/bin] [--blades 1000] [--seconds 5] [--connections 4]
//                         [--redfish-scheme http|https]
// With https only the start-up figures are measured (the load client speaks plain HTTP).
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "bench_util.hpp"

using namespace cmc::bench;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    std::string bin = (std::filesystem::path(argv[0]).parent_path() / ".." / "bin").string();
    int blades = 1000;
    double seconds = 5;
    int connections = 4;
    std::string scheme = "http";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        std::string v = argv[i + 1];
        if (a == "--bin")
            bin = v;
        else if (a == "--blades")
            blades = std::atoi(v.c_str());
        else if (a == "--seconds")
            seconds = std::atof(v.c_str());
        else if (a == "--connections")
            connections = std::atoi(v.c_str());
        else if (a == "--redfish-scheme")
            scheme = v;
        else {
            std::cerr << "sim_bench: unknown option " << a << "\n";
            return 2;
        }
    }
    if (blades < 1 || blades > 1000 || seconds <= 0 || connections < 1 || (scheme != "http" && scheme != "https")) {
        std::cerr << "sim_bench: bad arguments\n";
        return 2;
    }
    auto dir = std::filesystem::temp_directory_path() / ("sim_bench." + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    auto manifest = (dir / "rack.json").string();

    // 1. Start-up: process start until the manifest is written and the ready line printed.
    auto t0 = Clock::now();
    Child sim = spawn({bin + "/cmcsim", "--blades", std::to_string(blades), "--control-port", "0", "--bmc-base-port",
                       "0", "--manifest", manifest, "--redfish-scheme", scheme});
    if (sim.pid <= 0 || !waitForOutput(sim, "cmcsim: manifest", std::chrono::seconds(60))) {
        std::cerr << "sim_bench: cmcsim did not start:\n" << sim.output << "\n";
        terminate(sim);
        return 1;
    }
    double startSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto rssStart = rssKiB(sim.pid);
    if (scheme == "https") {
        terminate(sim);
        std::filesystem::remove_all(dir);
        std::printf("cmcsim --blades %d --redfish-scheme https: ready in %.3f s, RSS %.1f MiB after start\n", blades,
                    startSeconds, static_cast<double>(rssStart) / 1024.0);
        nlohmann::json out{{"bench", "sim"},
                           {"blades", blades},
                           {"redfishScheme", scheme},
                           {"startSeconds", startSeconds},
                           {"rssMiBStart", static_cast<double>(rssStart) / 1024.0}};
        std::printf("%s\n", out.dump().c_str());
        return 0;
    }

    std::ifstream mf(manifest);
    auto m = nlohmann::json::parse(mf, nullptr, false);
    if (m.is_discarded()) {
        std::cerr << "sim_bench: unreadable manifest\n";
        terminate(sim);
        return 1;
    }
    const auto& b1 = m["blades"][0]["redfish"];
    std::string url = b1["url"];
    auto port = static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
    std::string auth = "Basic " + base64(b1["username"].get<std::string>() + ":" + b1["password"].get<std::string>());

    // 2. Redfish GET throughput against blade 1 (keep-alive connections).
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> ok{0}, failed{0};
    std::mutex latMu;
    std::vector<double> latencies;
    double cpu0 = cpuSeconds(sim.pid);
    auto l0 = Clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < connections; ++c) {
        threads.emplace_back([&] {
            HttpClient client("127.0.0.1", port);
            std::vector<double> local;
            while (!stop) {
                auto s = Clock::now();
                int st = client.get("/redfish/v1/Systems/1", auth);
                local.push_back(std::chrono::duration<double, std::micro>(Clock::now() - s).count());
                if (st == 200)
                    ++ok;
                else
                    ++failed;
            }
            std::lock_guard<std::mutex> lk(latMu);
            latencies.insert(latencies.end(), local.begin(), local.end());
        });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : threads)
        t.join();
    double elapsed = std::chrono::duration<double>(Clock::now() - l0).count();
    double cpu = cpuSeconds(sim.pid) - cpu0;
    auto rssEnd = rssKiB(sim.pid);
    terminate(sim);
    std::filesystem::remove_all(dir);

    double rps = static_cast<double>(ok) / elapsed;
    double cpuPerReqUs = ok ? cpu / static_cast<double>(ok) * 1e6 : 0;
    std::printf("cmcsim --blades %d: ready in %.3f s, RSS %.1f MiB after start, %.1f MiB after load\n", blades,
                startSeconds, static_cast<double>(rssStart) / 1024.0, static_cast<double>(rssEnd) / 1024.0);
    std::printf("Redfish GET /redfish/v1/Systems/1 on blade 1, %d keep-alive connections, %.1f s: %.0f req/s, "
                "p50 %.0f us, p99 %.0f us, %llu errors, %.1f us simulator CPU per request\n",
                connections, elapsed, rps, percentile(latencies, 50), percentile(latencies, 99),
                static_cast<unsigned long long>(failed.load()), cpuPerReqUs);
    nlohmann::json out{{"bench", "sim"},
                       {"blades", blades},
                       {"startSeconds", startSeconds},
                       {"rssMiBStart", static_cast<double>(rssStart) / 1024.0},
                       {"rssMiBAfterLoad", static_cast<double>(rssEnd) / 1024.0},
                       {"redfishGetPerSecond", rps},
                       {"p50us", percentile(latencies, 50)},
                       {"p99us", percentile(latencies, 99)},
                       {"errors", failed.load()},
                       {"cpuUsPerRequest", cpuPerReqUs},
                       {"connections", connections}};
    std::printf("%s\n", out.dump().c_str());
    return failed.load() == 0 ? 0 : 1;
}
