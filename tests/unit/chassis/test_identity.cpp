#include <doctest/doctest.h>

#include "domain/identity.hpp"
#include "domain/logical_server.hpp"

using namespace cmc::domain;

namespace {

IdentityPool macPool(const std::string& name, std::uint64_t first, std::uint64_t last) {
    IdentityPool p;
    p.name = name;
    p.kind = IdentityKind::Mac;
    p.first = first;
    p.last = last;
    return p;
}

// 10.0.0.0/24, gateway 10.0.0.1, range 10.0.0.10 - 10.0.0.20.
IdentityPool ipPool() {
    IdentityPool p;
    p.name = "ips";
    p.kind = IdentityKind::Ipv4;
    p.first = *parseIpv4("10.0.0.10");
    p.last = *parseIpv4("10.0.0.20");
    p.prefixLength = 24;
    p.gateway = "10.0.0.1";
    return p;
}

constexpr std::uint64_t kMacBase = 0x02000a000000ULL; // 02:00:0a:00:00:00

LogicalServerSpec goodSpec() {
    LogicalServerSpec s;
    s.name = "web01";
    s.uuidPool = "uuids";
    VNicSpec n;
    n.name = "eth0";
    n.macPool = "macs";
    n.ipPool = "ips";
    n.vlan = 100;
    s.vnics.push_back(n);
    VHbaSpec h;
    h.name = "fc0";
    h.wwpnPool = "wwpns";
    s.vhbas.push_back(h);
    s.boot.volume = "web01-boot";
    return s;
}

} // namespace

TEST_CASE("MACs parse with ':' or '-' in either case; the canonical form is lower case with ':'") {
    CHECK(parseMac("02:00:0A:00:00:01") == 0x02000a000001ULL);
    CHECK(parseMac("02-00-0a-00-00-01") == 0x02000a000001ULL);
    CHECK(canonicalIdentity(IdentityKind::Mac, "02-00-0A-FF-00-01") == "02:00:0a:ff:00:01");
    CHECK(formatMac(0x02000a000001ULL) == "02:00:0a:00:00:01");
    CHECK_FALSE(parseMac("02:00-0a:00:00:01").has_value()); // mixed separators
    CHECK_FALSE(parseMac("02:00:0a:00:00").has_value());
    CHECK_FALSE(parseMac("02:00:0a:00:00:01:02").has_value());
    CHECK_FALSE(parseMac("02:00:0g:00:00:01").has_value());
    CHECK_FALSE(parseMac("2:00:0a:00:00:001").has_value());
    CHECK_FALSE(parseMac("").has_value());
}

TEST_CASE("WWPNs are 8 hex octets separated by ':'") {
    CHECK(parseWwpn("20:00:00:25:B5:00:00:01") == 0x20000025b5000001ULL);
    CHECK(formatWwpn(0x20000025b5000001ULL) == "20:00:00:25:b5:00:00:01");
    CHECK_FALSE(parseWwpn("20-00-00-25-b5-00-00-01").has_value());
    CHECK_FALSE(parseWwpn("20:00:00:25:b5:00:00").has_value());
}

TEST_CASE("IPv4 is a dotted quad without leading zeros") {
    CHECK(parseIpv4("10.0.0.11") == 0x0a00000bU);
    CHECK(parseIpv4("0.0.0.0") == 0U);
    CHECK(parseIpv4("255.255.255.255") == 0xffffffffU);
    CHECK(formatIpv4(0x0a00000bU) == "10.0.0.11");
    CHECK_FALSE(parseIpv4("10.0.0.011").has_value());
    CHECK_FALSE(parseIpv4("10.0.0.256").has_value());
    CHECK_FALSE(parseIpv4("10.0.0").has_value());
    CHECK_FALSE(parseIpv4("10.0.0.1.2").has_value());
    CHECK_FALSE(parseIpv4("10.0.0.").has_value());
    CHECK_FALSE(parseIpv4("10..0.1").has_value());
    CHECK_FALSE(parseIpv4("10.0.0.1 ").has_value());
    CHECK_FALSE(parseIpv4("-1.0.0.1").has_value());
    CHECK_FALSE(parseIpv4("1000.0.0.1").has_value());
}

