// The route table: one declaration per route, 404/405/Allow derived from it,
// segments decoded one by one; the response object answers exactly once.
#include <doctest/doctest.h>

#include <memory>

#include "http/async_response.hpp"
#include "http/router.hpp"

using namespace cmc::http;

namespace {
RouteHandler tag(std::string name, std::string* hit) {
    return [name, hit](const RouteRequest& r, const AsyncResp& res) {
        *hit = name;
        for (const auto& p : r.params)
            *hit += "|" + p;
        res->res.status = 200;
    };
}
std::vector<std::string> seg(std::string_view path) {
    auto s = pathSegments(path);
    REQUIRE(s.has_value());
    return *s;
}
} // namespace

TEST_CASE("path segments are split before decoding: %2F stays inside its segment") {
    CHECK(seg("/redfish/v1/Chassis/blade-1") == std::vector<std::string>{"redfish", "v1", "Chassis", "blade-1"});
    CHECK(seg("/redfish/v1/") == std::vector<std::string>{"redfish", "v1"});
    CHECK(seg("/redfish/v1/Chassis/a%2Fb?x=1") == std::vector<std::string>{"redfish", "v1", "Chassis", "a/b"});
    CHECK(seg("/").empty());
    CHECK_FALSE(pathSegments("/redfish//v1").has_value());
    CHECK_FALSE(pathSegments("/a/%zz").has_value());
    CHECK_FALSE(pathSegments("/a/%00").has_value());
    CHECK_FALSE(pathSegments("relative").has_value());
}

TEST_CASE("the most specific route wins; 404 and 405 with Allow come from the table") {
    Router r;
    std::string hit;
    r.route("/redfish/v1/Chassis")(tag("collection", &hit));
    r.route("/redfish/v1/Chassis/chassis")(tag("enclosure", &hit));
    r.route("/redfish/v1/Chassis/<str>")
        .methods({"GET", "PATCH"})
        .privileges({"ConfigureComponents"})(tag("blade", &hit));
    r.route("/redfish/v1/Chassis/<str>/Sensors/<str>")(tag("sensor", &hit));
    r.route("/redfish/v1/SessionService/Sessions").methods({"POST"}).publicAccess()(tag("login", &hit));
    r.route("/redfish/v1/SessionService/Sessions")(tag("sessions", &hit));

    auto m = r.match(seg("/redfish/v1/Chassis/chassis"), "GET");
    REQUIRE((m.kind == Router::Match::Kind::Found));
    CHECK(m.pattern == "/redfish/v1/Chassis/chassis");
    m = r.match(seg("/redfish/v1/Chassis/blade-3"), "PATCH");
    REQUIRE((m.kind == Router::Match::Kind::Found));
    CHECK(m.params == std::vector<std::string>{"blade-3"});
    CHECK(m.method->privileges == std::vector<std::string>{"ConfigureComponents"});
    m = r.match(seg("/redfish/v1/Chassis/a%2Fb/Sensors/t1"), "GET");
    REQUIRE((m.kind == Router::Match::Kind::Found));
    CHECK(m.params == std::vector<std::string>{"a/b", "t1"});
    // HEAD is GET's.
    CHECK((r.match(seg("/redfish/v1/Chassis"), "HEAD").kind == Router::Match::Kind::Found));
    m = r.match(seg("/redfish/v1/Chassis"), "DELETE");
    CHECK((m.kind == Router::Match::Kind::MethodNotAllowed));
    CHECK(m.allow == "GET, HEAD");
    m = r.match(seg("/redfish/v1/Chassis/blade-1"), "POST");
    CHECK((m.kind == Router::Match::Kind::MethodNotAllowed));
    CHECK(m.allow == "GET, HEAD, PATCH");
    CHECK((r.match(seg("/redfish/v1/Nope"), "GET").kind == Router::Match::Kind::NotFound));
    CHECK((r.match(seg("/redfish/v1/Chassis/x/y"), "GET").kind == Router::Match::Kind::NotFound));
    // One path, methods with different access.
    m = r.match(seg("/redfish/v1/SessionService/Sessions"), "POST");
    REQUIRE(m.method);
    CHECK(m.method->publicAccess);
    m = r.match(seg("/redfish/v1/SessionService/Sessions"), "GET");
    REQUIRE(m.method);
    CHECK_FALSE(m.method->publicAccess);
    CHECK(m.method->privileges == std::vector<std::string>{"Login"});
    CHECK(r.table().size() == 5);
}

TEST_CASE("principals hold their role's privileges") {
    Principal p{"op", "Operator", {"Login", "ConfigureComponents", "ConfigureSelf"}};
    CHECK(p.has("Login"));
    CHECK_FALSE(p.has("ConfigureManager"));
    CHECK(p.hasAll({"Login", "ConfigureComponents"}));
    CHECK_FALSE(p.hasAll({"Login", "ConfigureUsers"}));
    CHECK(p.hasAll({}));
}

TEST_CASE("an AsyncResponse answers exactly once: when the last holder lets go, or at end()") {
    int sent = 0;
    unsigned status = 0;
    Response initial;
    initial.status = 500;
    {
        auto res = std::make_shared<AsyncResponse>(
            [&](Response r) {
                ++sent;
                status = r.status;
            },
            initial);
        auto copy = res; // an asynchronous step still holds it
        res->res.status = 202;
        res.reset();
        CHECK(sent == 0);
        copy->res.status = 200;
    }
    CHECK(sent == 1);
    CHECK(status == 200);

    sent = 0;
    {
        auto res = std::make_shared<AsyncResponse>(
            [&](Response r) {
                ++sent;
                status = r.status;
            },
            initial);
        res->end();
        res->res.status = 204; // too late: already sent
        res->end();
    }
    CHECK(sent == 1);
    CHECK(status == 500); // nobody set anything before end(): the initial internal error

    sent = 0;
    {
        auto res = std::make_shared<AsyncResponse>(
            [&](Response) {
                ++sent;
                throw std::runtime_error("connection gone");
            },
            initial);
    } // a throwing responder does not escape the destructor
    CHECK(sent == 1);
}
