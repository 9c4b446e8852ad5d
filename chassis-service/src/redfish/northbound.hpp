// cmcd's northbound DMTF Redfish API: routing, authentication, resources.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/http_types.hpp"

namespace cmc::app {
class ChassisService;
}

namespace cmc::redfish {

[[nodiscard]] http::Handler makeNorthboundHandler(app::ChassisService& service);

// Internal to the resource files.
struct Request {
    const http::Request& http;
    app::ChassisService& service;
    const std::vector<std::string>& seg; // path segments after /redfish/v1
};
using Maybe = std::optional<http::Response>;
Maybe routeChassis(Request& r);
Maybe routeManagers(Request& r);
[[nodiscard]] nlohmann::json link(const std::string& id);
[[nodiscard]] nlohmann::json collectionOf(const std::string& id, const std::string& type, const std::string& name,
                                          const std::vector<std::string>& members);
// "blade-7" with prefix "blade-" -> 7; nullopt for anything else (no leading zeros).
[[nodiscard]] std::optional<int> slotFromId(const std::string& id, std::string_view prefix);
[[nodiscard]] http::Response readOnly(const Request& r, const nlohmann::json& body);

} // namespace cmc::redfish
