#include "fabric/fabric.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <ctime>

#include "hal/address_format.hpp"

namespace cmc::sim {

namespace {
constexpr SimDuration kProbeInterval{100};
}

Fabric::Fabric(boost::asio::io_context& io, const SimClock& clock) : io_(io), clock_(clock), probeTimer_(io) {}

void Fabric::attach(std::vector<Blade*> blades) {
    blades_ = std::move(blades);
}

void Fabric::start() {
    probeTick();
}

std::string Fabric::wallNow() const {
    auto now = std::chrono::system_clock::now();
    auto t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03lldZ", buf, static_cast<long long>(ms));
    return out;
}

bool Fabric::validIpv4(const std::string& ip) {
    int parts = 0;
    std::size_t i = 0;
    while (i <= ip.size()) {
        std::size_t j = ip.find('.', i);
        if (j == std::string::npos) j = ip.size();
        auto part = ip.substr(i, j - i);
        if (part.empty() || part.size() > 3) return false;
        if (!std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
        if (part.size() > 1 && part[0] == '0') return false;
        if (std::stoi(part) > 255) return false;
        ++parts;
        i = j + 1;
        if (j == ip.size()) break;
    }
    return parts == 4;
}

// ---------------------------------------------------------------- SAN

std::vector<std::string> Fabric::visibleVolumes(const Blade& blade, std::size_t hba) const {
    std::vector<std::string> out;
    const auto& hbas = blade.hbas();
    if (hba >= hbas.size() || !hbas[hba].linkUp) return out;
    if (!sanPortEnabled({blade.slot(), static_cast<std::uint8_t>(hba + 1)})) return out;
    for (const auto& [name, v] : volumes_) {
        if (std::find(v.initiators.begin(), v.initiators.end(), hbas[hba].wwpn) != v.initiators.end()) {
            out.push_back(name);
        }
    }
    return out;
}

std::optional<std::string> Fabric::findBootVolume(const Blade& blade) {
    const auto& hbas = blade.hbas();
    // Prefer a volume named by a boot target LUN, then the first visible one.
    for (std::size_t i = 0; i < hbas.size(); ++i) {
        auto vis = visibleVolumes(blade, i);
        for (const auto& t : hbas[i].bootTargets) {
            for (const auto& name : vis) {
                if (volumes_.at(name).lun == t.lun) return name;
            }
        }
    }
    for (std::size_t i = 0; i < hbas.size(); ++i) {
        auto vis = visibleVolumes(blade, i);
        if (!vis.empty()) return vis.front();
    }
    return std::nullopt;
}

std::string Fabric::putVolume(Volume v) {
    if (v.name.empty() || v.name.size() > 64) return "volume name must be 1..64 characters";
    for (char c : v.name) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
            return "volume name may contain only letters, digits, '-', '_' and '.'";
        }
    }
    for (auto& w : v.initiators) {
        auto n = hal::normalizeWwn(w);
        if (!n) return "initiator '" + w + "' is not a WWPN (8 hex octets separated by ':')";
        w = *n;
    }
    volumes_[v.name] = std::move(v);
    scheduleEvaluate();
    return {};
}

std::vector<std::string> Fabric::logins(const std::string& volume) const {
    std::set<std::string> wwpns;
    for (const auto& w : writers_) {
        if (w.active && w.volume == volume) wwpns.insert(w.wwpn);
    }
    return {wwpns.begin(), wwpns.end()};
}

bool Fabric::removeVolume(const std::string& name) {
    bool removed = volumes_.erase(name) > 0;
    if (removed) scheduleEvaluate();
    return removed;
}

bool Fabric::setSanPort(PortRef p, bool enabled) {
    if (p.slot < 1 || p.slot > blades_.size()) return false;
    if (p.port < 1 || p.port > blades_[p.slot - 1]->hbas().size()) return false;
    if (enabled)
        disabledSan_.erase(p);
    else
        disabledSan_.insert(p);
    scheduleEvaluate();
    return true;
}

// ---------------------------------------------------------------- switch, DHCP

bool Fabric::setSwitchPort(PortRef p, bool enabled) {
    if (p.slot < 1 || p.slot > blades_.size()) return false;
    if (p.port < 1 || p.port > blades_[p.slot - 1]->nics().size()) return false;
    if (enabled)
        disabledSwitch_.erase(p);
    else
        disabledSwitch_.insert(p);
    scheduleEvaluate();
    return true;
}

