#include "cmcctl/options.hpp"

#include <termios.h>
#include <unistd.h>

#include <sys/stat.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "common/json_reader.hpp"

namespace cmc::cmcctl {

namespace {

constexpr const char* kDefaultUrl = "http://127.0.0.1:8080";
constexpr const char* kDefaultUser = "admin";

// What one source (flags, environment, config file) says.
struct Layer {
    std::optional<std::string> url, user, password, passwordFile, token, caFile, fingerprint;
    std::optional<bool> insecure;
    std::optional<double> timeout;

    [[nodiscard]] bool hasCredentials() const { return password || passwordFile || token; }
    [[nodiscard]] bool hasTls() const { return caFile || fingerprint || insecure; }
};

bool usage(const std::string& msg) {
    std::cerr << "cmcctl: " << msg << "\n(cmcctl --help lists the options)\n";
    return false;
}

std::optional<std::string> env(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string(v);
}

std::optional<double> seconds(const std::string& s) {
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !(v > 0) || v > 3600) return std::nullopt;
    return v;
}

// The JSON config file: {url, user, password | token, caFile, fingerprintSha256, insecure, timeout}.
bool readConfig(const std::string& path, bool explicitPath, Layer& out) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        if (!explicitPath) return true; // the default file is optional
        return usage("cannot read config file " + path);
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    if (ss.str().size() > 1024 * 1024) return usage("config file " + path + " is larger than 1 MiB");
    auto j = jsonr::parse(ss.str());
    if (!j || !j->is_object()) return usage("config file " + path + " is not a JSON object");
    for (const auto& [k, v] : j->items()) {
        if (k == "insecure") {
            if (!v.is_boolean()) return usage("config file " + path + ": \"insecure\" must be true or false");
            out.insecure = v.get<bool>();
            continue;
        }
        if (k == "timeout") {
            auto t = jsonr::number(*j, k);
            if (!t || !(*t > 0) || *t > 3600)
                return usage("config file " + path + ": \"timeout\" must be seconds in (0, 3600]");
            out.timeout = *t;
            continue;
        }
        std::optional<std::string>* slot = nullptr;
        if (k == "url") slot = &out.url;
        if (k == "user") slot = &out.user;
        if (k == "password") slot = &out.password;
        if (k == "passwordFile") slot = &out.passwordFile;
        if (k == "token") slot = &out.token;
        if (k == "caFile") slot = &out.caFile;
        if (k == "fingerprintSha256") slot = &out.fingerprint;
        if (!slot)
            return usage("config file " + path + ": unknown key \"" + k +
                         "\" (known: url, user, password, passwordFile, token, caFile, fingerprintSha256, "
                         "insecure, timeout)");
        if (!v.is_string()) return usage("config file " + path + ": \"" + k + "\" must be a string");
        *slot = v.get<std::string>();
    }
    if (out.password && out.token) return usage("config file " + path + ": give \"password\" or \"token\", not both");
    struct stat st {};
    if ((out.password || out.token) && ::stat(path.c_str(), &st) == 0 && (st.st_mode & 077))
        std::cerr << "cmcctl: warning: config file " << path
                  << " holds a credential and is readable by others (chmod 600 it)\n";
    return true;
}

// "http://host:port" of what the operator gave (a trailing path such as /redfish/v1 is dropped).
bool normaliseUrl(std::string& url) {
    std::size_t start = 0;
    if (url.rfind("http://", 0) == 0)
        start = 7;
    else if (url.rfind("https://", 0) == 0)
        start = 8;
    else
        return false;
    auto slash = url.find('/', start);
    if (slash != std::string::npos) url.erase(slash);
    return url.size() > start;
}

bool readPasswordFile(const std::string& path, std::string& out) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return usage("cannot read password file " + path);
    std::getline(f, out);
    while (!out.empty() && (out.back() == '\r' || out.back() == '\n'))
        out.pop_back();
    if (out.empty()) return usage("password file " + path + " is empty");
    return true;
}

