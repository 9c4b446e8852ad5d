// DMTF Base message registry (Base.1.22) helpers: each builds the status code
// and the standard error body with @Message.ExtendedInfo. Shared by the blade
// BMC's Redfish service and cmcd's northbound API.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "http/http_types.hpp"

namespace cmc::redfish {

// A registry message's text with %1..%9 replaced by `args` (a missing
// argument is left empty).
[[nodiscard]] std::string substituteArgs(std::string_view text, const std::vector<std::string>& args);

using json = nlohmann::json;

inline constexpr std::string_view kBaseRegistry = "Base.1.22.1";

namespace detail {
// One @Message.ExtendedInfo entry for Base message `id`: the implementation of
// the typed functions of redfish/base_messages.hpp; use those instead.
[[nodiscard]] json baseMessage(std::string_view id, std::vector<std::string> args = {},
                               std::string relatedProperty = {});
} // namespace detail

// A complete error response from one or more messages; the first gives the
// top-level code and message.
[[nodiscard]] http::Response errorResponse(unsigned status, std::vector<json> messages);

// JSON response with OData headers and an ETag of the body.
[[nodiscard]] http::Response jsonResponse(unsigned status, const json& body, bool withEtag = true);
// The ETag a jsonResponse of `body` carries (W/"<hash>").
[[nodiscard]] std::string etagOf(const json& body);

// Frequent errors.
[[nodiscard]] http::Response resourceNotFound(std::string_view type, std::string_view id);
[[nodiscard]] http::Response malformedJson();
[[nodiscard]] http::Response insufficientPrivilege();
[[nodiscard]] http::Response noValidSession(std::string_view realm);
[[nodiscard]] http::Response methodNotAllowed(std::string_view allow);
[[nodiscard]] http::Response preconditionFailed();
[[nodiscard]] http::Response generalError(std::string_view resolution);
[[nodiscard]] http::Response payloadTooLarge();
[[nodiscard]] http::Response unsupportedMediaType();
[[nodiscard]] http::Response serviceUnavailable(unsigned retrySeconds);
[[nodiscard]] http::Response success();

// Protocol-level error bodies for the HTTP server (400, 413, 431, 503).
[[nodiscard]] http::Response protocolError(unsigned status, std::string_view detail);

// Parses a request body as a JSON object without throwing. On failure fills
// `error` with the response to send.
[[nodiscard]] bool parseJsonObject(const http::Request& req, json& out, http::Response& error);

[[nodiscard]] std::string jsonPointer(std::string_view path); // "Boot/X" -> "#/Boot/X"

} // namespace cmc::redfish
