// OData building blocks of every Redfish resource, shared by the blade BMC
// and cmcd: links, collections, timestamps.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace cmc::redfish {

// {"@odata.id": id}
[[nodiscard]] nlohmann::json odataId(const std::string& id);
// A resource collection with its members as links and Members@odata.count.
[[nodiscard]] nlohmann::json collection(const std::string& id, const std::string& type, const std::string& name,
                                        const std::vector<std::string>& members);
// "2026-12-01T11:12:26.123Z"
[[nodiscard]] std::string rfc3339Ms(std::int64_t unixMs);
[[nodiscard]] std::int64_t nowUnixMs();

} // namespace cmc::redfish
