#include <doctest/doctest.h>

#include "http/http_types.hpp"

using namespace cmc::http;

TEST_CASE("percent decoding") {
    CHECK(percentDecode("/redfish/v1/Systems/1") == "/redfish/v1/Systems/1");
    CHECK(percentDecode("/a%20b") == "/a b");
    CHECK_FALSE(percentDecode("/a%2").has_value());
    CHECK_FALSE(percentDecode("/a%").has_value());
    CHECK_FALSE(percentDecode("/a%zz").has_value());
    CHECK_FALSE(percentDecode("/a%00b").has_value());
}

TEST_CASE("headers are case-insensitive") {
    Request r;
    r.headers.push_back({"Content-Type", "application/json"});
    REQUIRE(r.header("content-type") != nullptr);
    CHECK(*r.header("CONTENT-TYPE") == "application/json");
    Response s;
    s.set("ETag", "a");
    s.set("etag", "b");
    CHECK(s.headers.size() == 1);
    CHECK(*s.header("ETag") == "b");
}
