// Fabric on cmcsim's control API. Its answers are untrusted JSON like any
// other peer's: read through common/json_reader.hpp.
#include "common/json_reader.hpp"
#include "southbound/fabric/fabric.hpp"
#include "southbound/redfish/http_client.hpp"

namespace cmc::southbound {

namespace {

using json = nlohmann::json;

// A part's 1-based id: an integer 1..1000, else nullopt (the part is skipped).
std::optional<int> partId(const json& part) {
    auto id = jsonr::integer(part, "id");
    if (!id || *id < 1 || *id > 1000) return std::nullopt;
    return static_cast<int>(*id);
}

// "OK" / "Failed" (anything else: not known).
std::optional<bool> failedOf(const json& part) {
    auto st = jsonr::text(part, "state");
    if (st == "OK") return false;
    if (st == "Failed") return true;
    return std::nullopt;
}

// GET /sim/v1/chassis: {"inletTemperatureC", "loadW", "redundancy",
// "powerSupplies": [{"id", "state", "capacityW", "outputW"}], "fans": [{"id", "rpm", "state"}]}.
EnclosureReading readEnclosure(const json& j) {
    EnclosureReading e;
    e.inletC = jsonr::number(j, "inletTemperatureC");
    e.loadW = jsonr::number(j, "loadW");
    e.redundancy = jsonr::text(j, "redundancy").value_or("");
    if (const json* ps = jsonr::array(j, "powerSupplies")) {
        for (const auto& p : *ps) {
            auto id = partId(p);
            if (!id) continue;
            e.powerSupplies.push_back({*id, failedOf(p), jsonr::number(p, "capacityW"), jsonr::number(p, "outputW")});
        }
    }
    if (const json* fans = jsonr::array(j, "fans")) {
        for (const auto& f : *fans) {
            auto id = partId(f);
            if (!id) continue;
            e.fans.push_back({*id, failedOf(f), jsonr::number(f, "rpm")});
        }
    }
    return e;
}

class SimulatorFabric final : public Fabric {
public:
    SimulatorFabric(HttpClient& http, std::string url) : http_(http), url_(std::move(url)) {}

    void probe(std::function<void(FabricResult<std::vector<LogicalIpState>>)> done) override {
        http_.request(
            url_, "GET", "/sim/v1/probe", {}, {{"Accept", "application/json"}}, [done = std::move(done)](HttpResult r) {
                FabricResult<std::vector<LogicalIpState>> out;
                if (!r.transportOk || r.status != 200) {
                    out.message = r.transportOk ? "GET /sim/v1/probe: HTTP " + std::to_string(r.status) : r.error;
                    done(std::move(out));
                    return;
                }
                auto j = jsonr::parse(r.body);
                const json* targets = j ? jsonr::array(*j, "targets") : nullptr;
                if (!targets) {
                    out.message = "GET /sim/v1/probe: no 'targets' array";
                    done(std::move(out));
                    return;
                }
                for (const auto& t : *targets) {
                    auto ip = jsonr::text(t, "ip");
                    if (!ip) continue;
                    LogicalIpState s;
                    s.ip = *ip;
                    s.reachable = jsonr::boolean(t, "reachable").value_or(false);
                    const json* by = jsonr::array(t, "answeredBy");
                    if (by && !by->empty() && (*by)[0].is_number_unsigned()) {
                        auto slot = (*by)[0].get<std::uint64_t>();
                        if (slot >= 1 && slot <= 1000) s.answeredBySlot = static_cast<int>(slot);
                    }
                    out.value.push_back(std::move(s));
                }
                out.ok = true;
                done(std::move(out));
            });
    }

    void setPort(FabricPlane plane, int slot, int port, bool enabled,
                 std::function<void(FabricResult<bool>)> done) override {
        json body{{"fabric", plane == FabricPlane::Switch ? "switch" : "san"},
                  {"slot", slot},
                  {"port", port},
                  {"enabled", enabled}};
        post("/sim/v1/fabric/ports", body, std::move(done));
    }

