#include "config/config.hpp"
#include "config/config_reader.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <functional>
#include <map>
#include <vector>

namespace cmc::config {

using json = nlohmann::json;

using detail::Reader;
using detail::typeError;

namespace {

std::string toHex(const unsigned char* p, std::size_t n) {
    static const char* k = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s += k[p[i] >> 4];
        s += k[p[i] & 15];
    }
    return s;
}

bool fromHex(const std::string& s, std::vector<unsigned char>& out) {
    if (s.size() % 2) return false;
    out.clear();
    for (std::size_t i = 0; i < s.size(); i += 2) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(s.data() + i, s.data() + i + 2, v, 16);
        if (ec != std::errc() || p != s.data() + i + 2) return false;
        out.push_back(static_cast<unsigned char>(v));
    }
    return true;
}

bool validHash(const std::string& h) {
    // pbkdf2-sha256$iter$salt$hash
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (true) {
        auto j = h.find('$', i);
        parts.push_back(h.substr(i, j == std::string::npos ? std::string::npos : j - i));
        if (j == std::string::npos) break;
        i = j + 1;
    }
    std::vector<unsigned char> tmp;
    return parts.size() == 4 && parts[0] == "pbkdf2-sha256" && !parts[1].empty() &&
           parts[1].find_first_not_of("0123456789") == std::string::npos && fromHex(parts[2], tmp) &&
           fromHex(parts[3], tmp) && tmp.size() == 32;
}

} // namespace

std::string parseListen(const std::string& text, std::string& host, std::uint16_t& port) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return "listen address must be HOST:PORT (got '" + text + "')";
    auto p = text.substr(colon + 1);
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || v > 65535) {
        return "listen port must be 0..65535 (got '" + p + "')";
    }
    host = text.substr(0, colon);
    port = static_cast<std::uint16_t>(v);
    return {};
}

