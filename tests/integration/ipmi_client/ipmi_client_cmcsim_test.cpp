// IpmiClient against the real simulator (cmcsim): sessions, device id, chassis
// status and control read back through the control API, FRU, SEL after an
// injected power loss, watchdog, authentication failure, an unresponsive BMC
// and reconnection, busy and close semantics.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>

#include "southbound/ipmi/ipmi_client.hpp"
#include "test_support.hpp"

using namespace cmc::southbound;
using namespace std::chrono_literals;
using nlohmann::json;

// doctest's stringification would find toString(IpmiError) by ADL: compare
// without decomposition and print the error and its message instead.
#define CHECK_ERROR(result, expected)                                                                                  \
    CHECK_MESSAGE(((result).error == (expected)), "got " << std::string(toString((result).error)) << " ("              \
                                                         << (result).message << "), expected "                         \
                                                         << std::string(toString(expected)))

namespace {

std::string cmcsimPath() {
    if (const char* p = std::getenv("CMC_CMCSIM")) return p;
    return CMC_CMCSIM_PATH;
}

struct SimRack {
    explicit SimRack(int blades) {
        dir = cmc::test::makeTempDir("ipmi-client-sim-");
        const std::string manifestPath = dir + "/rack.json";
        const bool ok = cmc::test::startChild(sim,
                                              {cmcsimPath(), "--blades", std::to_string(blades), "--control-port", "0",
                                               "--bmc-base-port", "0", "--manifest", manifestPath, "--speed", "50"},
                                              "cmcsim: manifest", 20s);
        REQUIRE_MESSAGE(ok, "cmcsim did not start: " << sim.output);
        std::ifstream in(manifestPath);
        manifest = json::parse(in, nullptr, false);
        REQUIRE(!manifest.is_discarded());
        control = manifest.value("control", std::string());
        REQUIRE(!control.empty());
    }
    ~SimRack() {
        cmc::test::stopChild(sim);
        cmc::test::removeTree(dir);
    }
    IpmiEndpoint endpoint(int slot, const std::string& role = "Administrator") const {
        const auto& b = manifest["blades"].at(static_cast<std::size_t>(slot - 1));
        IpmiEndpoint e;
        e.host = b["ipmi"]["host"].get<std::string>();
        e.port = b["ipmi"]["port"].get<std::uint16_t>();
        for (const auto& a : b["accounts"]) {
            if (a["role"] == role) {
                e.username = a["username"].get<std::string>();
                e.password = a["password"].get<std::string>();
            }
        }
        return e;
    }
    std::string serial(int slot) const {
        return manifest["blades"].at(static_cast<std::size_t>(slot - 1))["serialNumber"].get<std::string>();
    }
    json blade(int slot) const {
        auto r = cmc::test::http("GET", control, "/sim/v1/blades/" + std::to_string(slot));
        if (r.status != 200) return json();
        return json::parse(r.body, nullptr, false);
    }
    int inject(int slot, const std::string& fault) const {
        return cmc::test::http("POST", control, "/sim/v1/blades/" + std::to_string(slot) + "/faults",
                               json{{"fault", fault}}.dump())
            .status;
    }
    int clear(int slot, const std::string& fault) const {
        return cmc::test::http("DELETE", control, "/sim/v1/blades/" + std::to_string(slot) + "/faults/" + fault).status;
    }

