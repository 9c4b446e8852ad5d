// What a client needs to understand the service: the OData service document
// (/redfish/v1/odata) and the CSDL metadata document (/redfish/v1/$metadata),
// both public as DSP0266 requires; the JsonSchemas collection of the OEM
// schemas; and the OEM schema files themselves under /redfish/v1/Schemas/
// (JSON schema and CSDL, compiled in from schemas/redfish/).
#include <string_view>

#include "northbound/embedded_files.hpp"
#include "northbound/resources.hpp"
#include "redfish/odata.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::northbound {

namespace {

const std::string kJsonSchemas = "/redfish/v1/JsonSchemas";
const std::string kSchemas = "/redfish/v1/Schemas";

// The top-level resources: the service document's entries and the root's links.
struct TopLevel {
    const char* name;
    const char* url;
};
constexpr TopLevel kTopLevel[] = {
    {"Service", "/redfish/v1/"},
    {"Systems", "/redfish/v1/Systems"},
    {"Chassis", "/redfish/v1/Chassis"},
    {"Managers", "/redfish/v1/Managers"},
    {"CompositionService", "/redfish/v1/CompositionService"},
    {"Tasks", "/redfish/v1/TaskService"},
    {"SessionService", "/redfish/v1/SessionService"},
    {"Sessions", "/redfish/v1/SessionService/Sessions"},
    {"AccountService", "/redfish/v1/AccountService"},
    {"EventService", "/redfish/v1/EventService"},
    {"CertificateService", "/redfish/v1/CertificateService"},
    {"Registries", "/redfish/v1/Registries"},
    {"JsonSchemas", "/redfish/v1/JsonSchemas"},
};

// Every DMTF namespace the service's resources use, with the versions their
// @odata.type declares (tests/integration/cmcd/test_cmcd_resources.py checks
// that each version a response declares is listed here and exists in DMTF's
// CSDL). A collection schema has no version.
struct DmtfSchema {
    std::string_view name;
    std::string_view versions; // space separated
};
const DmtfSchema kDmtf[] = {
    {"Resource", "v1_0_0"},
    {"ServiceRoot", "v1_20_0"},
    {"ChassisCollection", ""},
    {"Chassis", "v1_28_0"},
    {"ComputerSystemCollection", ""},
    {"ComputerSystem", "v1_22_0 v1_27_0"},
    {"EthernetInterfaceCollection", ""},
    {"EthernetInterface", "v1_12_4"},
    {"ManagerCollection", ""},
    {"Manager", "v1_24_0"},
    {"LogServiceCollection", ""},
    {"LogService", "v1_9_0"},
    {"LogEntryCollection", ""},
    {"LogEntry", "v1_21_0"},
    {"MessageRegistryFileCollection", ""},
    {"MessageRegistryFile", "v1_1_5"},
    {"MessageRegistry", "v1_6_2 v1_7_0"},
    {"Message", "v1_2_0 v1_3_0"},
    {"JsonSchemaFileCollection", ""},
    {"JsonSchemaFile", "v1_1_5"},
    {"CompositionService", "v1_2_3"},
    {"ResourceBlockCollection", ""},
    {"ResourceBlock", "v1_4_3"},
    {"ZoneCollection", ""},
    {"Zone", "v1_6_3"},
    {"TaskService", "v1_3_0"},
    {"TaskCollection", ""},
    {"Task", "v1_7_4"},
    {"SessionService", "v1_1_9 v1_2_0"},
    {"SessionCollection", ""},
    {"Session", "v1_7_0 v1_8_0"},
    {"AccountService", "v1_15_0 v1_18_1"},
    {"ManagerAccountCollection", ""},
    {"ManagerAccount", "v1_12_0 v1_14_1"},
    {"RoleCollection", ""},
    {"Role", "v1_3_3"},
    {"EventService", "v1_10_0 v1_12_0"},
    {"EventDestinationCollection", ""},
    {"EventDestination", "v1_16_0"},
    {"Event", "v1_7_0 v1_13_0"},
    {"CertificateService", "v1_2_1"},
    {"CertificateCollection", ""},
    {"Certificate", "v1_11_0"},
    {"CertificateLocations", "v1_0_4"},
    {"ActionInfo", "v1_4_0 v1_5_0"},
    {"PowerSubsystem", "v1_1_3"},
    {"PowerSupplyCollection", ""},
    {"PowerSupply", "v1_6_0"},
    {"PowerSupplyMetrics", "v1_2_0"},
    {"Redundancy", "v1_7_0"},
    {"ThermalSubsystem", "v1_5_0"},
    {"FanCollection", ""},
    {"Fan", "v1_6_0"},
    {"ThermalMetrics", "v1_3_2"},
    {"SensorCollection", ""},
    {"Sensor", "v1_12_0"},
    {"NetworkAdapterCollection", ""},
    {"NetworkAdapter", "v1_14_0"},
    {"NetworkDeviceFunctionCollection", ""},
    {"NetworkDeviceFunction", "v1_11_1"},
};

// "OpenCMCChassis.v1_0_0.json" -> "OpenCMCChassis.v1_0_0"
std::string_view stem(std::string_view file) {
    auto dot = file.rfind(".json");
    return dot == std::string_view::npos ? file : file.substr(0, dot);
}

// "OpenCMCChassis.v1_0_0" -> the family "OpenCMCChassis", its version "v1_0_0"
// and the @odata.type it describes, "#OpenCMCChassis.v1_0_0.Chassis".
struct OemSchema {
    std::string id, family, version, type;
};
std::vector<OemSchema> oemSchemas() {
    std::vector<OemSchema> out;
    for (const auto& f : oemJsonSchemaFiles()) {
        std::string id(stem(f.name));
        auto dot = id.find('.');
        if (dot == std::string::npos || id.compare(0, 7, "OpenCMC") != 0) continue;
        OemSchema s{id, id.substr(0, dot), id.substr(dot + 1), {}};
        std::string resource = s.family.size() > 7 ? s.family.substr(7) : s.family;
        s.type = "#" + id + "." + resource;
        out.push_back(std::move(s));
    }
    return out;
}

std::string metadataXml() {
    std::string x;
    x += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x += "<edmx:Edmx xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\" Version=\"4.0\">\n";
    for (const auto& s : kDmtf) {
        x += "  <edmx:Reference Uri=\"http://redfish.dmtf.org/schemas/v1/";
        x += s.name;
        x += "_v1.xml\">\n    <edmx:Include Namespace=\"";
        x += s.name;
        x += "\"/>\n";
        for (std::string_view rest = s.versions; !rest.empty();) {
            auto sp = rest.find(' ');
            auto v = rest.substr(0, sp);
            rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
            x += "    <edmx:Include Namespace=\"";
            x += s.name;
            x += ".";
            x += v;
            x += "\"/>\n";
        }
        x += "  </edmx:Reference>\n";
    }
    // The OEM namespaces, from the CSDL this service serves.
    std::vector<std::pair<std::string, std::vector<std::string>>> families;
    for (const auto& s : oemSchemas()) {
        if (families.empty() || families.back().first != s.family) families.push_back({s.family, {}});
        families.back().second.push_back(s.version);
    }
    for (const auto& [family, versions] : families) {
        x += "  <edmx:Reference Uri=\"" + kSchemas + "/" + family + "_v1.xml\">\n";
        x += "    <edmx:Include Namespace=\"" + family + "\"/>\n";
        for (const auto& v : versions)
            x += "    <edmx:Include Namespace=\"" + family + "." + v + "\"/>\n";
        x += "  </edmx:Reference>\n";
    }
    x += "  <edmx:DataServices>\n";
    x += "    <Schema xmlns=\"http://docs.oasis-open.org/odata/ns/edm\" Namespace=\"Service\">\n";
    x += "      <EntityContainer Name=\"Service\" Extends=\"ServiceRoot.v1_20_0.ServiceContainer\"/>\n";
    x += "    </Schema>\n";
    x += "  </edmx:DataServices>\n";
    x += "</edmx:Edmx>\n";
    return x;
}

http::Response fileResponse(std::string_view text, const char* contentType) {
    http::Response r;
    r.status = 200;
    r.set("Content-Type", contentType);
    r.set("OData-Version", "4.0");
    r.set("Cache-Control", "no-store");
    r.body = std::string(text);
    return r;
}

json jsonSchemaFileJson(const OemSchema& s) {
    json f;
    f["@odata.id"] = kJsonSchemas + "/" + s.id;
    f["@odata.type"] = "#JsonSchemaFile.v1_1_5.JsonSchemaFile";
    f["Id"] = s.id;
    f["Name"] = s.family + " " + s.version + " schema file";
    f["Description"] = "The JSON schema of Oem.OpenCMC in " + s.type.substr(1, s.type.rfind('.') - 1) + " resources";
    f["Schema"] = s.type;
    f["Languages"] = json::array({"en"});
    f["Location"] = json::array({{{"Language", "en"}, {"Uri", kSchemas + "/" + s.id + ".json"}}});
    return f;
}

} // namespace