TEST_CASE("UUIDs are 8-4-4-4-12 hex, canonical in lower case") {
    CHECK(canonicalIdentity(IdentityKind::Uuid, "4F70656E-434D-4300-8000-000000000001") ==
          "4f70656e-434d-4300-8000-000000000001");
    CHECK_FALSE(canonicalIdentity(IdentityKind::Uuid, "4f70656e434d43008000000000000001").has_value());
    CHECK_FALSE(canonicalIdentity(IdentityKind::Uuid, "4f70656e-434d-4300-8000-00000000000g").has_value());
    CHECK_FALSE(canonicalIdentity(IdentityKind::Uuid, "4f70656e-434d-4300-8000-0000000000011").has_value());
}

TEST_CASE("identity kind names read back") {
    for (auto k : {IdentityKind::Mac, IdentityKind::Wwpn, IdentityKind::Ipv4, IdentityKind::Uuid})
        CHECK((identityKindFrom(toString(k)) == k));
    CHECK(std::string(toString(IdentityKind::Ipv4)) == "IPv4");
    CHECK_FALSE(identityKindFrom("mac").has_value());
}

TEST_CASE("a MAC pool must be locally administered unicast") {
    CHECK(validatePool(macPool("macs", kMacBase, kMacBase + 63)).empty());
    // 00:25:b5:..: a vendor's (globally administered) range.
    CHECK(validatePool(macPool("macs", 0x0025b5000000ULL, 0x0025b50000ffULL)).find("locally administered") !=
          std::string::npos);
    // 03:..: multicast.
    CHECK_FALSE(validatePool(macPool("macs", 0x030000000000ULL, 0x0300000000ffULL)).empty());
    // 02:ff:ff:ff:ff:ff - 03:00:00:00:00:10 crosses into multicast.
    CHECK_FALSE(validatePool(macPool("macs", 0x02ffffffffffULL, 0x030000000010ULL)).empty());
    CHECK_FALSE(validatePool(macPool("macs", kMacBase + 5, kMacBase)).empty()); // first above last
    CHECK_FALSE(validatePool(macPool("bad name", kMacBase, kMacBase + 1)).empty());
    CHECK_FALSE(validatePool(macPool("", kMacBase, kMacBase + 1)).empty());
}

TEST_CASE("an IPv4 pool lies in one subnet, without its gateway, network or broadcast address") {
    CHECK(validatePool(ipPool()).empty());

    IdentityPool p = ipPool();
    p.gateway = "10.0.0.15";
    CHECK(validatePool(p).find("gateway 10.0.0.15 lies in the range") != std::string::npos);

    p = ipPool();
    p.first = *parseIpv4("10.0.0.0");
    CHECK(validatePool(p).find("network address") != std::string::npos);

    p = ipPool();
    p.last = *parseIpv4("10.0.0.255");
    CHECK(validatePool(p).find("broadcast address") != std::string::npos);

    p = ipPool();
    p.last = *parseIpv4("10.0.1.20");
    CHECK(validatePool(p).find("one /24 subnet") != std::string::npos);

    p = ipPool();
    p.gateway = "10.0.1.1";
    CHECK(validatePool(p).find("outside 10.0.0.0/24") != std::string::npos);

    p = ipPool();
    p.gateway = "10.0.0.01";
    CHECK_FALSE(validatePool(p).empty());

    p = ipPool();
    p.prefixLength = 31;
    CHECK_FALSE(validatePool(p).empty());
}

TEST_CASE("a UUID pool needs an 8-4-4-4 prefix; its values append 12 hex digits") {
    IdentityPool p;
    p.name = "uuids";
    p.kind = IdentityKind::Uuid;
    p.uuidPrefix = "4F70656E-434D-4300-8000";
    p.first = 1;
    p.last = 100;
    CHECK(validatePool(p).empty());
    CHECK(p.format(1) == "4f70656e-434d-4300-8000-000000000001");
    CHECK(p.contains("4f70656e-434d-4300-8000-000000000064"));
    CHECK_FALSE(p.contains("4f70656e-434d-4300-8000-000000000065"));
    CHECK_FALSE(p.contains("4f70656e-434d-4300-8001-000000000001"));

    IdentityRegistry r;
    REQUIRE(r.addPool(p).empty());
    auto a = r.allocate("uuids", "web01");
    REQUIRE(a.ok);
    CHECK(a.allocation.value == "4f70656e-434d-4300-8000-000000000001");

    p.uuidPrefix = "4f70656e-434d-4300";
    CHECK_FALSE(validatePool(p).empty());
}

