#include "app/manifest.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include "common/json_reader.hpp"
#include "southbound/redfish/http_client.hpp"

namespace cmc::app {

using json = nlohmann::json;

namespace {

// Reads one optional string member; false (with `error` naming the key) when
// it is present with another type.
bool optionalString(const json& o, const char* key, const std::string& prefix, std::string& out, std::string& error) {
    const json* v = jsonr::member(o, key);
    if (!v) return true;
    if (!v->is_string()) {
        error = "'" + prefix + key + "' must be a string (got " + jsonr::typeName(v) + ")";
        return false;
    }
    out = v->get_ref<const std::string&>();
    return true;
}

bool requiredString(const json& o, const char* key, const std::string& prefix, std::string& out, std::string& error) {
    auto v = jsonr::text(o, key);
    if (!v) {
        error =
            "'" + prefix + key + "' must be a non-empty string (got " + jsonr::typeName(jsonr::member(o, key)) + ")";
        return false;
    }
    out = *v;
    return true;
}

// Validates one manifest blade entry; empty string when good. An entry has an
// `ipmi` endpoint, a `redfish` endpoint, or both.
std::string readManifestBlade(const json& b, domain::Blade& out) {
    if (!b.is_object()) return "entry is not an object";
    auto slot = jsonr::integer(b, "slot", 1, 1000);
    if (!slot) return "'slot' must be an integer 1..1000";
    out.slot = static_cast<int>(*slot);
    std::string error;
    if (!optionalString(b, "model", "", out.model, error) ||
        !optionalString(b, "serialNumber", "", out.serialNumber, error) ||
        !optionalString(b, "uuid", "", out.uuid, error)) {
        return error;
    }
    const json* ip = jsonr::member(b, "ipmi");
    const json* rf = jsonr::member(b, "redfish");
    if (!ip && !rf) return "needs an 'ipmi' or a 'redfish' endpoint (or both)";
    if (ip) {
        if (!ip->is_object()) return "'ipmi' must be an object";
        auto port = jsonr::integer(*ip, "port", 0, 65535);
        if (!requiredString(*ip, "host", "ipmi.", out.bmc.ipmiHost, error)) return error;
        if (!port) return "'ipmi.port' must be an integer 0..65535";
        if (!requiredString(*ip, "username", "ipmi.", out.bmc.username, error) ||
            !requiredString(*ip, "password", "ipmi.", out.bmc.password, error)) {
            return error;
        }
        out.bmc.ipmiPort = static_cast<std::uint16_t>(*port);
    }
    if (rf) {
        if (!rf->is_object()) return "'redfish' must be an object";
        if (!requiredString(*rf, "url", "redfish.", out.bmc.redfishUrl, error)) return error;
        const auto& url = out.bmc.redfishUrl;
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
            return "'redfish.url' must be an http:// or https:// URL";
        std::string user, password;
        if (!optionalString(*rf, "username", "redfish.", user, error) ||
            !optionalString(*rf, "password", "redfish.", password, error)) {
            return error;
        }
        if (!ip && (user.empty() || password.empty()))
            return "'redfish.username' and 'redfish.password' are needed when there is no 'ipmi' entry";
        if (!user.empty() && (user != out.bmc.username || password != out.bmc.password)) {
            out.bmc.redfishUsername = user;
            out.bmc.redfishPassword = password;
        }
        if (const json* tls = jsonr::member(*rf, "tls")) {
            if (!tls->is_object()) return "'redfish.tls' must be an object";
            std::string fp;
            if (!optionalString(*tls, "fingerprintSha256", "redfish.tls.", fp, error) ||
                !optionalString(*tls, "caFile", "redfish.tls.", out.bmc.tlsCaFile, error)) {
                return error;
            }
            if (!fp.empty()) {
                out.bmc.tlsFingerprint = southbound::normaliseFingerprint(fp);
                if (out.bmc.tlsFingerprint.empty())
                    return "'redfish.tls.fingerprintSha256' must be 32 hex byte pairs (AB:CD:...)";
            }
            if (const json* insecure = jsonr::member(*tls, "insecure")) {
                if (!insecure->is_boolean()) return "'redfish.tls.insecure' must be true or false";
                out.bmc.tlsInsecure = insecure->get<bool>();
            }
        }
        std::string auth = "session";
        if (!optionalString(*rf, "auth", "redfish.", auth, error)) return error;
        if (auth != "session" && auth != "basic") return "'redfish.auth' must be \"session\" or \"basic\"";
        out.bmc.redfishSessionAuth = auth == "session";
        if (!optionalString(*rf, "system", "redfish.", out.bmc.redfishSystem, error)) return error;
        if (!out.bmc.redfishSystem.empty() && out.bmc.redfishSystem.rfind("/redfish/v1/", 0) != 0)
            return "'redfish.system' must be a /redfish/v1/... URI";
    }
    out.nics.clear();
    out.hbas.clear();
    if (const json* nics = jsonr::member(b, "nics")) {
        if (!nics->is_array()) return "'nics' must be an array";
        for (const auto& n : *nics) {
            domain::NicInfo ni;
            auto mac = jsonr::text(n, "permanentMac");
            if (!mac) return "'nics[].permanentMac' must be a string";
            ni.permanentMac = *mac;
            ni.currentMac = ni.permanentMac;
            out.nics.push_back(ni);
        }
    }
    if (const json* hbas = jsonr::member(b, "hbas")) {
        if (!hbas->is_array()) return "'hbas' must be an array";
        for (const auto& h : *hbas) {
            domain::HbaInfo hi;
            auto wwpn = jsonr::text(h, "permanentWwpn");
            if (!wwpn) return "'hbas[].permanentWwpn' must be a string";
            hi.permanentWwpn = *wwpn;
            hi.currentWwpn = hi.permanentWwpn;
            out.hbas.push_back(hi);
        }
    }
    return {};
}

// The manifest's chassis section; empty string when good, else the key.
std::string readManifestChassis(const json& c, std::size_t bladeCount, domain::Chassis& out) {
    if (!c.is_object()) return "'chassis' must be an object";
    out.id = "chassis";
    std::string error;
    out.name = "Chassis";
    if (!optionalString(c, "name", "chassis.", out.name, error) ||
        !optionalString(c, "model", "chassis.", out.model, error) ||
        !optionalString(c, "serialNumber", "chassis.", out.serialNumber, error)) {
        return error;
    }
    std::string id;
    if (!optionalString(c, "id", "chassis.", id, error)) return error;
    out.slots = static_cast<int>(bladeCount);
    if (jsonr::member(c, "slots")) {
        auto slots = jsonr::integer(c, "slots", 1, 1000);
        if (!slots) return "'chassis.slots' must be an integer 1..1000";
        out.slots = static_cast<int>(*slots);
    }
    return {};
}

} // namespace

std::string parseManifest(const std::string& text, ParsedManifest& out) {
    out = ParsedManifest{};
    auto parsed = jsonr::parse(text);
    if (!parsed || !parsed->is_object()) return "not valid JSON (truncated or malformed)";
    const json& m = *parsed;
    const json* blades = jsonr::array(m, "blades");
    if (!blades) return "'blades' must be an array";
    if (const json* c = jsonr::member(m, "chassis")) {
        domain::Chassis chassis;
        auto err = readManifestChassis(*c, blades->size(), chassis);
        if (!err.empty()) return err;
        out.chassis = chassis;
    }
    if (const json* control = jsonr::member(m, "control")) {
        if (!control->is_string() || control->get_ref<const std::string&>().rfind("http", 0) != 0)
            return "'control' must be an http:// URL string";
        out.control = control->get_ref<const std::string&>();
    }
    std::set<int> seen;
    for (std::size_t i = 0; i < blades->size(); ++i) {
        domain::Blade b;
        auto err = readManifestBlade((*blades)[i], b);
        if (err.empty() && seen.contains(b.slot)) err = "slot " + std::to_string(b.slot) + " listed twice";
        if (!err.empty()) {
            out.skipped.push_back("blade entry " + std::to_string(i) + " skipped: " + err);
            continue;
        }
        seen.insert(b.slot);
        out.blades.push_back(std::move(b));
    }
    return {};
}

std::string readManifestFile(const std::string& path, ParsedManifest& out) {
    std::ifstream in(path);
    if (!in) return "cannot read rack manifest '" + path + "'";
    std::stringstream ss;
    ss << in.rdbuf();
    auto err = parseManifest(ss.str(), out);
    return err.empty() ? err : "rack manifest '" + path + "': " + err;
}

} // namespace cmc::app
