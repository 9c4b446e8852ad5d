// IpmiClient against an independent BMC implementation: OpenIPMI's ipmi_sim
// (Debian package openipmi), configured in a temporary directory with a
// chassis_control script that keeps the power state in a file.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "southbound/ipmi/ipmi_client.hpp"
#include "test_support.hpp"

using namespace cmc::southbound;
using namespace std::chrono_literals;

namespace {

std::string findIpmiSim() {
    for (const char* p : {"/usr/bin/ipmi_sim", "/usr/local/bin/ipmi_sim"}) {
        if (::access(p, X_OK) == 0) return p;
    }
    return {};
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
}

} // namespace

TEST_CASE("ipmi_sim: chassis status and power control through an independent BMC") {
    const std::string ipmiSim = findIpmiSim();
    if (ipmiSim.empty()) {
        MESSAGE("SKIPPED: ipmi_sim not installed (Debian package openipmi)");
        return;
    }
    const std::string dir = cmc::test::makeTempDir("ipmi-client-ipmisim-");
    REQUIRE(!dir.empty());
    std::filesystem::create_directory(dir + "/state"); // fresh state per test
    const auto port = cmc::test::freeUdpPort();
    writeFile(dir + "/chassis.sh",
              "#!/bin/sh\n"
              "dir=$(dirname \"$0\")\n"
              "op=$1; shift 1\n"
              "case $op in\n"
              "get) for p in \"$@\"; do case $p in power) echo \"power:$(cat \"$dir/power\" 2>/dev/null || echo 0)\";; "
              "esac; done;;\n"
              "set) while [ $# -gt 1 ]; do case $1 in power) echo \"$2\" > \"$dir/power\";; esac; shift 2; done;;\n"
              "esac\n"
              "exit 0\n");
    ::chmod((dir + "/chassis.sh").c_str(), 0755);
    writeFile(dir + "/lan.conf", "name \"cmctest\"\n"
                                 "set_working_mc 0x20\n"
                                 "  startlan 1\n"
                                 "    addr 127.0.0.1 " +
                                     std::to_string(port) +
                                     "\n"
                                     "    priv_limit admin\n"
                                     "    allowed_auths_callback md5\n"
                                     "    allowed_auths_user md5\n"
                                     "    allowed_auths_operator md5\n"
                                     "    allowed_auths_admin md5\n"
                                     "    guid a123456789abcdefa123456789abcdef\n"
                                     "  endlan\n"
                                     "  chassis_control \"" +
                                     dir +
                                     "/chassis.sh\"\n"
                                     "user 2 true \"cmcadmin\" \"s3cret-pass\" admin 10 md5\n");
    writeFile(dir + "/bmc.emu", "mc_setbmc 0x20\n"
                                "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02\n"
                                "sel_enable 0x20 1000 0x0a\n"
                                "mc_enable 0x20\n");
    cmc::test::ChildProcess sim;
    // ipmi_sim says little on stdout: the client retries until it listens.
    const bool started = cmc::test::startChild(
        sim, {ipmiSim, "-c", dir + "/lan.conf", "-f", dir + "/bmc.emu", "-s", dir + "/state", "-n"}, "", 10s);
    REQUIRE_MESSAGE(started, "ipmi_sim did not start: " << sim.output);

    {
        boost::asio::io_context io;
        std::vector<std::string> logs;
        IpmiClientOptions opt;
        opt.requestTimeout = 3000ms; // the chassis_control hook forks a shell per request
        opt.log = [&](const std::string& l) { logs.push_back(l); };
        IpmiClient client(io, opt);
        auto c = client.connect(IpmiEndpoint{"127.0.0.1", port, "cmcadmin", "s3cret-pass"}, nullptr);
        REQUIRE_MESSAGE(cmc::test::runUntil(
                            io, [&] { return c->up(); }, 15s),
                        "no session with ipmi_sim");

        auto status = [&] {
            IpmiResult<IpmiChassisStatus> out;
            bool done = false;
            c->getChassisStatus([&](IpmiResult<IpmiChassisStatus> r) {
                out = std::move(r);
                done = true;
            });
            REQUIRE(cmc::test::runUntil(io, [&] { return done; }));
            return out;
        };
        auto control = [&](ChassisControl op) {
            IpmiResult<bool> out;
            bool done = false;
            c->chassisControl(op, [&](IpmiResult<bool> r) {
                out = std::move(r);
                done = true;
            });
            REQUIRE(cmc::test::runUntil(io, [&] { return done; }));
            return out;
        };

        auto s0 = status();
        REQUIRE_MESSAGE(s0.ok(), s0.message);
        CHECK_FALSE(s0.value.powerOn);
        auto on = control(ChassisControl::PowerUp);
        REQUIRE_MESSAGE(on.ok(), on.message);
        auto s1 = status();
        REQUIRE(s1.ok());
        CHECK(s1.value.powerOn);
        auto off = control(ChassisControl::PowerDown);
        REQUIRE(off.ok());
        auto s2 = status();
        REQUIRE(s2.ok());
        CHECK_FALSE(s2.value.powerOn);

        IpmiResult<IpmiDeviceId> dev;
        bool devDone = false;
        c->getDeviceId([&](IpmiResult<IpmiDeviceId> r) {
            dev = std::move(r);
            devDone = true;
        });
        REQUIRE(cmc::test::runUntil(io, [&] { return devDone; }));
        REQUIRE(dev.ok());
        CHECK(dev.value.manufacturerId == 0x1291);
        CHECK(dev.value.productId == 0x0f02);
    }
    cmc::test::stopChild(sim);
    cmc::test::removeTree(dir);
}
