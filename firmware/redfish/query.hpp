// DSP0266 protocol rules shared by the blade BMC and cmcd's northbound API:
// the query parameters ($select, $expand, $top, $skip, only; $filter for the
// routes that implement it), the schema Link header, If-Match and the
// OData-Version check. Beast-free; the expansion takes a fetch function, so a
// synchronous service (the BMC) and an asynchronous one (cmcd) share it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_types.hpp"

namespace cmc::redfish::query {

using json = nlohmann::json;

// $expand: "*" every link, "." subordinate links only (not under Links),
// "~" only the links under Links.
enum class Expand { None, All, Subordinate, Links };

inline constexpr unsigned kMaxExpandLevels = 3;
// Resources fetched by one expansion at most (the work a request can cause).
inline constexpr std::size_t kMaxExpandFetches = 512;

struct Query {
    std::vector<std::string> select; // "Name", "Status/Health"
    Expand expand = Expand::None;
    unsigned levels = 1; // of $expand, at most kMaxExpandLevels
    std::optional<std::size_t> top;
    std::optional<std::size_t> skip;
    bool only = false;
    std::optional<std::string> filter; // raw, decoded: for routes that evaluate it

    // Nothing the dispatcher has to apply (a $filter is the route's own).
    [[nodiscard]] bool empty() const { return select.empty() && expand == Expand::None && !top && !skip && !only; }
};

// Parses a raw query string ("$top=2&$skip=1"). Parameters without '$' are
// ignored (except `only`). An unknown '$' parameter (or $filter where
// `filterAllowed` is false) is 501 QueryNotSupported; a malformed value 400
// with QueryParameterValueFormatError, QueryParameterValueTypeError or
// QueryParameterOutOfRange. Returns the error response, or nullopt when `out`
// is filled.
[[nodiscard]] std::optional<http::Response> parse(std::string_view raw, Query& out, bool filterAllowed = false);

// $skip/$top on a collection body (one with a Members array): Members sliced,
// Members@odata.count stays the total, Members@odata.nextLink when more
// follow (`path` is the request path). Other bodies are left alone.
void applyPaging(json& body, const Query& q, std::string_view path);
// $select: keeps the selected properties ("A/B" keeps B inside A; inside an
// array of objects it applies to each element) and every @odata.* member.
void applySelect(json& body, const std::vector<std::string>& select);

// The GET of one URI run internally with the requester's credentials: the
// callback gets the body, or nullopt when it was not a 200 with a JSON object.
using Fetched = std::function<void(std::optional<json>)>;
using Fetch = std::function<void(const std::string& uri, Fetched)>;
// Replaces the links (objects holding only "@odata.id") of `body` chosen by
// `mode` with the resources they point to, `levels` deep, at most
// kMaxExpandFetches fetches; `done` runs once when every fetch answered (at
// once when `fetch` answers synchronously).
void expand(std::shared_ptr<json> body, Expand mode, unsigned levels, Fetch fetch, std::function<void()> done);

// Applies `q` to a response of `path`: paging, then `only`, expansion and
// $select; `done` gets the response to send (re-serialised with its ETag).
// A response that is not a 200 JSON object passes through unchanged.
void apply(http::Response res, const Query& q, std::string path, Fetch fetch, std::function<void(http::Response)> done);

// The value of a top-level string member of a serialised JSON object
// ("@odata.type"), found without parsing the whole document.
[[nodiscard]] std::optional<std::string_view> topLevelString(std::string_view body, std::string_view key);
// `Link` header of a resource of OData type `type` ("#Chassis.v1_25_0.Chassis"):
// the DMTF schema file, or /redfish/v1/JsonSchemas/<Namespace> for a type
// whose namespace starts with `localPrefix` (non-empty). Empty when no type.
[[nodiscard]] std::string describedBy(std::string_view type, std::string_view localPrefix = {});
// Adds Link (from the body's @odata.type) and Allow to a GET/HEAD answer.
void addResourceHeaders(http::Response& res, std::string_view allow, std::string_view localPrefix = {});

// True when an If-Match header value accepts `etag`: "*", or a list of tags
// one of which equals it, weak or strong form alike.
[[nodiscard]] bool ifMatchAccepts(std::string_view ifMatch, std::string_view etag);
// 412 PreconditionFailed when the request asks for an OData version other than 4.0.
[[nodiscard]] std::optional<http::Response> checkODataVersion(const http::Request& req);

// The ServiceRoot's ProtocolFeaturesSupported for what this file implements.
[[nodiscard]] json protocolFeatures(bool filter);

} // namespace cmc::redfish::query
