// Parsing of the declarative set-up (identity pools, spare pools, logical
// servers) and of the failover settings. Shapes are checked here with the
// key's path in the message; references between declarations (a server's
// pool exists, identities unique) are checked when cmcd applies them.
#include "config/config.hpp"
#include "config/config_reader.hpp"

namespace cmc::config::detail {

namespace {

std::string readPool(const json& o, const std::string& where, domain::IdentityPool& p) {
    Reader r{o, where, {}, {}};
    std::string kind, first, last, subnet;
    r.str("name", p.name, true);
    r.str("kind", kind, true);
    if (!r.error.empty()) return r.error;
    auto k = domain::identityKindFrom(kind);
    if (!k) return "config: '" + where + ".kind' must be MAC, WWPN, IPv4 or UUID (got \"" + kind + "\")";
    p.kind = *k;
    if (p.kind == domain::IdentityKind::Uuid) {
        std::int64_t a = 1, b = 0;
        r.str("prefix", p.uuidPrefix, true);
        r.integer("first", a, 0, 0xffffffffffffLL);
        r.integer("last", b, 0, 0xffffffffffffLL);
        p.first = static_cast<std::uint64_t>(a);
        p.last = static_cast<std::uint64_t>(b);
    } else {
        r.str("first", first, true);
        r.str("last", last, true);
        if (p.kind == domain::IdentityKind::Ipv4) {
            r.str("subnet", subnet, true);
            r.str("gateway", p.gateway);
        }
        if (!r.error.empty()) return r.error;
        auto parse = [&](const std::string& s) -> std::optional<std::uint64_t> {
            switch (p.kind) {
            case domain::IdentityKind::Mac: return domain::parseMac(s);
            case domain::IdentityKind::Wwpn: return domain::parseWwpn(s);
            default: {
                auto v = domain::parseIpv4(s);
                return v ? std::optional<std::uint64_t>(*v) : std::nullopt;
            }
            }
        };
        auto a = parse(first), b = parse(last);
        if (!a)
            return "config: '" + where + ".first' is not a " + domain::toString(p.kind) + " (got \"" + first + "\")";
        if (!b) return "config: '" + where + ".last' is not a " + domain::toString(p.kind) + " (got \"" + last + "\")";
        p.first = *a;
        p.last = *b;
        if (p.kind == domain::IdentityKind::Ipv4) {
            auto slash = subnet.find('/');
            int len = -1;
            if (slash != std::string::npos) {
                auto tail = subnet.substr(slash + 1);
                auto [ptr, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), len);
                if (ec != std::errc() || ptr != tail.data() + tail.size()) len = -1;
            }
            if (slash == std::string::npos || len < 8 || len > 30 || !domain::parseIpv4(subnet.substr(0, slash))) {
                return "config: '" + where + ".subnet' must be A.B.C.D/LEN with LEN 8..30 (got \"" + subnet + "\")";
            }
            p.prefixLength = len;
        }
    }
    if (!r.error.empty()) return r.error;
    auto e = domain::validatePool(p);
    if (!e.empty()) return "config: '" + where + "': " + e;
    return r.finish();
}

std::string readSparePool(const json& o, const std::string& where, domain::SparePool& p) {
    Reader r{o, where, {}, {}};
    r.str("name", p.name, true);
    r.objects("members", [&](const json& m, const std::string& w) {
        Reader mr{m, w, {}, {}};
        std::int64_t slot = 0;
        std::string kind = "Cold";
        mr.integer("slot", slot, 1, 1000);
        mr.str("kind", kind, true);
        if (!mr.error.empty()) return mr.error;
        if (slot == 0) return "config: '" + w + ".slot' is required";
        auto k = domain::spareKindFrom(kind);
        if (!k) return "config: '" + w + ".kind' must be Warm or Cold (got \"" + kind + "\")";
        if (p.members.contains(static_cast<int>(slot)))
            return "config: '" + w + "': blade " + std::to_string(slot) + " is listed twice";
        p.members[static_cast<int>(slot)] = *k;
        return mr.finish();
    });
    return r.finish();
}

std::string readServer(const json& o, const std::string& where, domain::LogicalServerSpec& s) {
    Reader r{o, where, {}, {}};
    std::int64_t blade = 0;
    std::string power = "On";
    r.str("name", s.name, true);
    r.str("uuid", s.uuid, true);
    r.str("uuidPool", s.uuidPool, true);
    r.integer("blade", blade, 1, 1000);
    r.str("powerState", power, true);
    r.objects("vnics", [&](const json& v, const std::string& w) {
        Reader vr{v, w, {}, {}};
        domain::VNicSpec n;
        std::int64_t vlan = 0;
        vr.str("name", n.name, true);
        vr.str("mac", n.mac, true);
        vr.str("macPool", n.macPool, true);
        vr.str("ip", n.ip, true);
        vr.str("ipPool", n.ipPool, true);
        vr.integer("vlan", vlan, 0, 4094);
        n.vlan = static_cast<int>(vlan);
        s.vnics.push_back(std::move(n));
        return vr.finish();
    });
    r.objects("vhbas", [&](const json& v, const std::string& w) {
        Reader vr{v, w, {}, {}};
        domain::VHbaSpec h;
        vr.str("name", h.name, true);
        vr.str("wwpn", h.wwpn, true);
        vr.str("wwpnPool", h.wwpnPool, true);
        s.vhbas.push_back(std::move(h));
        return vr.finish();
    });
    r.object("bootVolume", [&](const json& v, const std::string& w) {
        Reader vr{v, w, {}, {}};
        std::int64_t lun = 0;
        vr.str("volume", s.boot.volume, true);
        vr.integer("lun", lun, 0, 16383);
        vr.str("targetWwpn", s.boot.targetWwpn, true);
        s.boot.lun = static_cast<std::uint32_t>(lun);
        return vr.finish();
    });
    r.object("requirements", [&](const json& v, const std::string& w) {
        Reader vr{v, w, {}, {}};
        std::int64_t cpus = 0, mem = 0;
        vr.integer("minCpus", cpus, 0, 4096);
        vr.integer("minMemoryGiB", mem, 0, 1 << 20);
        vr.str("modelFamily", s.requirements.modelFamily);
        s.requirements.minCpus = static_cast<int>(cpus);
        s.requirements.minMemoryGiB = static_cast<int>(mem);
        return vr.finish();
    });
    r.object("failover", [&](const json& v, const std::string& w) {
        Reader vr{v, w, {}, {}};
        std::int64_t prio = 0;
        vr.str("sparePool", s.policy.sparePool, true);
        vr.integer("priority", prio, -1000000, 1000000);
        vr.boolean("automatic", s.policy.automatic);
        s.policy.priority = static_cast<int>(prio);
        return vr.finish();
    });
    if (!r.error.empty()) return r.error;
    if (blade) s.slot = static_cast<int>(blade);
    auto p = domain::powerIntentFrom(power);
    if (!p) return "config: '" + where + ".powerState' must be On or Off (got \"" + power + "\")";
    s.desiredPower = *p;
    auto e = domain::validateSpec(s);
    if (!e.empty()) return "config: '" + where + "': " + e;
    return r.finish();
}

} // namespace

