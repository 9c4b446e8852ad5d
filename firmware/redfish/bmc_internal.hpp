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

// A PATCH validator (DSP0266): a bad value fails the whole request (400);
// unknown and read-only properties are skipped and reported, so a PATCH
// with something valid besides them applies it and answers 200 with the
// resource and those messages, and one with nothing else is a 400.
struct PatchErrors {
    std::vector<json> messages; // bad values: nothing is applied
    std::vector<json> skipped;  // unknown or read-only: reported, the rest applies
    void unknown(const std::string& path) {
        skipped.push_back(redfish::base::propertyUnknown(path, redfish::jsonPointer(path)));
    }
    void readOnly(const std::string& path) {
        skipped.push_back(redfish::base::propertyNotWritable(path, redfish::jsonPointer(path)));
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
    // A bad value: answer response().
    [[nodiscard]] bool any() const { return !messages.empty(); }
    // 400 with every problem.
    [[nodiscard]] http::Response response() const {
        auto all = messages;
        all.insert(all.end(), skipped.begin(), skipped.end());
        return redfish::errorResponse(400, all);
    }
    // Nothing to apply: 400 with the skipped properties, or NoOperation.
    [[nodiscard]] http::Response nothingToDo() const {
        return skipped.empty() ? redfish::errorResponse(400, {redfish::base::noOperation()}) : response();
    }
    // 200 with the changed resource (its ETag that of the resource alone) and the skipped properties.
    [[nodiscard]] http::Response applied(json resource) const {
        if (skipped.empty()) return redfish::jsonResponse(200, resource);
        const auto tag = redfish::etagOf(resource);
        resource["@Message.ExtendedInfo"] = skipped;
        auto r = redfish::jsonResponse(200, resource, false);
        r.set("ETag", tag);
        return r;
    }
};

} // namespace cmc::bmc