// Asks on the terminal with echo off; false when there is no terminal.
bool prompt(const std::string& user, const std::string& url, std::string& out) {
    if (!::isatty(STDIN_FILENO)) return false;
    std::cerr << "Password for " << user << " at " << url << ": " << std::flush;
    termios old{};
    bool restore = ::tcgetattr(STDIN_FILENO, &old) == 0;
    if (restore) {
        termios quiet = old;
        quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::getline(std::cin, out);
    if (restore) ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
    return !out.empty();
}

// The global options, each with its value when it takes one.
struct Flag {
    const char* name;
    bool takesValue;
};
constexpr Flag kFlags[] = {
    {"--url", true},     {"--user", true},      {"--password", true},     {"--password-file", true}, {"--token", true},
    {"--config", true},  {"--insecure", false}, {"--ca-file", true},      {"--fingerprint", true},   {"--json", false},
    {"--timeout", true}, {"--no-wait", false},  {"--wait-timeout", true}, {"--help", false}};

const Flag* findFlag(std::string_view name) {
    for (const auto& f : kFlags) {
        if (name == f.name) return &f;
    }
    return nullptr;
}

} // namespace

bool parseOptions(int argc, char** argv, Options& out) {
    Layer flags;
    std::optional<std::string> configPath;
    bool commandOptionsOnly = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (commandOptionsOnly) {
            out.words.push_back(a);
            continue;
        }
        if (a == "--") {
            commandOptionsOnly = true;
            out.words.push_back(a);
            continue;
        }
        if (a == "-h") a = "--help";
        std::string name = a, value;
        bool inlineValue = false;
        if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
            inlineValue = true;
        }
        const Flag* f = findFlag(name);
        if (!f) { // a command word or one of the command's own options
            out.words.push_back(a);
            continue;
        }
        if (f->takesValue && !inlineValue) {
            if (i + 1 >= argc) return usage(name + " needs a value");
            value = argv[++i];
        } else if (!f->takesValue && inlineValue) {
            return usage(name + " takes no value");
        }
        if (name == "--url") flags.url = value;
        if (name == "--user") flags.user = value;
        if (name == "--password") flags.password = value;
        if (name == "--password-file") flags.passwordFile = value;
        if (name == "--token") flags.token = value;
        if (name == "--config") configPath = value;
        if (name == "--insecure") flags.insecure = true;
        if (name == "--ca-file") flags.caFile = value;
        if (name == "--fingerprint") flags.fingerprint = value;
        if (name == "--json") out.json = true;
        if (name == "--no-wait") out.wait = false;
        if (name == "--help") out.help = true;
        if (name == "--timeout") {
            flags.timeout = seconds(value);
            if (!flags.timeout) return usage("--timeout wants seconds in (0, 3600], not '" + value + "'");
        }
        if (name == "--wait-timeout") {
            auto s = seconds(value);
            if (!s) return usage("--wait-timeout wants seconds in (0, 3600], not '" + value + "'");
            out.waitTimeout = std::chrono::seconds(static_cast<long>(*s + 0.999));
        }
    }
    if ((flags.password ? 1 : 0) + (flags.passwordFile ? 1 : 0) + (flags.token ? 1 : 0) > 1)
        return usage("give one of --password, --password-file and --token");
    if ((flags.insecure ? 1 : 0) + (flags.caFile ? 1 : 0) + (flags.fingerprint ? 1 : 0) > 1)
        return usage("give one of --insecure, --ca-file and --fingerprint");
    if (out.help) return true;

    Layer environment;
    environment.url = env("CMCCTL_URL");
    environment.user = env("CMCCTL_USER");
    environment.password = env("CMCCTL_PASSWORD");
    environment.token = env("CMCCTL_TOKEN");
    if (environment.password && environment.token)
        return usage("CMCCTL_PASSWORD and CMCCTL_TOKEN are both set: unset one");

    Layer config;
    bool explicitConfig = configPath.has_value();
    if (!configPath) {
        configPath = env("CMCCTL_CONFIG");
        explicitConfig = configPath.has_value();
    }
    if (!configPath) {
        if (auto home = env("HOME")) configPath = *home + "/.config/cmcctl/config.json";
    }
    if (configPath && !readConfig(*configPath, explicitConfig, config)) return false;

    const Layer* layers[] = {&flags, &environment, &config};
    auto pick = [&](auto member) -> std::optional<std::string> {
        for (const Layer* l : layers) {
            if (l->*member) return l->*member;
        }
        return std::nullopt;
    };
    auto& s = out.settings;
    s.url = pick(&Layer::url).value_or(kDefaultUrl);
    if (!normaliseUrl(s.url)) return usage("the URL '" + s.url + "' is not http://HOST:PORT or https://HOST:PORT");
    s.user = pick(&Layer::user).value_or(kDefaultUser);
    for (const Layer* l : layers) { // the first source that names a credential gives it
        if (!l->hasCredentials()) continue;
        if (l->token) s.token = *l->token;
        if (l->password) s.password = *l->password;
        if (l->passwordFile && !readPasswordFile(*l->passwordFile, s.password)) return false;
        break;
    }
    for (const Layer* l : layers) { // likewise the TLS policy
        if (!l->hasTls()) continue;
        if (l->insecure) s.tls.insecure = *l->insecure;
        if (l->caFile) s.tls.caFile = *l->caFile;
        if (l->fingerprint) {
            s.tls.fingerprintSha256 = southbound::normaliseFingerprint(*l->fingerprint);
            if (s.tls.fingerprintSha256.empty())
                return usage("the fingerprint '" + *l->fingerprint + "' is not a SHA-256 (64 hex digits)");
        }
        break;
    }
    for (const Layer* l : layers) {
        if (l->timeout) {
            s.timeout = std::chrono::milliseconds(static_cast<long>(*l->timeout * 1000));
            break;
        }
    }
    return true;
}

