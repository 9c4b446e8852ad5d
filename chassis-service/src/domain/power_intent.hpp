// Power intent: the one place that records whether cmcd wants each blade on
// or off. The failover orchestrator and operator actions change it; health
// reads "off" as a failure only when the intent is "on". A blade cmcd has
// never commanded gets its intent from the first observation (found running:
// expected to stay on), so a planned power-off is never read as a failure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cmc::domain {

enum class PowerIntent { On, Off };

struct PowerIntentRecord {
    int slot = 0;
    PowerIntent intent = PowerIntent::On;
    std::string reason;     // "operator power off", "failover 12: fence", "observed on at discovery"
    std::int64_t setMs = 0; // Unix ms
    bool learned = false;   // from observation, not commanded
    bool operator==(const PowerIntentRecord&) const = default;
};

class PowerIntents {
public:
    void load(const std::vector<PowerIntentRecord>& records);
    // Records what cmcd wants; returns the record to persist.
    PowerIntentRecord set(int slot, PowerIntent intent, std::string reason, std::int64_t nowMs);
    // With nothing recorded, a blade seen on is expected to stay on; returns
    // the learned record (to persist) when it learned one.
    std::optional<PowerIntentRecord> learn(int slot, bool observedOn, std::int64_t nowMs);
    [[nodiscard]] std::optional<PowerIntent> of(int slot) const;
    [[nodiscard]] const PowerIntentRecord* record(int slot) const;
    void forget(int slot); // the blade was removed

private:
    std::map<int, PowerIntentRecord> records_;
};

[[nodiscard]] const char* toString(PowerIntent p);
[[nodiscard]] std::optional<PowerIntent> powerIntentFrom(const std::string& s);

} // namespace cmc::domain