TEST_CASE("allocate gives the lowest free value; a released value is given again") {
    IdentityRegistry r;
    REQUIRE(r.addPool(macPool("macs", kMacBase + 1, kMacBase + 4)).empty());
    auto a = r.allocate("macs", "web01");
    auto b = r.allocate("macs", "web02");
    REQUIRE(a.ok);
    REQUIRE(b.ok);
    CHECK(a.allocation.value == "02:00:0a:00:00:01");
    CHECK(b.allocation.value == "02:00:0a:00:00:02");
    CHECK(a.allocation.pool == "macs");
    CHECK(a.allocation.owner == "web01");
    CHECK(r.ownerOf(IdentityKind::Mac, "02:00:0a:00:00:02") == "web02");

    CHECK_FALSE(r.release(IdentityKind::Mac, "02:00:0a:00:00:01", "web02")); // not its owner
    CHECK(r.release(IdentityKind::Mac, "02-00-0A-00-00-01", "web01"));
    CHECK_FALSE(r.ownerOf(IdentityKind::Mac, "02:00:0a:00:00:01").has_value());
    auto c = r.allocate("macs", "web03");
    REQUIRE(c.ok);
    CHECK(c.allocation.value == "02:00:0a:00:00:01");
    CHECK(r.usage("macs").used == 2);
    CHECK(r.usage("macs").size == 4);
}

TEST_CASE("an exhausted pool says so and names itself") {
    IdentityRegistry r;
    REQUIRE(r.addPool(macPool("macs", kMacBase, kMacBase + 3)).empty());
    for (int i = 0; i < 4; ++i)
        REQUIRE(r.allocate("macs", "web0" + std::to_string(i)).ok);
    auto full = r.allocate("macs", "web09");
    CHECK_FALSE(full.ok);
    CHECK(full.error == "MAC pool 'macs' is exhausted (4 of 4 in use)");
    CHECK(full.refusal == AllocationResult::Refusal::Exhausted);

    auto none = r.allocate("nosuch", "web09");
    CHECK_FALSE(none.ok);
    CHECK(none.error.find("'nosuch'") != std::string::npos);
}

TEST_CASE("a value is held once across the registry: explicit claims and pool allocations exclude each other") {
    IdentityRegistry r;
    REQUIRE(r.addPool(macPool("macs", kMacBase + 1, kMacBase + 8)).empty());

    // Given explicitly inside the pool's range: recorded with the pool, and allocate skips it.
    auto claimed = r.claim(IdentityKind::Mac, "02:00:0A:00:00:01", "db01");
    REQUIRE(claimed.ok);
    CHECK(claimed.allocation.value == "02:00:0a:00:00:01");
    CHECK(claimed.allocation.pool == "macs");
    auto a = r.allocate("macs", "web01");
    REQUIRE(a.ok);
    CHECK(a.allocation.value == "02:00:0a:00:00:02");
    CHECK(r.usage("macs").used == 2);

    // An allocated value cannot be claimed, in any spelling; the error names its holder.
    auto taken = r.claim(IdentityKind::Mac, "02-00-0a-00-00-02", "web02");
    CHECK_FALSE(taken.ok);
    CHECK(taken.error == "MAC 02:00:0a:00:00:02 is already used by 'web01'");
    CHECK(taken.refusal == AllocationResult::Refusal::Taken);
    // Not even by its own holder twice (two vNICs with one MAC).
    CHECK_FALSE(r.claim(IdentityKind::Mac, "02:00:0a:00:00:01", "db01").ok);

    // Outside any pool: recorded without one.
    auto outside = r.claim(IdentityKind::Mac, "02:00:0b:00:00:01", "db01");
    REQUIRE(outside.ok);
    CHECK(outside.allocation.pool.empty());
    CHECK_FALSE(r.claim(IdentityKind::Mac, "02:00:0b:00:00:01", "web02").ok);

    auto bad = r.claim(IdentityKind::Mac, "not-a-mac", "web02");
    CHECK_FALSE(bad.ok);
    CHECK(bad.error.find("not a valid MAC") != std::string::npos);
}

