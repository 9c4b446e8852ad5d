// The health monitor's polling: IPMI chassis status (fast), SEL and watchdog,
// Redfish reachability (slow), the fabric's view of the logical IPs
// (heartbeat); each answer feeds the blade's health state machine.
#include <iostream>

#include "app/service.hpp"
#include "common/json_reader.hpp"
#include "events/event_log.hpp"
#include "southbound/fabric/fabric.hpp"
#include "southbound/ipmi/ipmi_client.hpp"
#include "southbound/redfish/http_client.hpp"
#include "southbound/redfish/redfish_bmc.hpp"
#include "store/store.hpp"

namespace cmc::app {

using domain::HealthState;

namespace {

constexpr std::int64_t kTickMs = 25;
constexpr std::int64_t kUnreachableForNetworkMs = 1000;

domain::SelKind classify(const southbound::IpmiSelEntry& e) {
    bool deassert = (e.eventDirType & 0x80) != 0;
    std::uint8_t offset = e.eventData[0] & 0x0f;
    switch (e.sensorType) {
    case 0x09: // power unit
        if (offset == 0x04 || offset == 0x05)
            return deassert ? domain::SelKind::PowerUnitRestored : domain::SelKind::PowerUnitLost;
        break;
    case 0x08: // power supply
        if (offset == 0x01) return deassert ? domain::SelKind::PsuRestored : domain::SelKind::PsuFailure;
        break;
    case 0x23: // watchdog 2
        if (!deassert) return domain::SelKind::WatchdogExpired;
        break;
    case 0x01: // temperature, threshold event: upper critical going high
        if ((e.eventDirType & 0x7f) == 0x01 && (offset == 0x09 || offset == 0x0b)) {
            return deassert ? domain::SelKind::TemperatureNormal : domain::SelKind::CriticalTemperature;
        }
        break;
    case 0x20: return domain::SelKind::OsCrash;
    default: break;
    }
    return domain::SelKind::Other;
}

// A DMTF LogEntry of a BMC's SEL (a Redfish-only blade): the same kinds.
domain::SelKind classifyLogEntry(const nlohmann::json& j) {
    auto type = jsonr::string(j, "SensorType").value_or("");
    auto code = jsonr::string(j, "EntryCode").value_or("Assert");
    bool deassert = code == "Deassert";
    if (type == "Watchdog") return deassert ? domain::SelKind::Other : domain::SelKind::WatchdogExpired;
    if (type == "OS Stop/Shutdown") return domain::SelKind::OsCrash;
    if (type == "PowerUnit" || type == "Power Unit")
        return deassert ? domain::SelKind::PowerUnitRestored : domain::SelKind::PowerUnitLost;
    if (type == "Power Supply / Converter")
        return deassert ? domain::SelKind::PsuRestored : domain::SelKind::PsuFailure;
    return domain::SelKind::Other;
}

std::string origin(int slot) {
    return "/redfish/v1/Chassis/blade-" + std::to_string(slot);
}

} // namespace

void ChassisService::scheduleTick() {
    if (stopped_) return;
    tickTimer_.expires_after(std::chrono::milliseconds(kTickMs));
    tickTimer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        guarded("monitor tick", 0, [&] { tick(); });
        scheduleTick();
    });
}

void ChassisService::tick() {
    auto now = steadyMs();
    judgeNetworkNow();
    std::size_t n = blades_.size() ? blades_.size() : 1;
    for (auto& [slot, b] : blades_) {
        if (!b.blade.present || (!b.ipmi && !b.redfish)) continue;
        if (b.nextIpmiMs == 0) {
            // Spread the first polls over one interval.
            auto spread = static_cast<std::int64_t>((static_cast<std::size_t>(slot) % n) *
                                                    static_cast<std::size_t>(cfg_.monitor.ipmiIntervalMs) / n);
            b.nextIpmiMs = now + spread;
            b.nextSelMs = now + spread;
            b.nextRedfishMs = now + spread;
        }
        if (b.ipmi) {
            if (now >= b.nextIpmiMs && !b.ipmiInFlight) pollIpmi(b, now);
            if (now >= b.nextSelMs && !b.selInFlight) pollSel(b, now);
            if (!b.inventoryDone && b.ipmiUp && !b.inventoryInFlight) readInventory(slot);
        }
        if (b.recheckMs && now >= b.recheckMs) {
            b.recheckMs = 0;
            judge(b);
        }
        if (b.redfish) {
            if (!b.redfishDiscovered && !b.redfishDiscoverInFlight && now >= b.nextRedfishDiscoverMs)
                discoverRedfish(slot);
            if (now >= b.nextRedfishMs && !b.redfishInFlight) pollRedfish(b, now);
            if (b.redfishDiscovered && cfg_.monitor.redfishEvents && !b.redfish->sseUri().empty() &&
                !b.redfish->subscribed() && now >= b.nextSubscribeMs) {
                subscribeEvents(slot);
            }
        }
    }
}

