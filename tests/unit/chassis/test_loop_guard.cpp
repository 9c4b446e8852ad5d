// One failing handler never stops cmcd's event loop.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <stdexcept>

#include "app/service.hpp"

TEST_CASE("an exception escaping a handler is reported and the loop goes on") {
    boost::asio::io_context io;
    int ran = 0;
    std::vector<std::string> failures;
    boost::asio::post(io, [&] { ++ran; });
    boost::asio::post(io, [] { throw std::runtime_error("handler blew up"); });
    boost::asio::post(io, [&] { ++ran; });
    boost::asio::steady_timer timer(io, std::chrono::milliseconds(1));
    timer.async_wait([&](const boost::system::error_code&) {
        ++ran;
        throw 42; // not even a std::exception
    });
    boost::asio::post(io, [&] { ++ran; });
    auto caught = cmc::app::runGuardedLoop(io, [&](const std::string& why) { failures.push_back(why); });
    CHECK(caught == 2);
    CHECK(ran == 4);
    REQUIRE(failures.size() == 2);
    CHECK(failures[0] == "handler blew up");
    CHECK(failures[1] == "unknown exception");
}
