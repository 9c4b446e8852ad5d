// What the northbound API needs from the rest of cmcd, as one interface: the
// wiring (app/) implements it, so northbound/ depends on domain/ and events/
// only and never on the service that owns it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/views.hpp"
#include "http/router.hpp"

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

    // A handler threw: log it with its subject and count it.
    virtual void reportFailure(const std::string& what, const std::string& why) = 0;
};

// The privileges of DMTF's standard roles (Redfish privilege registry).
[[nodiscard]] std::vector<std::string> privilegesOf(const std::string& role);

} // namespace cmc::northbound
