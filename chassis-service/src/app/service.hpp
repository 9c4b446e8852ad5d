// cmcd's service object: owns the store, the southbound clients, the blade
// inventory and health monitor, the event log and the northbound server, all
// on one io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <string>

#include "app/blade_runtime.hpp"
#include "app/orchestrator.hpp"
#include "config/config.hpp"
#include "domain/failover.hpp"
#include "domain/health.hpp"
#include "domain/health_events.hpp"
#include "domain/logical_server.hpp"
#include "domain/model.hpp"
#include "domain/power_intent.hpp"
#include "domain/views.hpp"
#include "northbound/backend.hpp"

namespace cmc::store {
class Store;
}
namespace cmc::southbound {
class IpmiClient;
class HttpClient;
struct HttpResult;
struct RedfishInventory;
struct RedfishEvent;
struct RedfishSystemState;
class Fabric;
struct LogicalIpState;
template <class T> struct FabricResult;
template <class T> struct RedfishResult;
} // namespace cmc::southbound
namespace cmc::events {
class EventLog;
}
namespace cmc::auth {
class Authenticator;
}
namespace cmc::http {
class Server;
}

namespace cmc::app {

class HttpsCertificate;
class EventPush;

inline constexpr const char* kVersion = "0.1.0";

class ChassisService final : public northbound::Backend {
public:
    ChassisService(boost::asio::io_context& io, config::Config cfg);
    ~ChassisService() override;

    // Opens the database, loads the inventory, imports the manifest, starts
    // monitoring and the northbound API. Returns false with `error` (exit 2
    // for bad input, 1 otherwise: see `badInput`).
    [[nodiscard]] bool start(std::string& error, bool& badInput);
    void stop();
    [[nodiscard]] std::uint16_t port() const;
    [[nodiscard]] std::uint16_t httpsPort() const;

    using Counters = domain::MonitorCounters;

    // northbound::Backend: the read model the API shows.
    [[nodiscard]] std::vector<int> bladeSlots() const override;
    [[nodiscard]] std::vector<domain::HealthState> bladeStates() const override;
    [[nodiscard]] std::optional<domain::BladeView> bladeView(int slot) const override;
    [[nodiscard]] domain::Chassis chassisInfo() const override { return chassis_; }
    [[nodiscard]] domain::ManagerView managerView() const override;
    [[nodiscard]] events::EventLog& eventLog() override { return *events_; }
    void authenticate(const std::string& user, const std::string& password, AuthDone done) override;
    [[nodiscard]] std::vector<std::string> logicalServerNames() const override { return orch_->serverNames(); }
    [[nodiscard]] std::optional<domain::LogicalServerView> logicalServerView(const std::string& name) const override {
        return orch_->serverView(name);
    }
    void createLogicalServer(domain::LogicalServerSpec spec, const std::string& who, OpDone done) override {
        orch_->create(std::move(spec), who, std::move(done));
    }
    void updateLogicalServer(const std::string& name, domain::FailoverPolicy policy, domain::HardwareRequirements req,
                             const std::string& who, OpDone done) override {
        orch_->update(name, std::move(policy), std::move(req), who, std::move(done));
    }
    void deleteLogicalServer(const std::string& name, const std::string& who, OpDone done) override {
        orch_->remove(name, who, std::move(done));
    }
    void serverAction(const std::string& name, domain::ServerAction action, std::optional<int> slot,
                      const std::string& who, OpDone done) override {
        orch_->serverAction(name, action, slot, who, std::move(done));
    }
    void bladeAction(int slot, domain::BladeAction action, const std::string& who, OpDone done) override {
        orch_->bladeAction(slot, action, who, std::move(done));
    }
    [[nodiscard]] std::optional<domain::ResourceBlockView> resourceBlock(int slot) const override {
        return orch_->resourceBlock(slot);
    }
    [[nodiscard]] std::vector<std::int64_t> failoverIds() const override { return orch_->failoverIds(); }
    [[nodiscard]] std::optional<domain::Failover> failover(std::int64_t id) const override {
        return orch_->failover(id);
    }
    [[nodiscard]] std::vector<domain::SparePoolView> sparePools() const override { return orch_->sparePools(); }
    [[nodiscard]] std::vector<domain::IdentityPoolView> identityPools() const override {
        return orch_->identityPools();
    }
    [[nodiscard]] std::vector<domain::CoverageEntry> coverageReport() const override { return orch_->coverageReport(); }
    [[nodiscard]] domain::WhatIf whatIf(int slot) const override { return orch_->whatIf(slot); }
    [[nodiscard]] domain::StormView storm() const override { return orch_->storm(); }
    void acknowledgeStorm(const std::string& who, OpDone done) override {
        orch_->acknowledgeStorm(who, std::move(done));
    }
    // The service's identity, the enclosure seat's last reading, the audit
    // trail (enclosure_poll.cpp, northbound_reads.cpp).
    [[nodiscard]] std::string serviceUuid() const override;
    [[nodiscard]] domain::EnclosureView enclosure() const override { return enclosure_; }
    void auditPage(std::size_t skip, std::size_t top, AuditDone done) override;
    void auditEntry(std::int64_t id, AuditDone done) override;
    // The AccountService (service_accounts.cpp): the authenticator's table,
    // every change persisted (with an audit record) before it is answered.
    [[nodiscard]] std::vector<domain::AccountView> accounts() const override;
    [[nodiscard]] domain::AccountPolicy accountPolicy() const override;
    void createAccount(domain::AccountRequest req, const std::string& who, AccountDone done) override;
    void updateAccount(std::int64_t id, domain::AccountRequest req, const std::string& who, AccountDone done) override;
    void deleteAccount(std::int64_t id, const std::string& who, AccountDone done) override;
    void setAccountPolicy(domain::AccountPolicy p, const std::string& who, AccountDone done) override;
    [[nodiscard]] std::uint64_t accountStamp(const std::string& user) const override;
    [[nodiscard]] std::optional<http::Principal> sessionPrincipal(const std::string& user,
                                                                  std::uint64_t stamp) const override;
    [[nodiscard]] std::int64_t sessionIdleTimeoutSeconds() const override { return cfg_.sessionIdleTimeoutSeconds; }
    // The EventService (event_push.cpp): push subscriptions and settings.
    [[nodiscard]] domain::EventServiceSettings eventServiceSettings() const override;
    void setEventServiceSettings(domain::EventServiceSettings s, OpDone done) override;
    [[nodiscard]] std::vector<domain::EventSubscriptionView> eventSubscriptions() const override;
    [[nodiscard]] std::optional<domain::EventSubscriptionView> eventSubscription(const std::string& id) const override;
    void createEventSubscription(domain::EventSubscription s, OpDone done) override;
    void updateEventSubscription(domain::EventSubscription s, OpDone done) override;
    void deleteEventSubscription(const std::string& id, OpDone done) override;
    void submitTestEvent(const domain::Event& e) override;
    void every(std::chrono::milliseconds period, std::function<bool()> tick) override;
    void reportFailure(const std::string& what, const std::string& why) override {
        noteFailure(what.c_str(), 0, why.c_str());
    }
    // The HTTPS certificate (https_certificate.cpp) and /metrics (service_metrics.cpp).
    [[nodiscard]] std::optional<http::CertificateDetails> httpsCertificate() const override;
    void replaceHttpsCertificate(const std::string& pem, const std::string& who, OpDone done) override;
    [[nodiscard]] northbound::ServiceMetrics metrics() const override;
    [[nodiscard]] Listeners listeners() const override;
    void recordHttpRequest(const std::string& method, unsigned status, double seconds) override;
    // Power intent: what cmcd wants each blade to be (the orchestrator and
    // operator actions set it; persisted). A blade whose intent is Off is
    // never judged failed for being off.
    void setPowerIntent(int slot, domain::PowerIntent intent, std::string reason);

