#include "domain/power_intent.hpp"

namespace cmc::domain {

void PowerIntents::load(const std::vector<PowerIntentRecord>& records) {
    records_.clear();
    for (const auto& r : records)
        records_[r.slot] = r;
}

PowerIntentRecord PowerIntents::set(int slot, PowerIntent intent, std::string reason, std::int64_t nowMs) {
    PowerIntentRecord r{slot, intent, std::move(reason), nowMs, false};
    records_[slot] = r;
    return r;
}

std::optional<PowerIntentRecord> PowerIntents::learn(int slot, bool observedOn, std::int64_t nowMs) {
    if (records_.contains(slot) || !observedOn) return std::nullopt;
    PowerIntentRecord r{slot, PowerIntent::On, "observed on; cmcd had commanded nothing", nowMs, true};
    records_[slot] = r;
    return r;
}

std::optional<PowerIntent> PowerIntents::of(int slot) const {
    auto it = records_.find(slot);
    if (it == records_.end()) return std::nullopt;
    return it->second.intent;
}

const PowerIntentRecord* PowerIntents::record(int slot) const {
    auto it = records_.find(slot);
    return it == records_.end() ? nullptr : &it->second;
}

void PowerIntents::forget(int slot) {
    records_.erase(slot);
}

const char* toString(PowerIntent p) {
    return p == PowerIntent::On ? "On" : "Off";
}

std::optional<PowerIntent> powerIntentFrom(const std::string& s) {
    if (s == "On") return PowerIntent::On;
    if (s == "Off") return PowerIntent::Off;
    return std::nullopt;
}

} // namespace cmc::domain