    std::string dir;
    cmc::test::ChildProcess sim;
    json manifest;
    std::string control;
};

struct Logs {
    std::vector<std::string> lines;
    std::function<void(const std::string&)> sink() {
        return [this](const std::string& l) { lines.push_back(l); };
    }
    bool contains(const std::string& s) const {
        return std::any_of(lines.begin(), lines.end(), [&](const auto& l) { return l.find(s) != std::string::npos; });
    }
};

// Collects one callback's result and counts calls.
template <typename T> struct Slot {
    int calls = 0;
    IpmiResult<T> result;
    std::function<void(IpmiResult<T>)> cb() {
        return [this](IpmiResult<T> r) {
            ++calls;
            result = std::move(r);
        };
    }
};

struct StateLog {
    std::vector<std::pair<bool, std::string>> events;
    std::function<void(bool, const std::string&)> cb() {
        return [this](bool up, const std::string& why) { events.emplace_back(up, why); };
    }
};

IpmiClientOptions options(Logs& logs) {
    IpmiClientOptions o;
    o.requestTimeout = 1500ms;
    o.reconnectMin = 200ms;
    o.reconnectMax = 2000ms;
    o.log = logs.sink();
    return o;
}

template <typename T> bool waitFor(boost::asio::io_context& io, Slot<T>& s, std::chrono::milliseconds limit = 10s) {
    return cmc::test::runUntil(
        io, [&] { return s.calls > 0; }, limit);
}

} // namespace

TEST_CASE("cmcsim: sessions, device id, chassis status and power control read back through the control API") {
    SimRack rack(4);
    boost::asio::io_context io;
    Logs logs;
    IpmiClient client(io, options(logs));
    std::vector<std::shared_ptr<IpmiConnection>> conns;
    std::vector<StateLog> states(4);
    for (int slot = 1; slot <= 4; ++slot)
        conns.push_back(client.connect(rack.endpoint(slot), states[slot - 1].cb()));
    REQUIRE(cmc::test::runUntil(
        io, [&] { return std::all_of(conns.begin(), conns.end(), [](const auto& c) { return c->up(); }); }));
    for (auto& s : states) {
        REQUIRE(cmc::test::runUntil(io, [&] { return !s.events.empty(); }));
        CHECK(s.events.front().first);
    }
    CHECK(logs.contains("bmc=127.0.0.1:"));
    for (const auto& l : logs.lines) {
        for (int slot = 1; slot <= 4; ++slot)
            CHECK(l.find(rack.endpoint(slot).password) == std::string::npos);
    }

    Slot<IpmiDeviceId> dev;
    conns[0]->getDeviceId(dev.cb());
    CHECK(dev.calls == 0); // never answered from inside the call
    REQUIRE(waitFor(io, dev));
    REQUIRE_MESSAGE(dev.result.ok(), dev.result.message);
    CHECK(dev.result.value.ipmiVersion == 0x02);
    CHECK(!dev.result.value.firmwareVersion.empty());

    // Power up blade 2, then read back through the simulator and IPMI.
    Slot<bool> on;
    conns[1]->chassisControl(ChassisControl::PowerUp, on.cb());
    REQUIRE(waitFor(io, on));
    REQUIRE_MESSAGE(on.result.ok(), on.result.message);
    bool simOn = false;
    for (int i = 0; i < 200 && !simOn; ++i) {
        simOn = rack.blade(2).value("power", "") == "On";
        if (!simOn) cmc::test::runFor(io, 50ms);
    }
    CHECK(simOn);
    Slot<IpmiChassisStatus> st;
    conns[1]->getChassisStatus(st.cb());
    REQUIRE(waitFor(io, st));
    REQUIRE_MESSAGE(st.result.ok(), st.result.message);
    CHECK(st.result.value.powerOn);
    // Blade 3 was not touched.
    Slot<IpmiChassisStatus> st3;
    conns[2]->getChassisStatus(st3.cb());
    REQUIRE(waitFor(io, st3));
    REQUIRE(st3.result.ok());
    CHECK(st3.result.value.powerOn == (rack.blade(3).value("power", "") == "On"));

    Slot<bool> off;
    conns[1]->chassisControl(ChassisControl::PowerDown, off.cb());
    REQUIRE(waitFor(io, off));
    REQUIRE(off.result.ok());
    bool simOff = false;
    for (int i = 0; i < 200 && !simOff; ++i) {
        simOff = rack.blade(2).value("power", "") == "Off";
        if (!simOff) cmc::test::runFor(io, 50ms);
    }
    CHECK(simOff);
    Slot<IpmiChassisStatus> st2;
    conns[1]->getChassisStatus(st2.cb());
    REQUIRE(waitFor(io, st2));
    REQUIRE(st2.result.ok());
    CHECK_FALSE(st2.result.value.powerOn);

    // Raw: Get Device ID by hand, answer starts with the completion code.
    Slot<std::vector<std::uint8_t>> raw;
    conns[3]->raw(0x06, 0x01, {}, raw.cb());
    REQUIRE(waitFor(io, raw));
    REQUIRE(raw.result.ok());
    REQUIRE(raw.result.value.size() >= 12);
    CHECK(raw.result.value[0] == 0x00);
    // An unknown command: completion code C1h.
    Slot<std::vector<std::uint8_t>> bad;
    conns[3]->raw(0x06, 0x7f, {}, bad.cb());
    REQUIRE(waitFor(io, bad));
    CHECK_ERROR(bad.result, IpmiError::CompletionCode);
    CHECK(bad.result.completionCode == 0xc1);
}

