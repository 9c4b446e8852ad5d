// Health-sample write throughput of the store (batched by the writer thread).
// Prints samples per second; not a CTest test.
//   build-store/tests/store_bench [--seconds N] [--batch N]
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "store/store.hpp"

int main(int argc, char** argv) {
    double seconds = 3.0;
    int perCall = 16; // samples per appendHealthSamples call (one monitor tick of one blade)
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--seconds" && i + 1 < argc) {
            seconds = std::atof(argv[++i]);
        } else if (a == "--batch" && i + 1 < argc) {
            perCall = std::atoi(argv[++i]);
        } else {
            std::cerr << "usage: store_bench [--seconds N] [--batch N]\n";
            return 2;
        }
    }
    std::string tmpl = (std::filesystem::temp_directory_path() / "cmc-store-bench-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) return 1;
    boost::asio::io_context io;
    auto guard = boost::asio::make_work_guard(io);
    cmc::store::StoreOptions o;
    o.path = tmpl + "/bench.db";
    o.migrationsDir = CMC_MIGRATIONS_DIR;
    std::string error;
    auto store = cmc::store::Store::open(io, o, error);
    if (!store) {
        std::cerr << "store_bench: " << error << "\n";
        return 1;
    }
    constexpr int kInFlight = 64;
    std::int64_t committed = 0;
    std::int64_t t = 0;
    bool stopping = false;
    int outstanding = 0;
    std::function<void()> pump = [&] {
        std::vector<cmc::domain::HealthSample> batch;
        for (int k = 0; k < perCall; ++k) {
            ++t;
            batch.push_back(cmc::domain::HealthSample{1 + static_cast<int>(t % 16), t, "ipmi", true, 0.5, ""});
        }
        ++outstanding;
        store->appendHealthSamples(std::move(batch), [&](bool ok, const std::string&) {
            --outstanding;
            if (ok) committed += perCall;
            if (!stopping) pump();
        });
    };
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kInFlight; ++i)
        pump();
    while (true) {
        io.run_one();
        double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (elapsed >= seconds) stopping = true;
        if (stopping && outstanding == 0) break;
    }
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double rate = static_cast<double>(committed) / elapsed;
    std::cout << "store_bench: " << committed << " health samples committed in " << elapsed << " s: " << rate
              << " samples/s (" << perCall << " per call, " << kInFlight << " calls in flight, synchronous=FULL)\n";
    std::cout << "{\"samples_per_second\": " << static_cast<long long>(rate) << ", \"per_call\": " << perCall << "}\n";
    store.reset();
    std::filesystem::remove_all(tmpl);
    return 0;
}
