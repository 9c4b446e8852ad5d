// FRU read and SEL walk against a fake BMC (answers synchronously).
#include <doctest/doctest.h>

#include <map>

#include "fru_builder.hpp"
#include "southbound/ipmi/ipmi_client_ops.hpp"

using namespace cmc::southbound;
using namespace cmc::southbound::ipmi;

namespace {

std::string err(IpmiError e) {
    return toString(e);
}

struct FakeBmc {
    std::vector<std::uint8_t> fru;
    std::size_t maxChunk = 255;
    std::vector<IpmiSelEntry> sel;
    bool needReservation = false;
    std::uint16_t reservation = 0x4242;
    int commands = 0;
    int reserves = 0;
    bool loopSel = false;

    Submit submit() {
        return [this](std::uint8_t netfn, std::uint8_t cmd, std::vector<std::uint8_t> d, RawDone done) {
            ++commands;
            RawResult r;
            r.value = answer(netfn, cmd, d);
            if (r.value[0] != 0) {
                r.error = IpmiError::CompletionCode;
                r.completionCode = r.value[0];
            }
            done(std::move(r));
        };
    }

    std::vector<std::uint8_t> answer(std::uint8_t netfn, std::uint8_t cmd, const std::vector<std::uint8_t>& d) {
        if (netfn == kNetFnStorage && cmd == kCmdGetFruAreaInfo)
            return {0x00, static_cast<std::uint8_t>(fru.size() & 0xff), static_cast<std::uint8_t>(fru.size() >> 8),
                    0x00};
        if (netfn == kNetFnStorage && cmd == kCmdReadFruData) {
            const std::size_t off = d[1] | (d[2] << 8);
            const std::size_t n = d[3];
            if (n > maxChunk) return {kCcCannotReturnLength};
            if (off + n > fru.size()) return {0xc9};
            std::vector<std::uint8_t> out{0x00, static_cast<std::uint8_t>(n)};
            out.insert(out.end(), fru.begin() + static_cast<long>(off), fru.begin() + static_cast<long>(off + n));
            return out;
        }
        if (netfn == kNetFnStorage && cmd == kCmdReserveSel) {
            ++reserves;
            return {0x00, static_cast<std::uint8_t>(reservation & 0xff), static_cast<std::uint8_t>(reservation >> 8)};
        }
        if (netfn == kNetFnStorage && cmd == kCmdGetSelEntry) {
            const std::uint16_t res = static_cast<std::uint16_t>(d[0] | (d[1] << 8));
            if (needReservation && res != reservation) return {kCcInvalidReservation};
            std::uint16_t id = static_cast<std::uint16_t>(d[2] | (d[3] << 8));
            if (sel.empty()) return {kCcNotPresent};
            std::size_t i = 0;
            if (id == 0) {
                i = 0;
            } else if (id == 0xffff) {
                i = sel.size() - 1;
            } else {
                while (i < sel.size() && sel[i].recordId != id)
                    ++i;
                if (i == sel.size()) return {kCcNotPresent};
            }
            const auto& e = sel[i];
            std::uint16_t next = i + 1 < sel.size() ? sel[i + 1].recordId : 0xffff;
            if (loopSel) next = sel[0].recordId;
            return {0x00,
                    static_cast<std::uint8_t>(next & 0xff),
                    static_cast<std::uint8_t>(next >> 8),
                    static_cast<std::uint8_t>(e.recordId & 0xff),
                    static_cast<std::uint8_t>(e.recordId >> 8),
                    0x02,
                    0x01,
                    0x00,
                    0x00,
                    0x00,
                    0x20,
                    0x00,
                    0x04,
                    e.sensorType,
                    e.sensorNumber,
                    0x6f,
                    0x00,
                    0xff,
                    0xff};
        }
        return {0xc1};
    }
};

IpmiSelEntry entry(std::uint16_t id, std::uint8_t sensorType) {
    IpmiSelEntry e;
    e.recordId = id;
    e.sensorType = sensorType;
    e.sensorNumber = static_cast<std::uint8_t>(id);
    return e;
}

} // namespace

