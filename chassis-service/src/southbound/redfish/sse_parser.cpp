#include "southbound/redfish/sse_parser.hpp"

namespace cmc::southbound {

std::size_t SseParser::feed(std::string_view bytes, const std::function<void(const SseEvent&)>& onEvent) {
    for (char c : bytes) {
        if (skipCr_) {
            skipCr_ = false;
            if (c == '\n') continue; // CRLF
        }
        if (c == '\r' || c == '\n') {
            if (c == '\r') skipCr_ = true;
            line(partial_, onEvent);
            partial_.clear();
            continue;
        }
        if (partial_.size() + data_.size() >= maxEvent_) {
            oversized_ = true;
            continue;
        }
        partial_ += c;
    }
    return dropped_;
}

void SseParser::line(std::string_view l, const std::function<void(const SseEvent&)>& onEvent) {
    if (l.empty()) { // dispatch
        if (oversized_) {
            ++dropped_;
        } else if (hasData_) {
            SseEvent e;
            e.id = lastId_;
            e.event = event_.empty() ? "message" : event_;
            e.data = std::move(data_);
            onEvent(e);
        }
        data_.clear();
        event_.clear();
        hasData_ = false;
        oversized_ = false;
        return;
    }
    if (l.front() == ':') return; // comment (keep-alive)
    auto colon = l.find(':');
    std::string_view field = l.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : l.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "data") {
        if (hasData_) data_ += '\n';
        data_ += value;
        hasData_ = true;
    } else if (field == "event") {
        event_ = value;
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) lastId_ = value;
    }
    // "retry" and unknown fields are ignored.
}

} // namespace cmc::southbound