    void setVolumeInitiators(const std::string& volume, std::vector<std::string> initiators,
                             std::function<void(FabricResult<bool>)> done) override {
        post("/sim/v1/volumes", json{{"name", volume}, {"initiators", initiators}}, std::move(done));
    }

    void setDhcpReservation(const std::string& mac, const std::string& ip,
                            std::function<void(FabricResult<bool>)> done) override {
        post("/sim/v1/dhcp/reservations", json{{"mac", mac}, {"ip", ip}}, std::move(done));
    }

    void volumeLogins(const std::string& volume,
                      std::function<void(FabricResult<std::optional<std::vector<std::string>>>)> done) override {
        std::string path = "/sim/v1/volumes/" + volume;
        http_.request(
            url_, "GET", path, {}, {{"Accept", "application/json"}}, [path, done = std::move(done)](HttpResult r) {
                FabricResult<std::optional<std::vector<std::string>>> out;
                if (!r.transportOk || r.status != 200) {
                    out.message = r.transportOk ? "GET " + path + ": HTTP " + std::to_string(r.status) : r.error;
                    done(std::move(out));
                    return;
                }
                auto j = jsonr::parse(r.body);
                out.ok = j.has_value();
                if (!j) {
                    out.message = "GET " + path + ": not JSON";
                } else if (jsonr::array(*j, "logins")) {
                    out.value = jsonr::strings(*j, "logins");
                }
                done(std::move(out));
            });
    }

    void watchIp(const std::string& ip, std::function<void(FabricResult<bool>)> done) override {
        post("/sim/v1/probe/targets", json{{"ip", ip}}, std::move(done));
    }

    void enclosure(std::function<void(FabricResult<EnclosureReading>)> done) override {
        http_.request(url_, "GET", "/sim/v1/chassis", {}, {{"Accept", "application/json"}},
                      [done = std::move(done)](HttpResult r) {
                          FabricResult<EnclosureReading> out;
                          if (!r.transportOk || r.status != 200) {
                              out.message =
                                  r.transportOk ? "GET /sim/v1/chassis: HTTP " + std::to_string(r.status) : r.error;
                              done(std::move(out));
                              return;
                          }
                          auto j = jsonr::parse(r.body);
                          if (!j || !j->is_object()) {
                              out.message = "GET /sim/v1/chassis: not a JSON object";
                              done(std::move(out));
                              return;
                          }
                          out.value = readEnclosure(*j);
                          out.ok = true;
                          done(std::move(out));
                      });
    }

    [[nodiscard]] std::string describe() const override { return "cmcsim control API " + url_; }

private:
    void post(const std::string& path, const json& body, std::function<void(FabricResult<bool>)> done) {
        http_.request(url_, "POST", path, body.dump(), {{"Content-Type", "application/json"}},
                      [path, done = std::move(done)](HttpResult r) {
                          FabricResult<bool> out;
                          out.ok = r.transportOk && r.status >= 200 && r.status < 300;
                          out.value = out.ok;
                          if (!r.transportOk) {
                              out.message = "POST " + path + ": " + r.error;
                          } else if (!out.ok) {
                              auto j = jsonr::parse(r.body);
                              const json* err = j ? jsonr::object(*j, "error") : nullptr;
                              out.message = "POST " + path + ": HTTP " + std::to_string(r.status) +
                                            (err ? ": " + jsonr::text(*err, "message").value_or("") : "");
                          }
                          done(std::move(out));
                      });
    }

    HttpClient& http_;
    std::string url_;
};

} // namespace

std::unique_ptr<Fabric> makeSimulatorFabric(HttpClient& http, std::string controlUrl) {
    return std::make_unique<SimulatorFabric>(http, std::move(controlUrl));
}

} // namespace cmc::southbound