void readDeclarations(Reader& r, Declarations& out) {
    r.objects("identityPools", [&](const json& o, const std::string& where) {
        domain::IdentityPool p;
        auto e = readPool(o, where, p);
        if (!e.empty()) return e;
        for (const auto& q : out.identityPools) {
            if (q.name == p.name) return "config: '" + where + "': identity pool '" + p.name + "' is declared twice";
        }
        out.identityPools.push_back(std::move(p));
        return std::string();
    });
    r.objects("sparePools", [&](const json& o, const std::string& where) {
        domain::SparePool p;
        auto e = readSparePool(o, where, p);
        if (!e.empty()) return e;
        for (const auto& q : out.sparePools) {
            if (q.name == p.name) return "config: '" + where + "': spare pool '" + p.name + "' is declared twice";
            for (const auto& [slot, kind] : p.members) {
                if (q.members.contains(slot))
                    return "config: '" + where + "': blade " + std::to_string(slot) + " is already in spare pool '" +
                           q.name + "'";
            }
        }
        out.sparePools.push_back(std::move(p));
        return std::string();
    });
    r.objects("logicalServers", [&](const json& o, const std::string& where) {
        domain::LogicalServerSpec s;
        auto e = readServer(o, where, s);
        if (!e.empty()) return e;
        for (const auto& q : out.servers) {
            if (q.name == s.name) return "config: '" + where + "': logical server '" + s.name + "' is declared twice";
            if (s.slot && q.slot == s.slot)
                return "config: '" + where + "': blade " + std::to_string(*s.slot) + " is already declared for '" +
                       q.name + "'";
        }
        out.servers.push_back(std::move(s));
        return std::string();
    });
}

void readFailover(Reader& r, FailoverConfig& out) {
    r.object("failover", [&](const json& o, const std::string& prefix) {
        Reader f{o, prefix, {}, {}};
        auto& t = out.timeouts;
        f.boolean("automatic", out.automatic);
        f.integer("holdMs", out.holdMs, 0, 60000);
        f.integer("verifyPollMs", out.verifyPollMs, 10, 10000);
        f.integer("verifyStableMs", out.verifyStableMs, 0, 600000);
        f.boolean("verifySanLogin", out.verifySanLogin);
        f.boolean("verifyWatchdog", out.verifyWatchdog);
        f.integer("shutdownTimeoutMs", t.shutdownMs, 100, 3600000);
        f.integer("fenceTimeoutMs", t.fenceMs, 100, 600000);
        f.integer("fabricFenceTimeoutMs", t.fabricFenceMs, 100, 600000);
        f.integer("programTimeoutMs", t.programMs, 100, 600000);
        f.integer("powerOnTimeoutMs", t.powerOnMs, 100, 600000);
        f.integer("verifyTimeoutMs", t.verifyMs, 100, 3600000);
        f.integer("releaseTimeoutMs", t.releaseMs, 100, 600000);
        std::int64_t spares = t.maxSpares;
        f.integer("maxSpares", spares, 1, 100);
        t.maxSpares = static_cast<int>(spares);
        f.str("debugKillAt", out.debugKillAt, true);
        f.object("storm", [&](const json& so, const std::string& sp) {
            Reader s{so, sp, {}, {}};
            std::int64_t minFailures = out.storm.minFailures;
            s.number("maxFraction", out.storm.maxFraction, 0.0, 1.0);
            s.integer("minFailures", minFailures, 1, 100000);
            s.integer("windowMs", out.storm.windowMs, 1000, 86400000);
            out.storm.minFailures = static_cast<int>(minFailures);
            return s.finish();
        });
        if (f.error.empty() && !out.debugKillAt.empty() && !domain::failoverPhaseFrom(out.debugKillAt)) {
            return "config: '" + prefix + ".debugKillAt' must name a failover phase (got \"" + out.debugKillAt + "\")";
        }
        return f.finish();
    });
}

} // namespace cmc::config::detail
