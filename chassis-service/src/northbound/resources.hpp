// Internal to northbound/: helpers shared by the resource files and their
// route registrations.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/router.hpp"
#include "northbound/backend.hpp"

namespace cmc::redfish {
class SessionService;
}

namespace cmc::northbound {

using json = nlohmann::json;

// "blade-7" with prefix "blade-" -> 7; nullopt for anything else (no leading zeros).
[[nodiscard]] std::optional<int> slotFromId(const std::string& id, std::string_view prefix);
// null for an unknown (empty) string.
[[nodiscard]] json orNull(const std::string& s);
// Sets a 200 JSON answer (with ETag) on the response.
void reply(const http::AsyncResp& res, const json& body);

// Each resource file registers its routes.
void addServiceRootRoutes(http::Router& r, Backend& b);
void addChassisRoutes(http::Router& r, Backend& b);
void addManagerRoutes(http::Router& r, Backend& b);
void addRegistryRoutes(http::Router& r, Backend& b);
void addSessionRoutes(http::Router& r, Backend& b, redfish::SessionService& sessions);

} // namespace cmc::northbound