void ChassisService::pollIpmi(BladeRuntime& b, std::int64_t now) {
    b.ipmiInFlight = true;
    b.nextIpmiMs = std::max(b.nextIpmiMs + cfg_.monitor.ipmiIntervalMs,
                            now - cfg_.monitor.ipmiIntervalMs / 2); // no drift from the tick
    int slot = b.blade.slot;
    auto sent = steadyMs();
    b.ipmi->getChassisStatus([this, slot, sent](southbound::IpmiResult<southbound::IpmiChassisStatus> r) {
        auto it = blades_.find(slot);
        if (it == blades_.end()) return;
        auto& rt = it->second;
        rt.ipmiInFlight = false;
        auto t = steadyMs();
        ++counters_.ipmiPolls;
        if (!r.ok()) ++counters_.ipmiFailures;
        if (r.ok()) {
            rt.lastIpmiRttMs = static_cast<double>(t - sent);
            rt.health->ipmiResult(t, true);
            rt.health->chassisStatus(t, r.value.powerOn, r.value.powerFault);
            // Seen on while cmcd had commanded nothing: expected to stay on.
            learnPower(slot, r.value.powerOn);
            rt.blade.powerState = r.value.powerOn ? "On" : "Off";
        } else {
            rt.health->ipmiResult(t, false, std::string(southbound::toString(r.error)) + ": " + r.message);
        }
        if (rt.lastSampleMs < 0 || t - rt.lastSampleMs >= cfg_.monitor.sampleIntervalMs) {
            rt.lastSampleMs = t;
            std::vector<domain::HealthSample> samples;
            auto unixNow = events::nowUnixMs();
            samples.push_back({slot, unixNow, "ipmi", r.ok(), rt.lastIpmiRttMs, r.ok() ? "" : r.message});
            if (rt.lastHeartbeat) samples.push_back({slot, unixNow, "heartbeat", *rt.lastHeartbeat, 0.0, ""});
            store_->appendHealthSamples(std::move(samples));
        }
        judge(rt);
    });
}

void ChassisService::pollSel(BladeRuntime& b, std::int64_t now) {
    b.selInFlight = true;
    b.nextSelMs = std::max(b.nextSelMs + cfg_.monitor.selIntervalMs, now);
    int slot = b.blade.slot;
    b.ipmi->getWatchdog([this, slot](southbound::IpmiResult<southbound::IpmiWatchdog> w) {
        auto it = blades_.find(slot);
        if (it == blades_.end()) return;
        if (w.ok()) it->second.health->watchdog(steadyMs(), w.value.running);
        if (!it->second.ipmi) {
            it->second.selInFlight = false;
            return;
        }
        it->second.ipmi->getSelInfo([this, slot](southbound::IpmiResult<southbound::IpmiSelInfo> info) {
            auto it2 = blades_.find(slot);
            if (it2 == blades_.end()) return;
            auto& rt = it2->second;
            if (!info.ok() || !rt.ipmi) {
                rt.selInFlight = false;
                return;
            }
            bool changed =
                !rt.selPrimed || info.value.lastAddTimestamp != rt.selLastAdd || info.value.entries != rt.selEntries;
            if (!changed || info.value.entries == 0) {
                rt.selPrimed = true;
                rt.selLastAdd = info.value.lastAddTimestamp;
                rt.selEntries = info.value.entries;
                rt.selInFlight = false;
                judge(rt);
                return;
            }
            bool priming = !rt.selPrimed;
            std::uint16_t first = priming ? 0 : static_cast<std::uint16_t>(rt.selLastId + 1);
            auto lastAdd = info.value.lastAddTimestamp;
            auto entries = info.value.entries;
            rt.ipmi->readSel(first, priming ? 2048 : 128,
                             [this, slot, priming, lastAdd,
                              entries](southbound::IpmiResult<std::vector<southbound::IpmiSelEntry>> r) {
                                 auto it3 = blades_.find(slot);
                                 if (it3 == blades_.end()) return;
                                 auto& rt3 = it3->second;
                                 rt3.selInFlight = false;
                                 ++counters_.selReads;
                                 if (!r.ok()) return;
                                 rt3.selPrimed = true;
                                 rt3.selLastAdd = lastAdd;
                                 rt3.selEntries = entries;
                                 auto t = steadyMs();
                                 for (const auto& e : r.value) {
                                     if (!priming && e.recordId <= rt3.selLastId) continue;
                                     rt3.selLastId = std::max(rt3.selLastId, e.recordId);
                                     if (priming) continue; // history before cmcd watched: not acted upon
                                     auto kind = classify(e);
                                     if (kind == domain::SelKind::Other) continue;
                                     std::cout << "cmcd: blade=" << slot << " SEL record " << e.recordId
                                               << " sensor type 0x" << std::hex << static_cast<int>(e.sensorType)
                                               << std::dec << "\n";
                                     rt3.health->selEvent(t, kind, "SEL record " + std::to_string(e.recordId));
                                 }
                                 judge(rt3);
                             });
        });
    });
}