TEST_CASE("FRU read: chunks, chunk shrinking, serial number") {
    FakeBmc bmc;
    bmc.fru = cmc::test::buildFru({"Acme", "Board", "SERIAL-77", "PN"}, {"Acme", "Blade", "M", "2", "PS", "AT"});
    bmc.fru.resize(bmc.fru.size() + 40, 0); // unused space after the areas
    SUBCASE("BMC takes large reads") {
        bmc.maxChunk = 255;
    }
    SUBCASE("BMC takes only 7 bytes at a time") {
        bmc.maxChunk = 7;
    }
    IpmiResult<IpmiFru> out;
    int calls = 0;
    startFruRead(bmc.submit(), [&](IpmiResult<IpmiFru> r) {
        ++calls;
        out = std::move(r);
    });
    CHECK(calls == 1);
    REQUIRE_MESSAGE(out.ok(), out.message);
    CHECK(out.value.boardSerialNumber == "SERIAL-77");
    CHECK(out.value.productName == "Blade");
}

TEST_CASE("FRU read: a corrupted area is Malformed, an area outside the FRU is Malformed") {
    FakeBmc bmc;
    bmc.fru = cmc::test::buildFru({"Acme", "Board", "SERIAL-77", "PN"}, {"Acme", "Blade", "M", "2", "PS", "AT"});
    SUBCASE("checksum") {
        bmc.fru[12] ^= 0x55;
    }
    SUBCASE("truncated device") {
        bmc.fru.resize(20);
    }
    IpmiResult<IpmiFru> out;
    int calls = 0;
    startFruRead(bmc.submit(), [&](IpmiResult<IpmiFru> r) {
        ++calls;
        out = std::move(r);
    });
    CHECK(calls == 1);
    CHECK(err(out.error) == err(IpmiError::Malformed));
}

TEST_CASE("SEL walk: next-record ids, max, firstId, reservation, empty, loops") {
    FakeBmc bmc;
    bmc.sel = {entry(3, 0x01), entry(7, 0x09), entry(8, 0x02), entry(20, 0x09)};
    auto walk = [&](std::uint16_t first, std::size_t max) {
        IpmiResult<std::vector<IpmiSelEntry>> out;
        int calls = 0;
        startSelRead(bmc.submit(), first, max, [&](IpmiResult<std::vector<IpmiSelEntry>> r) {
            ++calls;
            out = std::move(r);
        });
        CHECK(calls == 1);
        return out;
    };
    auto all = walk(0, 100);
    REQUIRE(all.ok());
    REQUIRE(all.value.size() == 4);
    CHECK(all.value[1].sensorType == 0x09);
    CHECK(all.value[3].recordId == 20);

    auto two = walk(7, 2);
    REQUIRE(two.ok());
    REQUIRE(two.value.size() == 2);
    CHECK(two.value[0].recordId == 7);
    CHECK(two.value[1].recordId == 8);

    auto between = walk(5, 100); // 5 is no record id: ids >= 5
    REQUIRE(between.ok());
    REQUIRE(between.value.size() == 3);
    CHECK(between.value[0].recordId == 7);

    CHECK(walk(0, 0).value.empty());

    bmc.needReservation = true;
    auto reserved = walk(0, 100);
    REQUIRE_MESSAGE(reserved.ok(), reserved.message);
    CHECK(reserved.value.size() == 4);
    CHECK(bmc.reserves == 1);

    bmc.loopSel = true;
    CHECK(err(walk(0, 100).error) == err(IpmiError::Malformed));

    FakeBmc empty;
    IpmiResult<std::vector<IpmiSelEntry>> out;
    startSelRead(empty.submit(), 0, 10, [&](IpmiResult<std::vector<IpmiSelEntry>> r) { out = std::move(r); });
    CHECK(out.ok());
    CHECK(out.value.empty());
}

TEST_CASE("decodeWith carries transport errors and decodes completion codes") {
    IpmiResult<IpmiChassisStatus> got;
    auto cb = decodeWith(
        std::function<void(IpmiResult<IpmiChassisStatus>)>([&](IpmiResult<IpmiChassisStatus> r) { got = r; }),
        decodeChassisStatus);
    RawResult t;
    t.error = IpmiError::Timeout;
    t.message = "no answer";
    cb(t);
    CHECK(err(got.error) == err(IpmiError::Timeout));
    RawResult cc;
    cc.error = IpmiError::CompletionCode;
    cc.completionCode = 0xd4;
    cc.value = {0xd4};
    cb(cc);
    CHECK(err(got.error) == err(IpmiError::CompletionCode));
    CHECK(got.completionCode == 0xd4);
}
