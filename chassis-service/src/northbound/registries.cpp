// /redfish/v1/Registries: the OEM message registry (failover and health messages).
#include "events/event_log.hpp"
#include "northbound/resources.hpp"
#include "redfish/odata.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::northbound {

void addRegistryRoutes(http::Router& r, Backend& b) {
    auto idOf = [&b] {
        const auto& reg = b.eventLog().registry();
        return reg.prefix() + "." + reg.version();
    };
    r.route("/redfish/v1/Registries")([idOf](const http::RouteRequest&, const http::AsyncResp& res) {
        reply(res, redfish::collection("/redfish/v1/Registries",
                                       "#MessageRegistryFileCollection.MessageRegistryFileCollection",
                                       "Registry File Collection", {"/redfish/v1/Registries/" + idOf()}));
    });
    r.route("/redfish/v1/Registries/<str>")([idOf](const http::RouteRequest& req, const http::AsyncResp& res) {
        const std::string id = idOf();
        if (req.params[0] != id) {
            res->res = redfish::resourceNotFound("MessageRegistryFile", req.params[0]);
            return;
        }
        json f;
        f["@odata.id"] = "/redfish/v1/Registries/" + id;
        f["@odata.type"] = "#MessageRegistryFile.v1_1_4.MessageRegistryFile";
        f["Id"] = id;
        f["Name"] = "OpenCMC Message Registry File";
        f["Registry"] = id;
        f["Languages"] = json::array({"en"});
        f["Location"] = json::array({{{"Language", "en"}, {"Uri", "/redfish/v1/Registries/" + id + "/Registry"}}});
        reply(res, f);
    });
    r.route("/redfish/v1/Registries/<str>/Registry")(
        [&b, idOf](const http::RouteRequest& req, const http::AsyncResp& res) {
            const std::string id = idOf();
            if (req.params[0] != id) {
                res->res = redfish::resourceNotFound("MessageRegistryFile", req.params[0]);
                return;
            }
            auto j = json::parse(b.eventLog().registry().json(), nullptr, false); // built in, not untrusted
            j["@odata.id"] = "/redfish/v1/Registries/" + id + "/Registry";
            reply(res, j);
        });
}

} // namespace cmc::northbound