void ChassisService::pollRedfish(BladeRuntime& b, std::int64_t now) {
    b.redfishInFlight = true;
    const bool redfishOnly = !b.blade.bmc.hasIpmi();
    auto interval = redfishOnly ? cfg_.monitor.redfishOnlyIntervalMs : cfg_.monitor.redfishIntervalMs;
    b.nextRedfishMs = std::max(b.nextRedfishMs + interval, now - interval / 2);
    int slot = b.blade.slot;
    b.redfish->readSystem([this, slot](southbound::RedfishResult<southbound::RedfishSystemState> r) {
        guarded("redfish poll", slot, [&] { onRedfishPoll(slot, r); });
    });
}

namespace {

std::optional<HealthState> reportedHealth(const std::optional<std::string>& h) {
    if (!h) return std::nullopt;
    if (*h == "Critical") return HealthState::Critical;
    if (*h == "Warning") return HealthState::Warning;
    if (*h == "OK") return HealthState::Healthy;
    return std::nullopt;
}

} // namespace

void ChassisService::onRedfishPoll(int slot, const southbound::RedfishResult<southbound::RedfishSystemState>& r) {
    auto it = blades_.find(slot);
    if (it == blades_.end()) return;
    auto& rt = it->second;
    rt.redfishInFlight = false;
    auto t = steadyMs();
    ++counters_.redfishPolls;
    if (!r.ok()) ++counters_.redfishFailures;
    // Any HTTP answer proves the service is alive (a 401 is an answer); a
    // refused certificate or no connection is not.
    bool answered = r.ok() || r.status >= 400;
    std::string detail = r.ok() ? "" : std::string(southbound::toString(r.error)) + ": " + r.message;
    rt.health->redfishResult(t, answered, detail);
    if (r.ok()) {
        const auto& st = r.value;
        bool hostOff = st.powerState && *st.powerState != "On";
        if (st.powerState) {
            rt.blade.powerState = *st.powerState;
            if (!rt.blade.bmc.hasIpmi()) {
                // Redfish is this blade's only path: it carries the power state.
                bool on = *st.powerState == "On";
                rt.health->chassisStatus(t, on, false);
                learnPower(slot, on);
            }
        }
        rt.health->bmcReported(t, reportedHealth(st.health),
                               st.powerState ? std::optional<bool>(!hostOff) : std::nullopt);
        if (hostOff && rt.blade.bmc.hasIpmi()) {
            // The host went off under IPMI's nose: its chassis status and SEL say
            // why (power fault, power unit). Ask them now, not at the next poll.
            rt.nextIpmiMs = std::min(rt.nextIpmiMs, t);
            rt.nextSelMs = std::min(rt.nextSelMs, t);
        }
    }
    if (!rt.blade.bmc.hasIpmi() && (rt.lastSampleMs < 0 || t - rt.lastSampleMs >= cfg_.monitor.sampleIntervalMs)) {
        rt.lastSampleMs = t;
        std::vector<domain::HealthSample> samples;
        samples.push_back({slot, events::nowUnixMs(), "redfish", r.ok(), 0.0, detail});
        store_->appendHealthSamples(std::move(samples));
    }
    judge(rt);
}

