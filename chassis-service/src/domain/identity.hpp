// Identity pools: MAC (locally administered unicast ranges), WWPN, IPv4
// (subnet, gateway, range) and UUID. Allocation is exclusive across every
// pool and every explicitly given value (invariant 7); release is explicit;
// exhaustion is an error that names the pool. Pure: the caller persists each
// allocation (the store's unique index is the last guard) and releases what
// it allocated when the write fails.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cmc::domain {

enum class IdentityKind { Mac, Wwpn, Ipv4, Uuid };
[[nodiscard]] const char* toString(IdentityKind k); // "MAC", "WWPN", "IPv4", "UUID"
[[nodiscard]] std::optional<IdentityKind> identityKindFrom(const std::string& s);

// Canonical text forms: "02:00:0a:00:00:01", "20:00:00:25:b5:00:00:01",
// "10.0.0.11", "4f70656e-434d-4300-8000-000000000001" (lower case).
[[nodiscard]] std::optional<std::uint64_t> parseMac(const std::string& s);  // 6 hex octets, ':' or '-'
[[nodiscard]] std::optional<std::uint64_t> parseWwpn(const std::string& s); // 8 hex octets, ':'
[[nodiscard]] std::optional<std::uint32_t> parseIpv4(const std::string& s); // dotted quad, no leading zeros
[[nodiscard]] std::string formatMac(std::uint64_t v);
[[nodiscard]] std::string formatWwpn(std::uint64_t v);
[[nodiscard]] std::string formatIpv4(std::uint32_t v);
// The canonical form of a value of that kind, or nullopt when it is not one.
[[nodiscard]] std::optional<std::string> canonicalIdentity(IdentityKind kind, const std::string& text);

struct IdentityPool {
    std::string name; // [A-Za-z0-9_.-]{1,64}
    IdentityKind kind = IdentityKind::Mac;
    // Inclusive numeric range: MAC 48-bit, WWPN 64-bit, IPv4 32-bit; UUID: the
    // last 48 bits (node field), appended to uuidPrefix.
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::string uuidPrefix; // UUID pools: "xxxxxxxx-xxxx-xxxx-xxxx" (23 characters)
    int prefixLength = 0;   // IPv4 pools: the subnet's prefix length (8..30)
    std::string gateway;    // IPv4 pools: in the subnet, outside the range

    [[nodiscard]] std::uint64_t size() const { return last - first + 1; }
    [[nodiscard]] std::string format(std::uint64_t v) const; // a value of the range as text
    [[nodiscard]] bool contains(const std::string& canonical) const;
};

// Checks a pool: a valid name, first <= last, a MAC range locally
// administered and unicast (first octet bit 1 set, bit 0 clear), an IPv4
// range inside one subnet with the gateway in it but not in the range, not
// the network or broadcast address. Returns an empty string or the problem.
[[nodiscard]] std::string validatePool(const IdentityPool& p);

struct Allocation {
    IdentityKind kind = IdentityKind::Mac;
    std::string value; // canonical
    std::string owner; // logical server name
    std::string pool;  // empty: given explicitly outside any pool
};

struct [[nodiscard]] AllocationResult {
    // Why an allocation was refused: the pool has no free value, the value is
    // held by another owner, or the request itself is wrong (unknown pool,
    // malformed value, no owner).
    enum class Refusal { None, Exhausted, Taken, Invalid };
    bool ok = false;
    Refusal refusal = Refusal::None;
    std::string error; // "MAC pool 'macs' is exhausted (64 of 64 in use)", "MAC 02:.. is already used by 'web01'"
    Allocation allocation;
};

class IdentityRegistry {
public:
    // Adds (or, when no allocation lies outside the new range, replaces) a pool.
    [[nodiscard]] std::string addPool(IdentityPool p);
    [[nodiscard]] const IdentityPool* pool(const std::string& name) const;
    [[nodiscard]] const std::map<std::string, IdentityPool>& pools() const { return pools_; }

    // The allocations stored (start-up).
    void load(const std::vector<Allocation>& allocations);

    // The lowest free value of the pool, for `owner`.
    AllocationResult allocate(const std::string& pool, const std::string& owner);
    // A value given explicitly: canonicalised, refused when anyone holds it.
    // Records the pool whose range holds it, if any.
    AllocationResult claim(IdentityKind kind, const std::string& value, const std::string& owner);
    // Releases one value (when it is held by `owner`); true if released.
    bool release(IdentityKind kind, const std::string& value, const std::string& owner);
    // Releases everything `owner` holds; returns what it released.
    std::vector<Allocation> releaseAll(const std::string& owner);

    [[nodiscard]] std::optional<std::string> ownerOf(IdentityKind kind, const std::string& canonical) const;
    [[nodiscard]] std::vector<Allocation> allocations() const; // by kind, then value
    struct Usage {
        std::uint64_t size = 0;
        std::uint64_t used = 0;
    };
    [[nodiscard]] Usage usage(const std::string& pool) const;

private:
    std::map<std::string, IdentityPool> pools_;
    std::map<std::pair<IdentityKind, std::string>, Allocation> held_;
};

} // namespace cmc::domain
