// Routes declared once: a path template, its methods and the privileges each
// method needs, together (bmcweb's BMCWEB_ROUTE(app, "/redfish/v1/Chassis/<str>/")
// .privileges(...).methods(verb::get)(handler)). 404, 405 and Allow come from
// the table. Paths are split on '/' before percent-decoding, so a "%2F" stays
// inside its segment. Beast-free: handlers compile fast.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/async_response.hpp"
#include "http/http_types.hpp"

namespace cmc::http {

// Who is asking: the authenticated user, the role, and the role's privileges
// (DMTF privilege names: Login, ConfigureComponents, ConfigureManager,
// ConfigureUsers, ConfigureSelf). Anonymous on public routes.
struct Principal {
    std::string user;
    std::string role;
    std::vector<std::string> privileges;

    [[nodiscard]] bool has(std::string_view privilege) const;
    [[nodiscard]] bool hasAll(const std::vector<std::string>& required) const;
};

struct RouteRequest {
    const Request& http;
    const Principal& principal;
    std::vector<std::string> params; // the <str> segments, decoded
};

using RouteHandler = std::function<void(const RouteRequest&, const AsyncResp&)>;

class Router {
public:
    struct Method {
        std::string name;                    // "GET", "PATCH", ...
        std::vector<std::string> privileges; // all required
        bool publicAccess = false;           // answered without credentials
        bool ownFilter = false;              // evaluates $filter itself (the dispatcher passes it on)
        bool ownPaging = false;              // applies $top/$skip itself (a log paged in the store)
        RouteHandler handler;
    };

    class Builder {
    public:
        Builder& methods(std::vector<std::string> names);
        Builder& privileges(std::vector<std::string> required);
        Builder& publicAccess();
        // The handler evaluates the $filter query option itself (elsewhere it is 501).
        Builder& filter();
        // The handler applies $top/$skip itself (the dispatcher does not slice Members again).
        Builder& paging();
        // Registers the handler for the methods given; the builder is spent.
        void operator()(RouteHandler handler);

    private:
        friend class Router;
        Builder(Router& r, std::string pattern) : router_(r), pattern_(std::move(pattern)) {}
        Router& router_;
        std::string pattern_;
        std::vector<std::string> methods_{"GET"};
        std::vector<std::string> privileges_{"Login"};
        bool public_ = false;
        bool filter_ = false;
        bool paging_ = false;
    };

    // "/redfish/v1/Chassis/<str>": literal segments and <str> parameters; a
    // trailing slash in requests is accepted.
    [[nodiscard]] Builder route(std::string pattern);

    struct Match {
        enum class Kind { NotFound, MethodNotAllowed, Found } kind = Kind::NotFound;
        const Method* method = nullptr;
        std::vector<std::string> params;
        // "GET, HEAD, PATCH" when the path exists, and its pattern: views
        // into the router's table (valid while the router lives).
        std::string_view allow;
        std::string_view pattern;
    };
    // HEAD is served by GET's route.
    [[nodiscard]] Match match(const std::vector<std::string>& segments, std::string_view method) const;

    // Every pattern with its methods, for documentation and tests.
    [[nodiscard]] std::vector<std::pair<std::string, std::vector<std::string>>> table() const;

private:
    struct Route {
        std::string pattern;
        std::vector<std::string> parts; // "<str>" or a literal
        std::vector<Method> methods;
        std::string allow; // of `methods`, with HEAD beside GET
    };
    void add(const std::string& pattern, const std::vector<std::string>& methods,
             const std::vector<std::string>& privileges, bool publicAccess, bool ownFilter, bool ownPaging,
             RouteHandler handler);
    std::vector<Route> routes_;
};

// The raw path of a request target (no query), split on '/' and each segment
// percent-decoded. A trailing slash is ignored; an empty segment ("//"), a bad
// escape or a NUL makes it nullopt.
[[nodiscard]] std::optional<std::vector<std::string>> pathSegments(std::string_view target);

} // namespace cmc::http
