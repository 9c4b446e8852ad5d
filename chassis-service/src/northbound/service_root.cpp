// /redfish and the ServiceRoot: public, as DSP0266 requires.
#include "northbound/resources.hpp"
#include "redfish/odata.hpp"

namespace cmc::northbound {

void addServiceRootRoutes(http::Router& r, Backend& b) {
    r.route("/redfish").publicAccess()([](const http::RouteRequest&, const http::AsyncResp& res) {
        reply(res, json{{"v1", "/redfish/v1/"}});
    });
    r.route("/redfish/v1").publicAccess()([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        const auto m = b.managerView();
        json root;
        root["@odata.id"] = "/redfish/v1";
        root["@odata.type"] = "#ServiceRoot.v1_17_0.ServiceRoot";
        root["Id"] = "RootService";
        root["Name"] = "OpenCMC chassis management controller";
        root["RedfishVersion"] = "1.21.0";
        root["Vendor"] = "OpenCMC";
        root["Product"] = "OpenCMC cmcd";
        root["Chassis"] = redfish::odataId("/redfish/v1/Chassis");
        root["Systems"] = redfish::odataId("/redfish/v1/Systems");
        root["CompositionService"] = redfish::odataId("/redfish/v1/CompositionService");
        root["Tasks"] = redfish::odataId("/redfish/v1/TaskService");
        root["Managers"] = redfish::odataId("/redfish/v1/Managers");
        root["Registries"] = redfish::odataId("/redfish/v1/Registries");
        root["SessionService"] = redfish::odataId("/redfish/v1/SessionService");
        root["Links"]["Sessions"] = redfish::odataId("/redfish/v1/SessionService/Sessions");
        root["Oem"]["OpenCMC"] = {
            {"@odata.type", "#OpenCMCServiceRoot.v1_0_0.ServiceRoot"}, {"Version", m.version}, {"Blades", m.blades}};
        reply(res, root);
    });
}

} // namespace cmc::northbound