TEST_CASE("cmcsim: FRU board serial, watchdog and SEL after an injected power loss") {
    SimRack rack(2);
    boost::asio::io_context io;
    Logs logs;
    IpmiClient client(io, options(logs));
    auto c = client.connect(rack.endpoint(1), nullptr);
    REQUIRE(cmc::test::runUntil(io, [&] { return c->up(); }));

    Slot<IpmiFru> fru;
    c->readFru(fru.cb());
    REQUIRE(waitFor(io, fru));
    REQUIRE_MESSAGE(fru.result.ok(), fru.result.message);
    CHECK(fru.result.value.boardSerialNumber == rack.serial(1));
    CHECK(!fru.result.value.boardManufacturer.empty());
    CHECK(!fru.result.value.productName.empty());

    Slot<IpmiWatchdog> wd;
    c->getWatchdog(wd.cb());
    REQUIRE(waitFor(io, wd));
    REQUIRE_MESSAGE(wd.result.ok(), wd.result.message);
    const auto simWd = rack.blade(1)["watchdog"];
    CHECK(wd.result.value.timerUse == simWd.value("timerUse", -1));
    CHECK(wd.result.value.running == simWd.value("running", true));

    // Power on, then pull the power.
    Slot<bool> on;
    c->chassisControl(ChassisControl::PowerUp, on.cb());
    REQUIRE(waitFor(io, on));
    REQUIRE(on.result.ok());
    for (int i = 0; i < 200 && rack.blade(1).value("power", "") != "On"; ++i)
        cmc::test::runFor(io, 50ms);
    Slot<IpmiSelInfo> before;
    c->getSelInfo(before.cb());
    REQUIRE(waitFor(io, before));
    REQUIRE(before.result.ok());

    REQUIRE(rack.inject(1, "power-loss") / 100 == 2);
    for (int i = 0; i < 200 && rack.blade(1).value("selEntries", 0) <= before.result.value.entries; ++i)
        cmc::test::runFor(io, 50ms);

    Slot<IpmiSelInfo> info;
    c->getSelInfo(info.cb());
    REQUIRE(waitFor(io, info));
    REQUIRE(info.result.ok());
    CHECK(info.result.value.entries > before.result.value.entries);

    Slot<std::vector<IpmiSelEntry>> sel;
    c->readSel(0, 1000, sel.cb());
    REQUIRE(waitFor(io, sel, 20s));
    REQUIRE_MESSAGE(sel.result.ok(), sel.result.message);
    CHECK(sel.result.value.size() == info.result.value.entries);
    const bool powerUnit = std::any_of(sel.result.value.begin(), sel.result.value.end(),
                                       [](const IpmiSelEntry& e) { return e.sensorType == 0x09; });
    CHECK(powerUnit);

    // A window: from the second record on, at most 2.
    if (sel.result.value.size() >= 3) {
        Slot<std::vector<IpmiSelEntry>> part;
        c->readSel(sel.result.value[1].recordId, 2, part.cb());
        REQUIRE(waitFor(io, part));
        REQUIRE(part.result.ok());
        REQUIRE(part.result.value.size() == 2);
        CHECK(part.result.value[0].recordId == sel.result.value[1].recordId);
    }
    CHECK(rack.clear(1, "power-loss") / 100 == 2);
}

