#include "events/event_log.hpp"
#include "redfish/redfish_errors.hpp"

#include "redfish/odata.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "store/store.hpp"

namespace cmc::events {

extern const char* const kOpenCmcRegistryJson; // generated from schemas/redfish/OpenCMC.1.0.0.json

std::int64_t nowUnixMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string rfc3339Ms(std::int64_t unixMs) {
    return redfish::rfc3339Ms(unixMs);
}

Registry::Registry() : json_(kOpenCmcRegistryJson) {
    auto j = nlohmann::json::parse(json_, nullptr, false);
    if (j.is_discarded()) {
        std::cerr << "cmcd: built-in OpenCMC message registry is not valid JSON\n";
        std::abort(); // impossible unless the build is broken
    }
    prefix_ = j.value("RegistryPrefix", "OpenCMC");
    version_ = j.value("RegistryVersion", "1.0.0");
    for (auto it = j["Messages"].begin(); it != j["Messages"].end(); ++it) {
        RegistryMessage m;
        m.message = it->value("Message", "");
        m.severity = it->value("MessageSeverity", "OK");
        m.resolution = it->value("Resolution", "None.");
        m.args = it->value("NumberOfArgs", 0u);
        messages_[it.key()] = m;
    }
}

const RegistryMessage* Registry::find(const std::string& key) const {
    auto it = messages_.find(key);
    return it == messages_.end() ? nullptr : &it->second;
}

EventLog::EventLog(store::Store* store, std::int64_t lastId, std::vector<domain::Event> recent, std::size_t window)
    : store_(store), lastId_(lastId), window_(window) {
    for (auto& e : recent)
        recent_.push_back(std::move(e));
    while (recent_.size() > window_)
        recent_.pop_front();
}

const domain::Event& EventLog::raise(const std::string& key, std::vector<std::string> args, std::string origin,
                                     std::string severity) {
    domain::Event e;
    e.id = ++lastId_;
    e.timeMs = nowUnixMs();
    const auto* m = registry_.find(key);
    e.messageId = registry_.prefix() + "." + registry_.version() + "." + key;
    std::string text = m ? m->message : key;
    e.message = redfish::substituteArgs(text, args);
    e.severity = !severity.empty() ? severity : (m ? m->severity : "OK");
    e.args = std::move(args);
    e.origin = std::move(origin);
    std::cout << "cmcd: event " << e.id << " " << key << " severity=" << e.severity << " " << e.message << "\n";
    if (store_) store_->appendEvent(e);
    recent_.push_back(e);
    while (recent_.size() > window_)
        recent_.pop_front();
    for (auto& [id, l] : listeners_)
        l(recent_.back());
    return recent_.back();
}

int EventLog::subscribe(Listener l) {
    int id = nextListener_++;
    listeners_[id] = std::move(l);
    return id;
}

void EventLog::unsubscribe(int id) {
    listeners_.erase(id);
}

} // namespace cmc::events
