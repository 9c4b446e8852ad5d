// The enclosure's shared parts under /redfish/v1/Chassis/chassis:
// PowerSubsystem -> PowerSupplies (-> Metrics), ThermalSubsystem -> Fans and
// ThermalMetrics, and the Sensors behind them (inlet temperature, the power
// the blades draw, each supply's output, each fan's speed). Everything comes
// from the seat's last reading (Backend::enclosure()); what it did not say,
// or what is not current because the last read failed, is null.
#include <algorithm>
#include <charconv>

#include "events/event_log.hpp"
#include "northbound/resources.hpp"
#include "redfish/odata.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::northbound {

namespace {

const std::string kEncl = "/redfish/v1/Chassis/chassis";
const std::string kPower = kEncl + "/PowerSubsystem";
const std::string kSupplies = kPower + "/PowerSupplies";
const std::string kThermal = kEncl + "/ThermalSubsystem";
const std::string kFans = kThermal + "/Fans";
const std::string kSensors = kEncl + "/Sensors";

json num(const std::optional<double>& v) {
    return v ? json(*v) : json(nullptr);
}

// A part's Status: null when not known now.
json partStatus(const std::optional<bool>& failed) {
    if (!failed) return {{"State", nullptr}, {"Health", nullptr}};
    return *failed ? json{{"State", "UnavailableOffline"}, {"Health", "Critical"}}
                   : json{{"State", "Enabled"}, {"Health", "OK"}};
}

// A part id of the URI ("2"), matched against the parts the seat named.
std::optional<int> partId(const std::string& s) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty() || s[0] == '0') return std::nullopt;
    return v;
}

template <class T> const T* findPart(const std::vector<T>& parts, const std::string& id) {
    auto n = partId(id);
    if (!n) return nullptr;
    auto it = std::find_if(parts.begin(), parts.end(), [&](const T& p) { return p.id == *n; });
    return it == parts.end() ? nullptr : &*it;
}

std::string supplySensorId(int id) {
    return "PowerSupply" + std::to_string(id) + "Output";
}
std::string fanSensorId(int id) {
    return "Fan" + std::to_string(id) + "Speed";
}

// The worst Health of the parts; null when none is known.
json worstHealth(const std::vector<std::optional<bool>>& failed) {
    json worst = nullptr;
    for (const auto& f : failed) {
        if (!f) continue;
        if (*f) return "Critical";
        worst = "OK";
    }
    return worst;
}

json powerSubsystemJson(const domain::EnclosureView& e) {
    json r;
    r["@odata.id"] = kPower;
    r["@odata.type"] = "#PowerSubsystem.v1_1_3.PowerSubsystem";
    r["Id"] = "PowerSubsystem";
    r["Name"] = "Enclosure power subsystem";
    std::vector<std::optional<bool>> failed;
    json group = json::array();
    std::optional<double> capacity;
    std::size_t working = 0;
    for (const auto& p : e.powerSupplies) {
        failed.push_back(p.failed);
        group.push_back(redfish::odataId(kSupplies + "/" + std::to_string(p.id)));
        if (p.failed == false) {
            ++working;
            if (p.capacityW) capacity = capacity.value_or(0) + *p.capacityW;
        }
    }
    // The capacity of the supplies that work now (null when none is known to).
    r["CapacityWatts"] = working ? num(capacity) : json(nullptr);
    json health = worstHealth(failed);
    if (health == "Critical" && e.redundancy == "Degraded") health = "Warning"; // still powered, no spare supply
    r["Status"] = {{"State", e.current ? json("Enabled") : json(nullptr)}, {"Health", health}};
    r["PowerSupplies"] = redfish::odataId(kSupplies);
    if (!e.powerSupplies.empty()) {
        // The seat's N+1: one supply may fail with the blades still powered.
        json redundancy = nullptr;
        if (e.redundancy == "N+1") redundancy = "OK";
        if (e.redundancy == "Degraded") redundancy = "Warning";
        if (e.redundancy == "Lost") redundancy = "Critical";
        json g;
        g["RedundancyType"] = "NPlusM";
        g["MaxSupportedInGroup"] = e.powerSupplies.size();
        g["MinNeededInGroup"] = e.powerSupplies.size() > 1 ? e.powerSupplies.size() - 1 : 1;
        g["RedundancyGroup"] = group;
        g["Status"] = {{"State", e.current ? json("Enabled") : json(nullptr)}, {"Health", redundancy}};
        r["PowerSupplyRedundancy"] = json::array({g});
    }
    return r;
}

