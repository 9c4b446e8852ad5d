// Test host: N IpmiBmc on in-memory HALs, one io_context, ports printed as
// "PORT <n>" lines then "READY". Stops on SIGINT/SIGTERM.
//   ipmi_test_bmc [--count N] [--address A] [--loss R] [--latency-ms M]
#include "fake_blade_hal.hpp"
#include "ipmi/ipmi_bmc.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    std::size_t count = 1;
    std::string address = "127.0.0.1";
    double loss = 0.0;
    long latencyMs = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const char* value = argv[i + 1];
        if (key == "--count") {
            std::from_chars(value, value + std::strlen(value), count);
        } else if (key == "--address") {
            address = value;
        } else if (key == "--loss") {
            loss = std::strtod(value, nullptr);
        } else if (key == "--latency-ms") {
            latencyMs = std::strtol(value, nullptr, 10);
        } else {
            std::fprintf(stderr, "unknown option %s\n", key.c_str());
            return 2;
        }
    }
    boost::asio::io_context io;
    std::vector<std::unique_ptr<cmc::ipmi::test::FakeBladeHal>> hals;
    std::vector<std::unique_ptr<cmc::ipmi::IpmiBmc>> bmcs;
    for (std::size_t i = 0; i < count; ++i) {
        hals.push_back(std::make_unique<cmc::ipmi::test::FakeBladeHal>());
        hals.back()->link.lossRatio = loss;
        hals.back()->link.latency = std::chrono::milliseconds(latencyMs);
        cmc::ipmi::BmcOptions o;
        o.address = address;
        o.seed = i + 1;
        o.users = {{"admin", "adminpass", cmc::ipmi::Privilege::Administrator},
                   {"operator", "operpass", cmc::ipmi::Privilege::Operator},
                   {"user", "userpass", cmc::ipmi::Privilege::User}};
        bmcs.push_back(std::make_unique<cmc::ipmi::IpmiBmc>(io, *hals.back(), o));
        std::string error;
        if (!bmcs.back()->start(error)) {
            std::fprintf(stderr, "blade=%zu ipmi start failed: %s\n", i, error.c_str());
            return 1;
        }
        std::printf("PORT %u\n", static_cast<unsigned>(bmcs.back()->port()));
    }
    std::printf("READY\n");
    std::fflush(stdout);
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
    io.run();
    return 0;
}