void ChassisService::subscribeEvents(int slot) {
    auto it = blades_.find(slot);
    if (it == blades_.end() || !it->second.redfish) return;
    auto& rt = it->second;
    rt.nextSubscribeMs = steadyMs() + 5000; // a stream that ends is opened again after this
    bool started = rt.redfish->subscribe(
        [this, slot](const southbound::RedfishEvent& e) { guarded("bmc event", slot, [&] { onBmcEvent(slot, e); }); },
        [slot](const std::string& why) {
            std::cout << "cmcd: blade=" << slot << " BMC event stream ended: " << why << " (polling continues)\n";
        });
    if (started) std::cout << "cmcd: blade=" << slot << " subscribed to BMC events at " << rt.redfish->sseUri() << "\n";
}

void ChassisService::onBmcEvent(int slot, const southbound::RedfishEvent& e) {
    auto it = blades_.find(slot);
    if (it == blades_.end()) return;
    auto& rt = it->second;
    ++counters_.redfishEvents;
    auto t = steadyMs();
    // "ResourceEvent.1.4.ResourcePoweredOff" -> "ResourcePoweredOff"
    auto dot = e.messageId.rfind('.');
    std::string name = dot == std::string::npos ? e.messageId : e.messageId.substr(dot + 1);
    bool aboutSystem = e.origin.empty() || e.origin == rt.redfish->systemPath();
    if (name == "ResourcePoweredOff" && aboutSystem) {
        rt.blade.powerState = "Off";
        rt.health->chassisStatus(t, false, false);
    } else if (name == "ResourcePoweredOn" && aboutSystem) {
        rt.blade.powerState = "On";
        rt.health->chassisStatus(t, true, false);
    } else if (name == "LossOfInputPower") {
        rt.health->selEvent(t, domain::SelKind::PowerUnitLost, e.message);
    } else if (name == "PowerSupplyFailed") {
        rt.health->selEvent(t, domain::SelKind::PsuFailure, e.message);
    }
    // A new SEL entry on a blade without IPMI: its SEL is read over Redfish.
    if (!rt.blade.bmc.hasIpmi() && name == "ResourceCreated" && e.origin.find("/LogServices/") != std::string::npos &&
        e.origin.find("/Entries/") != std::string::npos) {
        rt.redfish->get(e.origin, [this, slot, path = e.origin](southbound::RedfishResult<nlohmann::json> r) {
            guarded("bmc SEL entry", slot, [&] {
                auto b = blades_.find(slot);
                if (b == blades_.end() || !r.ok()) return;
                auto kind = classifyLogEntry(r.value);
                if (kind == domain::SelKind::Other) return;
                auto msg = jsonr::string(r.value, "Message").value_or(path);
                std::cout << "cmcd: blade=" << slot << " SEL (Redfish) " << msg << "\n";
                b->second.health->selEvent(steadyMs(), kind, msg);
                judge(b->second);
            });
        });
    }
    std::cout << "cmcd: blade=" << slot << " BMC event " << e.messageId << " origin=" << e.origin << "\n";
    // Whatever it was, read the blade now rather than at the next poll.
    auto now = steadyMs();
    rt.nextIpmiMs = std::min(rt.nextIpmiMs, now);
    rt.nextSelMs = std::min(rt.nextSelMs, now);
    rt.nextRedfishMs = std::min(rt.nextRedfishMs, now);
    // A power-off starts the unexpected-off timer: judge again when it runs out,
    // whatever the poll interval.
    rt.recheckMs = now + cfg_.monitor.thresholds.unexpectedOffMs + 10;
    judge(rt);
}

void ChassisService::scheduleFabric() {
    if (stopped_) return;
    fabricTimer_.expires_after(std::chrono::milliseconds(cfg_.monitor.heartbeatIntervalMs));
    fabricTimer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        guarded("fabric poll", 0, [&] { pollFabric(); });
        scheduleFabric();
    });
}

