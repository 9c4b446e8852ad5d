// Internal to the blade Redfish service: the per-request context and the
// resource handlers, one file per resource group.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "hal/blade_hal.hpp"
#include "http/http_types.hpp"
#include "redfish/base_messages.hpp"
#include "redfish/bmc_redfish.hpp"
#include "redfish/odata.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::bmc {

using json = nlohmann::json;

struct Ctx {
    const http::Request& req;
    hal::BladeHal& hal;
    Role role;
    const std::vector<std::string>& seg; // path segments after /redfish/v1
};

// Routing result of a resource file: nullopt when the path is not its own.
using MaybeResponse = std::optional<http::Response>;

MaybeResponse routeSystems(Ctx& c);
MaybeResponse routeChassis(Ctx& c);
MaybeResponse routeManagers(Ctx& c);

// Helpers shared by the resource files.
using redfish::collection;
using redfish::odataId;
// GET of a resource body, with HEAD and the method check. `allow` lists the methods.
[[nodiscard]] http::Response getOnly(const Ctx& c, const json& body);
// Checks If-Match against the current body; returns an error response or nullopt.
[[nodiscard]] MaybeResponse checkIfMatch(const Ctx& c, const json& current);
[[nodiscard]] std::string healthOf(hal::Severity s);

// A PATCH validator: collects errors, then applies only if none.
struct PatchErrors {
    std::vector<json> messages;
    void unknown(const std::string& path) {
        messages.push_back(redfish::base::propertyUnknown(path, redfish::jsonPointer(path)));
    }
    void readOnly(const std::string& path) {
        messages.push_back(redfish::base::propertyNotWritable(path, redfish::jsonPointer(path)));
    }
    void type(const std::string& path, const json& v) {
        messages.push_back(redfish::base::propertyValueTypeError(v.dump(), path, redfish::jsonPointer(path)));
    }
    void notInList(const std::string& path, const std::string& v) {
        messages.push_back(redfish::base::propertyValueNotInList(v, path, redfish::jsonPointer(path)));
    }
    void format(const std::string& path, const std::string& v) {
        messages.push_back(redfish::base::propertyValueFormatError(v, path, redfish::jsonPointer(path)));
    }
    [[nodiscard]] bool any() const { return !messages.empty(); }
    [[nodiscard]] http::Response response() const { return redfish::errorResponse(400, messages); }
};

} // namespace cmc::bmc
