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

TEST_CASE("base64 and Basic credentials") {
    CHECK(base64Encode("admin:pw") == "YWRtaW46cHc=");
    CHECK(base64Encode("") == "");
    CHECK(base64Decode("YWRtaW46cHc=") == "admin:pw");
    CHECK_FALSE(base64Decode("YW*=").has_value());
    auto c = parseBasicAuth("Basic YWRtaW46cHc=");
    REQUIRE(c.has_value());
    CHECK(c->first == "admin");
    CHECK(c->second == "pw");
    CHECK_FALSE(parseBasicAuth("Bearer x").has_value());
    CHECK_FALSE(parseBasicAuth("Basic " + base64Encode("nocolon")).has_value());
    for (std::string s : {"a", "ab", "abc", "abcd", "\xff\x00\x01"})
        CHECK(base64Decode(base64Encode(s)) == s);
}