void ChassisService::pollFabric() {
    if (!fabric_ || fabricInFlight_) return;
    fabricInFlight_ = true;
    fabric_->probe([this](southbound::FabricResult<std::vector<southbound::LogicalIpState>> r) {
        fabricInFlight_ = false;
        ++counters_.fabricPolls;
        guarded("fabric answer", 0, [&] { onFabricProbe(r); });
    });
}

void ChassisService::onFabricProbe(const southbound::FabricResult<std::vector<southbound::LogicalIpState>>& r) {
    if (!r.ok) return; // no fabric view: the heartbeat stays as it was
    // Each logical IP belongs to the blade that last answered for it
    // (ipOwner_); a blade's heartbeat is good while all its IPs answer.
    std::map<int, bool> perBlade;
    for (const auto& t : r.value) {
        if (t.reachable && t.answeredBySlot) moveLogicalIp(t.ip, *t.answeredBySlot);
        if (auto owner = ipOwner_.find(t.ip); owner != ipOwner_.end()) {
            auto [it, fresh] = perBlade.emplace(owner->second, t.reachable);
            if (!fresh) it->second = it->second && t.reachable;
        }
    }
    auto now = steadyMs();
    for (auto& [slot, b] : blades_) {
        std::optional<bool> hb;
        if (auto it = perBlade.find(slot); it != perBlade.end()) hb = it->second;
        b.lastHeartbeat = hb;
        b.health->heartbeat(now, hb);
        judge(b);
    }
}

void ChassisService::moveLogicalIp(const std::string& ip, int slot) {
    auto [it, fresh] = ipOwner_.emplace(ip, slot);
    if (!fresh) {
        if (it->second == slot) return;
        if (auto old = blades_.find(it->second); old != blades_.end()) {
            auto& ips = old->second.logicalIps;
            ips.erase(std::remove(ips.begin(), ips.end(), ip), ips.end());
        }
        it->second = slot;
    }
    if (auto b = blades_.find(slot); b != blades_.end()) b->second.logicalIps.push_back(ip);
}

void ChassisService::judgeNetworkNow() {
    auto now = steadyMs();
    std::size_t total = 0;
    std::size_t unreachable = 0;
    for (const auto& [slot, b] : blades_) {
        if (!b.blade.present || (!b.ipmi && !b.redfish)) continue;
        ++total;
        const auto& s = b.ipmi ? b.health->ipmi() : b.health->redfish();
        if (s.failingSinceMs >= 0 && now - s.failingSinceMs >= kUnreachableForNetworkMs) ++unreachable;
    }
    auto v = domain::judgeNetwork(unreachable, total, cfg_.monitor.networkSuspectFraction,
                                  static_cast<std::size_t>(cfg_.monitor.networkMinimumBlades));
    bool changed = v.suspect != network_.suspect;
    network_ = v;
    if (changed) publish(domain::ManagementNetworkChanged{v.suspect, v.unreachable, v.total});
}

void ChassisService::learnPower(int slot, bool observedOn) {
    if (auto learned = powerIntents_.learn(slot, observedOn, events::nowUnixMs())) store_->savePowerIntent(*learned);
}

void ChassisService::setPowerIntent(int slot, domain::PowerIntent intent, std::string reason) {
    auto r = powerIntents_.set(slot, intent, std::move(reason), events::nowUnixMs());
    std::cout << "cmcd: blade=" << slot << " power intent " << domain::toString(intent) << " (" << r.reason << ")\n";
    store_->savePowerIntent(r);
    if (auto it = blades_.find(slot); it != blades_.end()) judge(it->second);
}

