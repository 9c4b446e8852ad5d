// /redfish and the ServiceRoot: public, as DSP0266 requires. The root links
// every top-level service and says which query parameters the service takes.
#include "northbound/resources.hpp"
#include "redfish/odata.hpp"
#include "redfish/query.hpp"

namespace cmc::northbound {

namespace {

json serviceRootJson(Backend& b) {
    const auto m = b.managerView();
    json root;
    root["@odata.id"] = "/redfish/v1";
    root["@odata.type"] = "#ServiceRoot.v1_20_0.ServiceRoot";
    root["Id"] = "RootService";
    root["Name"] = "OpenCMC chassis management controller";
    root["RedfishVersion"] = "1.21.0";
    root["UUID"] = b.serviceUuid();
    root["Vendor"] = "OpenCMC";
    root["Product"] = "OpenCMC cmcd";
    root["Systems"] = redfish::odataId("/redfish/v1/Systems");
    root["Chassis"] = redfish::odataId("/redfish/v1/Chassis");
    root["Managers"] = redfish::odataId("/redfish/v1/Managers");
    root["CompositionService"] = redfish::odataId("/redfish/v1/CompositionService");
    root["Tasks"] = redfish::odataId("/redfish/v1/TaskService");
    root["SessionService"] = redfish::odataId("/redfish/v1/SessionService");
    root["AccountService"] = redfish::odataId("/redfish/v1/AccountService");
    root["EventService"] = redfish::odataId("/redfish/v1/EventService");
    root["CertificateService"] = redfish::odataId("/redfish/v1/CertificateService");
    root["Registries"] = redfish::odataId("/redfish/v1/Registries");
    root["JsonSchemas"] = redfish::odataId("/redfish/v1/JsonSchemas");
    // $select, $expand (levels bounded) and $top/$skip; no $filter outside the
    // event stream's, no only/excerpt.
    // What the dispatcher's query layer does (redfish/query.hpp); $filter only on the SSE stream.
    root["ProtocolFeaturesSupported"] = redfish::query::protocolFeatures(false);
    root["Links"]["Sessions"] = redfish::odataId("/redfish/v1/SessionService/Sessions");
    root["Links"]["ManagerProvidingService"] = redfish::odataId("/redfish/v1/Managers/cmc");
    root["Oem"]["OpenCMC"] = {
        {"@odata.type", "#OpenCMCServiceRoot.v1_0_0.ServiceRoot"}, {"Version", m.version}, {"Blades", m.blades}};
    return root;
}

} // namespace

void addServiceRootRoutes(http::Router& r, Backend& b) {
    r.route("/redfish").publicAccess()([](const http::RouteRequest&, const http::AsyncResp& res) {
        reply(res, json{{"v1", "/redfish/v1/"}});
    });
    r.route("/redfish/v1").publicAccess()([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        reply(res, serviceRootJson(b));
    });
}

} // namespace cmc::northbound
