#include "domain/identity.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

namespace cmc::domain {

namespace {

constexpr std::uint64_t kMacMax = 0xFFFFFFFFFFFFULL; // 48 bits
constexpr std::uint64_t kIpv4Max = 0xFFFFFFFFULL;    // 32 bits
constexpr std::uint64_t kUuidNodeMax = kMacMax;      // the 48-bit node field
constexpr std::size_t kUuidPrefixLength = 23;        // "xxxxxxxx-xxxx-xxxx-xxxx"
constexpr std::size_t kUuidLength = 36;              // 8-4-4-4-12
constexpr std::size_t kMaxPoolNameLength = 64;

constexpr std::array<std::pair<IdentityKind, const char*>, 4> kKinds{{
    {IdentityKind::Mac, "MAC"},
    {IdentityKind::Wwpn, "WWPN"},
    {IdentityKind::Ipv4, "IPv4"},
    {IdentityKind::Uuid, "UUID"},
}};

bool isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowered(std::string s) {
    for (char& c : s)
        c = lower(c);
    return s;
}

// `octets` groups of two hex digits, separated by `sep` (one of `seps`, the
// same throughout).
std::optional<std::uint64_t> parseOctets(const std::string& s, std::size_t octets, const std::string& seps) {
    if (s.size() != octets * 3 - 1) return std::nullopt;
    const char sep = octets > 1 ? s[2] : '\0';
    if (octets > 1 && seps.find(sep) == std::string::npos) return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < octets; ++i) {
        const std::size_t at = i * 3;
        if (i > 0 && s[at - 1] != sep) return std::nullopt;
        if (!isHex(s[at]) || !isHex(s[at + 1])) return std::nullopt;
        unsigned octet = 0;
        auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + 2, octet, 16);
        if (ec != std::errc() || end != s.data() + at + 2) return std::nullopt;
        v = (v << 8) | octet;
    }
    return v;
}

void appendHex(std::string& out, std::uint64_t v, int digits) {
    static constexpr const char* kDigits = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; --i)
        out.push_back(kDigits[(v >> (4 * i)) & 0xF]);
}

std::string formatOctets(std::uint64_t v, int octets) {
    std::string out;
    out.reserve(static_cast<std::size_t>(octets) * 3);
    for (int i = octets - 1; i >= 0; --i) {
        appendHex(out, (v >> (8 * i)) & 0xFF, 2);
        if (i > 0) out.push_back(':');
    }
    return out;
}

// "xxxxxxxx-xxxx-xxxx-xxxx" with hex digits (either case).
bool validUuidPrefix(const std::string& s) {
    if (s.size() != kUuidPrefixLength) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18;
        if (dash ? s[i] != '-' : !isHex(s[i])) return false;
    }
    return true;
}

std::optional<std::string> canonicalUuid(const std::string& s) {
    if (s.size() != kUuidLength || s[kUuidPrefixLength] != '-') return std::nullopt;
    if (!validUuidPrefix(s.substr(0, kUuidPrefixLength))) return std::nullopt;
    for (std::size_t i = kUuidPrefixLength + 1; i < s.size(); ++i) {
        if (!isHex(s[i])) return std::nullopt;
    }
    return lowered(s);
}

bool validPoolName(const std::string& s) {
    if (s.empty() || s.size() > kMaxPoolNameLength) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '-';
    });
}

std::uint64_t maxOf(IdentityKind k) {
    switch (k) {
    case IdentityKind::Mac: return kMacMax;
    case IdentityKind::Ipv4: return kIpv4Max;
    case IdentityKind::Uuid: return kUuidNodeMax;
    case IdentityKind::Wwpn: return ~std::uint64_t{0};
    }
    return 0;
}

// The numeric value of a value of `kind` as a pool of that kind counts it
// (UUID: the node field, when the value carries `uuidPrefix`).
std::optional<std::uint64_t> numericValue(IdentityKind kind, const std::string& text, const std::string& uuidPrefix) {
    switch (kind) {
    case IdentityKind::Mac: return parseMac(text);
    case IdentityKind::Wwpn: return parseWwpn(text);
    case IdentityKind::Ipv4: {
        auto v = parseIpv4(text);
        if (!v) return std::nullopt;
        return std::uint64_t{*v};
    }
    case IdentityKind::Uuid: {
        auto c = canonicalUuid(text);
        if (!c || c->compare(0, kUuidPrefixLength, lowered(uuidPrefix)) != 0) return std::nullopt;
        std::uint64_t v = 0;
        const char* first = c->data() + kUuidPrefixLength + 1;
        const char* last = c->data() + c->size();
        auto [end, ec] = std::from_chars(first, last, v, 16);
        if (ec != std::errc() || end != last) return std::nullopt;
        return v;
    }
    }
    return std::nullopt;
}