std::string Fabric::putReservation(const std::string& mac, const std::string& ip) {
    auto m = hal::normalizeMac(mac);
    if (!m) return "'" + mac + "' is not a unicast MAC address";
    if (!validIpv4(ip)) return "'" + ip + "' is not an IPv4 address";
    reservations_[*m] = ip;
    return {};
}

bool Fabric::removeReservation(const std::string& mac) {
    auto m = hal::normalizeMac(mac);
    return m && reservations_.erase(*m) > 0;
}

std::vector<MacEntry> Fabric::macTable() const {
    std::vector<MacEntry> out;
    out.reserve(learned_.size());
    for (const auto& [k, e] : learned_)
        out.push_back(e);
    return out;
}

std::vector<std::uint16_t> Fabric::answering(const std::string& ip) const {
    std::vector<std::uint16_t> out;
    for (const auto* b : blades_) {
        if (!b->hostAnswers()) continue;
        const auto& leases = b->leases();
        for (std::size_t n = 0; n < leases.size(); ++n) {
            if (leases[n] != ip) continue;
            if (!b->nicTransmitting(n)) continue;
            if (!switchPortEnabled({b->slot(), static_cast<std::uint8_t>(n + 1)})) continue;
            out.push_back(b->slot());
            break;
        }
    }
    return out;
}

void Fabric::bladeChanged(const Blade& blade) {
    // DHCP: a host that comes up takes the leases reserved for its NICs' MACs.
    auto* b = blades_.at(blade.slot() - 1);
    if (b->hostState() == hal::HostState::Running && b->leases().empty()) {
        std::vector<std::string> leases;
        for (const auto& nic : b->nics()) {
            auto it = reservations_.find(nic.mac);
            leases.push_back(it == reservations_.end() ? std::string() : it->second);
        }
        b->setLeases(std::move(leases));
    }
    scheduleEvaluate();
}

// ---------------------------------------------------------------- probe

std::string Fabric::addProbeTarget(const std::string& ip) {
    if (!validIpv4(ip)) return "'" + ip + "' is not an IPv4 address";
    if (!probe_.contains(ip)) {
        ProbeTarget t;
        t.ip = ip;
        t.reachable = !answering(ip).empty();
        probe_[ip] = t;
        if (!t.reachable) {
            openOutage_[ip] = outages_.size();
            outages_.push_back({ip, clock_.nowMs(), std::nullopt, wallNow()});
        }
    }
    return {};
}

bool Fabric::removeProbeTarget(const std::string& ip) {
    if (!probe_.erase(ip)) return false;
    if (auto it = openOutage_.find(ip); it != openOutage_.end()) {
        outages_[it->second].endMs = clock_.nowMs();
        openOutage_.erase(it);
    }
    return true;
}

void Fabric::probeTick() {
    auto now = clock_.nowMs();
    for (auto& [ip, t] : probe_) {
        t.answeredBy = answering(ip);
        bool ok = !t.answeredBy.empty();
        ++t.checks;
        if (!ok) ++t.failures;
        if (ok != t.reachable) {
            t.reachable = ok;
            if (!ok) {
                openOutage_[ip] = outages_.size();
                outages_.push_back({ip, now, std::nullopt, wallNow()});
            } else if (auto it = openOutage_.find(ip); it != openOutage_.end()) {
                outages_[it->second].endMs = now;
                openOutage_.erase(it);
            }
        }
    }
    auto real = clock_.toReal(kProbeInterval);
    if (real < std::chrono::milliseconds(2)) real = std::chrono::milliseconds(2);
    probeTimer_.expires_after(real);
    probeTimer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) probeTick();
    });
}

// ---------------------------------------------------------------- invariants

void Fabric::scheduleEvaluate() {
    if (evaluatePending_) return;
    evaluatePending_ = true;
    boost::asio::post(io_, [this] {
        evaluatePending_ = false;
        evaluate();
    });
}