TEST_CASE("cmcsim: wrong password is AuthFailed and the other BMCs keep working") {
    SimRack rack(2);
    boost::asio::io_context io;
    Logs logs;
    IpmiClient client(io, options(logs));
    auto ep = rack.endpoint(1);
    ep.password = "not-the-password";
    StateLog badState;
    auto bad = client.connect(ep, badState.cb());
    auto good = client.connect(rack.endpoint(2), nullptr);
    REQUIRE(cmc::test::runUntil(io, [&] { return !badState.events.empty() && good->up(); }));
    CHECK_FALSE(badState.events.front().first);
    CHECK_FALSE(bad->up());

    Slot<IpmiChassisStatus> r;
    bad->getChassisStatus(r.cb());
    REQUIRE(waitFor(io, r));
    CHECK_ERROR(r.result, IpmiError::AuthFailed);
    CHECK(badState.events.front().second.find("authentication failed") != std::string::npos);
    CHECK(r.result.message.find("not-the-password") == std::string::npos);
    for (const auto& l : logs.lines)
        CHECK(l.find("not-the-password") == std::string::npos);

    Slot<IpmiChassisStatus> ok;
    good->getChassisStatus(ok.cb());
    REQUIRE(waitFor(io, ok));
    CHECK(ok.result.ok());

    // It keeps trying with exponential backoff (200 ms doubling, capped at 2 s).
    REQUIRE(cmc::test::runUntil(
        io, [&] { return logs.contains("retry in 1600 ms"); }, 10s));
    CHECK(logs.contains("retry in 200 ms"));
    CHECK(logs.contains("retry in 400 ms"));
    CHECK(logs.contains("retry in 800 ms"));
    CHECK_FALSE(bad->up());
    CHECK(badState.events.size() == 1); // a change is reported once, not every retry
}

TEST_CASE("cmcsim: an unresponsive BMC times out, goes down, and the session comes back by itself") {
    SimRack rack(2);
    boost::asio::io_context io;
    Logs logs;
    auto opt = options(logs);
    opt.requestTimeout = 700ms;
    IpmiClient client(io, opt);
    StateLog states;
    auto c = client.connect(rack.endpoint(1), states.cb());
    auto other = client.connect(rack.endpoint(2), nullptr);
    REQUIRE(cmc::test::runUntil(io, [&] { return c->up() && other->up(); }));

    REQUIRE(rack.inject(1, "bmc-unresponsive") / 100 == 2);
    Slot<IpmiChassisStatus> t;
    const auto sent = std::chrono::steady_clock::now();
    c->getChassisStatus(t.cb());
    REQUIRE(waitFor(io, t));
    CHECK_ERROR(t.result, IpmiError::Timeout);
    CHECK(std::chrono::steady_clock::now() - sent < 1500ms);

    // Keep asking, as a poller would: the session is declared down.
    int polls = 0;
    REQUIRE(cmc::test::runUntil(
        io,
        [&] {
            if (!c->up()) return true;
            if (polls++ % 40 == 0) c->getChassisStatus([](IpmiResult<IpmiChassisStatus>) {});
            return false;
        },
        30s));
    REQUIRE(cmc::test::runUntil(io, [&] { return states.events.size() >= 2; }));
    for (const auto& [isUp, why] : states.events)
        MESSAGE("state " << isUp << ": " << why);
    CHECK(states.events.size() == 2);
    CHECK_FALSE(states.events.back().first);

    Slot<IpmiChassisStatus> down;
    c->getChassisStatus(down.cb());
    REQUIRE(waitFor(io, down));
    CHECK_ERROR(down.result, IpmiError::NotConnected);

    // The other BMC is not affected.
    Slot<IpmiChassisStatus> ok;
    other->getChassisStatus(ok.cb());
    REQUIRE(waitFor(io, ok));
    CHECK(ok.result.ok());

    REQUIRE(rack.clear(1, "bmc-unresponsive") / 100 == 2);
    REQUIRE(cmc::test::runUntil(
        io, [&] { return c->up() && states.events.back().first; }, 30s));
    CHECK(states.events.size() == 3);
    Slot<IpmiChassisStatus> back;
    c->getChassisStatus(back.cb());
    REQUIRE(waitFor(io, back));
    CHECK(back.result.ok());
}

