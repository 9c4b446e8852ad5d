// /redfish/v1/TaskService: each failover (automatic, or an operator's bind,
// migrate, failback, evacuation) is a Task; its phase history is the Task's
// Messages and Oem.OpenCMC holds the record (cause, blades, fence, phase
// times). A write that starts one answers 202 with the task as Location.
#include <algorithm>
#include <charconv>

#include "events/event_log.hpp"
#include "northbound/resources.hpp"
#include "redfish/odata.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::northbound {

namespace {

using domain::FailoverPhase;

const std::string kTaskService = "/redfish/v1/TaskService";
const std::string kTasks = kTaskService + "/Tasks";

int percentOf(FailoverPhase p) {
    switch (p) {
    case FailoverPhase::Detected: return 0;
    case FailoverPhase::Fencing: return 10;
    case FailoverPhase::Allocating: return 30;
    case FailoverPhase::Programming: return 50;
    case FailoverPhase::PoweringOn: return 65;
    case FailoverPhase::Verifying: return 80;
    case FailoverPhase::Completed:
    case FailoverPhase::Failed: return 100;
    }
    return 0;
}

// The key of a working phase in PhaseDurationsMs; null for the terminal ones.
const char* durationKey(FailoverPhase p) {
    switch (p) {
    case FailoverPhase::Detected: return "Detect";
    case FailoverPhase::Fencing: return "Fence";
    case FailoverPhase::Allocating: return "Allocate";
    case FailoverPhase::Programming: return "Program";
    case FailoverPhase::PoweringOn: return "PowerOn";
    case FailoverPhase::Verifying: return "Verify";
    case FailoverPhase::Completed:
    case FailoverPhase::Failed: return nullptr;
    }
    return nullptr;
}

json bladeLink(const std::optional<int>& slot) {
    return slot ? redfish::odataId(blockUri(*slot)) : json(nullptr);
}

std::string taskName(const domain::Failover& f) {
    std::string kind = f.kind == domain::FailoverKind::Automatic ? "Failover" : domain::toString(f.kind);
    return kind + " " + std::to_string(f.id) + " of " + f.server;
}

// A task id: a positive decimal number without leading zeros.
std::optional<std::int64_t> taskIdOf(const std::string& s) {
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || s[0] == '0' || ec != std::errc() || ptr != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

json taskServiceJson() {
    json t;
    t["@odata.id"] = kTaskService;
    t["@odata.type"] = "#TaskService.v1_3_0.TaskService";
    t["Id"] = "TaskService";
    t["Name"] = "Task Service";
    t["Description"] = "Failovers and operator moves of logical servers, one task each";
    t["ServiceEnabled"] = true;
    t["CompletedTaskOverWritePolicy"] = "Oldest";
    t["LifeCycleEventOnTaskStateChange"] = true;
    t["DateTime"] = redfish::rfc3339Ms(redfish::nowUnixMs());
    t["Status"] = {{"State", "Enabled"}, {"Health", "OK"}};
    t["Tasks"] = redfish::odataId(kTasks);
    return t;
}

} // namespace

json taskLink(const std::optional<std::int64_t>& id) {
    return id ? redfish::odataId(taskUri(*id)) : json(nullptr);
}

json taskJson(Backend& b, const domain::Failover& f) {
    const std::string id = std::to_string(f.id);
    const auto now = redfish::nowUnixMs();
    json t;
    t["@odata.id"] = taskUri(f.id);
    t["@odata.type"] = "#Task.v1_7_4.Task";
    t["Id"] = id;
    t["Name"] = taskName(f);
    t["TaskState"] = !f.terminal() ? "Running" : (f.phase == FailoverPhase::Completed ? "Completed" : "Exception");
    t["TaskStatus"] = f.phase == FailoverPhase::Failed ? "Critical" : "OK";
    t["StartTime"] = redfish::rfc3339Ms(f.createdMs);
    if (f.terminal() && f.endMs > 0) t["EndTime"] = redfish::rfc3339Ms(f.endMs);
    t["PercentComplete"] = percentOf(f.phase);

    // One message per phase entry, the registry's FailoverPhaseChanged.
    const auto& reg = b.eventLog().registry();
    const auto* m = reg.find("FailoverPhaseChanged");
    const std::string messageId = reg.prefix() + "." + reg.version() + ".FailoverPhaseChanged";
    json messages = json::array();
    for (const auto& h : f.history) {
        std::vector<std::string> args{id, f.server, domain::toString(h.phase),
                                      h.slot > 0 ? std::to_string(h.slot) : "none", h.note};
        json msg;
        msg["MessageId"] = messageId;
        msg["Message"] = m ? redfish::substituteArgs(m->message, args) : domain::toString(h.phase);
        msg["MessageArgs"] = args;
        msg["MessageSeverity"] = h.phase == FailoverPhase::Failed ? "Critical" : (m ? m->severity : "OK");
        messages.push_back(std::move(msg));
    }
    t["Messages"] = messages;

    // When each phase was first entered, and how long the record spent in
    // each working phase (every entry counted: a retried Allocating adds up).
    json times = json::object();
    for (int p = 0; p < domain::kFailoverPhaseCount; ++p) {
        auto ms = f.phaseStartMs[p];
        times[domain::toString(static_cast<FailoverPhase>(p))] = ms > 0 ? json(redfish::rfc3339Ms(ms)) : json(nullptr);
    }
    json durations = json::object();
    for (int p = 0; p < domain::kFailoverPhaseCount; ++p) {
        if (const char* k = durationKey(static_cast<FailoverPhase>(p))) durations[k] = nullptr;
    }
    for (std::size_t i = 0; i < f.history.size(); ++i) {
        const char* k = durationKey(f.history[i].phase);
        if (!k) continue;
        std::int64_t end = i + 1 < f.history.size() ? f.history[i + 1].timeMs : (f.terminal() ? f.endMs : now);
        std::int64_t d = std::max<std::int64_t>(0, end - f.history[i].timeMs);
        durations[k] = (durations[k].is_null() ? 0 : durations[k].get<std::int64_t>()) + d;
    }
    json tried = json::array();
    for (int s : f.triedSlots)
        tried.push_back(redfish::odataId(blockUri(s)));
    json oem;
    oem["@odata.type"] = "#OpenCMCTask.v1_0_0.Task";
    oem["Kind"] = domain::toString(f.kind);
    oem["Server"] = redfish::odataId(systemUri(f.server));
    oem["ServerName"] = f.server;
    oem["Cause"] = f.cause;
    oem["RequestedBy"] = f.requestedBy;
    oem["FromBlade"] = bladeLink(f.fromSlot);
    oem["ToBlade"] = bladeLink(f.toSlot);
    oem["TargetBlade"] = bladeLink(f.targetSlot);
    oem["Phase"] = domain::toString(f.phase);
    oem["Fence"] = domain::toString(f.fence);
    oem["TriedBlades"] = tried;
    oem["Reason"] = f.reason;
    oem["ElapsedMs"] = std::max<std::int64_t>(0, (f.terminal() && f.endMs > 0 ? f.endMs : now) - f.createdMs);
    oem["PhaseTimes"] = times;
    oem["PhaseDurationsMs"] = durations;
    t["Oem"]["OpenCMC"] = oem;
    return t;
}

void replyAccepted(const http::AsyncResp& res, Backend& b, std::int64_t taskId) {
    auto f = b.failover(taskId);
    json body;
    if (f) {
        body = taskJson(b, *f);
    } else { // not readable yet: the link, the state
        body = {{"@odata.id", taskUri(taskId)},
                {"@odata.type", "#Task.v1_7_4.Task"},
                {"Id", std::to_string(taskId)},
                {"Name", "Task " + std::to_string(taskId)},
                {"TaskState", "Running"}};
    }
    res->res = redfish::jsonResponse(202, body, false);
    res->res.set("Location", taskUri(taskId));
}

void addTaskRoutes(http::Router& r, Backend& b) {
    r.route(kTaskService)([](const http::RouteRequest&, const http::AsyncResp& res) { reply(res, taskServiceJson()); });
    r.route(kTasks)([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        std::vector<std::string> members;
        for (auto id : b.failoverIds())
            members.push_back(taskUri(id));
        reply(res, redfish::collection(kTasks, "#TaskCollection.TaskCollection", "Task Collection", members));
    });
    r.route(kTasks + "/<str>")([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        auto id = taskIdOf(req.params[0]);
        auto f = id ? b.failover(*id) : std::nullopt;
        if (!f) {
            res->res = redfish::resourceNotFound("Task", req.params[0]);
            return;
        }
        reply(res, taskJson(b, *f));
    });
}

} // namespace cmc::northbound
