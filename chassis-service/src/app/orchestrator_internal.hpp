// Internal to app/: what the orchestrator's three translation units share
// (orchestrator.cpp: state, views and start-up; orchestrator_servers.cpp:
// creation, deletion and operator actions; failover_driver.cpp: health
// events, the storm breaker and the failover driver).
#pragma once

#include <boost/asio/steady_timer.hpp>

#include <string>

#include "app/orchestrator.hpp"
#include "domain/failover.hpp"
#include "domain/views.hpp"

namespace cmc::app {

struct Orchestrator::Run {
    Run(boost::asio::io_context& io, domain::Failover f, domain::FailoverTimeouts t)
        : machine(std::move(f), t), timer(io), poll(io) {}
    domain::FailoverMachine machine;
    boost::asio::steady_timer timer; // the step's deadline
    boost::asio::steady_timer poll;  // verification polls
    std::uint64_t generation = 0;    // bumps per step: late answers of an old step are ignored
    std::string lastCheck;           // what verification last found not yet true
    std::int64_t upSinceMs = -1;     // verification: the checks hold since then (steady ms)
    std::string upDetail;
};

namespace orch {

using cmc::domain::FailoverKind;
using cmc::domain::FailoverPhase;
using cmc::domain::OperationResult;
using cmc::domain::StepKind;
using Code = cmc::domain::OperationResult::Code;

inline OperationResult result(Code c, std::string message, std::string resource = {}, std::string id = {}) {
    OperationResult r;
    r.code = c;
    r.message = std::move(message);
    r.resource = std::move(resource);
    r.id = std::move(id);
    return r;
}

inline OperationResult badValue(std::string property, std::string value, std::string message) {
    OperationResult r;
    r.code = Code::BadRequest;
    r.property = std::move(property);
    r.value = std::move(value);
    r.message = std::move(message);
    return r;
}

inline std::string bladeId(int slot) {
    return "blade-" + std::to_string(slot);
}
inline std::string serverOrigin(const std::string& name) {
    return "/redfish/v1/Systems/" + name;
}
inline std::string taskOrigin(std::int64_t id) {
    return "/redfish/v1/TaskService/Tasks/" + std::to_string(id);
}

inline bool planned(FailoverKind k) {
    return k == FailoverKind::Migrate || k == FailoverKind::Failback || k == FailoverKind::Evacuate;
}

} // namespace orch
} // namespace cmc::app
