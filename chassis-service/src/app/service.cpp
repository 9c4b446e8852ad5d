#include "app/service.hpp"

#include <boost/asio/post.hpp>

#include <chrono>
#include <iostream>

#include "app/event_push.hpp"
#include "app/https_certificate.hpp"
#include "auth/authenticator.hpp"
#include "events/event_log.hpp"
#include "http/http_server.hpp"
#include "northbound/northbound.hpp"
#include "redfish/redfish_errors.hpp"
#include "southbound/fabric/fabric.hpp"
#include "southbound/ipmi/ipmi_client.hpp"
#include "southbound/redfish/http_client.hpp"
#include "southbound/redfish/redfish_bmc.hpp"
#include "store/store.hpp"

namespace cmc::app {

std::int64_t steadyMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::size_t runGuardedLoop(boost::asio::io_context& io, const std::function<void(const std::string&)>& onFailure) {
    std::size_t caught = 0;
    for (;;) {
        try {
            io.run();
            return caught;
        } catch (const std::exception& e) {
            ++caught;
            onFailure(e.what());
        } catch (...) {
            ++caught;
            onFailure("unknown exception");
        }
    }
}

void ChassisService::noteFailure(const char* what, int slot, const char* why) noexcept {
    ++counters_.handlerFailures;
    try {
        std::cerr << "cmcd: " << (slot ? "blade=" + std::to_string(slot) + " " : std::string()) << what
                  << " failed: " << why << " (caught; cmcd carries on)\n";
    } catch (...) {
    }
}

ChassisService::ChassisService(boost::asio::io_context& io, config::Config cfg)
    : io_(io), cfg_(std::move(cfg)), tickTimer_(io), fabricTimer_(io), retentionTimer_(io) {}

ChassisService::~ChassisService() {
    stop();
}

bool ChassisService::start(std::string& error, bool& badInput) {
    badInput = false;
    startedUnixMs_ = events::nowUnixMs();
    startSteadyMs_ = steadyMs();
    store::StoreOptions so;
    so.path = cfg_.dbPath;
    so.migrationsDir = cfg_.migrationsDir;
    so.sampleRetentionMs = cfg_.sampleRetentionHours * 3600 * 1000;
    so.downsampledRetentionMs = cfg_.aggregateRetentionDays * 24 * 3600 * 1000;
    so.eventRetentionCount = cfg_.eventRetention;
    store_ = store::Store::open(io_, so, error);
    if (!store_) {
        error = "database '" + cfg_.dbPath + "': " + error;
        return false;
    }
    std::cout << "cmcd: database " << cfg_.dbPath << " (schema version " << store_->schemaVersion() << ")\n";
    if (auto c = store_->loadChassisSync()) chassis_ = *c;
    powerIntents_.load(store_->loadPowerIntentsSync());
    auto lastId = store_->lastEventIdSync();
    firstEventId_ = lastId;
    auto recent = store_->loadEventsSync(lastId > 10000 ? lastId - 10000 : 0, 10000);
    events_ = std::make_unique<events::EventLog>(store_.get(), lastId, std::move(recent));
    subscribeHealth([this](const domain::HealthEvent& e) { logHealthEvent(e); });
    subscribeHealth([this](const domain::HealthEvent& e) {
        // On a later turn of the loop: the orchestrator acts on blades, and
        // the monitor publishing this must not find its state changed under it.
        if (orchestrating_)
            boost::asio::post(io_, [this, e] { guarded("orchestrator", 0, [&] { orch_->onHealth(e); }); });
    });

    southbound::IpmiClientOptions io;
    io.requestTimeout = std::chrono::milliseconds(cfg_.ipmiTimeoutMs);
    io.log = [](const std::string& line) { std::cout << "cmcd: ipmi " << line << "\n"; };
    ipmiClient_ = std::make_unique<southbound::IpmiClient>(io_, io);
    southbound::HttpClientOptions ho;
    ho.timeout = std::chrono::milliseconds(cfg_.redfishTimeoutMs);
    ho.maxConnectionsPerHost = 4; // one Redfish service may front several blades
    http_ = std::make_unique<southbound::HttpClient>(io_, ho);

    // Inventory from the database first: monitoring resumes after a restart.
    for (auto& b : store_->loadBladesSync()) {
        BladeRuntime rt;
        rt.blade = std::move(b);
        rt.health = std::make_unique<domain::BladeHealth>(rt.blade.slot, cfg_.monitor.thresholds);
        blades_.emplace(rt.blade.slot, std::move(rt));
    }
    if (!blades_.empty()) std::cout << "cmcd: " << blades_.size() << " blades loaded from the database\n";
    if (!cfg_.rackManifest.empty()) {
        auto e = importManifest(cfg_.rackManifest, badInput);
        if (!e.empty()) {
            error = e;
            return false;
        }
    }

    orch_ = std::make_unique<Orchestrator>(io_, *this, *store_, *events_, cfg_.failover);
    {
        auto e = orch_->load(store_->loadOrchestratorSync(), cfg_.declared);
        if (!e.empty()) {
            error = e;
            badInput = true;
            return false;
        }
    }
    if (!cfg_.fabricUrl.empty()) {
        fabric_ = southbound::makeSimulatorFabric(*http_, cfg_.fabricUrl);
        std::cout << "cmcd: fabric " << fabric_->describe() << "\n";
    }

    if (!startAccounts(error)) return false;
    eventPush_ = std::make_unique<EventPush>(io_, *store_, *events_, cfg_.eventService);
    if (auto e = eventPush_->load(store_->loadEventServiceSync()); !e.empty()) {
        error = e;
        badInput = true;
        return false;
    }
    eventPush_->start();

    http::ServerOptions hs;
    hs.serverName = "OpenCMC-cmcd";
    hs.bodyLimit = 1024 * 1024;
    hs.maxConnections = 1024;
    hs.errorResponse = [](unsigned status, std::string_view detail) { return redfish::protocolError(status, detail); };
    auto handler = northbound::makeHandler(*this); // one API (routes, sessions) behind both listeners
    server_ = std::make_unique<http::Server>(io_, handler, hs);
    if (!server_->listen(cfg_.listenHost, cfg_.listenPort, error)) return false;
    // HTTPS (TLS 1.2+): 8443 by default; port 0 too when HTTP asked for port 0 and HTTPS names none.
    certs_ = std::make_unique<HttpsCertificate>(io_);
    if (!certs_->load(cfg_.https, cfg_.dbPath, error, badInput)) return false;
    http::ServerOptions tls = hs;
    tls.tls = certs_->identity();
    httpsServer_ = std::make_unique<http::Server>(io_, handler, tls);
    const std::uint16_t httpsPort = cfg_.https.listenSet || cfg_.listenPort != 0 ? cfg_.https.listenPort : 0;
    if (!httpsServer_->listen(cfg_.https.listenHost, httpsPort, error)) {
        error = "https: " + error;
        return false;
    }

    for (auto& [slot, b] : blades_) {
        if (b.blade.present) connectBlade(b);
    }
    events_->raise("ServiceStarted", {kVersion, std::to_string(blades_.size())}, "/redfish/v1/Managers/cmc");
    scheduleTick();
    scheduleFabric();
    scheduleRetention();
    scheduleEnclosure();
    scheduleOrchestratorStart();
    return true;
}

void ChassisService::scheduleOrchestratorStart() {
    // The orchestrator starts once every blade is discovered and judged (or
    // after 20 s): it needs Redfish paths to write identities and health to
    // choose spares.
    auto waited = steadyMs() - startSteadyMs_;
    bool ready = true;
    for (const auto& [slot, b] : blades_) {
        if (!b.blade.present) continue;
        if ((b.redfish && !b.redfishDiscovered) || (b.health && b.health->state() == domain::HealthState::Unknown))
            ready = false;
    }
    if (ready || waited > 20000) {
        std::cout << "cmcd: failover orchestrator starts (" << (ready ? "every blade known" : "20 s passed") << ", "
                  << waited << " ms after start)\n";
        orchestrating_ = true;
        guarded("orchestrator start", 0, [this] { orch_->begin(); });
        return;
    }
    orchTimer_.expires_after(std::chrono::milliseconds(50));
    orchTimer_.async_wait([this](boost::system::error_code ec) {
        if (!ec && !stopped_) scheduleOrchestratorStart();
    });
}

void ChassisService::stop() {
    if (stopped_) return;
    stopped_ = true;
    tickTimer_.cancel();
    fabricTimer_.cancel();
    retentionTimer_.cancel();
    orchTimer_.cancel();
    enclosureTimer_.cancel();
    if (orch_) orch_->stop();
    if (eventPush_) eventPush_->stop();
    if (server_) server_->stop();
    if (httpsServer_) httpsServer_->stop();
    if (certs_) certs_->stop();
    for (auto& [slot, b] : blades_) {
        if (b.ipmi) b.ipmi->close();
        if (b.redfish) b.redfish->close();
    }
    if (http_) http_->shutdown();
    if (auth_) auth_->stop();
    if (store_) store_->flush();
}

std::uint16_t ChassisService::httpsPort() const {
    return httpsServer_ ? httpsServer_->port() : 0;
}

std::uint16_t ChassisService::port() const {
    return server_ ? server_->port() : 0;
}

std::vector<int> ChassisService::bladeSlots() const {
    std::vector<int> out;
    out.reserve(blades_.size());
    for (const auto& [slot, b] : blades_)
        out.push_back(slot);
    return out;
}

std::vector<domain::HealthState> ChassisService::bladeStates() const {
    std::vector<domain::HealthState> out;
    out.reserve(blades_.size());
    for (const auto& entry : blades_)
        out.push_back(entry.second.blade.health);
    return out;
}

std::optional<domain::BladeView> ChassisService::bladeView(int slot) const {
    auto it = blades_.find(slot);
    if (it == blades_.end()) return std::nullopt;
    const auto& rt = it->second;
    domain::BladeView v;
    v.blade = rt.blade;
    v.blade.bmc.password.clear(); // the API never sees credentials
    v.blade.bmc.redfishPassword.clear();
    v.steadyNowMs = steadyMs();
    v.lastTransition = rt.lastTransition;
    v.logicalIps = rt.logicalIps;
    v.ipmiSessionUp = rt.ipmiUp;
    v.lastIpmiRttMs = rt.lastIpmiRttMs;
    if (rt.redfish) {
        v.redfishSystem = rt.redfish->systemPath();
        v.eventStream = rt.redfish->subscribed();
    }
    v.state = rt.blade.health;
    if (const auto* pi = powerIntents_.record(slot)) v.powerIntent = *pi;
    if (rt.health) {
        v.badSignals = rt.health->badSignals();
        v.reason = rt.health->reason();
        v.quarantineRecommended = rt.health->quarantineRecommended();
        v.ipmi = rt.health->ipmi();
        v.redfish = rt.health->redfish();
        v.heartbeat = rt.health->heartbeatSignal();
        bool ipmiOk = !rt.blade.bmc.hasIpmi() || (rt.ipmiUp && !v.ipmi.bad);
        bool redfishOk = !rt.blade.bmc.hasRedfish() || rt.blade.bmc.hasIpmi() || (v.redfish.known && !v.redfish.bad);
        v.bmcReachable = ipmiOk && redfishOk;
    }
    return v;
}

domain::ManagerView ChassisService::managerView() const {
    domain::ManagerView m;
    m.version = kVersion;
    m.startedUnixMs = startedUnixMs_;
    m.network = network_;
    m.counters = counters_;
    m.eventRetention = cfg_.eventRetention;
    m.blades = blades_.size();
    return m;
}

void ChassisService::authenticate(const std::string& user, const std::string& password, AuthDone done) {
    if (!auth_) {
        done(std::nullopt, false);
        return;
    }
    auth_->verify(user, password, [done = std::move(done)](auth::Verdict v) {
        if (!v.ok) {
            done(std::nullopt, v.busy);
            return;
        }
        done(http::Principal{v.user, v.role, northbound::privilegesOf(v.role)}, false);
    });
}

} // namespace cmc::app
