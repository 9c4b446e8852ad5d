#include "domain/logical_server.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include "domain/identity.hpp"

namespace cmc::domain {

namespace {

constexpr std::size_t kMaxServerNameLength = 63;
constexpr std::size_t kMaxVolumeNameLength = 64;
constexpr int kMaxVlan = 4094;

constexpr std::array<std::pair<ServerState, const char*>, 5> kStates{{
    {ServerState::Unbound, "Unbound"},
    {ServerState::Binding, "Binding"},
    {ServerState::Running, "Running"},
    {ServerState::Stopped, "Stopped"},
    {ServerState::Down, "Down"},
}};

bool lowerAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool validVolumeName(const std::string& s) {
    if (s.empty() || s.size() > kMaxVolumeNameLength) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '-';
    });
}

void addProblem(std::string& out, const std::string& problem) {
    if (!out.empty()) out += "; ";
    out += problem;
}

// "given explicitly or from a pool, not both": empty or the problem.
std::string exclusive(const std::string& field, const std::string& value, const std::string& poolField,
                      const std::string& pool, bool required) {
    if (!value.empty() && !pool.empty()) return "give " + field + " or " + poolField + ", not both";
    if (required && value.empty() && pool.empty()) return "needs " + field + " or " + poolField;
    return {};
}

} // namespace

std::string HardwareRequirements::unmetBy(const Blade& b) const {
    std::string out;
    if (minCpus > 0) {
        if (b.cpuCount == 0)
            addProblem(out, "needs " + std::to_string(minCpus) + " CPUs, CPU count unknown");
        else if (b.cpuCount < minCpus)
            addProblem(out, "needs " + std::to_string(minCpus) + " CPUs, has " + std::to_string(b.cpuCount));
    }
    if (minMemoryGiB > 0) {
        if (b.memoryGiB == 0)
            addProblem(out, "needs " + std::to_string(minMemoryGiB) + " GiB, memory size unknown");
        else if (b.memoryGiB < minMemoryGiB)
            addProblem(out, "needs " + std::to_string(minMemoryGiB) + " GiB, has " + std::to_string(b.memoryGiB));
    }
    if (!modelFamily.empty() && b.model.rfind(modelFamily, 0) != 0) {
        addProblem(out, "needs model family '" + modelFamily + "', " +
                            (b.model.empty() ? std::string("model unknown") : "is '" + b.model + "'"));
    }
    return out;
}

const char* toString(ServerState s) {
    for (const auto& [v, n] : kStates) {
        if (v == s) return n;
    }
    return "Unbound";
}

std::optional<ServerState> serverStateFrom(const std::string& s) {
    for (const auto& [v, n] : kStates) {
        if (s == n) return v;
    }
    return std::nullopt;
}

bool validServerName(const std::string& name) {
    if (name.empty() || name.size() > kMaxServerNameLength || !lowerAlnum(name.front())) return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return lowerAlnum(c) || c == '-'; });
}

std::string validateSpec(const LogicalServerSpec& s) {
    if (!validServerName(s.name))
        return "name: '" + s.name + "' is not a valid server name (1 to 63 of a-z 0-9 -, starting with a-z or 0-9)";
    if (std::string p = exclusive("uuid", s.uuid, "uuidPool", s.uuidPool, false); !p.empty()) return p;
    if (!s.uuid.empty() && !canonicalIdentity(IdentityKind::Uuid, s.uuid))
        return "uuid: '" + s.uuid + "' is not a UUID (8-4-4-4-12 hex digits)";
    if (s.vnics.empty()) return "vnics: at least one vNIC is needed";

    // vNIC and vHBA names share one namespace (Redfish lists both as network
    // device functions).
    std::set<std::string> names;
    for (std::size_t i = 0; i < s.vnics.size(); ++i) {
        const VNicSpec& n = s.vnics[i];
        const std::string field = "vnics[" + std::to_string(i) + "]";
        if (n.name.empty()) return field + ".name: empty";
        if (!names.insert(n.name).second) return field + ".name: '" + n.name + "' is used twice";
        if (std::string p = exclusive("mac", n.mac, "macPool", n.macPool, true); !p.empty())
            return field + " '" + n.name + "': " + p;
        if (!n.mac.empty() && !canonicalIdentity(IdentityKind::Mac, n.mac))
            return field + ".mac: '" + n.mac + "' is not a MAC address";
        if (std::string p = exclusive("ip", n.ip, "ipPool", n.ipPool, false); !p.empty())
            return field + " '" + n.name + "': " + p;
        if (!n.ip.empty() && !canonicalIdentity(IdentityKind::Ipv4, n.ip))
            return field + ".ip: '" + n.ip + "' is not an IPv4 address";
        if (n.vlan < 0 || n.vlan > kMaxVlan)
            return field + ".vlan: " + std::to_string(n.vlan) + " is outside 0..4094 (0: untagged)";
    }
    for (std::size_t i = 0; i < s.vhbas.size(); ++i) {
        const VHbaSpec& h = s.vhbas[i];
        const std::string field = "vhbas[" + std::to_string(i) + "]";
        if (h.name.empty()) return field + ".name: empty";
        if (!names.insert(h.name).second) return field + ".name: '" + h.name + "' is used twice";
        if (std::string p = exclusive("wwpn", h.wwpn, "wwpnPool", h.wwpnPool, true); !p.empty())
            return field + " '" + h.name + "': " + p;
        if (!h.wwpn.empty() && !canonicalIdentity(IdentityKind::Wwpn, h.wwpn))
            return field + ".wwpn: '" + h.wwpn + "' is not a WWPN (8 hex octets)";
    }
    if (!validVolumeName(s.boot.volume))
        return "boot.volume: '" + s.boot.volume + "' is not a volume name (1 to 64 of A-Z a-z 0-9 _ . -)";
    if (!s.boot.targetWwpn.empty() && !canonicalIdentity(IdentityKind::Wwpn, s.boot.targetWwpn))
        return "boot.targetWwpn: '" + s.boot.targetWwpn + "' is not a WWPN (8 hex octets)";
    if (s.requirements.minCpus < 0)
        return "requirements.minCpus: " + std::to_string(s.requirements.minCpus) + " is negative";
    if (s.requirements.minMemoryGiB < 0)
        return "requirements.minMemoryGiB: " + std::to_string(s.requirements.minMemoryGiB) + " is negative";
    if (s.slot && *s.slot < 1) return "slot: " + std::to_string(*s.slot) + " is not a blade slot (1 or more)";
    return {};
}

} // namespace cmc::domain