    // The health monitor's typed events (BladeFailed, BladeRecovered, ...), in
    // the order they happen, on the io_context. The event log is one listener;
    // the failover orchestrator will be another.
    int subscribeHealth(std::function<void(const domain::HealthEvent&)> listener);

    // Blade operations of the failover orchestrator (blade_ops.cpp). Each
    // answers exactly once, on the io_context, with what happened.
    using StepDone = std::function<void(domain::StepOutcome)>;
    [[nodiscard]] const domain::Blade* bladeInfo(int slot) const;
    [[nodiscard]] domain::HealthState bladeHealth(int slot) const;
    // Changes the blade's role in memory; returns the record to persist.
    std::optional<domain::Blade> setBladeRole(int slot, domain::BladeRole role);
    // Power off and read back Off (graceful: an ACPI shutdown first).
    void powerOffBlade(int slot, bool graceful, std::int64_t timeoutMs, StepDone done);
    // Disables (or enables again) every switch and SAN port of the blade.
    void fabricFenceBlade(int slot, bool enabled, StepDone done);
    // Writes the server's identity onto the blade (virtual MACs and WWPNs,
    // boot override to the SAN volume) and points SAN masking, DHCP and the
    // fabric's heartbeat at it.
    void programBlade(int slot, const domain::LogicalServer& s, StepDone done);
    // Writes the blade's burned-in MACs and WWPNs back (it leaves service).
    void clearBladeIdentity(int slot, StepDone done);
    // The inventory's current (virtual) MAC or WWPN after cmcd wrote it.
    void noteCurrentAddress(int slot, bool nic, std::size_t index, const std::string& value);
    void powerOnBlade(int slot, StepDone done);
    // Whether the server is up on the blade now: its logical IPs answer
    // through the blade's switch port, the SAN sees one of its WWPNs logged
    // in to its boot volume (when the fabric reports logins and `sanLogin`),
    // and the host armed the IPMI watchdog (when the blade has IPMI and
    // `watchdog`). ok when all hold; else the detail says what is not yet true.
    void checkServerAnswers(int slot, const domain::LogicalServer& s, bool sanLogin, bool watchdog, StepDone done);
    [[nodiscard]] std::size_t bladeCount() const { return blades_.size(); }

