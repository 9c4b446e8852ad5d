// IpmiBmc over real UDP in-process: fault injection and a deterministic
// corpus of malformed datagrams and message bodies, after which the BMC must
// still answer.
#include "fake_blade_hal.hpp"
#include "ipmi/command_handler.hpp"
#include "ipmi/ipmi_bmc.hpp"
#include "ipmi_test_util.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <doctest/doctest.h>

#include <functional>
#include <optional>
#include <random>

using namespace cmc;
using namespace cmc::ipmi;
using namespace cmc::ipmi::test;
namespace asio = boost::asio;
using asio::ip::udp;

namespace {

struct Harness {
    asio::io_context io;
    FakeBladeHal hal;
    std::unique_ptr<IpmiBmc> bmc;
    udp::socket client{io};
    udp::endpoint target;
    std::uint8_t seq = 1;

    explicit Harness(std::uint64_t seed = 1) {
        BmcOptions o;
        o.seed = seed;
        o.users = {{"admin", "adminpass", Privilege::Administrator}};
        bmc = std::make_unique<IpmiBmc>(io, hal, o);
        std::string error;
        REQUIRE(bmc->start(error));
        REQUIRE(bmc->port() != 0);
        target = udp::endpoint(asio::ip::make_address("127.0.0.1"), bmc->port());
        client.open(udp::v4());
        client.bind(udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    }

    void send(const Bytes& d) {
        boost::system::error_code ec;
        client.send_to(asio::buffer(d), target, 0, ec);
    }

    // Receives until `match` accepts a datagram or `timeout` passes.
    std::optional<Bytes> receive(const std::function<bool(const Bytes&)>& match, std::chrono::milliseconds timeout) {
        std::optional<Bytes> got;
        bool timedOut = false;
        asio::steady_timer timer(io, timeout);
        timer.async_wait([&](const boost::system::error_code& ec) {
            if (!ec) {
                timedOut = true;
                client.cancel();
            }
        });
        std::array<std::uint8_t, 2048> buf{};
        udp::endpoint from;
        std::function<void()> next = [&] {
            client.async_receive_from(asio::buffer(buf), from, [&](const boost::system::error_code& ec, std::size_t n) {
                if (ec) {
                    return;
                }
                Bytes d(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
                if (match(d)) {
                    got = std::move(d);
                    timer.cancel();
                    return;
                }
                next();
            });
        };
        next();
        io.restart();
        while (!got && !timedOut && io.run_one() > 0) {
        }
        client.cancel();
        timer.cancel();
        io.restart();
        io.poll();
        return got;
    }

    // Pre-session Get Channel Authentication Capabilities, answered by lanserv.
    std::optional<Bytes> probe(std::chrono::milliseconds timeout = std::chrono::milliseconds(500)) {
        const std::uint8_t s = static_cast<std::uint8_t>(++seq & 0x3F);
        send(rmcp15(ipmiRequest(0x06, 0x38, {0x8E, 0x04}, s)));
        return receive([s](const Bytes& d) { return d.size() > 20 && d[18] == (s << 2) && d[19] == 0x38; }, timeout);
    }

    // Lets the BMC drain what was sent.
    void settle() {
        io.restart();
        io.run_for(std::chrono::milliseconds(50));
    }
};

} // namespace

TEST_CASE("the BMC answers pre-session requests; cipher suites come from the filter") {
    Harness h;
    auto r = h.probe();
    REQUIRE(r);
    CHECK((*r)[20] == 0x00); // completion code
    h.send(rmcpPlus(0x00, ipmiRequest(0x06, 0x54, {0x0E, 0x00, 0x80}, 5)));
    auto cs = h.receive([](const Bytes& d) { return d.size() > 21 && d[21] == 0x54; }, std::chrono::milliseconds(500));
    REQUIRE(cs);
    CHECK(h.bmc->stats().datagramsIn == 2);
}

TEST_CASE("a hung BMC or a link that is down drops everything") {
    Harness h;
    h.hal.link.bmcHung = true;
    CHECK_FALSE(h.probe(std::chrono::milliseconds(150)));
    h.hal.link.bmcHung = false;
    h.hal.link.up = false;
    CHECK_FALSE(h.probe(std::chrono::milliseconds(150)));
    CHECK(h.bmc->stats().datagramsDropped == 2);
    h.hal.link.up = true;
    CHECK(h.probe());
}

TEST_CASE("datagram loss follows the seeded RNG and is reproducible") {
    auto pattern = [](std::uint64_t seed) {
        Harness h(seed);
        h.hal.link.lossRatio = 0.5;
        std::string answered;
        for (int i = 0; i < 40; ++i) {
            answered += h.probe(std::chrono::milliseconds(60)) ? '1' : '0';
        }
        return answered;
    };
    const std::string a = pattern(7);
    const std::string b = pattern(7);
    CHECK(a == b);
    const auto ones = std::count(a.begin(), a.end(), '1');
    CHECK(ones > 5);
    CHECK(ones < 35);
}

TEST_CASE("latency and BMC delay postpone the answer without blocking") {
    Harness h;
    h.hal.link.latency = std::chrono::milliseconds(80);
    h.hal.link.bmcDelay = std::chrono::milliseconds(40);
    const auto start = std::chrono::steady_clock::now();
    auto r = h.probe(std::chrono::milliseconds(1000));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE(r);
    CHECK(elapsed >= std::chrono::milliseconds(120));
}

TEST_CASE("corpus: truncated, oversized, mutated and random datagrams; the BMC still answers") {
    Harness h;
    std::mt19937 rng(12345);
    auto byte = [&rng] { return static_cast<std::uint8_t>(rng() & 0xFF); };
    Bytes rakp1(28, 0x00);
    rakp1[4] = 0x02;
    rakp1[24] = 0x14;
    rakp1[27] = 5;
    for (char c : std::string("admin"))
        rakp1.push_back(static_cast<std::uint8_t>(c));
    const std::vector<Bytes> seeds = {
        rmcp15(ipmiRequest(0x06, 0x38, {0x8E, 0x04})),
        rmcp15(ipmiRequest(0x06, 0x39, Bytes(17, 0x61))), // session challenge
        rmcp15(ipmiRequest(0x06, 0x54, {0x0E, 0x00, 0x80})),
        rmcpPlus(0x00, ipmiRequest(0x06, 0x54, {0x0E, 0x00, 0x80})),
        rmcpPlus(0x10, openSessionRequest(0x00, 1, 1, 1)),
        rmcpPlus(0x12, rakp1),
        rmcpPlus(0x14, Bytes(28, 0x00)),
        rmcpPlus(0xC0, ipmiRequest(0x00, 0x02, {0x01}), 0x00000002), // "authenticated", bogus session
        rmcpPlus(0x00, ipmiRequest(0x00, 0x02, {0x01}), 0x00000002),
    };
    int sent = 0;
    for (const Bytes& s : seeds) {
        for (std::size_t n = 0; n <= s.size(); ++n) { // every truncation
            h.send(Bytes(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n)));
            ++sent;
        }
        for (int i = 0; i < 200; ++i) { // mutations
            Bytes m = s;
            for (int k = 0; k < 3; ++k)
                m[rng() % m.size()] = byte();
            h.send(m);
            ++sent;
        }
        Bytes big = s; // oversized: trailing garbage beyond the rx buffer
        big.resize(1500, 0xA5);
        h.send(big);
        ++sent;
        if (sent % 200 == 0) h.settle();
        h.settle();
    }
    for (int i = 0; i < 500; ++i) { // random datagrams, some RMCP-looking
        Bytes r(rng() % 300);
        for (auto& b : r)
            b = byte();
        if (r.size() > 5 && i % 2 == 0) {
            r[0] = 0x06;
            r[2] = 0xFF;
            r[3] = 0x07;
            r[4] = (i % 4 == 0) ? 0x06 : 0x00;
        }
        h.send(r);
        ++sent;
        if (i % 100 == 0) h.settle();
    }
    h.settle();
    CHECK(h.probe(std::chrono::milliseconds(1000)));
    CHECK(h.bmc->stats().datagramsIn >= static_cast<std::uint64_t>(sent) / 2); // UDP may drop on overflow
}

TEST_CASE("corpus: random bodies into every command; the handler still answers") {
    FakeBladeHal hal;
    CommandHandler handler(hal, {{"admin", Privilege::Administrator}});
    std::mt19937 rng(777);
    const std::uint8_t netFns[] = {0x00, 0x04, 0x06, 0x0A, 0x30, 0x2C, 0x0C, 0x3F};
    for (std::uint8_t netFn : netFns) {
        for (int cmd = 0; cmd < 256; ++cmd) {
            for (int i = 0; i < 12; ++i) {
                Bytes body(static_cast<std::size_t>(i < 8 ? i : static_cast<int>(rng() % 300)));
                for (auto& b : body)
                    b = static_cast<std::uint8_t>(rng() & 0xFF);
                const auto p = static_cast<Privilege>(2 + rng() % 3);
                const Bytes r = handler.handle({netFn, static_cast<std::uint8_t>(cmd), body, p});
                REQUIRE_FALSE(r.empty());
                if (r[0] == 0x00) {
                    CHECK(r.size() < 300);
                }
            }
        }
    }
    const Bytes id = handler.handle({0x06, 0x01, {}, Privilege::User});
    CHECK(id.size() == 16);
    CHECK(id[0] == 0x00);
}
