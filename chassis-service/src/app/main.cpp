// cmcd: the OpenCMC chassis management controller service.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/manifest.hpp"
#include "app/service.hpp"
#include "config/config.hpp"

namespace {

constexpr const char* kUsage = R"(Usage: cmcd [options]

The OpenCMC chassis management controller: inventory and health of every
blade over IPMI 2.0 and Redfish, persisted in SQLite, served as a DMTF Redfish
API.

Options:
  --config FILE        JSON configuration (schema: schemas/config/cmcd.schema.json)
  --db PATH            SQLite database (default ./var/cmc.db)
  --listen HOST:PORT   northbound HTTP address (default 127.0.0.1:8080; port 0 = any free port)
  --listen-https HOST:PORT
                       northbound HTTPS address, TLS 1.2+ (default 127.0.0.1:8443, or port 0
                       when --listen gives port 0); without https.certificateFile a
                       self-signed certificate is generated beside the database
  --rack MANIFEST      import a rack manifest at start (discovery)
  --hash-password      read a password on stdin, print its admin.passwordHash, exit
  --check              validate the configuration and the rack manifest, print a
                       summary and exit (0 good, 2 bad); opens no database or port
  --help               show this help

There is no default password. The first start (an empty accounts table)
creates the administrator from admin.password or admin.passwordHash, or, when
the configuration has none, with a generated password printed once on stdout;
later starts keep the database's accounts. Flags override the configuration
file.
Exit codes: 0 after SIGINT/SIGTERM, 1 on a start-up failure, 2 on bad usage or
bad configuration.
)";

int usageError(const std::string& msg) {
    std::cerr << "cmcd: " << msg << "\nTry 'cmcd --help'.\n";
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // one log line at a time, also into files and pipes
    std::string configPath, db, listen, rack;
    std::string listenHttps;
    bool haveDb = false, haveListen = false, haveListenHttps = false, haveRack = false, checkOnly = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        std::string value;
        auto eq = a.find('=');
        if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
        } else if (a == "--config" || a == "--db" || a == "--listen" || a == "--listen-https" || a == "--rack") {
            if (i + 1 >= argc) return usageError("option '" + a + "' needs a value");
            value = argv[++i];
        }
        if (a == "--help" || a == "-h") {
            std::cout << kUsage;
            return 0;
        } else if (a == "--hash-password") {
            std::string pw;
            std::getline(std::cin, pw);
            if (pw.empty()) return usageError("--hash-password: empty password on stdin");
            std::cout << cmc::config::hashPassword(pw) << "\n";
            return 0;
        } else if (a == "--check") {
            checkOnly = true;
        } else if (a == "--config") {
            configPath = value;
        } else if (a == "--db") {
            if (value.empty()) return usageError("--db needs a path");
            db = value;
            haveDb = true;
        } else if (a == "--listen") {
            listen = value;
            haveListen = true;
        } else if (a == "--listen-https") {
            listenHttps = value;
            haveListenHttps = true;
        } else if (a == "--rack") {
            if (value.empty()) return usageError("--rack needs a path");
            rack = value;
            haveRack = true;
        } else {
            return usageError("unknown option '" + a + "'");
        }
    }

    cmc::config::Config cfg;
    if (!configPath.empty()) {
        std::ifstream in(configPath);
        if (!in) return usageError("cannot read config file '" + configPath + "'");
        std::stringstream ss;
        ss << in.rdbuf();
        auto err = cmc::config::parseConfig(ss.str(), cfg);
        if (!err.empty()) return usageError(configPath + ": " + err);
    }
    if (haveDb) cfg.dbPath = db;
    if (haveRack) cfg.rackManifest = rack;
    if (haveListen) {
        auto err = cmc::config::parseListen(listen, cfg.listenHost, cfg.listenPort);
        if (!err.empty()) return usageError("--listen: " + err);
    }
    if (haveListenHttps) {
        auto err = cmc::config::parseListen(listenHttps, cfg.https.listenHost, cfg.https.listenPort);
        if (!err.empty()) return usageError("--listen-https: " + err);
        cfg.https.listenSet = true;
    }
    if (checkOnly) {
        std::cout << "cmcd: configuration " << (configPath.empty() ? std::string("(defaults)") : configPath) << " OK\n";
        if (!cfg.rackManifest.empty()) {
            cmc::app::ParsedManifest m;
            auto err = cmc::app::readManifestFile(cfg.rackManifest, m);
            if (!err.empty()) return usageError(err);
            for (const auto& skipped : m.skipped)
                std::cerr << "cmcd: rack manifest '" << cfg.rackManifest << "': " << skipped << "\n";
            std::cout << "cmcd: rack manifest " << cfg.rackManifest << ": " << m.blades.size() << " blades usable, "
                      << m.skipped.size() << " entries skipped\n";
        }
        return 0;
    }

    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }

    boost::asio::io_context io(1);
    cmc::app::ChassisService service(io, cfg);
    std::string error;
    bool badInput = false;
    if (!service.start(error, badInput)) {
        std::cerr << "cmcd: cannot start: " << error << "\n";
        return badInput ? 2 : 1;
    }
    std::cout << "cmcd: listening on http://" << cfg.listenHost << ":" << service.port() << "/redfish/v1\n";
    std::cout << "cmcd: listening on https://" << cfg.https.listenHost << ":" << service.httpsPort() << "/redfish/v1\n";
    std::cout.flush();
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int sig) {
        std::cout << "cmcd: signal " << sig << ", stopping\n";
        service.stop();
        io.stop();
    });
    cmc::app::runGuardedLoop(io,
                             [&service](const std::string& why) { service.noteFailure("event loop", 0, why.c_str()); });
    return 0;
}
