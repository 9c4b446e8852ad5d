#include "faults/faults.hpp"

#include <algorithm>

namespace cmc::sim {

using json = nlohmann::json;

const std::vector<FaultInfo>& faultCatalog() {
    static const std::vector<FaultInfo> k = {
        {"power-loss",
         "Input power to the blade is lost: host off, power fault, SEL 'AC lost'; power-on fails until cleared.",
         json::object()},
        {"psu-fault", "The blade's power supply fails: host off, power fault, SEL 'Power Supply failure'.",
         json::object()},
        {"bmc-unresponsive", "The BMC firmware hangs: IPMI and Redfish requests get no answer.", json::object()},
        {"bmc-slow",
         "The BMC answers late.",
         {{"delayMs", {{"type", "integer"}, {"default", 2000}, {"description", "simulated ms added to each answer"}}}}},
        {"host-hang", "The host OS hangs: the agent stops petting the watchdog and the logical IP stops answering.",
         json::object()},
        {"host-crash",
         "The host OS crashes (SEL 'OS critical stop') and reboots; with loop it crashes after every boot.",
         {{"loop", {{"type", "boolean"}, {"default", false}}},
          {"afterMs",
           {{"type", "integer"}, {"default", 3000}, {"description", "with loop: simulated ms after each boot"}}}}},
        {"over-temperature",
         "The CPU temperature rises to the given value (critical at 95 C).",
         {{"celsius", {{"type", "number"}, {"default", 97}}}}},
        {"nic-link-down",
         "A NIC loses its link.",
         {{"nic", {{"type", "integer"}, {"default", 1}, {"description", "1-based NIC index"}}}}},
        {"mgmt-loss", "The blade's management network is cut: every BMC packet is lost.", json::object()},
        {"mgmt-latency",
         "Latency on the blade's management network.",
         {{"latencyMs", {{"type", "integer"}, {"default", 500}}}}},
        {"mgmt-packet-loss",
         "Packet loss on the blade's management network.",
         {{"percent", {{"type", "number"}, {"default", 5}}}}},
        {"fail-after-boot",
         "Every boot hangs shortly after the OS comes up.",
         {{"afterMs", {{"type", "integer"}, {"default", 2000}}}}},
        {"fail-verification", "The host boots but its agent never starts: no watchdog, no answer at the logical IP.",
         json::object()},
    };
    return k;
}

namespace {

// Reads an optional numeric parameter; returns an error message or empty.
std::string number(const json& body, const char* key, double lo, double hi, double& out) {
    if (!body.contains(key)) return {};
    const auto& v = body[key];
    if (!v.is_number()) return std::string("parameter '") + key + "' must be a number";
    double d = v.get<double>();
    if (d < lo || d > hi) {
        return std::string("parameter '") + key + "' must be between " + std::to_string(static_cast<long long>(lo)) +
               " and " + std::to_string(static_cast<long long>(hi));
    }
    out = d;
    return {};
}

} // namespace

std::string addFault(BladeFaults& f, const json& body, std::size_t nicCount, std::string& name, bool& oneShot) {
    oneShot = false;
    if (!body.is_object()) return "the body must be a JSON object";
    if (!body.contains("fault") || !body["fault"].is_string()) return "property 'fault' (string) is required";
    name = body["fault"].get<std::string>();
    const auto& cat = faultCatalog();
    auto info = std::find_if(cat.begin(), cat.end(), [&](const FaultInfo& i) { return i.name == name; });
    if (info == cat.end()) return "unknown fault '" + name + "'; GET /sim/v1/faults lists them";
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (it.key() != "fault" && !info->parameters.contains(it.key())) {
            return "fault '" + name + "' has no parameter '" + it.key() + "'";
        }
    }
    std::string err;
    if (name == "power-loss")
        f.powerLoss = true;
    else if (name == "psu-fault")
        f.psuFault = true;
    else if (name == "bmc-unresponsive")
        f.bmcUnresponsive = true;
    else if (name == "bmc-slow") {
        double ms = 2000;
        if (!(err = number(body, "delayMs", 1, 3'600'000, ms)).empty()) return err;
        f.bmcSlow = SimDuration(static_cast<long long>(ms));
    } else if (name == "host-hang")
        f.hostHang = true;
    else if (name == "host-crash") {
        bool loop = false;
        if (body.contains("loop")) {
            if (!body["loop"].is_boolean()) return "parameter 'loop' must be a boolean";
            loop = body["loop"].get<bool>();
        }
        double ms = 3000;
        if (!(err = number(body, "afterMs", 1, 3'600'000, ms)).empty()) return err;
        f.crashAfter = SimDuration(static_cast<long long>(ms));
        f.hostCrashLoop = loop;
        oneShot = !loop;
    } else if (name == "over-temperature") {
        double c = 97;
        if (!(err = number(body, "celsius", -40, 150, c)).empty()) return err;
        f.overTemperatureC = c;
    } else if (name == "nic-link-down") {
        double nic = 1;
        if (!(err = number(body, "nic", 1, static_cast<double>(nicCount), nic)).empty()) return err;
        if (nic != static_cast<double>(static_cast<long long>(nic))) return "parameter 'nic' must be an integer";
        f.nicLinkDown.resize(nicCount, false);
        f.nicLinkDown[static_cast<std::size_t>(nic) - 1] = true;
    } else if (name == "mgmt-loss")
        f.mgmtLoss = true;
    else if (name == "mgmt-latency") {
        double ms = 500;
        if (!(err = number(body, "latencyMs", 1, 600'000, ms)).empty()) return err;
        f.mgmtLatency = SimDuration(static_cast<long long>(ms));
    } else if (name == "mgmt-packet-loss") {
        double p = 5;
        if (!(err = number(body, "percent", 0, 100, p)).empty()) return err;
        f.mgmtPacketLossPercent = p;
    } else if (name == "fail-after-boot") {
        double ms = 2000;
        if (!(err = number(body, "afterMs", 1, 3'600'000, ms)).empty()) return err;
        f.failAfterBoot = SimDuration(static_cast<long long>(ms));
    } else if (name == "fail-verification")
        f.failVerification = true;
    return {};
}

bool clearFault(BladeFaults& f, const std::string& name, bool& was) {
    was = true;
    if (name == "power-loss") {
        was = f.powerLoss;
        f.powerLoss = false;
    } else if (name == "psu-fault") {
        was = f.psuFault;
        f.psuFault = false;
    } else if (name == "bmc-unresponsive") {
        was = f.bmcUnresponsive;
        f.bmcUnresponsive = false;
    } else if (name == "bmc-slow") {
        was = f.bmcSlow.has_value();
        f.bmcSlow.reset();
    } else if (name == "host-hang") {
        was = f.hostHang;
        f.hostHang = false;
    } else if (name == "host-crash") {
        was = f.hostCrashLoop;
        f.hostCrashLoop = false;
    } else if (name == "over-temperature") {
        was = f.overTemperatureC.has_value();
        f.overTemperatureC.reset();
    } else if (name == "nic-link-down") {
        was = std::find(f.nicLinkDown.begin(), f.nicLinkDown.end(), true) != f.nicLinkDown.end();
        std::fill(f.nicLinkDown.begin(), f.nicLinkDown.end(), false);
    } else if (name == "mgmt-loss") {
        was = f.mgmtLoss;
        f.mgmtLoss = false;
    } else if (name == "mgmt-latency") {
        was = f.mgmtLatency.has_value();
        f.mgmtLatency.reset();
    } else if (name == "mgmt-packet-loss") {
        was = f.mgmtPacketLossPercent.has_value();
        f.mgmtPacketLossPercent.reset();
    } else if (name == "fail-after-boot") {
        was = f.failAfterBoot.has_value();
        f.failAfterBoot.reset();
    } else if (name == "fail-verification") {
        was = f.failVerification;
        f.failVerification = false;
    } else
        return false;
    return true;
}

json activeFaults(const BladeFaults& f) {
    json a = json::array();
    if (f.powerLoss) a.push_back({{"fault", "power-loss"}});
    if (f.psuFault) a.push_back({{"fault", "psu-fault"}});
    if (f.bmcUnresponsive) a.push_back({{"fault", "bmc-unresponsive"}});
    if (f.bmcSlow) a.push_back({{"fault", "bmc-slow"}, {"delayMs", f.bmcSlow->count()}});
    if (f.hostHang) a.push_back({{"fault", "host-hang"}});
    if (f.hostCrashLoop) a.push_back({{"fault", "host-crash"}, {"loop", true}, {"afterMs", f.crashAfter.count()}});
    if (f.overTemperatureC) a.push_back({{"fault", "over-temperature"}, {"celsius", *f.overTemperatureC}});
    for (std::size_t i = 0; i < f.nicLinkDown.size(); ++i) {
        if (f.nicLinkDown[i]) a.push_back({{"fault", "nic-link-down"}, {"nic", i + 1}});
    }
    if (f.mgmtLoss) a.push_back({{"fault", "mgmt-loss"}});
    if (f.mgmtLatency) a.push_back({{"fault", "mgmt-latency"}, {"latencyMs", f.mgmtLatency->count()}});
    if (f.mgmtPacketLossPercent) a.push_back({{"fault", "mgmt-packet-loss"}, {"percent", *f.mgmtPacketLossPercent}});
    if (f.failAfterBoot) a.push_back({{"fault", "fail-after-boot"}, {"afterMs", f.failAfterBoot->count()}});
    if (f.failVerification) a.push_back({{"fault", "fail-verification"}});
    return a;
}

} // namespace cmc::sim