TEST_CASE("cmcsim: busy queue, close and destruction answer every call exactly once") {
    SimRack rack(1);
    boost::asio::io_context io;
    Logs logs;
    auto opt = options(logs);
    opt.maxQueuedPerBmc = 4;
    IpmiClient client(io, opt);
    auto c = client.connect(rack.endpoint(1), nullptr);
    REQUIRE(cmc::test::runUntil(io, [&] { return c->up(); }));

    std::vector<Slot<IpmiChassisStatus>> slots(10);
    for (auto& s : slots)
        c->getChassisStatus(s.cb());
    REQUIRE(cmc::test::runUntil(
        io, [&] { return std::all_of(slots.begin(), slots.end(), [](const auto& s) { return s.calls > 0; }); }));
    const auto busy =
        std::count_if(slots.begin(), slots.end(), [](const auto& s) { return (s.result.error == IpmiError::Busy); });
    const auto good = std::count_if(slots.begin(), slots.end(), [](const auto& s) { return s.result.ok(); });
    CHECK(busy == 6);
    CHECK(good == 4);

    // close() with requests outstanding in OpenIPMI (the first command of
    // each read is handed to OpenIPMI inside the call): answered Closed, once.
    std::vector<Slot<IpmiFru>> frus(3);
    for (auto& s : frus)
        c->readFru(s.cb());
    c->close();
    REQUIRE(cmc::test::runUntil(
        io, [&] { return std::all_of(frus.begin(), frus.end(), [](const auto& s) { return s.calls > 0; }); }));
    for (auto& s : frus)
        CHECK_ERROR(s.result, IpmiError::Closed);
    cmc::test::runFor(io, 300ms); // late answers must not call again
    for (auto& s : frus)
        CHECK(s.calls == 1);
    Slot<IpmiDeviceId> after;
    c->getDeviceId(after.cb());
    REQUIRE(waitFor(io, after));
    CHECK_ERROR(after.result, IpmiError::Closed);

    // Dropping the last reference with calls in flight.
    auto d = client.connect(rack.endpoint(1), nullptr);
    REQUIRE(cmc::test::runUntil(io, [&] { return d->up(); }));
    Slot<IpmiSelInfo> pending;
    d->getSelInfo(pending.cb());
    d.reset();
    REQUIRE(waitFor(io, pending));
    CHECK_ERROR(pending.result, IpmiError::Closed);
    cmc::test::runFor(io, 300ms);
    CHECK(pending.calls == 1);
}

TEST_CASE("cmcsim: a ReadOnly (IPMI User) session reads status but may not control power") {
    SimRack rack(1);
    boost::asio::io_context io;
    Logs logs;
    auto opt = options(logs);
    opt.privilege = 2;
    IpmiClient client(io, opt);
    auto c = client.connect(rack.endpoint(1, "ReadOnly"), nullptr);
    REQUIRE(cmc::test::runUntil(io, [&] { return c->up(); }));
    Slot<IpmiChassisStatus> st;
    c->getChassisStatus(st.cb());
    REQUIRE(waitFor(io, st));
    CHECK(st.result.ok());
    Slot<bool> ctl;
    c->chassisControl(ChassisControl::PowerUp, ctl.cb());
    REQUIRE(waitFor(io, ctl));
    CHECK_ERROR(ctl.result, IpmiError::CompletionCode);
    CHECK(ctl.result.completionCode == 0xd4);
}

