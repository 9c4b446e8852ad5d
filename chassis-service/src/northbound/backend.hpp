// What the northbound API needs from the rest of cmcd, as one interface: the
// wiring (app/) implements it, so northbound/ depends on domain/ and events/
// only and never on the service that owns it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/account.hpp"
#include "domain/event_subscription.hpp"
#include "domain/views.hpp"
#include "http/router.hpp"
#include "http/self_signed.hpp"
#include "northbound/service_metrics.hpp"

namespace cmc::events {
class EventLog;
}

namespace cmc::northbound {

class Backend {
public:
    virtual ~Backend() = default;

    [[nodiscard]] virtual std::vector<int> bladeSlots() const = 0;
    // Every blade's health state, for roll-ups (no per-blade view built).
    [[nodiscard]] virtual std::vector<domain::HealthState> bladeStates() const = 0;
    [[nodiscard]] virtual std::optional<domain::BladeView> bladeView(int slot) const = 0;
    [[nodiscard]] virtual domain::Chassis chassisInfo() const = 0;
    [[nodiscard]] virtual domain::ManagerView managerView() const = 0;
    [[nodiscard]] virtual events::EventLog& eventLog() = 0;

    // Checks a user name and password (slow hashes run off the loop); `done`
    // runs on the io_context with the principal, or nullopt when refused;
    // `busy` when refused only because too many checks are already queued.
    using AuthDone = std::function<void(std::optional<http::Principal>, bool busy)>;
    virtual void authenticate(const std::string& user, const std::string& password, AuthDone done) = 0;
    // Logical servers, spare and identity pools, failovers (the orchestrator).
    using OpDone = std::function<void(domain::OperationResult)>;
    [[nodiscard]] virtual std::vector<std::string> logicalServerNames() const = 0;
    [[nodiscard]] virtual std::optional<domain::LogicalServerView> logicalServerView(const std::string& name) const = 0;
    // Creates (and binds, when it can) a logical server; `who` is the user.
    virtual void createLogicalServer(domain::LogicalServerSpec spec, const std::string& who, OpDone done) = 0;
    // Changes policy, requirements, desired power (identity is fixed once created).
    virtual void updateLogicalServer(const std::string& name, domain::FailoverPolicy policy,
                                     domain::HardwareRequirements req, const std::string& who, OpDone done) = 0;
    // Deletes it: fenced off its blade, identity released.
    virtual void deleteLogicalServer(const std::string& name, const std::string& who, OpDone done) = 0;
    // Migrate (to `slot`, or any spare when nullopt), failback, power.
    virtual void serverAction(const std::string& name, domain::ServerAction action, std::optional<int> slot,
                              const std::string& who, OpDone done) = 0;
    virtual void bladeAction(int slot, domain::BladeAction action, const std::string& who, OpDone done) = 0;
    [[nodiscard]] virtual std::optional<domain::ResourceBlockView> resourceBlock(int slot) const = 0;
    [[nodiscard]] virtual std::vector<std::int64_t> failoverIds() const = 0; // oldest first
    [[nodiscard]] virtual std::optional<domain::Failover> failover(std::int64_t id) const = 0;
    [[nodiscard]] virtual std::vector<domain::SparePoolView> sparePools() const = 0;
    [[nodiscard]] virtual std::vector<domain::IdentityPoolView> identityPools() const = 0;
    [[nodiscard]] virtual std::vector<domain::CoverageEntry> coverageReport() const = 0;
    [[nodiscard]] virtual domain::WhatIf whatIf(int slot) const = 0;
    [[nodiscard]] virtual domain::StormView storm() const = 0;
    virtual void acknowledgeStorm(const std::string& who, OpDone done) = 0;

    // The EventService (northbound/event_service.cpp; app/event_push.cpp
    // delivers): settings, push subscriptions (persisted), test events, and a
    // periodic tick on the io_context for the SSE keep-alives.
    [[nodiscard]] virtual domain::EventServiceSettings eventServiceSettings() const = 0;
    virtual void setEventServiceSettings(domain::EventServiceSettings s, OpDone done) = 0;
    [[nodiscard]] virtual std::vector<domain::EventSubscriptionView> eventSubscriptions() const = 0;
    [[nodiscard]] virtual std::optional<domain::EventSubscriptionView>
    eventSubscription(const std::string& id) const = 0;
    // Checks the destination against the allowed ones (BadRequest naming
    // "Destination"); OperationResult::id is the new subscription's id.
    virtual void createEventSubscription(domain::EventSubscription s, OpDone done) = 0;
    virtual void updateEventSubscription(domain::EventSubscription s, OpDone done) = 0;
    virtual void deleteEventSubscription(const std::string& id, OpDone done) = 0;
    // Sends `e` to every push subscription that wants it (not logged).
    virtual void submitTestEvent(const domain::Event& e) = 0;
    // Runs `tick` on the io_context every `period` while it returns true.
    virtual void every(std::chrono::milliseconds period, std::function<bool()> tick) = 0;

