// The rule "HTTP Basic over plain HTTP is refused on a non-loopback address"
// (northbound::basicAuthAllowed): TLS always, loopback always, any other
// address only over TLS.
#include <doctest/doctest.h>

#include "northbound/northbound.hpp"

using cmc::northbound::basicAuthAllowed;
using cmc::northbound::isLoopbackAddress;

namespace {
cmc::http::Request arriving(const std::string& local, bool secure) {
    cmc::http::Request r;
    r.localAddress = local;
    r.secure = secure;
    return r;
}
} // namespace

TEST_CASE("loopback addresses") {
    for (const char* a : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"})
        CHECK_MESSAGE(isLoopbackAddress(a), a);
    for (const char* a : {"10.0.0.1", "192.0.2.2", "0.0.0.0", "::", "fd00::2", "::ffff:10.0.0.1", "128.0.0.1",
                          "localhost", "", "127.0.0.1 "})
        CHECK_MESSAGE(!isLoopbackAddress(a), a);
}

TEST_CASE("Basic is allowed over TLS and on loopback, refused over plain HTTP elsewhere") {
    CHECK(basicAuthAllowed(arriving("127.0.0.1", false)));
    CHECK(basicAuthAllowed(arriving("::1", false)));
    CHECK(basicAuthAllowed(arriving("192.0.2.2", true)));
    CHECK(basicAuthAllowed(arriving("127.0.0.1", true)));
    CHECK_FALSE(basicAuthAllowed(arriving("192.0.2.2", false)));
    CHECK_FALSE(basicAuthAllowed(arriving("fd00::2", false)));
    CHECK_FALSE(basicAuthAllowed(arriving("::ffff:192.0.2.2", false)));
    // Not from a socket (a request built in a test or in-process): no address to judge.
    CHECK(basicAuthAllowed(arriving("", false)));
}