TEST_CASE("garbage: a peer answering random bytes fails cleanly while other BMCs keep working") {
    SimRack rack(1);
    boost::asio::io_context io;
    // The garbage peer: every datagram is answered with 1..300 random bytes,
    // some of them starting like an RMCP header to get past the first checks.
    namespace ip = boost::asio::ip;
    ip::udp::socket peer(io, ip::udp::endpoint(ip::make_address("127.0.0.1"), 0));
    std::array<std::uint8_t, 2048> inBuf{};
    ip::udp::endpoint from;
    std::mt19937 rng(4242);
    int datagrams = 0;
    std::function<void()> receive = [&] {
        peer.async_receive_from(boost::asio::buffer(inBuf), from, [&](boost::system::error_code ec, std::size_t n) {
            if (ec) return;
            ++datagrams;
            std::vector<std::uint8_t> out(1 + rng() % 300);
            for (auto& b : out)
                b = static_cast<std::uint8_t>(rng());
            if (datagrams % 2 == 0 && out.size() >= 6) {
                out[0] = 0x06;
                out[2] = 0xff;
                out[3] = 0x07;
                out[4] = static_cast<std::uint8_t>(datagrams % 4 == 0 ? 0x06 : 0x00);
                if (n >= 6) out[5] = inBuf[5];
            }
            boost::system::error_code sendEc;
            peer.send_to(boost::asio::buffer(out), from, 0, sendEc);
            receive();
        });
    };
    receive();

    Logs logs;
    IpmiClient client(io, options(logs));
    StateLog states;
    auto junk = client.connect(IpmiEndpoint{"127.0.0.1", peer.local_endpoint().port(), "admin", "pw"}, states.cb());
    auto good = client.connect(rack.endpoint(1), nullptr);
    REQUIRE(cmc::test::runUntil(
        io, [&] { return !states.events.empty() && good->up(); }, 30s));
    CHECK_FALSE(states.events.front().first);
    CHECK(datagrams > 0);
    CHECK_FALSE(junk->up());

    Slot<IpmiChassisStatus> j;
    junk->getChassisStatus(j.cb());
    REQUIRE(waitFor(io, j));
    CHECK_FALSE(j.result.ok());
    CHECK_ERROR(j.result, IpmiError::NotConnected); // not AuthFailed: garbage is no password check
    Slot<IpmiChassisStatus> ok;
    good->getChassisStatus(ok.cb());
    REQUIRE(waitFor(io, ok));
    CHECK(ok.result.ok());
    // Keep going a while: retries against the garbage peer, no crash, no up.
    cmc::test::runFor(io, 2s);
    CHECK_FALSE(junk->up());
    junk->close();
    Slot<IpmiDeviceId> after;
    good->getDeviceId(after.cb());
    REQUIRE(waitFor(io, after));
    CHECK(after.result.ok());
}

TEST_CASE("a host name is refused without a blocking lookup on the event loop") {
    boost::asio::io_context io;
    Logs logs;
    IpmiClient client(io, options(logs));
    StateLog states;
    auto c = client.connect(IpmiEndpoint{"bmc.example.invalid", 623, "admin", "pw"}, states.cb());
    REQUIRE(cmc::test::runUntil(
        io, [&] { return !states.events.empty(); }, 2s));
    CHECK_FALSE(states.events.front().first);
    CHECK(states.events.front().second.find("not an IP address") != std::string::npos);
    Slot<IpmiDeviceId> r;
    c->getDeviceId(r.cb());
    REQUIRE(waitFor(io, r));
    CHECK_ERROR(r.result, IpmiError::NotConnected);
}