void addMetadataRoutes(http::Router& r, Backend&) {
    r.route("/redfish/v1/odata").publicAccess()([](const http::RouteRequest&, const http::AsyncResp& res) {
        json value = json::array();
        for (const auto& t : kTopLevel)
            value.push_back({{"name", t.name}, {"kind", "Singleton"}, {"url", t.url}});
        reply(res, json{{"@odata.context", "/redfish/v1/$metadata"}, {"value", value}});
    });
    r.route("/redfish/v1/$metadata").publicAccess()([](const http::RouteRequest&, const http::AsyncResp& res) {
        static const std::string xml = metadataXml();
        res->res = fileResponse(xml, "application/xml");
    });
    r.route(kJsonSchemas)([](const http::RouteRequest&, const http::AsyncResp& res) {
        std::vector<std::string> members;
        for (const auto& s : oemSchemas())
            members.push_back(kJsonSchemas + "/" + s.id);
        reply(res, redfish::collection(kJsonSchemas, "#JsonSchemaFileCollection.JsonSchemaFileCollection",
                                       "JSON Schema File Collection", members));
    });
    r.route(kJsonSchemas + "/<str>")([](const http::RouteRequest& req, const http::AsyncResp& res) {
        for (const auto& s : oemSchemas()) {
            if (s.id == req.params[0]) {
                reply(res, jsonSchemaFileJson(s));
                return;
            }
        }
        res->res = redfish::resourceNotFound("JsonSchemaFile", req.params[0]);
    });
    r.route(kSchemas + "/<str>")([](const http::RouteRequest& req, const http::AsyncResp& res) {
        const auto& name = req.params[0];
        if (const auto* f = findEmbedded(oemJsonSchemaFiles(), name)) {
            res->res = fileResponse(f->text, "application/json");
        } else if (const auto* x = findEmbedded(oemCsdlFiles(), name)) {
            res->res = fileResponse(x->text, "application/xml");
        } else {
            res->res = redfish::resourceNotFound("Schema", name);
        }
    });
}

} // namespace cmc::northbound