void ChassisService::judge(BladeRuntime& b) {
    // Health reads "off" as a failure only when cmcd wants the blade on.
    auto intent = powerIntents_.of(b.blade.slot);
    b.health->expectPower(intent ? std::optional<bool>(*intent == domain::PowerIntent::On) : std::nullopt, steadyMs());
    auto tr = b.health->evaluate(steadyMs(), network_.suspect);
    int slot = b.blade.slot;
    if (b.health->takeQuarantineRecommendation()) {
        publish(domain::QuarantineRecommended{slot, cfg_.monitor.thresholds.flapCount,
                                              cfg_.monitor.thresholds.flapWindowMs});
    }
    if (!tr) return;
    ++counters_.transitions;
    tr->timeMs = events::nowUnixMs();
    b.blade.health = tr->to;
    b.lastTransition = tr;
    std::string bad;
    for (const auto& s : tr->badSignals)
        bad += (bad.empty() ? "" : ",") + s;
    std::cout << "cmcd: blade=" << slot << " health " << domain::toString(tr->from) << " -> "
              << domain::toString(tr->to) << " reason=\"" << tr->reason << "\" bad=" << (bad.empty() ? "-" : bad)
              << "\n";
    store_->appendTransition(*tr);
    store_->saveBlade(b.blade);
    publish(domain::BladeHealthChanged{*tr});
    if (tr->from == HealthState::Unknown && tr->to == HealthState::Healthy) return; // the first verdict
    if (tr->to == HealthState::Failed) {
        publish(domain::BladeFailed{slot, tr->reason, tr->badSignals});
    } else if (tr->to == HealthState::BmcUnreachable) {
        publish(domain::BmcBecameUnreachable{slot, tr->reason});
    } else if (tr->to == HealthState::Critical) {
        publish(domain::BladeCritical{slot, tr->reason});
    } else if (tr->to == HealthState::Healthy && tr->from != HealthState::Unknown) {
        publish(domain::BladeRecovered{slot});
    }
}

int ChassisService::subscribeHealth(std::function<void(const domain::HealthEvent&)> listener) {
    int id = nextHealthListener_++;
    healthListeners_.emplace(id, std::move(listener));
    return id;
}

void ChassisService::publish(const domain::HealthEvent& e) {
    // A copy: a listener may subscribe or unsubscribe while it runs.
    auto listeners = healthListeners_;
    for (const auto& entry : listeners) {
        const auto& listener = entry.second;
        guarded("health event listener", 0, [&] { listener(e); });
    }
}

namespace {
template <class... F> struct Overload : F... { using F::operator()...; };
template <class... F> Overload(F...) -> Overload<F...>;
} // namespace

// The chassis event log's view of the monitor: each typed event becomes its
// OEM registry message (schemas/redfish/OpenCMC.1.0.0.json).
void ChassisService::logHealthEvent(const domain::HealthEvent& e) {
    std::visit(
        Overload{
            [&](const domain::BladeHealthChanged& c) {
                const auto& t = c.transition;
                if (t.from == HealthState::Unknown && t.to == HealthState::Healthy) return;
                std::string sev = t.to == HealthState::Failed || t.to == HealthState::Critical
                                      ? "Critical"
                                      : (t.to == HealthState::Healthy ? "OK" : "Warning");
                events_->raise("BladeHealthChanged",
                               {std::to_string(t.slot), domain::toString(t.from), domain::toString(t.to), t.reason},
                               origin(t.slot), sev);
            },
            [&](const domain::BladeFailed& f) {
                events_->raise("BladeFailed", {std::to_string(f.slot), f.reason}, origin(f.slot));
            },
            [&](const domain::BmcBecameUnreachable& u) {
                events_->raise("BmcUnreachable", {std::to_string(u.slot)}, origin(u.slot));
            },
            [&](const domain::BladeCritical& c) {
                events_->raise("TemperatureCritical", {std::to_string(c.slot)}, origin(c.slot));
            },
            [&](const domain::BladeRecovered& r) {
                events_->raise("BladeRecovered", {std::to_string(r.slot)}, origin(r.slot));
            },
            [&](const domain::QuarantineRecommended& q) {
                events_->raise("BladeQuarantineRecommended",
                               {std::to_string(q.slot), std::to_string(q.failures), std::to_string(q.windowMs / 1000)},
                               origin(q.slot));
            },
            [&](const domain::ManagementNetworkChanged& n) {
                events_->raise(n.suspect ? "ManagementNetworkSuspect" : "ManagementNetworkRecovered",
                               {std::to_string(n.unreachable), std::to_string(n.total)}, "/redfish/v1/Managers/cmc");
            },
        },
        e);
}

void ChassisService::scheduleRetention() {
    if (stopped_) return;
    retentionTimer_.expires_after(std::chrono::minutes(10));
    retentionTimer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        guarded("retention", 0, [&] { store_->runRetention(events::nowUnixMs()); });
        scheduleRetention();
    });
}

} // namespace cmc::app