json powerSupplyJson(const domain::PowerSupplyView& p) {
    const auto id = std::to_string(p.id);
    json r;
    r["@odata.id"] = kSupplies + "/" + id;
    r["@odata.type"] = "#PowerSupply.v1_6_0.PowerSupply";
    r["Id"] = id;
    r["Name"] = "Power supply " + id;
    r["Status"] = partStatus(p.failed);
    r["PowerCapacityWatts"] = num(p.capacityW);
    r["HotPluggable"] = true;
    r["Location"]["PartLocation"] = {
        {"ServiceLabel", "PSU " + id}, {"LocationType", "Bay"}, {"LocationOrdinalValue", p.id}};
    r["Metrics"] = redfish::odataId(kSupplies + "/" + id + "/Metrics");
    return r;
}

json powerSupplyMetricsJson(const domain::PowerSupplyView& p) {
    const auto id = std::to_string(p.id);
    json r;
    r["@odata.id"] = kSupplies + "/" + id + "/Metrics";
    r["@odata.type"] = "#PowerSupplyMetrics.v1_2_0.PowerSupplyMetrics";
    r["Id"] = "Metrics";
    r["Name"] = "Metrics of power supply " + id;
    r["Status"] = partStatus(p.failed);
    r["OutputPowerWatts"] = {{"Reading", num(p.outputW)}, {"DataSourceUri", kSensors + "/" + supplySensorId(p.id)}};
    return r;
}

json thermalSubsystemJson(const domain::EnclosureView& e) {
    json r;
    r["@odata.id"] = kThermal;
    r["@odata.type"] = "#ThermalSubsystem.v1_5_0.ThermalSubsystem";
    r["Id"] = "ThermalSubsystem";
    r["Name"] = "Enclosure thermal subsystem";
    std::vector<std::optional<bool>> failed;
    for (const auto& f : e.fans)
        failed.push_back(f.failed);
    r["Status"] = {{"State", e.current ? json("Enabled") : json(nullptr)}, {"Health", worstHealth(failed)}};
    r["Fans"] = redfish::odataId(kFans);
    r["ThermalMetrics"] = redfish::odataId(kThermal + "/ThermalMetrics");
    return r;
}

json fanJson(const domain::FanView& f) {
    const auto id = std::to_string(f.id);
    json r;
    r["@odata.id"] = kFans + "/" + id;
    r["@odata.type"] = "#Fan.v1_6_0.Fan";
    r["Id"] = id;
    r["Name"] = "Fan " + id;
    r["Status"] = partStatus(f.failed);
    r["PhysicalContext"] = "Chassis";
    r["HotPluggable"] = true;
    r["Location"]["PartLocation"] = {
        {"ServiceLabel", "Fan " + id}, {"LocationType", "Bay"}, {"LocationOrdinalValue", f.id}};
    // The seat gives RPM, not the fan's rating: the percentage is not known.
    r["SpeedPercent"] = {{"Reading", nullptr}, {"SpeedRPM", num(f.rpm)}};
    return r;
}

json thermalMetricsJson(const domain::EnclosureView& e) {
    json r;
    r["@odata.id"] = kThermal + "/ThermalMetrics";
    r["@odata.type"] = "#ThermalMetrics.v1_3_2.ThermalMetrics";
    r["Id"] = "ThermalMetrics";
    r["Name"] = "Enclosure thermal metrics";
    json intake = {{"Reading", num(e.inletC)}, {"DataSourceUri", kSensors + "/InletTemp"}};
    r["TemperatureSummaryCelsius"]["Intake"] = intake;
    json reading = intake;
    reading["DeviceName"] = "Inlet";
    reading["PhysicalContext"] = "Intake";
    r["TemperatureReadingsCelsius"] = json::array({reading});
    return r;
}

struct SensorSpec {
    std::string id, name, type, units, context;
    std::optional<double> reading;
    std::string relatedItem;
};

