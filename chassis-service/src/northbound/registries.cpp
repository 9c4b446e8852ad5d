// /redfish/v1/Registries: DMTF's Base registry (the MessageIds of every error
// body; vendored in schemas/redfish/dmtf/ and compiled in) and the OEM
// registry of cmcd's events. Each MessageRegistryFile names where the
// registry itself is served: /redfish/v1/Registries/<Id>/<Id>.json.
#include "events/event_log.hpp"
#include "northbound/embedded_files.hpp"
#include "northbound/resources.hpp"
#include "redfish/odata.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::northbound {

namespace {

const std::string kRegistries = "/redfish/v1/Registries";
constexpr std::string_view kBaseRegistryId = "Base.1.22.1";
constexpr std::string_view kBaseRegistryFile = "Base.1.22.1.json";

struct RegistryRef {
    std::string id;       // "Base.1.22.1"
    std::string name;     // "Base Message Registry File"
    std::string registry; // the Registry property: name and major.minor ("Base.1.22")
    std::string publicationUri;
};

std::vector<RegistryRef> registries(Backend& b) {
    const auto& oem = b.eventLog().registry();
    const auto minor = oem.version().substr(0, oem.version().rfind('.'));
    return {{std::string(kBaseRegistryId), "Base Message Registry File", "Base.1.22",
             "https://redfish.dmtf.org/registries/" + std::string(kBaseRegistryFile)},
            {oem.prefix() + "." + oem.version(), "OpenCMC Message Registry File", oem.prefix() + "." + minor, ""}};
}

std::optional<RegistryRef> registryOf(Backend& b, const std::string& id) {
    for (auto& r : registries(b)) {
        if (r.id == id) return r;
    }
    return std::nullopt;
}

std::string fileUri(const RegistryRef& r) {
    return kRegistries + "/" + r.id + "/" + r.id + ".json";
}

json fileJson(const RegistryRef& r) {
    json f;
    f["@odata.id"] = kRegistries + "/" + r.id;
    f["@odata.type"] = "#MessageRegistryFile.v1_1_5.MessageRegistryFile";
    f["Id"] = r.id;
    f["Name"] = r.name;
    f["Registry"] = r.registry;
    f["Languages"] = json::array({"en"});
    json location{{"Language", "en"}, {"Uri", fileUri(r)}};
    if (!r.publicationUri.empty()) location["PublicationUri"] = r.publicationUri;
    f["Location"] = json::array({location});
    return f;
}

// The registry document itself: the vendored Base file as DMTF published it,
// or the OEM registry with its @odata.id.
std::optional<json> registryJson(Backend& b, const RegistryRef& r) {
    if (r.id == kBaseRegistryId) {
        const auto* f = findEmbedded(dmtfRegistryFiles(), kBaseRegistryFile);
        if (!f) return std::nullopt;
        auto j = json::parse(f->text, nullptr, false); // built in, not untrusted
        if (j.is_discarded()) return std::nullopt;
        return j;
    }
    auto j = json::parse(b.eventLog().registry().json(), nullptr, false); // built in, not untrusted
    if (j.is_discarded()) return std::nullopt;
    j["@odata.id"] = fileUri(r);
    return j;
}

} // namespace

void addRegistryRoutes(http::Router& r, Backend& b) {
    r.route(kRegistries)([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        std::vector<std::string> members;
        for (const auto& reg : registries(b))
            members.push_back(kRegistries + "/" + reg.id);
        reply(res, redfish::collection(kRegistries, "#MessageRegistryFileCollection.MessageRegistryFileCollection",
                                       "Registry File Collection", members));
    });
    r.route(kRegistries + "/<str>")([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        auto reg = registryOf(b, req.params[0]);
        if (!reg) {
            res->res = redfish::resourceNotFound("MessageRegistryFile", req.params[0]);
            return;
        }
        reply(res, fileJson(*reg));
    });
    r.route(kRegistries + "/<str>/<str>")([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
        auto reg = registryOf(b, req.params[0]);
        if (!reg) {
            res->res = redfish::resourceNotFound("MessageRegistryFile", req.params[0]);
            return;
        }
        if (req.params[1] != reg->id + ".json") {
            res->res = redfish::resourceNotFound("MessageRegistry", req.params[1]);
            return;
        }
        auto j = registryJson(b, *reg);
        if (!j) {
            res->res = internalError();
            b.reportFailure("northbound registry " + reg->id, "the built-in registry is not JSON");
            return;
        }
        reply(res, *j);
    });
}

} // namespace cmc::northbound
