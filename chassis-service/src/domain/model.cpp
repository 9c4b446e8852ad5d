#include "domain/model.hpp"

#include <array>
#include <utility>

namespace cmc::domain {

namespace {
constexpr std::array<std::pair<BladeRole, const char*>, 6> kRoles{{
    {BladeRole::Unassigned, "Unassigned"},
    {BladeRole::Active, "Active"},
    {BladeRole::Spare, "Spare"},
    {BladeRole::Failed, "Failed"},
    {BladeRole::Quarantined, "Quarantined"},
    {BladeRole::Maintenance, "Maintenance"},
}};
constexpr std::array<std::pair<HealthState, const char*>, 8> kHealth{{
    {HealthState::Unknown, "Unknown"},
    {HealthState::Healthy, "Healthy"},
    {HealthState::Suspect, "Suspect"},
    {HealthState::Warning, "Warning"},
    {HealthState::Critical, "Critical"},
    {HealthState::Failed, "Failed"},
    {HealthState::BmcUnreachable, "BmcUnreachable"},
    {HealthState::Absent, "Absent"},
}};
} // namespace

const char* toString(BladeRole r) {
    for (const auto& [v, s] : kRoles) {
        if (v == r) return s;
    }
    return "Unassigned";
}

const char* toString(HealthState h) {
    for (const auto& [v, s] : kHealth) {
        if (v == h) return s;
    }
    return "Unknown";
}

std::optional<BladeRole> bladeRoleFrom(const std::string& s) {
    for (const auto& [v, n] : kRoles) {
        if (s == n) return v;
    }
    return std::nullopt;
}

std::optional<HealthState> healthStateFrom(const std::string& s) {
    for (const auto& [v, n] : kHealth) {
        if (s == n) return v;
    }
    return std::nullopt;
}

} // namespace cmc::domain
