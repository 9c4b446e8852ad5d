// cmcd's northbound DMTF Redfish API: one route table (path, methods,
// privileges), authentication (Basic or X-Auth-Token sessions), and one file
// per resource that registers its routes.
#pragma once

#include "http/http_types.hpp"
#include "northbound/backend.hpp"

namespace cmc::northbound {

// The HTTP handler of the API. `backend` must outlive it.
[[nodiscard]] http::Handler makeHandler(Backend& backend);

// HTTP Basic is refused (401) on a plain-HTTP connection that arrived at a
// non-loopback address; TLS and loopback connections may use it. A request
// that names no local address (not from a socket) counts as loopback.
[[nodiscard]] bool basicAuthAllowed(const http::Request& req);
[[nodiscard]] bool isLoopbackAddress(const std::string& address);

} // namespace cmc::northbound