bool resolveCredentials(Options& o) {
    auto& s = o.settings;
    if (!s.token.empty() || !s.password.empty()) return true;
    if (prompt(s.user, s.url, s.password)) return true;
    return usage("no credentials for " + s.user +
                 ": give --password-file FILE, --token TOKEN, CMCCTL_PASSWORD or a config file");
}

const char* globalHelp() {
    return R"(cmcctl: the command-line client of cmcd's Redfish API

usage: cmcctl [OPTIONS] COMMAND [ARGS...]      (options may also follow the command)

Options:
  --url URL            cmcd's address, http://HOST:PORT or https://HOST:PORT (default http://127.0.0.1:8080)
  --user USER          account to log in as (default admin)
  --password P         password (visible to other users in ps: prefer the next two)
  --password-file F    read the password from the first line of F
  --token T            use an existing session token (X-Auth-Token); no login, no logout
  --config FILE        JSON config: {"url", "user", "password" | "passwordFile" | "token", "caFile",
                       "fingerprintSha256", "insecure", "timeout"} (default $CMCCTL_CONFIG, else
                       ~/.config/cmcctl/config.json when it exists)
  --ca-file F          HTTPS: trust the CAs in PEM file F (host name verified)
  --fingerprint FP     HTTPS: accept only the certificate with this SHA-256 fingerprint
  --insecure           HTTPS: accept any certificate (test services only)
  --json               print JSON for scripts instead of tables
  --timeout S          seconds for each HTTP request (default 10)
  --no-wait            long operations: print the task and return at once
  --wait-timeout S     long operations: give up waiting after S seconds (default 600)
  --help               this text; COMMAND --help describes one command

Environment: CMCCTL_URL, CMCCTL_USER, CMCCTL_PASSWORD, CMCCTL_TOKEN, CMCCTL_CONFIG. A flag beats the
environment, which beats the config file. Without a password or token cmcctl asks on the terminal.
cmcctl logs in with a session (POST /redfish/v1/SessionService/Sessions) and deletes it at exit.
)";
}

const char* exitCodesHelp() {
    return R"(Exit codes:
  0  success
  1  the API refused the request (4xx/5xx other than 401 and 404; its DMTF message and MessageId are printed)
  2  usage error (bad flags or arguments)
  3  authentication failed (401/403 on login, or the token was refused)
  4  not found (404)
  5  cannot connect, TLS failure or timeout
  6  a waited task ended Failed (TaskState Exception, Killed or Cancelled)
)";
}

} // namespace cmc::cmcctl