std::string rangeText(const IdentityPool& p) {
    return p.format(p.first) + " - " + p.format(p.last);
}

bool overlaps(const IdentityPool& a, const IdentityPool& b) {
    if (a.kind != b.kind) return false;
    if (a.kind == IdentityKind::Uuid && lowered(a.uuidPrefix) != lowered(b.uuidPrefix)) return false;
    return a.first <= b.last && b.first <= a.last;
}

} // namespace

const char* toString(IdentityKind k) {
    for (const auto& [v, s] : kKinds) {
        if (v == k) return s;
    }
    return "MAC";
}

std::optional<IdentityKind> identityKindFrom(const std::string& s) {
    for (const auto& [v, n] : kKinds) {
        if (s == n) return v;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parseMac(const std::string& s) {
    return parseOctets(s, 6, ":-");
}

std::optional<std::uint64_t> parseWwpn(const std::string& s) {
    return parseOctets(s, 8, ":");
}

std::optional<std::uint32_t> parseIpv4(const std::string& s) {
    std::uint32_t v = 0;
    const char* p = s.data();
    const char* end = s.data() + s.size();
    for (int i = 0; i < 4; ++i) {
        if (i > 0) {
            if (p == end || *p != '.') return std::nullopt;
            ++p;
        }
        const char* start = p;
        while (p != end && *p >= '0' && *p <= '9' && p - start < 4)
            ++p;
        const auto digits = p - start;
        if (digits < 1 || digits > 3) return std::nullopt;
        if (digits > 1 && *start == '0') return std::nullopt; // no leading zeros
        unsigned octet = 0;
        auto [stop, ec] = std::from_chars(start, p, octet, 10);
        if (ec != std::errc() || stop != p || octet > 255) return std::nullopt;
        v = (v << 8) | octet;
    }
    if (p != end) return std::nullopt;
    return v;
}

std::string formatMac(std::uint64_t v) {
    return formatOctets(v & kMacMax, 6);
}

std::string formatWwpn(std::uint64_t v) {
    return formatOctets(v, 8);
}

std::string formatIpv4(std::uint32_t v) {
    std::string out;
    for (int i = 3; i >= 0; --i) {
        out += std::to_string((v >> (8 * i)) & 0xFF);
        if (i > 0) out.push_back('.');
    }
    return out;
}

std::optional<std::string> canonicalIdentity(IdentityKind kind, const std::string& text) {
    switch (kind) {
    case IdentityKind::Mac:
        if (auto v = parseMac(text)) return formatMac(*v);
        return std::nullopt;
    case IdentityKind::Wwpn:
        if (auto v = parseWwpn(text)) return formatWwpn(*v);
        return std::nullopt;
    case IdentityKind::Ipv4:
        if (auto v = parseIpv4(text)) return formatIpv4(*v);
        return std::nullopt;
    case IdentityKind::Uuid: return canonicalUuid(text);
    }
    return std::nullopt;
}

std::string IdentityPool::format(std::uint64_t v) const {
    switch (kind) {
    case IdentityKind::Mac: return formatMac(v);
    case IdentityKind::Wwpn: return formatWwpn(v);
    case IdentityKind::Ipv4: return formatIpv4(static_cast<std::uint32_t>(v & kIpv4Max));
    case IdentityKind::Uuid: {
        std::string out = lowered(uuidPrefix);
        out.push_back('-');
        appendHex(out, v & kUuidNodeMax, 12);
        return out;
    }
    }
    return {};
}

bool IdentityPool::contains(const std::string& canonical) const {
    auto v = numericValue(kind, canonical, uuidPrefix);
    return v && *v >= first && *v <= last;
}

std::string validatePool(const IdentityPool& p) {
    const std::string what = std::string(toString(p.kind)) + " pool '" + p.name + "'";
    if (!validPoolName(p.name)) return "pool name '" + p.name + "' is not valid: 1 to 64 of A-Z a-z 0-9 _ . -";
    if (p.first > p.last) return what + ": the first value is above the last";
    if (p.last > maxOf(p.kind)) return what + ": the range does not fit a " + toString(p.kind);
    switch (p.kind) {
    case IdentityKind::Mac: {
        const std::uint64_t firstOctet = p.first >> 40;
        // Every value of the range must be locally administered (bit 1 of the
        // first octet set) and unicast (bit 0 clear): so one first octet.
        if (firstOctet != (p.last >> 40) || (firstOctet & 0x3) != 0x2)
            return what + ": " + rangeText(p) +
                   " is not locally administered unicast (the first octet must be the same throughout, with bit 1 "
                   "set and bit 0 clear, e.g. 02)";
        break;
    }
    case IdentityKind::Wwpn: break;
    case IdentityKind::Ipv4: {
        if (p.prefixLength < 8 || p.prefixLength > 30)
            return what + ": prefix length " + std::to_string(p.prefixLength) + " is outside 8..30";
        const std::uint64_t mask = (kIpv4Max << (32 - p.prefixLength)) & kIpv4Max;
        const std::uint64_t network = p.first & mask;
        const std::uint64_t broadcast = network | (~mask & kIpv4Max);
        const std::string subnet =
            formatIpv4(static_cast<std::uint32_t>(network)) + "/" + std::to_string(p.prefixLength);
        if ((p.last & mask) != network)
            return what + ": " + rangeText(p) + " is not inside one /" + std::to_string(p.prefixLength) + " subnet";
        if (p.first == network) return what + ": the range starts at the network address of " + subnet;
        if (p.last == broadcast) return what + ": the range ends at the broadcast address of " + subnet;
        auto gw = parseIpv4(p.gateway);
        if (!gw) return what + ": gateway '" + p.gateway + "' is not an IPv4 address";
        if ((*gw & mask) != network) return what + ": gateway " + p.gateway + " is outside " + subnet;
        if (*gw == network || *gw == broadcast)
            return what + ": gateway " + p.gateway + " is the network or broadcast address of " + subnet;
        if (*gw >= p.first && *gw <= p.last)
            return what + ": gateway " + p.gateway + " lies in the range " + rangeText(p);
        break;
    }
    case IdentityKind::Uuid:
        if (!validUuidPrefix(p.uuidPrefix))
            return what + ": UUID prefix '" + p.uuidPrefix + "' is not of the form xxxxxxxx-xxxx-xxxx-xxxx (hex)";
        break;
    }
    return {};
}

std::string IdentityRegistry::addPool(IdentityPool p) {
    if (std::string problem = validatePool(p); !problem.empty()) return problem;
    if (p.kind == IdentityKind::Uuid) p.uuidPrefix = lowered(p.uuidPrefix);
    for (const auto& [name, other] : pools_) {
        if (name != p.name && overlaps(p, other))
            return std::string(toString(p.kind)) + " pool '" + p.name + "' (" + rangeText(p) + ") overlaps pool '" +
                   name + "' (" + rangeText(other) + ")";
    }
    for (const auto& [key, a] : held_) {
        if (a.pool != p.name) continue;
        if (a.kind != p.kind || !p.contains(a.value))
            return "cannot change " + std::string(toString(a.kind)) + " pool '" + p.name + "': " + a.value +
                   " (held by '" + a.owner + "') lies outside the new range " + rangeText(p);
    }
    std::string name = p.name;
    pools_[name] = std::move(p);
    return {};
}

const IdentityPool* IdentityRegistry::pool(const std::string& name) const {
    auto it = pools_.find(name);
    return it == pools_.end() ? nullptr : &it->second;
}

void IdentityRegistry::load(const std::vector<Allocation>& allocations) {
    held_.clear();
    for (const auto& a : allocations) {
        Allocation c = a;
        if (auto canonical = canonicalIdentity(a.kind, a.value)) c.value = *canonical;
        held_[{c.kind, c.value}] = c;
    }
}

AllocationResult IdentityRegistry::allocate(const std::string& poolName, const std::string& owner) {
    AllocationResult r;
    const IdentityPool* p = pool(poolName);
    if (p == nullptr) {
        r.refusal = AllocationResult::Refusal::Invalid;
        r.error = "no identity pool '" + poolName + "'";
        return r;
    }
    if (owner.empty()) {
        r.refusal = AllocationResult::Refusal::Invalid;
        r.error = "an allocation from pool '" + poolName + "' needs an owner";
        return r;
    }
    // The values of the range anyone holds (allocated or given explicitly).
    std::vector<std::uint64_t> taken;
    for (const auto& [key, a] : held_) {
        if (key.first != p->kind) continue;
        auto v = numericValue(p->kind, a.value, p->uuidPrefix);
        if (v && *v >= p->first && *v <= p->last) taken.push_back(*v);
    }
    if (taken.size() >= p->size() && p->size() != 0) {
        r.refusal = AllocationResult::Refusal::Exhausted;
        r.error = std::string(toString(p->kind)) + " pool '" + p->name + "' is exhausted (" +
                  std::to_string(taken.size()) + " of " + std::to_string(p->size()) + " in use)";
        return r;
    }
    std::sort(taken.begin(), taken.end());
    std::uint64_t next = p->first;
    for (std::uint64_t v : taken) {
        if (v > next) break;
        if (v == next) ++next;
    }
    r.ok = true;
    r.allocation = Allocation{p->kind, p->format(next), owner, p->name};
    held_[{p->kind, r.allocation.value}] = r.allocation;
    return r;
}

AllocationResult IdentityRegistry::claim(IdentityKind kind, const std::string& value, const std::string& owner) {
    AllocationResult r;
    auto canonical = canonicalIdentity(kind, value);
    if (!canonical) {
        r.refusal = AllocationResult::Refusal::Invalid;
        r.error = "'" + value + "' is not a valid " + toString(kind);
        return r;
    }
    if (owner.empty()) {
        r.refusal = AllocationResult::Refusal::Invalid;
        r.error = std::string(toString(kind)) + " " + *canonical + " needs an owner";
        return r;
    }
    if (auto holder = ownerOf(kind, *canonical)) {
        r.refusal = AllocationResult::Refusal::Taken;
        r.error = std::string(toString(kind)) + " " + *canonical + " is already used by '" + *holder + "'";
        return r;
    }
    std::string poolName;
    for (const auto& [name, p] : pools_) {
        if (p.kind == kind && p.contains(*canonical)) {
            poolName = name;
            break;
        }
    }
    r.ok = true;
    r.allocation = Allocation{kind, *canonical, owner, poolName};
    held_[{kind, *canonical}] = r.allocation;
    return r;
}

bool IdentityRegistry::release(IdentityKind kind, const std::string& value, const std::string& owner) {
    const std::string canonical = canonicalIdentity(kind, value).value_or(value);
    auto it = held_.find({kind, canonical});
    if (it == held_.end() || it->second.owner != owner) return false;
    held_.erase(it);
    return true;
}

std::vector<Allocation> IdentityRegistry::releaseAll(const std::string& owner) {
    std::vector<Allocation> out;
    for (auto it = held_.begin(); it != held_.end();) {
        if (it->second.owner == owner) {
            out.push_back(it->second);
            it = held_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::optional<std::string> IdentityRegistry::ownerOf(IdentityKind kind, const std::string& canonical) const {
    const std::string key = canonicalIdentity(kind, canonical).value_or(canonical);
    auto it = held_.find({kind, key});
    if (it == held_.end()) return std::nullopt;
    return it->second.owner;
}

std::vector<Allocation> IdentityRegistry::allocations() const {
    std::vector<Allocation> out;
    out.reserve(held_.size());
    for (const auto& [key, a] : held_)
        out.push_back(a);
    // held_ is ordered by kind, then text; IPv4 text does not sort by value.
    auto numeric = [](const Allocation& a) -> std::uint64_t {
        if (a.kind != IdentityKind::Ipv4) return 0;
        auto v = parseIpv4(a.value);
        return v ? std::uint64_t{*v} : kIpv4Max + 1;
    };
    std::stable_sort(out.begin(), out.end(), [&numeric](const Allocation& a, const Allocation& b) {
        if (a.kind != b.kind) return a.kind < b.kind;
        if (numeric(a) != numeric(b)) return numeric(a) < numeric(b);
        return a.value < b.value;
    });
    return out;
}

IdentityRegistry::Usage IdentityRegistry::usage(const std::string& poolName) const {
    Usage u;
    const IdentityPool* p = pool(poolName);
    if (p == nullptr) return u;
    u.size = p->size();
    for (const auto& [key, a] : held_) {
        if (key.first == p->kind && p->contains(a.value)) ++u.used;
    }
    return u;
}

} // namespace cmc::domain