TEST_CASE("pools of one kind may not overlap, so no value belongs to two pools") {
    IdentityRegistry r;
    REQUIRE(r.addPool(ipPool()).empty());
    IdentityPool other = ipPool();
    other.name = "ips2";
    other.first = *parseIpv4("10.0.0.20");
    other.last = *parseIpv4("10.0.0.30");
    CHECK(r.addPool(other).find("overlaps pool 'ips'") != std::string::npos);
    other.first = *parseIpv4("10.0.0.21");
    CHECK(r.addPool(other).empty());

    auto a = r.allocate("ips", "web01");
    REQUIRE(a.ok);
    CHECK(a.allocation.value == "10.0.0.10");
    CHECK_FALSE(r.claim(IdentityKind::Ipv4, "10.0.0.10", "web02").ok);
    auto b = r.claim(IdentityKind::Ipv4, "10.0.0.25", "web02");
    REQUIRE(b.ok);
    CHECK(b.allocation.pool == "ips2");
    CHECK(r.allocate("ips2", "web03").allocation.value == "10.0.0.21");
}

TEST_CASE("releaseAll frees everything an owner holds") {
    IdentityRegistry r;
    REQUIRE(r.addPool(macPool("macs", kMacBase, kMacBase + 9)).empty());
    REQUIRE(r.addPool(ipPool()).empty());
    REQUIRE(r.allocate("macs", "web01").ok);
    REQUIRE(r.allocate("ips", "web01").ok);
    REQUIRE(r.allocate("macs", "web02").ok);
    auto released = r.releaseAll("web01");
    CHECK(released.size() == 2);
    CHECK(r.allocations().size() == 1);
    CHECK(r.allocate("macs", "web03").allocation.value == "02:00:0a:00:00:00");
}

TEST_CASE("replacing a pool is refused when an allocation would fall outside it") {
    IdentityRegistry r;
    REQUIRE(r.addPool(macPool("macs", kMacBase, kMacBase + 9)).empty());
    for (int i = 0; i < 6; ++i)
        REQUIRE(r.allocate("macs", "web0" + std::to_string(i)).ok);
    std::string err = r.addPool(macPool("macs", kMacBase, kMacBase + 3));
    CHECK(err.find("02:00:0a:00:00:04") != std::string::npos);
    CHECK(err.find("'web04'") != std::string::npos);
    CHECK(r.pool("macs")->last == kMacBase + 9); // unchanged
    CHECK(r.addPool(macPool("macs", kMacBase, kMacBase + 5)).empty());
    CHECK(r.pool("macs")->last == kMacBase + 5);
    CHECK_FALSE(r.allocate("macs", "web09").ok);

    IdentityPool asIp = ipPool();
    asIp.name = "macs";
    CHECK_FALSE(r.addPool(asIp).empty()); // a different kind strands every allocation
}

TEST_CASE("load restores allocations; allocations() lists them by kind, then value") {
    IdentityRegistry r;
    REQUIRE(r.addPool(ipPool()).empty());
    r.load({
        {IdentityKind::Ipv4, "10.0.0.10", "web01", "ips"},
        {IdentityKind::Ipv4, "10.0.0.9", "web02", ""},
        {IdentityKind::Mac, "02-00-0A-00-00-01", "web01", ""},
    });
    auto all = r.allocations();
    REQUIRE(all.size() == 3);
    CHECK((all[0].kind == IdentityKind::Mac));
    CHECK(all[0].value == "02:00:0a:00:00:01");
    CHECK(all[1].value == "10.0.0.9");
    CHECK(all[2].value == "10.0.0.10");
    CHECK(r.allocate("ips", "web03").allocation.value == "10.0.0.11");
    CHECK(r.ownerOf(IdentityKind::Mac, "02:00:0a:00:00:01") == "web01");
}

