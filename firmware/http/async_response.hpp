// The response to one request, shared by every piece of work that answers it
// (bmcweb's AsyncResp): it is sent exactly once, when its last holder lets go
// (or earlier, by end()). An asynchronous path can therefore neither leak a
// connection (forgetting to answer) nor answer twice.
#pragma once

#include <memory>
#include <utility>

#include "http/http_types.hpp"

namespace cmc::http {

class AsyncResponse {
public:
    // `initial` is what is sent if nobody sets anything (a handler that
    // forgot to answer): callers pass an internal-error body.
    AsyncResponse(Responder send, Response initial) : res(std::move(initial)), send_(std::move(send)) {}
    ~AsyncResponse() { end(); }
    AsyncResponse(const AsyncResponse&) = delete;
    AsyncResponse& operator=(const AsyncResponse&) = delete;

    Response res; // what will be sent

    // Sends now; later calls and the destructor do nothing.
    void end() noexcept {
        if (sent_) return;
        sent_ = true;
        auto send = std::move(send_);
        try {
            if (send) send(std::move(res));
        } catch (...) {
            // The connection is gone or the server stopped: nothing to answer.
        }
    }
    [[nodiscard]] bool sent() const { return sent_; }

private:
    Responder send_;
    bool sent_ = false;
};

using AsyncResp = std::shared_ptr<AsyncResponse>;

} // namespace cmc::http
