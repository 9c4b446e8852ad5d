// The request bodies of /redfish/v1/Systems: a POST's composition request
// and a PATCH's writable part read into domain types (types, formats and
// unknown properties checked, every problem named by its property), and the
// backend's refusals of a create answered as DMTF errors that point at the
// request's properties.
#include "northbound/system_requests.hpp"

#include "common/json_reader.hpp"
#include "redfish/base_messages.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::northbound {

namespace {

using domain::OperationResult;
using Code = domain::OperationResult::Code;
namespace base = redfish::base;

const std::string kOem = "Oem/OpenCMC";

} // namespace

// The slot of a ResourceBlock URI ("/redfish/v1/CompositionService/ResourceBlocks/blade-5").
std::optional<int> slotOfBlockUri(const std::string& uri) {
    std::string u = uri;
    while (u.size() > 1 && u.back() == '/')
        u.pop_back();
    const std::string prefix = std::string(kBlocksUri) + "/";
    if (u.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    return slotFromId(u.substr(prefix.size()), "blade-");
}

namespace {

// The pool (of `kind`) a create request draws from when it names none and
// the service has exactly one: the common case needs no pool names.
std::string onlyPool(const std::vector<domain::IdentityPoolView>& pools, domain::IdentityKind kind) {
    std::string found;
    for (const auto& p : pools) {
        if (p.pool.kind != kind) continue;
        if (!found.empty()) return {};
        found = p.pool.name;
    }
    return found;
}

} // namespace

namespace {

// An identity given either as a value or as a pool to draw from.
void readIdentity(WriteReader& rd, const json& o, const std::string& path, const char* valueKey, const char* poolKey,
                  domain::IdentityKind kind, bool required, const std::string& defaultPool, std::string& value,
                  std::string& pool) {
    auto v = rd.str(o, valueKey, path + "/" + valueKey);
    auto p = rd.str(o, poolKey, path + "/" + poolKey);
    if (v && p) {
        rd.add(base::propertyValueConflict(path + "/" + valueKey, path + "/" + poolKey,
                                           redfish::jsonPointer(path + "/" + valueKey)));
        return;
    }
    if (v) {
        if (!domain::canonicalIdentity(kind, *v)) {
            rd.add(
                base::propertyValueFormatError(*v, path + "/" + valueKey, redfish::jsonPointer(path + "/" + valueKey)));
            return;
        }
        value = *v;
    } else if (p) {
        pool = *p;
    } else if (required && !rd.failed(path + "/" + valueKey) && !rd.failed(path + "/" + poolKey)) {
        if (defaultPool.empty()) {
            rd.add(base::createFailedMissingReqProperties(path + "/" + valueKey,
                                                          redfish::jsonPointer(path + "/" + valueKey)));
        } else {
            pool = defaultPool;
        }
    }
}

} // namespace

// Oem.OpenCMC.Requirements over `r` (create and PATCH); a null clears a value.
void readRequirements(WriteReader& rd, const json& oc, domain::HardwareRequirements& r) {
    const std::string at = kOem + "/Requirements";
    const json* o = rd.object(oc, "Requirements", at);
    if (!o) return;
    rd.only(*o, at, {"MinCpus", "MinMemoryGiB", "ModelFamily"}, {});
    auto isNull = [o](const char* k) { return o->contains(k) && (*o)[k].is_null(); };
    if (isNull("MinCpus")) r.minCpus = 0;
    if (auto v = rd.integer(*o, "MinCpus", at + "/MinCpus", 0, 4096)) r.minCpus = static_cast<int>(*v);
    if (isNull("MinMemoryGiB")) r.minMemoryGiB = 0;
    if (auto v = rd.integer(*o, "MinMemoryGiB", at + "/MinMemoryGiB", 0, 1 << 20))
        r.minMemoryGiB = static_cast<int>(*v);
    if (isNull("ModelFamily")) r.modelFamily.clear();
    if (auto v = rd.str(*o, "ModelFamily", at + "/ModelFamily")) r.modelFamily = *v;
}

// Oem.OpenCMC.FailoverPolicy over `p`; SparePool null: no failover target.
void readPolicy(WriteReader& rd, const json& oc, domain::FailoverPolicy& p) {
    const std::string at = kOem + "/FailoverPolicy";
    const json* o = rd.object(oc, "FailoverPolicy", at);
    if (!o) return;
    rd.only(*o, at, {"SparePool", "Priority", "Automatic"}, {});
    if (o->contains("SparePool") && (*o)["SparePool"].is_null()) p.sparePool.clear();
    if (auto v = rd.str(*o, "SparePool", at + "/SparePool")) p.sparePool = *v;
    if (auto v = rd.integer(*o, "Priority", at + "/Priority", -1000000, 1000000)) p.priority = static_cast<int>(*v);
    if (auto v = rd.boolean(*o, "Automatic", at + "/Automatic")) p.automatic = *v;
}

domain::LogicalServerSpec readCreate(WriteReader& rd, const json& body,
                                     const std::vector<domain::IdentityPoolView>& pools) {
    domain::LogicalServerSpec spec;
    rd.only(body, "", {"Name", "UUID", "Links", "Oem"},
            {"Id", "Description", "SystemType", "PowerState", "Status", "Boot", "Actions", "EthernetInterfaces"});
    if (auto name = rd.str(body, "Name", "Name")) {
        if (domain::validServerName(*name))
            spec.name = *name;
        else
            rd.add(base::propertyValueFormatError(*name, "Name", redfish::jsonPointer("Name")));
    } else if (!rd.failed("Name")) {
        rd.add(base::createFailedMissingReqProperties("Name", redfish::jsonPointer("Name")));
    }

    if (const json* links = rd.object(body, "Links", "Links")) {
        rd.only(*links, "Links", {"ResourceBlocks"}, {"Chassis"});
        if (const json* blocks = rd.array(*links, "ResourceBlocks", "Links/ResourceBlocks")) {
            if (blocks->size() > 1) {
                rd.add(explained(base::propertyValueIncorrect("Links/ResourceBlocks",
                                                              std::to_string(blocks->size()) + " resource blocks",
                                                              redfish::jsonPointer("Links/ResourceBlocks")),
                                 "a composed system runs on one blade: name at most one ResourceBlock"));
            } else if (blocks->size() == 1) {
                const std::string at = "Links/ResourceBlocks/0";
                const json& e = (*blocks)[0];
                auto uri = jsonr::text(e, "@odata.id");
                if (!e.is_object() || !uri) {
                    rd.add(base::propertyValueTypeError(WriteReader::shown(e), at, redfish::jsonPointer(at)));
                } else if (auto slot = slotOfBlockUri(*uri)) {
                    spec.slot = *slot;
                } else {
                    rd.add(base::resourceMissingAtUri(*uri, redfish::jsonPointer(at)));
                }
            }
        }
    }

    const json* oem = rd.object(body, "Oem", "Oem");
    if (oem) rd.only(*oem, "Oem", {"OpenCMC"}, {});
    const json* o = oem ? rd.object(*oem, "OpenCMC", kOem) : nullptr;
    static const json kEmpty = json::object();
    const json& oc = o ? *o : kEmpty;
    rd.only(oc, kOem, {"UuidPool", "VNICs", "VHBAs", "BootVolume", "Requirements", "FailoverPolicy", "PowerState"},
            {"State", "StateReason", "Coverage", "ActiveFailover", "LastFailover", "DesiredPowerState", "Origin",
             "Created", "Updated"});

    // UUID at the top (DMTF's property), or a pool under Oem.
    {
        auto uuid = rd.str(body, "UUID", "UUID");
        auto pool = rd.str(oc, "UuidPool", kOem + "/UuidPool");
        if (uuid && pool) {
            rd.add(base::propertyValueConflict("UUID", kOem + "/UuidPool", redfish::jsonPointer("UUID")));
        } else if (uuid) {
            if (domain::canonicalIdentity(domain::IdentityKind::Uuid, *uuid))
                spec.uuid = *uuid;
            else
                rd.add(base::propertyValueFormatError(*uuid, "UUID", redfish::jsonPointer("UUID")));
        } else if (pool) {
            spec.uuidPool = *pool;
        } else if (!rd.failed("UUID") && !rd.failed(kOem + "/UuidPool")) {
            spec.uuidPool = onlyPool(pools, domain::IdentityKind::Uuid);
            if (spec.uuidPool.empty())
                rd.add(base::createFailedMissingReqProperties("UUID", redfish::jsonPointer("UUID")));
        }
    }

    const std::string macPool = onlyPool(pools, domain::IdentityKind::Mac);
    const std::string wwpnPool = onlyPool(pools, domain::IdentityKind::Wwpn);
    std::vector<std::string> names;
    auto uniqueName = [&](const std::string& name, const std::string& at) {
        for (const auto& n : names) {
            if (n == name) {
                rd.add(explained(base::propertyValueIncorrect(at, name, redfish::jsonPointer(at)),
                                 "vNIC and vHBA names must be unique within a server"));
                return;
            }
        }
        names.push_back(name);
    };
    if (const json* vnics = rd.array(oc, "VNICs", kOem + "/VNICs")) {
        for (std::size_t i = 0; i < vnics->size(); ++i) {
            const std::string at = kOem + "/VNICs/" + std::to_string(i);
            const json& n = (*vnics)[i];
            if (!n.is_object()) {
                rd.add(base::propertyValueTypeError(WriteReader::shown(n), at, redfish::jsonPointer(at)));
                continue;
            }
            rd.only(n, at, {"Name", "MACAddress", "MACPool", "IPv4Address", "IPv4Pool", "VLAN"}, {"EthernetInterface"});
            domain::VNicSpec v;
            if (auto name = rd.str(n, "Name", at + "/Name")) {
                v.name = *name;
                uniqueName(*name, at + "/Name");
            } else if (!rd.failed(at + "/Name")) {
                rd.add(base::createFailedMissingReqProperties(at + "/Name", redfish::jsonPointer(at + "/Name")));
            }
            readIdentity(rd, n, at, "MACAddress", "MACPool", domain::IdentityKind::Mac, true, macPool, v.mac,
                         v.macPool);
            readIdentity(rd, n, at, "IPv4Address", "IPv4Pool", domain::IdentityKind::Ipv4, false, {}, v.ip, v.ipPool);
            if (auto vlan = rd.integer(n, "VLAN", at + "/VLAN", 0, 4094)) v.vlan = static_cast<int>(*vlan);
            spec.vnics.push_back(std::move(v));
        }
    }
    if (spec.vnics.empty() && !rd.failed(kOem + "/VNICs"))
        rd.add(base::createFailedMissingReqProperties(kOem + "/VNICs", redfish::jsonPointer(kOem + "/VNICs")));
    if (const json* vhbas = rd.array(oc, "VHBAs", kOem + "/VHBAs")) {
        for (std::size_t i = 0; i < vhbas->size(); ++i) {
            const std::string at = kOem + "/VHBAs/" + std::to_string(i);
            const json& h = (*vhbas)[i];
            if (!h.is_object()) {
                rd.add(base::propertyValueTypeError(WriteReader::shown(h), at, redfish::jsonPointer(at)));
                continue;
            }
            rd.only(h, at, {"Name", "WWPN", "WWPNPool"}, {});
            domain::VHbaSpec v;
            if (auto name = rd.str(h, "Name", at + "/Name")) {
                v.name = *name;
                uniqueName(*name, at + "/Name");
            } else if (!rd.failed(at + "/Name")) {
                rd.add(base::createFailedMissingReqProperties(at + "/Name", redfish::jsonPointer(at + "/Name")));
            }
            readIdentity(rd, h, at, "WWPN", "WWPNPool", domain::IdentityKind::Wwpn, true, wwpnPool, v.wwpn, v.wwpnPool);
            spec.vhbas.push_back(std::move(v));
        }
    }
    const std::string bootAt = kOem + "/BootVolume";
    if (const json* boot = rd.object(oc, "BootVolume", bootAt)) {
        rd.only(*boot, bootAt, {"Volume", "LUN", "TargetWWPN"}, {});
        if (auto vol = rd.str(*boot, "Volume", bootAt + "/Volume"))
            spec.boot.volume = *vol;
        else if (!rd.failed(bootAt + "/Volume"))
            rd.add(
                base::createFailedMissingReqProperties(bootAt + "/Volume", redfish::jsonPointer(bootAt + "/Volume")));
        if (auto lun = rd.integer(*boot, "LUN", bootAt + "/LUN", 0, 16383))
            spec.boot.lun = static_cast<std::uint32_t>(*lun);
        if (auto t = rd.str(*boot, "TargetWWPN", bootAt + "/TargetWWPN")) {
            if (domain::canonicalIdentity(domain::IdentityKind::Wwpn, *t))
                spec.boot.targetWwpn = *t;
            else
                rd.add(base::propertyValueFormatError(*t, bootAt + "/TargetWWPN",
                                                      redfish::jsonPointer(bootAt + "/TargetWWPN")));
        }
    } else if (!rd.failed(bootAt)) {
        rd.add(base::createFailedMissingReqProperties(bootAt + "/Volume", redfish::jsonPointer(bootAt + "/Volume")));
    }
    readRequirements(rd, oc, spec.requirements);
    readPolicy(rd, oc, spec.policy);
    if (auto p = rd.str(oc, "PowerState", kOem + "/PowerState")) {
        if (*p == "On" || *p == "Off")
            spec.desiredPower = *p == "On" ? domain::PowerIntent::On : domain::PowerIntent::Off;
        else
            rd.add(base::propertyValueNotInList(*p, kOem + "/PowerState", redfish::jsonPointer(kOem + "/PowerState")));
    }
    return spec;
}

namespace {

// Where a create request named identity pool `pool` (for the error).
std::string poolProperty(const domain::LogicalServerSpec& s, const std::string& pool) {
    if (s.uuidPool == pool) return kOem + "/UuidPool";
    for (std::size_t i = 0; i < s.vnics.size(); ++i) {
        const std::string at = kOem + "/VNICs/" + std::to_string(i);
        if (s.vnics[i].macPool == pool) return at + "/MACPool";
        if (s.vnics[i].ipPool == pool) return at + "/IPv4Pool";
    }
    for (std::size_t i = 0; i < s.vhbas.size(); ++i) {
        if (s.vhbas[i].wwpnPool == pool) return kOem + "/VHBAs/" + std::to_string(i) + "/WWPNPool";
    }
    return kOem;
}

} // namespace

namespace {

// The backend's property path ("vnics/0/MACAddress") as a property of the
// request; a value drawn from a pool points at the pool.
std::string requestProperty(const domain::LogicalServerSpec& s, const std::string& p) {
    auto indexOf = [&](std::size_t prefix) -> std::optional<std::size_t> {
        auto slash = p.find('/', prefix);
        if (slash == std::string::npos) return std::nullopt;
        std::size_t i = 0;
        for (std::size_t k = prefix; k < slash; ++k) {
            if (p[k] < '0' || p[k] > '9') return std::nullopt;
            i = i * 10 + static_cast<std::size_t>(p[k] - '0');
        }
        return i;
    };
    if (p.rfind("vnics/", 0) == 0) {
        auto i = indexOf(6);
        if (i && *i < s.vnics.size()) {
            const auto& n = s.vnics[*i];
            std::string at = kOem + "/VNICs/" + std::to_string(*i);
            if (p.ends_with("/MACAddress")) return at + (n.mac.empty() ? "/MACPool" : "/MACAddress");
            if (p.ends_with("/IPv4Address")) return at + (n.ip.empty() ? "/IPv4Pool" : "/IPv4Address");
            return at;
        }
    }
    if (p.rfind("vhbas/", 0) == 0) {
        auto i = indexOf(6);
        if (i && *i < s.vhbas.size()) {
            std::string at = kOem + "/VHBAs/" + std::to_string(*i);
            return at + (s.vhbas[*i].wwpn.empty() ? "/WWPNPool" : "/WWPN");
        }
    }
    if (p == "UUID") return s.uuid.empty() ? kOem + "/UuidPool" : "UUID";
    return p;
}

} // namespace

http::Response createError(const OperationResult& r, const domain::LogicalServerSpec& spec) {
    auto one = [&](unsigned status, json m) {
        return redfish::errorResponse(status, {explained(std::move(m), r.message)});
    };
    if (r.code == Code::NotFound) {
        if (r.resource == "Blade" && spec.slot)
            return one(
                400, base::resourceMissingAtUri(blockUri(*spec.slot), redfish::jsonPointer("Links/ResourceBlocks/0")));
        if (r.resource == "SparePool")
            return one(400, base::resourceMissingAtUri(zoneUri(r.id),
                                                       redfish::jsonPointer(kOem + "/FailoverPolicy/SparePool")));
        if (r.resource == "IdentityPool") {
            auto at = poolProperty(spec, r.id);
            return one(400, base::propertyValueNotInList(r.id, at, redfish::jsonPointer(at)));
        }
    }
    if (r.code == Code::Conflict) {
        if (r.resource == "LogicalServer")
            return one(409,
                       base::resourceAlreadyExists("ComputerSystem", "Name", spec.name, redfish::jsonPointer("Name")));
        if (r.resource == "Blade") return one(409, explained(base::resourceInUse(), {}));
        if (r.resource == "IdentityPool") {
            auto at = requestProperty(spec, r.property);
            if (r.message.find("exhausted") != std::string::npos)
                return one(409, base::resourceExhaustion(r.id, redfish::jsonPointer(at)));
            return one(409, base::propertyValueExternalConflict(at, r.value.empty() ? r.id : r.value,
                                                                redfish::jsonPointer(at)));
        }
    }
    if (r.code == Code::BadRequest) {
        auto at = requestProperty(spec, r.property);
        return one(400,
                   base::propertyValueIncorrect(at, r.value, at.empty() ? std::string() : redfish::jsonPointer(at)));
    }
    return operationError(r);
}

} // namespace cmc::northbound
