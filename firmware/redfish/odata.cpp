#include "redfish/odata.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace cmc::redfish {

nlohmann::json odataId(const std::string& id) {
    return nlohmann::json{{"@odata.id", id}};
}

nlohmann::json collection(const std::string& id, const std::string& type, const std::string& name,
                          const std::vector<std::string>& members) {
    nlohmann::json c;
    c["@odata.id"] = id;
    c["@odata.type"] = type;
    c["Name"] = name;
    nlohmann::json m = nlohmann::json::array();
    for (const auto& s : members)
        m.push_back(odataId(s));
    c["Members"] = m;
    c["Members@odata.count"] = members.size();
    return c;
}

std::string rfc3339Ms(std::int64_t unixMs) {
    std::time_t t = static_cast<std::time_t>(unixMs / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(unixMs % 1000));
    return out;
}

std::int64_t nowUnixMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace cmc::redfish