std::vector<SensorSpec> sensorsOf(const domain::EnclosureView& e) {
    std::vector<SensorSpec> out;
    out.push_back({"InletTemp", "Enclosure inlet temperature", "Temperature", "Cel", "Intake", e.inletC, kThermal});
    out.push_back({"TotalPower", "Power drawn by the blades", "Power", "W", "Chassis", e.loadW, kPower});
    for (const auto& p : e.powerSupplies) {
        out.push_back({supplySensorId(p.id), "Power supply " + std::to_string(p.id) + " output", "Power", "W",
                       "PowerSupply", p.outputW, kSupplies + "/" + std::to_string(p.id)});
    }
    for (const auto& f : e.fans) {
        out.push_back({fanSensorId(f.id), "Fan " + std::to_string(f.id) + " speed", "Rotational", "RPM", "Fan", f.rpm,
                       kFans + "/" + std::to_string(f.id)});
    }
    return out;
}

json sensorJson(const SensorSpec& s, const domain::EnclosureView& e) {
    json r;
    r["@odata.id"] = kSensors + "/" + s.id;
    r["@odata.type"] = "#Sensor.v1_12_0.Sensor";
    r["Id"] = s.id;
    r["Name"] = s.name;
    r["ReadingType"] = s.type;
    r["ReadingUnits"] = s.units;
    r["PhysicalContext"] = s.context;
    r["Reading"] = num(s.reading);
    r["ReadingTime"] = s.reading && e.readUnixMs > 0 ? json(events::rfc3339Ms(e.readUnixMs)) : json(nullptr);
    r["Status"] = s.reading ? json{{"State", "Enabled"}, {"Health", "OK"}}
                            : json{{"State", "UnavailableOffline"}, {"Health", nullptr}};
    r["RelatedItem"] = json::array({redfish::odataId(s.relatedItem)});
    return r;
}

} // namespace

void addEnclosureRoutes(http::Router& r, Backend& b) {
    r.route(kPower)(
        [&b](const http::RouteRequest&, const http::AsyncResp& res) { reply(res, powerSubsystemJson(b.enclosure())); });
    r.route(kSupplies)([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        std::vector<std::string> members;
        for (const auto& p : b.enclosure().powerSupplies)
            members.push_back(kSupplies + "/" + std::to_string(p.id));
        reply(res, redfish::collection(kSupplies, "#PowerSupplyCollection.PowerSupplyCollection", "Power supplies",
                                       members));
    });
    r.route(kSupplies + "/<str>")([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        const auto e = b.enclosure();
        const auto* p = findPart(e.powerSupplies, req.params[0]);
        if (!p) {
            res->res = redfish::resourceNotFound("PowerSupply", req.params[0]);
            return;
        }
        reply(res, powerSupplyJson(*p));
    });
    r.route(kSupplies + "/<str>/Metrics")([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        const auto e = b.enclosure();
        const auto* p = findPart(e.powerSupplies, req.params[0]);
        if (!p) {
            res->res = redfish::resourceNotFound("PowerSupply", req.params[0]);
            return;
        }
        reply(res, powerSupplyMetricsJson(*p));
    });
    r.route(kThermal)([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        reply(res, thermalSubsystemJson(b.enclosure()));
    });
    r.route(kThermal + "/ThermalMetrics")(
        [&b](const http::RouteRequest&, const http::AsyncResp& res) { reply(res, thermalMetricsJson(b.enclosure())); });
    r.route(kFans)([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        std::vector<std::string> members;
        for (const auto& f : b.enclosure().fans)
            members.push_back(kFans + "/" + std::to_string(f.id));
        reply(res, redfish::collection(kFans, "#FanCollection.FanCollection", "Fans", members));
    });
    r.route(kFans + "/<str>")([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        const auto e = b.enclosure();
        const auto* f = findPart(e.fans, req.params[0]);
        if (!f) {
            res->res = redfish::resourceNotFound("Fan", req.params[0]);
            return;
        }
        reply(res, fanJson(*f));
    });
    r.route(kSensors)([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        std::vector<std::string> members;
        for (const auto& s : sensorsOf(b.enclosure()))
            members.push_back(kSensors + "/" + s.id);
        reply(res, redfish::collection(kSensors, "#SensorCollection.SensorCollection", "Enclosure sensors", members));
    });
    r.route(kSensors + "/<str>")([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        const auto e = b.enclosure();
        for (const auto& s : sensorsOf(e)) {
            if (s.id == req.params[0]) {
                reply(res, sensorJson(s, e));
                return;
            }
        }
        res->res = redfish::resourceNotFound("Sensor", req.params[0]);
    });
}

} // namespace cmc::northbound
