// The blade operations the failover orchestrator performs: power off read
// back Off, fabric fencing, writing an identity onto a blade, power on, and
// checking that a server answers through a blade. Each answers exactly once.
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <iostream>
#include <memory>

#include "app/service.hpp"
#include "events/event_log.hpp"
#include "southbound/fabric/fabric.hpp"
#include "southbound/ipmi/ipmi_client.hpp"
#include "southbound/redfish/redfish_bmc.hpp"

namespace cmc::app {

namespace {

using domain::StepOutcome;
using json = nlohmann::json;

StepOutcome failed(std::string detail) {
    StepOutcome o;
    o.detail = std::move(detail);
    return o;
}

StepOutcome succeeded(std::string detail, domain::FenceMethod fence = domain::FenceMethod::None) {
    StepOutcome o;
    o.ok = true;
    o.detail = std::move(detail);
    o.fence = fence;
    return o;
}

// Collects the answers of several concurrent requests; `done` runs once when
// the last one answered, ok when every required one succeeded.
struct Gather {
    int pending = 0;
    bool ok = true;
    std::string problems;
    std::string notes;
    ChassisService::StepDone done;
    std::string what;

    void note(bool required, bool success, const std::string& msg) {
        if (!success) {
            if (required) ok = false;
            (required ? problems : notes) += (msg + "; ");
        }
        if (--pending == 0) {
            if (ok) {
                done(succeeded(what + (notes.empty() ? "" : " (warnings: " + notes + ")")));
            } else {
                done(failed(what + " failed: " + problems));
            }
        }
    }
};

bool isFunction(const std::string& path) {
    return path.find("/NetworkDeviceFunctions/") != std::string::npos;
}

} // namespace

void ChassisService::noteCurrentAddress(int slot, bool nic, std::size_t index, const std::string& value) {
    auto it = blades_.find(slot);
    if (it == blades_.end()) return;
    auto& b = it->second.blade;
    if (nic && index < b.nics.size()) b.nics[index].currentMac = value;
    if (!nic && index < b.hbas.size()) b.hbas[index].currentWwpn = value;
}

const domain::Blade* ChassisService::bladeInfo(int slot) const {
    auto it = blades_.find(slot);
    return it == blades_.end() ? nullptr : &it->second.blade;
}

domain::HealthState ChassisService::bladeHealth(int slot) const {
    auto it = blades_.find(slot);
    if (it == blades_.end()) return domain::HealthState::Absent;
    return it->second.health ? it->second.health->state() : it->second.blade.health;
}

std::optional<domain::Blade> ChassisService::setBladeRole(int slot, domain::BladeRole role) {
    auto it = blades_.find(slot);
    if (it == blades_.end()) return std::nullopt;
    it->second.blade.role = role;
    return it->second.blade;
}

void ChassisService::powerOffBlade(int slot, bool graceful, std::int64_t timeoutMs, StepDone done) {
    auto it = blades_.find(slot);
    if (it == blades_.end()) {
        done(failed("no blade in slot " + std::to_string(slot)));
        return;
    }
    auto& rt = it->second;
    auto deadline = steadyMs() + timeoutMs;
    // Reads power back until Off or the deadline; `read` asks the BMC.
    struct Poll : std::enable_shared_from_this<Poll> {
        boost::asio::steady_timer timer;
        std::function<void(std::function<void(std::optional<bool> on, std::string err)>)> read;
        std::int64_t deadline = 0;
        StepDone done;
        domain::FenceMethod method = domain::FenceMethod::PowerOff;
        std::string how;
        std::string last = "unknown";
        explicit Poll(boost::asio::io_context& io) : timer(io) {}
        void next() {
            auto self = shared_from_this();
            read([self](std::optional<bool> on, const std::string& err) {
                if (on && !*on) {
                    self->done(succeeded(self->how + " read back Off", self->method));
                    return;
                }
                self->last = on ? "On" : err;
                if (steadyMs() >= self->deadline) {
                    self->done(
                        failed(self->how + " accepted but power read back '" + self->last + "', not Off, in time"));
                    return;
                }
                self->timer.expires_after(std::chrono::milliseconds(50));
                self->timer.async_wait([self](boost::system::error_code) { self->next(); });
            });
        }
    };
    auto poll = std::make_shared<Poll>(io_);
    poll->deadline = deadline;
    poll->done = std::move(done);
    if (rt.ipmi && rt.ipmiUp) {
        auto conn = rt.ipmi;
        poll->read = [conn](std::function<void(std::optional<bool>, std::string)> cb) {
            conn->getChassisStatus([cb](southbound::IpmiResult<southbound::IpmiChassisStatus> r) {
                if (r.ok()) {
                    cb(r.value.powerOn, {});
                } else {
                    cb(std::nullopt, std::string("IPMI ") + southbound::toString(r.error));
                }
            });
        };
        poll->how = graceful ? "IPMI soft shutdown" : "IPMI chassis power off";
        auto op = graceful ? southbound::ChassisControl::SoftShutdown : southbound::ChassisControl::PowerDown;
        // The power-off is sent even to a host that reads Off: a power-on
        // still in progress (a spare being brought up) is cancelled by it, and
        // only the read-back after it counts.
        conn->getChassisStatus([conn, poll, op](southbound::IpmiResult<southbound::IpmiChassisStatus> st) {
            bool wasOff = st.ok() && !st.value.powerOn;
            if (wasOff) poll->method = domain::FenceMethod::AlreadyOff;
            conn->chassisControl(op, [poll, wasOff](southbound::IpmiResult<bool> r) {
                if (!r.ok() && !wasOff) {
                    poll->done(failed(poll->how + ": " + southbound::toString(r.error) + " " + r.message));
                    return;
                }
                if (wasOff) poll->how = "already off (IPMI chassis status); " + poll->how;
                poll->next();
            });
        });
        return;
    }
    if (rt.redfish) {
        auto bmc = rt.redfish;
        if (!graceful) {
            bmc->forceOffConfirmed(std::chrono::milliseconds(timeoutMs), [poll](southbound::RedfishResult<bool> r) {
                if (!r.ok()) {
                    poll->done(failed("Redfish ForceOff: " + r.message));
                } else if (r.value) {
                    poll->done(succeeded("Redfish ForceOff read back Off", domain::FenceMethod::PowerOff));
                } else {
                    poll->done(succeeded("already off (Redfish PowerState)", domain::FenceMethod::AlreadyOff));
                }
            });
            return;
        }
        poll->how = "Redfish GracefulShutdown";
        poll->read = [bmc](std::function<void(std::optional<bool>, std::string)> cb) {
            bmc->readSystem([cb](southbound::RedfishResult<southbound::RedfishSystemState> r) {
                if (r.ok() && r.value.powerState) {
                    cb(*r.value.powerState != "Off", {});
                } else {
                    cb(std::nullopt, r.message);
                }
            });
        };
        bmc->reset("GracefulShutdown", [poll](southbound::RedfishResult<bool> r) {
            if (!r.ok()) {
                poll->done(failed("Redfish GracefulShutdown: " + r.message));
                return;
            }
            poll->next();
        });
        return;
    }
    poll->done(
        failed("blade " + std::to_string(slot) + ": no management path answers (IPMI session down, no Redfish)"));
}

void ChassisService::fabricFenceBlade(int slot, bool enabled, StepDone done) {
    auto it = blades_.find(slot);
    if (it == blades_.end() || !fabric_) {
        done(failed(fabric_ ? "no blade in slot " + std::to_string(slot) : "no fabric is configured"));
        return;
    }
    const auto& b = it->second.blade;
    auto g = std::make_shared<Gather>();
    g->done = std::move(done);
    g->what =
        std::string(enabled ? "enabled" : "disabled") + " the switch and SAN ports of blade " + std::to_string(slot);
    int nics = std::max<int>(1, static_cast<int>(b.nics.size()));
    int hbas = static_cast<int>(b.hbas.size());
    g->pending = nics + hbas;
    if (g->pending == 0) {
        g->done(failed("blade has no ports known to the fabric"));
        return;
    }
    for (int p = 1; p <= nics; ++p) {
        fabric_->setPort(southbound::FabricPlane::Switch, slot, p, enabled, [g, p](southbound::FabricResult<bool> r) {
            g->note(true, r.ok, "switch port " + std::to_string(p) + ": " + r.message);
        });
    }
    for (int p = 1; p <= hbas; ++p) {
        fabric_->setPort(southbound::FabricPlane::San, slot, p, enabled, [g, p](southbound::FabricResult<bool> r) {
            g->note(true, r.ok, "SAN port " + std::to_string(p) + ": " + r.message);
        });
    }
}

void ChassisService::programBlade(int slot, const domain::LogicalServer& s, StepDone done) {
    auto it = blades_.find(slot);
    if (it == blades_.end()) {
        done(failed("no blade in slot " + std::to_string(slot)));
        return;
    }
    auto& rt = it->second;
    if (!rt.redfish || !rt.redfishDiscovered) {
        done(failed("blade " + std::to_string(slot) +
                    " has no discovered Redfish service: a virtual MAC or WWPN cannot be written over IPMI"));
        return;
    }
    if (s.vnics.size() > rt.nicPaths.size() || s.vhbas.size() > rt.hbaPaths.size()) {
        done(failed("blade " + std::to_string(slot) + " has " + std::to_string(rt.nicPaths.size()) + " NICs and " +
                    std::to_string(rt.hbaPaths.size()) + " HBAs; " + s.name + " needs " +
                    std::to_string(s.vnics.size()) + " and " + std::to_string(s.vhbas.size())));
        return;
    }
    auto bmc = rt.redfish;
    auto g = std::make_shared<Gather>();
    g->done = std::move(done);
    g->what = "identity of " + s.name + " written to blade " + std::to_string(slot);
    std::vector<std::string> wwpns;
    for (const auto& h : s.vhbas)
        wwpns.push_back(h.wwpn);
    int ipCount = 0;
    for (const auto& n : s.vnics)
        ipCount += n.ip.empty() ? 0 : 1;
    g->pending = static_cast<int>(s.vnics.size() + s.vhbas.size()) + 1 + (fabric_ ? 1 + 2 * ipCount : 0);
    for (std::size_t i = 0; i < s.vnics.size(); ++i) {
        const auto& path = rt.nicPaths[i];
        json body = isFunction(path) ? json{{"Ethernet", {{"MACAddress", s.vnics[i].mac}}}}
                                     : json{{"MACAddress", s.vnics[i].mac}};
        bmc->patch(path, body, [this, g, slot, i, mac = s.vnics[i].mac](southbound::RedfishResult<bool> r) {
            if (r.ok()) noteCurrentAddress(slot, true, i, mac);
            g->note(true, r.ok(), r.message);
        });
    }
    for (std::size_t i = 0; i < s.vhbas.size(); ++i) {
        const auto& path = rt.hbaPaths[i];
        json fc{{"WWPN", s.vhbas[i].wwpn}};
        if (!s.boot.targetWwpn.empty()) {
            fc["BootTargets"] = json::array(
                {{{"WWPN", s.boot.targetWwpn}, {"LUNID", std::to_string(s.boot.lun)}, {"BootPriority", 0}}});
        }
        bmc->patch(path, json{{"FibreChannel", fc}},
                   [this, g, slot, i, wwpn = s.vhbas[i].wwpn](southbound::RedfishResult<bool> r) {
                       if (r.ok()) noteCurrentAddress(slot, false, i, wwpn);
                       g->note(true, r.ok(), r.message);
                   });
    }
    // Boot from the SAN volume from now on; a BMC that refuses the override
    // still boots from the first visible volume (a warning, not a failure).
    json boot{{"Boot", {{"BootSourceOverrideEnabled", "Continuous"}, {"BootSourceOverrideTarget", "RemoteDrive"}}}};
    bmc->patch(bmc->systemPath(), boot,
               [g](southbound::RedfishResult<bool> r) { g->note(false, r.ok(), "boot override: " + r.message); });
    if (!fabric_) return;
    fabric_->setVolumeInitiators(s.boot.volume, wwpns, [g, v = s.boot.volume](southbound::FabricResult<bool> r) {
        g->note(true, r.ok, "SAN masking of " + v + ": " + r.message);
    });
    for (const auto& n : s.vnics) {
        if (n.ip.empty()) continue;
        fabric_->setDhcpReservation(n.mac, n.ip, [g](southbound::FabricResult<bool> r) {
            g->note(true, r.ok, "DHCP reservation: " + r.message);
        });
        fabric_->watchIp(n.ip,
                         [g](southbound::FabricResult<bool> r) { g->note(false, r.ok, "heartbeat: " + r.message); });
    }
}

void ChassisService::clearBladeIdentity(int slot, StepDone done) {
    auto it = blades_.find(slot);
    if (it == blades_.end() || !it->second.redfish || !it->second.redfishDiscovered) {
        done(succeeded("no Redfish service: nothing was written"));
        return;
    }
    auto& rt = it->second;
    auto bmc = rt.redfish;
    auto g = std::make_shared<Gather>();
    g->done = std::move(done);
    g->what = "burned-in addresses of blade " + std::to_string(slot) + " restored";
    const auto& b = rt.blade;
    struct Write {
        std::string path;
        json body;
        bool nic = true;
        std::size_t index = 0;
        std::string value;
    };
    std::vector<Write> writes;
    for (std::size_t i = 0; i < rt.nicPaths.size() && i < b.nics.size(); ++i) {
        const auto& mac = b.nics[i].permanentMac;
        if (mac.empty()) continue;
        const auto& path = rt.nicPaths[i];
        writes.push_back({path,
                          isFunction(path) ? json{{"Ethernet", {{"MACAddress", mac}}}} : json{{"MACAddress", mac}},
                          true, i, mac});
    }
    for (std::size_t i = 0; i < rt.hbaPaths.size() && i < b.hbas.size(); ++i) {
        const auto& wwpn = b.hbas[i].permanentWwpn;
        if (wwpn.empty()) continue;
        writes.push_back(
            {rt.hbaPaths[i], json{{"FibreChannel", {{"WWPN", wwpn}, {"BootTargets", json::array()}}}}, false, i, wwpn});
    }
    if (writes.empty()) {
        g->done(succeeded("no burned-in addresses known: nothing was written"));
        return;
    }
    g->pending = static_cast<int>(writes.size());
    for (auto& w : writes) {
        bmc->patch(w.path, w.body, [this, g, slot, w](southbound::RedfishResult<bool> r) {
            if (r.ok()) noteCurrentAddress(slot, w.nic, w.index, w.value);
            g->note(true, r.ok(), r.message);
        });
    }
}

void ChassisService::powerOnBlade(int slot, StepDone done) {
    auto it = blades_.find(slot);
    if (it == blades_.end()) {
        done(failed("no blade in slot " + std::to_string(slot)));
        return;
    }
    auto& rt = it->second;
    if (rt.redfish) {
        auto bmc = rt.redfish;
        bmc->reset("On", [bmc, done](southbound::RedfishResult<bool> r) {
            if (r.ok()) {
                done(succeeded("Redfish Reset On accepted"));
                return;
            }
            if (r.error != southbound::RedfishError::HttpStatus) {
                done(failed("Redfish Reset On: " + r.message));
                return;
            }
            // A BMC that refuses "On" for a host already on (a warm spare held
            // at firmware): restart it so it boots from the SAN volume.
            bmc->reset("ForceRestart", [done, first = r.message](southbound::RedfishResult<bool> r2) {
                done(r2.ok() ? succeeded("Redfish ForceRestart accepted (On was refused: " + first + ")")
                             : failed("Redfish Reset On: " + first + "; ForceRestart: " + r2.message));
            });
        });
        return;
    }
    if (rt.ipmi && rt.ipmiUp) {
        rt.ipmi->chassisControl(southbound::ChassisControl::PowerUp, [done](southbound::IpmiResult<bool> r) {
            done(r.ok() ? succeeded("IPMI chassis power on accepted")
                        : failed(std::string("IPMI chassis power on: ") + southbound::toString(r.error) + " " +
                                 r.message));
        });
        return;
    }
    done(failed("blade " + std::to_string(slot) + ": no management path answers"));
}

void ChassisService::checkServerAnswers(int slot, const domain::LogicalServer& s, bool sanLogin, bool watchdog,
                                        StepDone done) {
    std::vector<std::string> ips;
    for (const auto& n : s.vnics)
        if (!n.ip.empty()) ips.push_back(n.ip);
    if (!fabric_) {
        done(failed("no fabric is configured: the server's IP cannot be checked"));
        return;
    }
    auto it = blades_.find(slot);
    if (it == blades_.end()) {
        done(failed("no blade in slot " + std::to_string(slot)));
        return;
    }
    // The checks run one after the other; the first that is not yet true answers.
    auto ipmi = watchdog && it->second.ipmi && it->second.ipmiUp ? it->second.ipmi : nullptr;
    std::vector<std::string> wwpns;
    for (const auto& h : s.vhbas)
        wwpns.push_back(h.wwpn);
    auto checkWatchdog = [ipmi, slot, done](std::string sofar) {
        if (!ipmi) {
            done(succeeded(sofar));
            return;
        }
        ipmi->getWatchdog([slot, done, sofar](southbound::IpmiResult<southbound::IpmiWatchdog> w) {
            if (!w.ok()) {
                done(failed("watchdog of blade " + std::to_string(slot) + " unreadable: " + w.message));
            } else if (!w.value.running) {
                done(failed("the host's watchdog is not armed yet"));
            } else {
                done(succeeded(sofar + ", watchdog armed"));
            }
        });
    };
    auto checkSan = [this, wwpns, volume = s.boot.volume, sanLogin, checkWatchdog, done](std::string sofar) {
        if (!sanLogin || wwpns.empty() || volume.empty()) {
            checkWatchdog(sofar);
            return;
        }
        fabric_->volumeLogins(volume, [wwpns, volume, checkWatchdog, done,
                                       sofar](southbound::FabricResult<std::optional<std::vector<std::string>>> r) {
            if (!r.ok) {
                done(failed("SAN logins of " + volume + ": " + r.message));
                return;
            }
            if (!r.value) { // this fabric does not report logins
                checkWatchdog(sofar);
                return;
            }
            for (const auto& w : wwpns) {
                if (std::find(r.value->begin(), r.value->end(), w) != r.value->end()) {
                    checkWatchdog(sofar + ", SAN login of " + w + " on " + volume);
                    return;
                }
            }
            done(failed("no login of the server's WWPN on " + volume + " yet"));
        });
    };
    if (ips.empty()) {
        // Nothing to reach: judged by power, the SAN login and the watchdog.
        auto* b = bladeInfo(slot);
        if (!b || b->powerState != "On") {
            done(failed("blade not on yet"));
            return;
        }
        checkSan("powered on (the server has no IP to check)");
        return;
    }
    fabric_->probe([slot, ips, checkSan, done](southbound::FabricResult<std::vector<southbound::LogicalIpState>> r) {
        if (!r.ok) {
            done(failed("fabric probe: " + r.message));
            return;
        }
        std::string missing;
        for (const auto& ip : ips) {
            bool ok = false;
            for (const auto& st : r.value) {
                if (st.ip == ip) ok = st.reachable && st.answeredBySlot == slot;
            }
            if (!ok) missing += (missing.empty() ? "" : ", ") + ip;
        }
        if (!missing.empty()) {
            done(failed("not yet answering through blade " + std::to_string(slot) + ": " + missing));
            return;
        }
        checkSan("the logical IPs answer through blade " + std::to_string(slot));
    });
}

} // namespace cmc::app
