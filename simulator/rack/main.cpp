// cmcsim: the simulated rack.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <sys/resource.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "rack/rack.hpp"

namespace {

constexpr const char* kUsage = R"(Usage: cmcsim [options]

The OpenCMC simulated rack: N blades, each with a Redfish and an IPMI 2.0 BMC
on loopback, an L2 switch, a SAN, DHCP, an invariant monitor, a client probe
and fault injection, driven through an HTTP/JSON control API under /sim/v1.

Options:
  --blades N           number of blades (1..1000, default 16)
  --manifest PATH      write the rack manifest (JSON) here once every BMC listens
  --control-port P     control API port (default 7070, 0 = any free port)
  --bmc-base-port B    first BMC port; blade i uses B+i-1 for Redfish (TCP) and
                       IPMI (UDP) (default 20000, 0 = any free ports)
  --bind ADDRESS       address to bind every port to (default 127.0.0.1)
  --redfish-scheme S   http or https (default http); with https every BMC has
                       its own self-signed ECDSA P-256 certificate, whose
                       SHA-256 fingerprint the manifest lists
  --seed S             seed of all randomness (default 1)
  --speed X            simulated time runs X times faster than real time
                       (0.01..10000, default 1)
  --hardware-delays D  default or zero (default: default): with zero, power
                       on/off, POST, OS boot, OS shutdown and crash reboot take
                       no time (each still passes through its states); the host
                       agent's watchdog petting is unchanged. The control API
                       reads and changes them at /sim/v1/timings
  --help               show this help

Exit codes: 0 after SIGINT/SIGTERM, 1 on a start-up failure, 2 on bad usage.
)";

int usageError(const std::string& msg) {
    std::cerr << "cmcsim: " << msg << "\nTry 'cmcsim --help'.\n";
    return 2;
}

template <typename T> bool parseNumber(const std::string& s, T& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

bool parseDouble(const std::string& s, double& out) {
    char* end = nullptr;
    errno = 0;
    out = std::strtod(s.c_str(), &end);
    return !s.empty() && end == s.c_str() + s.size() && errno == 0;
}

void raiseFileLimit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

} // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // one log line at a time, also into files and pipes
    cmc::sim::RackOptions opt;
    std::string hardwareDelays = "default";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        std::string value;
        auto eq = a.find('=');
        if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
        } else if (a != "--help" && a != "-h") {
            if (i + 1 >= argc) {
                if (a.rfind("--", 0) == 0) return usageError("option '" + a + "' needs a value");
                return usageError("unexpected argument '" + a + "'");
            }
            value = argv[++i];
        }
        if (a == "--help" || a == "-h") {
            std::cout << kUsage;
            return 0;
        } else if (a == "--blades") {
            if (!parseNumber(value, opt.blades) || opt.blades < 1 || opt.blades > 1000) {
                return usageError("--blades must be an integer 1..1000, not '" + value + "'");
            }
        } else if (a == "--manifest") {
            if (value.empty()) return usageError("--manifest needs a path");
            opt.manifestPath = value;
        } else if (a == "--control-port") {
            if (!parseNumber(value, opt.controlPort))
                return usageError("--control-port must be 0..65535, not '" + value + "'");
        } else if (a == "--bmc-base-port") {
            if (!parseNumber(value, opt.bmcBasePort))
                return usageError("--bmc-base-port must be 0..65535, not '" + value + "'");
        } else if (a == "--bind") {
            opt.bindAddress = value;
        } else if (a == "--redfish-scheme") {
            if (value == "http")
                opt.redfishScheme = cmc::sim::RedfishScheme::Http;
            else if (value == "https")
                opt.redfishScheme = cmc::sim::RedfishScheme::Https;
            else
                return usageError("--redfish-scheme must be http or https, not '" + value + "'");
        } else if (a == "--seed") {
            if (!parseNumber(value, opt.seed))
                return usageError("--seed must be a non-negative integer, not '" + value + "'");
        } else if (a == "--hardware-delays") {
            if (value == "default")
                opt.timings = cmc::sim::BladeTimings{};
            else if (value == "zero")
                opt.timings = cmc::sim::BladeTimings{}.withZeroHardwareDelays();
            else
                return usageError("--hardware-delays must be default or zero, not '" + value + "'");
            hardwareDelays = value;
        } else if (a == "--speed") {
            if (!parseDouble(value, opt.speed) || !(opt.speed >= 0.01 && opt.speed <= 10000)) {
                return usageError("--speed must be a number 0.01..10000, not '" + value + "'");
            }
        } else {
            return usageError("unknown option '" + a + "'");
        }
    }
    if (opt.bmcBasePort && opt.bmcBasePort + opt.blades - 1 > 65535) {
        return usageError("--bmc-base-port " + std::to_string(opt.bmcBasePort) + " leaves no room for " +
                          std::to_string(opt.blades) + " blades");
    }

    raiseFileLimit();
    auto t0 = std::chrono::steady_clock::now();
    boost::asio::io_context io(1);
    cmc::sim::Rack rack(io, opt);
    std::string error;
    if (!rack.start(error)) {
        std::cerr << "cmcsim: cannot start: " << error << "\n";
        return 1;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "cmcsim: " << opt.blades << " blades ready in " << ms << " ms (speed " << opt.speed << ", seed "
              << opt.seed << ", Redfish over "
              << (opt.redfishScheme == cmc::sim::RedfishScheme::Https ? "https" : "http") << ", hardware delays "
              << hardwareDelays << ")\n";
    std::cout << "cmcsim: control API http://" << opt.bindAddress << ":" << rack.controlPort() << "/sim/v1\n";
    if (!opt.manifestPath.empty()) std::cout << "cmcsim: manifest " << opt.manifestPath << "\n";
    std::cout.flush();

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int sig) {
        std::cout << "cmcsim: signal " << sig << ", stopping\n";
        rack.stop();
        io.stop();
    });
    io.run();
    return 0;
}