void Fabric::raise(const std::string& kind, const std::string& subject, std::vector<PortRef> parties,
                   std::set<std::string>& seen) {
    auto key = kind + "|" + subject;
    seen.insert(key);
    auto it = activeViolation_.find(key);
    if (it != activeViolation_.end()) {
        auto& v = violations_[it->second];
        for (const auto& p : parties) {
            if (std::find(v.parties.begin(), v.parties.end(), p) == v.parties.end()) v.parties.push_back(p);
        }
        return;
    }
    Violation v;
    v.id = nextViolationId_++;
    v.kind = kind;
    v.subject = subject;
    v.parties = std::move(parties);
    v.startMs = clock_.nowMs();
    v.startWall = wallNow();
    activeViolation_[key] = violations_.size();
    violations_.push_back(std::move(v));
}

void Fabric::evaluate() {
    auto now = clock_.nowMs();
    std::set<std::string> seen;

    // Switch: MAC learning, and a MAC live on two ports.
    std::map<std::string, std::vector<PortRef>> macPorts;
    std::map<std::string, MacEntry> learned;
    for (const auto* b : blades_) {
        const auto& nics = b->nics();
        for (std::size_t n = 0; n < nics.size(); ++n) {
            PortRef p{b->slot(), static_cast<std::uint8_t>(n + 1)};
            if (!b->nicTransmitting(n) || !switchPortEnabled(p)) continue;
            macPorts[nics[n].mac].push_back(p);
            auto key = nics[n].mac + "|" + std::to_string(p.slot) + "|" + std::to_string(p.port);
            auto old = learned_.find(key);
            learned[key] = MacEntry{nics[n].mac, p, old == learned_.end() ? now : old->second.learnedMs};
        }
    }
    learned_ = std::move(learned);
    for (auto& [mac, ports] : macPorts) {
        if (ports.size() > 1) raise("duplicate-mac", mac, ports, seen);
    }

    // SAN: who writes which volume through which initiator port.
    std::map<std::string, std::vector<PortRef>> volumeWriters;
    for (auto& w : writers_)
        w.active = false;
    for (const auto* b : blades_) {
        if (!b->writesVolume()) continue;
        const auto& vol = *b->bootVolume();
        const auto& hbas = b->hbas();
        for (std::size_t h = 0; h < hbas.size(); ++h) {
            auto vis = visibleVolumes(*b, h);
            if (std::find(vis.begin(), vis.end(), vol) == vis.end()) continue;
            PortRef p{b->slot(), static_cast<std::uint8_t>(h + 1)};
            volumeWriters[vol].push_back(p);
            auto it = std::find_if(writers_.begin(), writers_.end(), [&](const WriterRecord& r) {
                return r.volume == vol && r.initiatorPort == p && r.wwpn == hbas[h].wwpn;
            });
            if (it == writers_.end()) {
                writers_.push_back({vol, p, hbas[h].wwpn, now, now, true});
            } else {
                it->lastMs = now;
                it->active = true;
            }
            break; // one active path per host (no multipath I/O in the model)
        }
    }
    for (auto& [vol, ports] : volumeWriters) {
        std::set<std::uint16_t> slots;
        for (const auto& p : ports)
            slots.insert(p.slot);
        if (slots.size() > 1) raise("shared-volume-writer", vol, ports, seen);
    }

    // IP answered by two blades.
    std::map<std::string, std::vector<PortRef>> ipOwners;
    for (const auto* b : blades_) {
        if (!b->hostAnswers()) continue;
        const auto& leases = b->leases();
        for (std::size_t n = 0; n < leases.size(); ++n) {
            if (leases[n].empty() || !b->nicTransmitting(n)) continue;
            PortRef p{b->slot(), static_cast<std::uint8_t>(n + 1)};
            if (!switchPortEnabled(p)) continue;
            ipOwners[leases[n]].push_back(p);
        }
    }
    for (auto& [ip, ports] : ipOwners) {
        std::set<std::uint16_t> slots;
        for (const auto& p : ports)
            slots.insert(p.slot);
        if (slots.size() > 1) raise("duplicate-ip", ip, ports, seen);
    }

    // Close the violations that no longer hold.
    for (auto it = activeViolation_.begin(); it != activeViolation_.end();) {
        if (!seen.contains(it->first)) {
            violations_[it->second].endMs = now;
            it = activeViolation_.erase(it);
        } else {
            ++it;
        }
    }
}

} // namespace cmc::sim