TEST_CASE("server names: lower case letters, digits and '-', up to 63, not starting with '-'") {
    CHECK(validServerName("web01"));
    CHECK(validServerName("0db"));
    CHECK(validServerName(std::string(63, 'a')));
    CHECK_FALSE(validServerName(std::string(64, 'a')));
    CHECK_FALSE(validServerName(""));
    CHECK_FALSE(validServerName("-web"));
    CHECK_FALSE(validServerName("Web01"));
    CHECK_FALSE(validServerName("web_01"));
}

TEST_CASE("server states read back") {
    for (auto s :
         {ServerState::Unbound, ServerState::Binding, ServerState::Running, ServerState::Stopped, ServerState::Down})
        CHECK((serverStateFrom(toString(s)) == s));
    CHECK(std::string(toString(ServerState::Down)) == "Down");
}

TEST_CASE("a spec's shape is checked and the problem names the field") {
    CHECK(validateSpec(goodSpec()).empty());

    LogicalServerSpec s = goodSpec();
    s.name = "Web01";
    CHECK(validateSpec(s).find("name:") == 0);

    s = goodSpec();
    s.vnics.clear();
    CHECK(validateSpec(s).find("vnics:") == 0);

    s = goodSpec();
    s.vnics.push_back(s.vnics.front());
    CHECK(validateSpec(s).find("vnics[1].name: 'eth0' is used twice") == 0);

    s = goodSpec();
    s.vhbas.front().name = "eth0";
    CHECK(validateSpec(s).find("vhbas[0].name") == 0);

    s = goodSpec();
    s.vnics.front().name.clear();
    CHECK(validateSpec(s).find("vnics[0].name") == 0);

    s = goodSpec();
    s.vnics.front().mac = "02:00:0a:00:00:01";
    CHECK(validateSpec(s).find("not both") != std::string::npos);

    s = goodSpec();
    s.vnics.front().macPool.clear();
    CHECK(validateSpec(s).find("needs mac or macPool") != std::string::npos);

    s = goodSpec();
    s.vnics.front().macPool.clear();
    s.vnics.front().mac = "zz:00:0a:00:00:01";
    CHECK(validateSpec(s).find("vnics[0].mac") == 0);

    s = goodSpec();
    s.vnics.front().ip = "10.0.0.11";
    CHECK(validateSpec(s).find("not both") != std::string::npos);

    s = goodSpec();
    s.vnics.front().ipPool.clear(); // no IP at all is fine
    CHECK(validateSpec(s).empty());

    s = goodSpec();
    s.vnics.front().vlan = 4095;
    CHECK(validateSpec(s).find("vnics[0].vlan") == 0);
    s.vnics.front().vlan = -1;
    CHECK_FALSE(validateSpec(s).empty());
    s.vnics.front().vlan = 4094;
    CHECK(validateSpec(s).empty());

    s = goodSpec();
    s.vhbas.front().wwpnPool.clear();
    CHECK(validateSpec(s).find("needs wwpn or wwpnPool") != std::string::npos);
    s.vhbas.front().wwpn = "20:00:00:25:b5:00:00:01";
    CHECK(validateSpec(s).empty());
    s.vhbas.front().wwpnPool = "wwpns";
    CHECK(validateSpec(s).find("not both") != std::string::npos);

    s = goodSpec();
    s.boot.volume.clear();
    CHECK(validateSpec(s).find("boot.volume") == 0);
    s.boot.volume = "web 01";
    CHECK(validateSpec(s).find("boot.volume") == 0);
    s.boot.volume = std::string(65, 'v');
    CHECK(validateSpec(s).find("boot.volume") == 0);

    s = goodSpec();
    s.requirements.minCpus = -1;
    CHECK(validateSpec(s).find("requirements.minCpus") == 0);
    s = goodSpec();
    s.requirements.minMemoryGiB = -4;
    CHECK(validateSpec(s).find("requirements.minMemoryGiB") == 0);

    s = goodSpec();
    s.policy.priority = -100; // any priority
    CHECK(validateSpec(s).empty());
}
