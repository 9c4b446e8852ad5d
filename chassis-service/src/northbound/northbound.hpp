// cmcd's northbound DMTF Redfish API: one route table (path, methods,
// privileges), authentication (Basic or X-Auth-Token sessions), and one file
// per resource that registers its routes.
#pragma once

#include "http/http_types.hpp"
#include "northbound/backend.hpp"

namespace cmc::northbound {

// The HTTP handler of the API. `backend` must outlive it.
[[nodiscard]] http::Handler makeHandler(Backend& backend);

} // namespace cmc::northbound