    // Logs a failure caught at a handler or timer boundary and counts it.
    void noteFailure(const char* what, int slot, const char* why) noexcept;

private:
    // discovery.cpp
    [[nodiscard]] std::string importManifest(const std::string& path, bool& badInput);
    void connectBlade(BladeRuntime& b);
    void readInventory(int slot);
    void discoverRedfish(int slot);
    void applyRedfishInventory(int slot, southbound::RedfishResult<southbound::RedfishInventory> r);
    void subscribeEvents(int slot);
    void onBmcEvent(int slot, const southbound::RedfishEvent& e);

    // monitor.cpp
    void scheduleTick();
    void tick();
    void pollIpmi(BladeRuntime& b, std::int64_t nowMs);
    void pollSel(BladeRuntime& b, std::int64_t nowMs);
    void pollRedfish(BladeRuntime& b, std::int64_t nowMs);
    void onRedfishPoll(int slot, const southbound::RedfishResult<southbound::RedfishSystemState>& r);
    void scheduleFabric();
    void pollFabric();
    void onFabricProbe(const southbound::FabricResult<std::vector<southbound::LogicalIpState>>& r);
    void judge(BladeRuntime& b);
    void learnPower(int slot, bool observedOn);
    void publish(const domain::HealthEvent& e);
    void logHealthEvent(const domain::HealthEvent& e);
    void judgeNetworkNow();
    void moveLogicalIp(const std::string& ip, int slot);
    void scheduleRetention();
    // enclosure_poll.cpp: the enclosure's power supplies, fans and inlet
    // temperature from the seat, every few seconds, kept in enclosure_.
    void scheduleEnclosure();
    void pollEnclosure();
    void scheduleOrchestratorStart();
    // service_accounts.cpp: loads the accounts (seeding the first
    // administrator on an empty table) and starts the authenticator.
    [[nodiscard]] bool startAccounts(std::string& error);

    // Runs `fn`; an exception is logged with its subject, counted in
    // Counters::handlerFailures and swallowed: one bad answer never stops the loop.
    template <class F> void guarded(const char* what, int slot, F&& fn) noexcept {
        try {
            fn();
        } catch (const std::exception& e) {
            noteFailure(what, slot, e.what());
        } catch (...) {
            noteFailure(what, slot, "unknown exception");
        }
    }

    boost::asio::io_context& io_;
    config::Config cfg_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<southbound::IpmiClient> ipmiClient_;
    std::unique_ptr<southbound::HttpClient> http_;
    std::unique_ptr<southbound::Fabric> fabric_; // switch, SAN, DHCP and the logical-IP heartbeat
    std::unique_ptr<events::EventLog> events_;
    std::unique_ptr<EventPush> eventPush_; // the EventService's push subscriptions (event_push.cpp)
    std::unique_ptr<http::Server> server_;
    std::map<int, BladeRuntime> blades_;
    domain::Chassis chassis_;
    domain::NetworkVerdict network_;
    domain::PowerIntents powerIntents_;
    std::map<int, std::function<void(const domain::HealthEvent&)>> healthListeners_;
    int nextHealthListener_ = 1;
    std::map<std::string, int> ipOwner_; // logical IP -> slot that last answered for it
    bool fabricInFlight_ = false;
    bool stopped_ = false;
    std::int64_t startedUnixMs_ = 0;
    Counters counters_; // digest of the last verified admin credentials
    boost::asio::steady_timer tickTimer_;
    boost::asio::steady_timer fabricTimer_;
    boost::asio::steady_timer retentionTimer_;
    std::unique_ptr<Orchestrator> orch_;
    bool orchestrating_ = false;
    std::int64_t startSteadyMs_ = 0;
    boost::asio::steady_timer orchTimer_{io_};
    std::unique_ptr<auth::Authenticator> auth_; // accounts; slow hashes on its own worker thread
    std::unique_ptr<HttpsCertificate> certs_;   // the HTTPS identity (https_certificate.cpp)
    std::unique_ptr<http::Server> httpsServer_;
    bool replacingCertificate_ = false;
    northbound::HttpRequestStats httpStats_; // /metrics (service_metrics.cpp)
    std::int64_t firstEventId_ = 0;          // the event log's last id at start
    domain::EnclosureView enclosure_;        // the seat's last reading (enclosure_poll.cpp)
    bool enclosureInFlight_ = false;
    boost::asio::steady_timer enclosureTimer_{io_};
};

[[nodiscard]] std::int64_t steadyMs();

// Runs the io_context until it runs out of work or is stopped. An exception
// that escapes a handler is reported to `onFailure` and the loop goes on with
// the next handler. Returns the number of exceptions caught.
std::size_t runGuardedLoop(boost::asio::io_context& io, const std::function<void(const std::string&)>& onFailure);

} // namespace cmc::app