std::string parseConfig(const std::string& text, Config& out) {
    auto root = json::parse(text, nullptr, false);
    if (root.is_discarded()) return "config: not valid JSON";
    if (!root.is_object()) return "config: the top level must be a JSON object";
    Reader r{root, "", {}, {}};
    std::string listen;
    r.str("listen", listen, true);
    if (r.error.empty() && !listen.empty()) {
        auto e = parseListen(listen, out.listenHost, out.listenPort);
        if (!e.empty()) return "config: 'listen': " + e;
    }
    r.object("https", [&](const json& o, const std::string& prefix) {
        Reader h{o, prefix, {}, {}};
        std::string at;
        h.str("listen", at, true);
        h.str("certificateFile", out.https.certificateFile, true);
        h.str("keyFile", out.https.keyFile, true);
        auto e = h.finish();
        if (!e.empty()) return e;
        if (!at.empty()) {
            e = parseListen(at, out.https.listenHost, out.https.listenPort);
            if (!e.empty()) return "config: '" + prefix + ".listen': " + e;
            out.https.listenSet = true;
        }
        if (out.https.certificateFile.empty() != out.https.keyFile.empty())
            return "config: '" + prefix + "' needs both certificateFile and keyFile (or neither: self-signed)";
        return std::string();
    });
    r.str("db", out.dbPath, true);
    r.str("rack", out.rackManifest, true);
    r.str("migrationsDir", out.migrationsDir, true);
    r.str("fabricUrl", out.fabricUrl, true);
    r.integer("ipmiTimeoutMs", out.ipmiTimeoutMs, 50, 60000);
    r.integer("redfishTimeoutMs", out.redfishTimeoutMs, 50, 120000);
    r.object("admin", [&](const json& o, const std::string& prefix) {
        Reader a{o, prefix, {}, {}};
        a.str("username", out.admin.username, true);
        a.str("password", out.admin.password, true);
        a.str("passwordHash", out.admin.passwordHash, true);
        auto e = a.finish();
        if (!e.empty()) return e;
        if (!out.admin.passwordHash.empty() && !validHash(out.admin.passwordHash)) {
            return "config: '" + prefix +
                   ".passwordHash' must be pbkdf2-sha256$<iterations>$<salt hex>$<32-byte hash hex>";
        }
        if (!out.admin.password.empty() && !out.admin.passwordHash.empty()) {
            return "config: '" + prefix + "' has both password and passwordHash; keep one";
        }
        return std::string();
    });
    r.object("accountService", [&](const json& o, const std::string& prefix) {
        Reader a{o, prefix, {}, {}};
        auto& p = out.accountPolicy;
        a.integer("minPasswordLength", p.minPasswordLength, 1, 256);
        a.integer("maxPasswordLength", p.maxPasswordLength, 1, 256);
        a.integer("lockoutThreshold", p.lockoutThreshold, 0, 1000);
        a.integer("lockoutDurationSeconds", p.lockoutDurationSeconds, 0, 86400);
        a.integer("lockoutCounterResetSeconds", p.lockoutCounterResetSeconds, 0, 86400);
        auto e = a.finish();
        if (!e.empty()) return e;
        if (p.maxPasswordLength < p.minPasswordLength)
            return "config: '" + prefix + ".maxPasswordLength' must be at least minPasswordLength";
        if (p.lockoutDurationSeconds != 0 && p.lockoutDurationSeconds < p.lockoutCounterResetSeconds)
            return "config: '" + prefix + ".lockoutDurationSeconds' must be at least lockoutCounterResetSeconds";
        return std::string();
    });
    r.object("sessions", [&](const json& o, const std::string& prefix) {
        Reader m{o, prefix, {}, {}};
        m.integer("idleTimeoutSeconds", out.sessionIdleTimeoutSeconds, 30, 86400); // DMTF SessionTimeout range
        return m.finish();
    });
    r.object("eventService", [&](const json& o, const std::string& prefix) {
        Reader m{o, prefix, {}, {}};
        auto& c = out.eventService;
        m.known.emplace_back("allowedDestinations");
        if (const auto it = o.find("allowedDestinations"); it != o.end()) {
            if (!it->is_array()) return typeError(prefix + ".allowedDestinations", "an array of strings", *it);
            for (std::size_t i = 0; i < it->size(); ++i) {
                const auto& v = (*it)[i];
                if (!v.is_string() || v.get<std::string>().empty())
                    return typeError(prefix + ".allowedDestinations[" + std::to_string(i) + "]", "a non-empty string",
                                     v);
                c.allowedDestinations.push_back(v.get<std::string>());
            }
        }
        m.integer("retryAttempts", c.retryAttempts, 0, 100);
        m.integer("retryIntervalSeconds", c.retryIntervalSeconds, 1, 3600);
        m.integer("queueLimit", c.queueLimit, 1, 1000000);
        m.integer("maxSubscriptions", c.maxSubscriptions, 1, 10000);
        m.integer("maxSseStreams", c.maxSseStreams, 1, 10000);
        m.integer("sseKeepAliveMs", c.sseKeepAliveMs, 100, 3600000);
        m.integer("sseReplayEvents", c.sseReplayEvents, 1, 10000);
        m.integer("deliveryTimeoutMs", c.deliveryTimeoutMs, 100, 600000);
        return m.finish();
    });
    r.object("monitor", [&](const json& o, const std::string& prefix) {
        Reader m{o, prefix, {}, {}};
        auto& c = out.monitor;
        m.integer("ipmiIntervalMs", c.ipmiIntervalMs, 10, 600000);
        m.integer("redfishIntervalMs", c.redfishIntervalMs, 100, 3600000);
        m.integer("redfishOnlyIntervalMs", c.redfishOnlyIntervalMs, 100, 3600000);
        m.boolean("redfishEvents", c.redfishEvents);
        m.integer("selIntervalMs", c.selIntervalMs, 50, 600000);
        m.integer("heartbeatIntervalMs", c.heartbeatIntervalMs, 20, 600000);
        m.integer("sampleIntervalMs", c.sampleIntervalMs, 100, 3600000);
        m.number("networkSuspectFraction", c.networkSuspectFraction, 0.0, 1.0);
        m.integer("networkMinimumBlades", c.networkMinimumBlades, 1, 100000);
        m.integer("ipmiLossThresholdMs", c.thresholds.ipmiLossMs, 0, 3600000);
        m.integer("redfishLossThresholdMs", c.thresholds.redfishLossMs, 0, 3600000);
        m.integer("redfishOnlyLossThresholdMs", c.thresholds.redfishOnlyLossMs, 0, 3600000);
        m.integer("heartbeatLossThresholdMs", c.thresholds.heartbeatLossMs, 0, 3600000);
        m.integer("unexpectedOffMs", c.thresholds.unexpectedOffMs, 0, 3600000);
        m.integer("powerOnGraceMs", c.thresholds.powerOnGraceMs, 0, 3600000);
        std::int64_t flap = c.thresholds.flapCount;
        m.integer("flapCount", flap, 1, 1000);
        c.thresholds.flapCount = static_cast<int>(flap);
        m.integer("flapWindowMs", c.thresholds.flapWindowMs, 1000, 86400000);
        return m.finish();
    });
    r.object("retention", [&](const json& o, const std::string& prefix) {
        Reader m{o, prefix, {}, {}};
        m.integer("samplesHours", out.sampleRetentionHours, 1, 24 * 365);
        m.integer("aggregatesDays", out.aggregateRetentionDays, 1, 3650);
        m.integer("events", out.eventRetention, 100, 100000000);
        return m.finish();
    });
    detail::readFailover(r, out.failover);
    detail::readDeclarations(r, out.declared);
    return r.finish();
}

std::string hashPassword(const std::string& password, int iterations) {
    unsigned char salt[16];
    if (RAND_bytes(salt, sizeof salt) != 1) return {};
    unsigned char out[32];
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt, sizeof salt, iterations,
                          EVP_sha256(), sizeof out, out) != 1) {
        return {};
    }
    return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + toHex(salt, sizeof salt) + "$" +
           toHex(out, sizeof out);
}

bool verifyPassword(const Admin& admin, const std::string& candidate) {
    if (!admin.passwordHash.empty()) {
        auto h = admin.passwordHash;
        auto a = h.find('$');
        auto b = h.find('$', a + 1);
        auto c = h.find('$', b + 1);
        if (a == std::string::npos || b == std::string::npos || c == std::string::npos) return false;
        int iterations = std::atoi(h.substr(a + 1, b - a - 1).c_str());
        std::vector<unsigned char> salt, expect;
        if (iterations <= 0 || !fromHex(h.substr(b + 1, c - b - 1), salt) || !fromHex(h.substr(c + 1), expect))
            return false;
        unsigned char out[32];
        if (PKCS5_PBKDF2_HMAC(candidate.data(), static_cast<int>(candidate.size()), salt.data(),
                              static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof out, out) != 1) {
            return false;
        }
        return expect.size() == sizeof out && CRYPTO_memcmp(out, expect.data(), sizeof out) == 0;
    }
    if (admin.password.empty()) return false; // no password configured: nobody gets in
    return admin.password.size() == candidate.size() &&
           CRYPTO_memcmp(admin.password.data(), candidate.data(), candidate.size()) == 0;
}

} // namespace cmc::config
