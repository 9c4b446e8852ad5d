// cmcd's configuration: a JSON file validated at start (errors name the key),
// with command-line flags that override it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/declarations.hpp"
#include "domain/account.hpp"
#include "domain/health.hpp"

namespace cmc::config {

struct Admin {
    std::string username = "admin";
    std::string password;     // plain (demo, tests), or
    std::string passwordHash; // "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>"
};

struct MonitorConfig {
    std::int64_t ipmiIntervalMs = 250;
    std::int64_t redfishIntervalMs = 5000;     // Redfish poll of a blade that also has IPMI
    std::int64_t redfishOnlyIntervalMs = 1000; // power state and health of a Redfish-only blade
    bool redfishEvents = true;                 // subscribe to BMCs' EventService SSE streams
    std::int64_t selIntervalMs = 1000;
    std::int64_t heartbeatIntervalMs = 500;
    std::int64_t sampleIntervalMs = 10000; // one persisted health sample per signal per blade at most this often
    double networkSuspectFraction = 0.5;
    std::int64_t networkMinimumBlades = 4;
    domain::HealthThresholds thresholds;
};

// The HTTPS listener. Without certificateFile/keyFile, cmcd generates a
// self-signed certificate at first start and keeps it beside the database.
struct HttpsConfig {
    std::string listenHost = "127.0.0.1";
    std::uint16_t listenPort = 8443;
    bool listenSet = false;      // given in the file or by --listen-https (else port 0 follows an HTTP port 0)
    std::string certificateFile; // PEM chain, server certificate first
    std::string keyFile;         // PEM private key (unencrypted)
};

// The northbound EventService: where push subscriptions may send events
// (loopback always), delivery retries and bounds.
struct EventServiceConfig {
    std::vector<std::string> allowedDestinations; // "host", "host:port" or a CIDR ("10.0.0.0/8")
    std::int64_t retryAttempts = 3;
    std::int64_t retryIntervalSeconds = 5;
    std::int64_t queueLimit = 1000; // events queued per subscription; the oldest are dropped beyond
    std::int64_t maxSubscriptions = 64;
    std::int64_t maxSseStreams = 64;
    std::int64_t sseKeepAliveMs = 15000;
    std::int64_t sseReplayEvents = 200;    // replayed after a Last-Event-ID at most (newest kept)
    std::int64_t deliveryTimeoutMs = 5000; // one POST to a receiver
};

struct Config {
    std::string listenHost = "127.0.0.1";
    std::uint16_t listenPort = 8080;
    HttpsConfig https;
    std::string dbPath = "./var/cmc.db";
    std::string rackManifest;  // import at start (discovery)
    std::string migrationsDir; // default: compiled-in schemas/db
    std::string fabricUrl;     // fabric management API (cmcsim control API); default from the manifest
    Admin admin; // seeds the first administrator when the database has no account (else a generated password)
    domain::AccountPolicy accountPolicy;           // "accountService" (until changed through the API)
    std::int64_t sessionIdleTimeoutSeconds = 1800; // "sessions.idleTimeoutSeconds"
    MonitorConfig monitor;
    std::int64_t ipmiTimeoutMs = 1000;
    std::int64_t redfishTimeoutMs = 3000;
    std::int64_t sampleRetentionHours = 24;
    std::int64_t aggregateRetentionDays = 30;
    std::int64_t eventRetention = 100000;
    FailoverConfig failover;
    EventServiceConfig eventService;
    Declarations declared; // identity pools, spare pools, logical servers applied at start
};

// Parses a config file's text into `out` (defaults for absent keys).
// Returns an empty string, or a message naming the offending key.
[[nodiscard]] std::string parseConfig(const std::string& text, Config& out);
// "HOST:PORT" (port 0 allowed); message on error.
[[nodiscard]] std::string parseListen(const std::string& text, std::string& host, std::uint16_t& port);

// Password hashing for the admin account (PBKDF2-HMAC-SHA256, OpenSSL).
[[nodiscard]] std::string hashPassword(const std::string& password, int iterations = 100000);
[[nodiscard]] bool verifyPassword(const Admin& admin, const std::string& candidate);

} // namespace cmc::config
