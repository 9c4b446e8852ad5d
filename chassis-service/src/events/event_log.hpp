// The chassis event log: registry messages with monotonically increasing ids,
// kept in memory (recent window) and persisted through the store.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "domain/model.hpp"

namespace cmc::store {
class Store;
}

namespace cmc::events {

struct RegistryMessage {
    std::string message; // with %1.. placeholders
    std::string severity;
    std::string resolution;
    std::size_t args = 0;
};

// The OEM message registry (schemas/redfish/OpenCMC.1.0.0.json, built in).
class Registry {
public:
    Registry();
    [[nodiscard]] const std::string& json() const { return json_; }
    [[nodiscard]] const std::string& prefix() const { return prefix_; }   // "OpenCMC"
    [[nodiscard]] const std::string& version() const { return version_; } // "1.0.0"
    [[nodiscard]] const RegistryMessage* find(const std::string& key) const;

private:
    std::string json_;
    std::string prefix_;
    std::string version_;
    std::map<std::string, RegistryMessage> messages_;
};

class EventLog {
public:
    EventLog(store::Store* store, std::int64_t lastId, std::vector<domain::Event> recent, std::size_t window = 10000);

    // Raises registry message `key` (e.g. "BladeFailed"); severity from the
    // registry unless given. Returns the event (with its id).
    const domain::Event& raise(const std::string& key, std::vector<std::string> args, std::string origin,
                               std::string severity = {});

    [[nodiscard]] const std::deque<domain::Event>& recent() const { return recent_; }
    [[nodiscard]] std::int64_t lastId() const { return lastId_; }
    [[nodiscard]] const Registry& registry() const { return registry_; }

    using Listener = std::function<void(const domain::Event&)>;
    int subscribe(Listener l);
    void unsubscribe(int id);

private:
    store::Store* store_;
    Registry registry_;
    std::int64_t lastId_;
    std::deque<domain::Event> recent_;
    std::size_t window_;
    std::map<int, Listener> listeners_;
    int nextListener_ = 1;
};

[[nodiscard]] std::int64_t nowUnixMs();
[[nodiscard]] std::string rfc3339Ms(std::int64_t unixMs);

} // namespace cmc::events