    // The service's identity and the enclosure's parts (service_root.cpp,
    // chassis.cpp, managers.cpp): the ServiceRoot UUID (stable per
    // installation), the enclosure seat's last reading, and the audit trail
    // (read from the store off the loop; `done` runs on the io_context).
    [[nodiscard]] virtual std::string serviceUuid() const = 0;
    [[nodiscard]] virtual domain::EnclosureView enclosure() const = 0;
    using AuditDone = std::function<void(domain::AuditPage)>;
    // Entries skip..skip+top-1 of the trail, oldest first, and the total.
    virtual void auditPage(std::size_t skip, std::size_t top, AuditDone done) = 0;
    // The entry with this id (entries empty when there is none).
    virtual void auditEntry(std::int64_t id, AuditDone done) = 0;

    // The HTTPS certificate (certificates.cpp) and /metrics (metrics.cpp).
    // What the HTTPS listener presents now; nullopt when it has none.
    [[nodiscard]] virtual std::optional<http::CertificateDetails> httpsCertificate() const { return std::nullopt; }
    // Replaces it with `pem` (the certificate chain and its private key):
    // checked (BadRequest with the reason, the old one kept), written to disk
    // off the loop, then presented on new connections. `done` on the io_context.
    virtual void replaceHttpsCertificate(const std::string& /*pem*/, const std::string& /*who*/, OpDone done) {
        done({domain::OperationResult::Code::Unavailable, "this service has no HTTPS listener", {}, {}, {}, {}, {}});
    }
    [[nodiscard]] virtual ServiceMetrics metrics() const { return {}; }
    // The ports the API listens on (0: that listener is off).
    struct Listeners {
        std::uint16_t http = 0;
        std::uint16_t https = 0;
    };
    [[nodiscard]] virtual Listeners listeners() const { return {}; }

    // The AccountService (accounts.cpp; app/service_accounts.cpp): accounts
    // (passwords hashed off the loop, every change persisted before `done`),
    // the policy, and what a session may still do. Defaults: no accounts.
    [[nodiscard]] virtual std::vector<domain::AccountView> accounts() const { return {}; }
    [[nodiscard]] virtual domain::AccountPolicy accountPolicy() const { return {}; }
    using AccountDone = std::function<void(domain::AccountResult)>;
    virtual void createAccount(domain::AccountRequest /*req*/, const std::string& /*who*/, AccountDone done) {
        done({domain::AccountResult::Code::Unavailable, {}, "no account service", {}});
    }
    virtual void updateAccount(std::int64_t /*id*/, domain::AccountRequest /*req*/, const std::string& /*who*/,
                               AccountDone done) {
        done({domain::AccountResult::Code::Unavailable, {}, "no account service", {}});
    }
    virtual void deleteAccount(std::int64_t /*id*/, const std::string& /*who*/, AccountDone done) {
        done({domain::AccountResult::Code::Unavailable, {}, "no account service", {}});
    }
    virtual void setAccountPolicy(domain::AccountPolicy /*p*/, const std::string& /*who*/, AccountDone done) {
        done({domain::AccountResult::Code::Unavailable, {}, "no account service", {}});
    }
    // The credential stamp of `user` now (a new session records it; 0: none),
    // and the principal of a session opened with `stamp`: nullopt once the
    // account is deleted, disabled, renamed or its password changed.
    [[nodiscard]] virtual std::uint64_t accountStamp(const std::string& /*user*/) const { return 0; }
    [[nodiscard]] virtual std::optional<http::Principal> sessionPrincipal(const std::string& /*user*/,
                                                                          std::uint64_t /*stamp*/) const {
        return std::nullopt;
    }
    [[nodiscard]] virtual std::int64_t sessionIdleTimeoutSeconds() const { return 1800; }

    // A handler threw: log it with its subject and count it.
    virtual void reportFailure(const std::string& what, const std::string& why) = 0;

    // One answered request (exactly once each, from arrival to answer): for
    // the HTTP request counters and latency histogram of /metrics.
    virtual void recordHttpRequest(const std::string& /*method*/, unsigned /*status*/, double /*seconds*/) {}
};

// The privileges of DMTF's standard roles (Redfish privilege registry).
[[nodiscard]] std::vector<std::string> privilegesOf(const std::string& role);

} // namespace cmc::northbound