TEST_CASE("cmcsim: client and connections torn down while OpenIPMI retransmits to a hung BMC") {
    SimRack rack(2);
    boost::asio::io_context io;
    Logs logs;
    std::vector<Slot<IpmiChassisStatus>> slots(6);
    std::shared_ptr<IpmiConnection> kept;
    {
        IpmiClient client(io, options(logs));
        auto a = client.connect(rack.endpoint(1), nullptr);
        kept = client.connect(rack.endpoint(2), nullptr);
        REQUIRE(cmc::test::runUntil(io, [&] { return a->up() && kept->up(); }));
        REQUIRE(rack.inject(1, "bmc-unresponsive") / 100 == 2);
        REQUIRE(rack.inject(2, "bmc-unresponsive") / 100 == 2);
        for (std::size_t i = 0; i < slots.size(); ++i)
            (i % 2 == 0 ? a : kept)->getChassisStatus(slots[i].cb());
        cmc::test::runFor(io, 300ms); // OpenIPMI has sent and is waiting to retransmit
        a.reset();                    // connection destroyed with requests inside OpenIPMI
    }                                 // client destroyed while `kept` is still held
    REQUIRE(cmc::test::runUntil(
        io, [&] { return std::all_of(slots.begin(), slots.end(), [](const auto& s) { return s.calls > 0; }); }));
    for (auto& s : slots)
        CHECK_ERROR(s.result, IpmiError::Closed);
    CHECK_FALSE(kept->up());
    Slot<IpmiDeviceId> late;
    kept->getDeviceId(late.cb());
    REQUIRE(waitFor(io, late));
    CHECK_ERROR(late.result, IpmiError::Closed);
    cmc::test::runFor(io, 1500ms); // OpenIPMI's retransmit timers would fire here
    for (auto& s : slots)
        CHECK(s.calls == 1);
    kept.reset();

    // A new client in the same process (one ipmi_init) works again.
    IpmiClient again(io, options(logs));
    REQUIRE(rack.clear(1, "bmc-unresponsive") / 100 == 2);
    auto c = again.connect(rack.endpoint(1), nullptr);
    REQUIRE(cmc::test::runUntil(
        io, [&] { return c->up(); }, 15s));
    Slot<IpmiChassisStatus> ok;
    c->getChassisStatus(ok.cb());
    REQUIRE(waitFor(io, ok));
    CHECK(ok.result.ok());
}

TEST_CASE("cmcsim: a slow BMC: Timeout first, the late answer is dropped, the session stays up") {
    SimRack rack(1);
    boost::asio::io_context io;
    Logs logs;
    auto opt = options(logs);
    opt.requestTimeout = 250ms;
    IpmiClient client(io, opt);
    auto c = client.connect(rack.endpoint(1), nullptr);
    REQUIRE(cmc::test::runUntil(io, [&] { return c->up(); }));
    // 30000 simulated ms at speed 50: answers come about 600 ms late.
    REQUIRE(cmc::test::http("POST", rack.control, "/sim/v1/blades/1/faults",
                            json{{"fault", "bmc-slow"}, {"delayMs", 30000}}.dump())
                    .status /
                100 ==
            2);
    Slot<IpmiChassisStatus> slow;
    c->getChassisStatus(slow.cb());
    REQUIRE(waitFor(io, slow));
    CHECK_ERROR(slow.result, IpmiError::Timeout);
    cmc::test::runFor(io, 900ms); // the late answer arrives meanwhile
    CHECK(slow.calls == 1);
    CHECK(c->up());
    REQUIRE(rack.clear(1, "bmc-slow") / 100 == 2);
    Slot<IpmiChassisStatus> ok;
    c->getChassisStatus(ok.cb());
    REQUIRE(waitFor(io, ok));
    CHECK(ok.result.ok());
}

TEST_CASE("cmcsim: two connections to the same BMC are independent") {
    SimRack rack(1);
    boost::asio::io_context io;
    Logs logs;
    IpmiClient client(io, options(logs));
    auto a = client.connect(rack.endpoint(1), nullptr);
    auto b = client.connect(rack.endpoint(1), nullptr);
    REQUIRE(cmc::test::runUntil(
        io, [&] { return a->up() && b->up(); }, 15s));
    a->close();
    Slot<IpmiChassisStatus> st;
    b->getChassisStatus(st.cb());
    REQUIRE(waitFor(io, st));
    CHECK(st.result.ok());
}
