// Server-Sent Events framing (WHATWG HTML "event stream interpretation"):
// bytes in, complete events out. Pure; fed by the HTTP stream.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace cmc::southbound {

struct SseEvent {
    std::string id;    // the last "id:" seen (Last-Event-ID)
    std::string event; // "event:" type, "message" when none
    std::string data;  // "data:" lines joined with '\n'
};

class SseParser {
public:
    // maxEvent bounds one event's size: a peer that never ends an event gets
    // it dropped, not unbounded memory.
    explicit SseParser(std::size_t maxEvent = 1024 * 1024) : maxEvent_(maxEvent) {}

    // Feeds bytes; `onEvent` runs for each complete event. Returns the number
    // of events dropped for size so far.
    std::size_t feed(std::string_view bytes, const std::function<void(const SseEvent&)>& onEvent);
    [[nodiscard]] const std::string& lastEventId() const { return lastId_; }

private:
    void line(std::string_view l, const std::function<void(const SseEvent&)>& onEvent);

    std::size_t maxEvent_;
    std::string partial_; // an incomplete line
    std::string data_;
    std::string event_;
    std::string lastId_;
    bool hasData_ = false;
    bool skipCr_ = false;
    bool oversized_ = false;
    std::size_t dropped_ = 0;
};

} // namespace cmc::southbound
