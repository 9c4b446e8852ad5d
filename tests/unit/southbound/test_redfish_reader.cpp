// The untrusted-JSON accessor layer and the SSE framing, fed DMTF's own
// mockups and the mangled forms BMCs send in the field (null, missing, wrong
// type). Nothing here may throw.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/json_reader.hpp"
#include "southbound/redfish/sse_parser.hpp"

using cmc::southbound::SseEvent;
using cmc::southbound::SseParser;
using json = nlohmann::json;
namespace jsonr = cmc::jsonr;
namespace fs = std::filesystem;

namespace {

json load(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    auto j = jsonr::parse(ss.str());
    REQUIRE(j.has_value());
    return *j;
}

// Every accessor on every key of a document, recursively.
std::size_t exercise(const json& j) {
    std::size_t n = 0;
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            const std::string& k = it.key();
            (void)jsonr::member(j, k);
            (void)jsonr::object(j, k);
            (void)jsonr::array(j, k);
            (void)jsonr::string(j, k);
            (void)jsonr::text(j, k);
            (void)jsonr::boolean(j, k);
            (void)jsonr::integer(j, k);
            (void)jsonr::number(j, k);
            (void)jsonr::link(j, k);
            (void)jsonr::links(j, k);
            (void)jsonr::firstLink(j, k);
            (void)jsonr::strings(j, k);
            ++n;
            n += exercise(it.value());
        }
    } else if (j.is_array()) {
        for (const auto& e : j)
            n += exercise(e);
    }
    return n;
}

// Replaces values at random with null, another type, or removes them.
void mangle(json& j, std::mt19937& rng) {
    if (j.is_object()) {
        std::vector<std::string> keys;
        for (auto it = j.begin(); it != j.end(); ++it)
            keys.push_back(it.key());
        for (const auto& k : keys) {
            switch (rng() % 7) {
            case 0: j[k] = nullptr; break;
            case 1: j.erase(k); break;
            case 2: j[k] = 42; break;
            case 3: j[k] = "text"; break;
            case 4: j[k] = json::array({1, "x", nullptr}); break;
            default: mangle(j[k], rng); break;
            }
        }
    } else if (j.is_array()) {
        for (auto& e : j)
            mangle(e, rng);
    }
}

fs::path mockups() {
    return fs::path(CMC_MOCKUPS_DIR);
}

} // namespace

TEST_CASE("absent means missing, null or wrong-typed, never an exception") {
    auto j = json::parse(R"({"Model": 5, "Serial": null, "Name": "blade", "Empty": "", "Count": 4.0,
        "Frac": 2.5, "Big": 18446744073709551615, "Neg": -3, "Ok": true,
        "Links": {"Chassis": {"@odata.id": "/redfish/v1/Chassis/1"}, "ManagedBy": [{"@odata.id": "/m"}, 7, {}]},
        "Members": [{"@odata.id": null}, "x", {"@odata.id": "/a"}], "Types": ["On", 3, "Off"]})");
    CHECK_FALSE(jsonr::string(j, "Model"));
    CHECK_FALSE(jsonr::string(j, "Serial"));
    CHECK_FALSE(jsonr::string(j, "Missing"));
    CHECK(*jsonr::string(j, "Name") == "blade");
    CHECK(jsonr::string(j, "Empty").has_value());
    CHECK_FALSE(jsonr::text(j, "Empty"));
    CHECK(*jsonr::integer(j, "Count") == 4);
    CHECK_FALSE(jsonr::integer(j, "Frac"));
    CHECK_FALSE(jsonr::integer(j, "Big"));
    CHECK_FALSE(jsonr::integer(j, "Neg", 0, 10));
    CHECK(*jsonr::number(j, "Frac") == doctest::Approx(2.5));
    CHECK_FALSE(jsonr::boolean(j, "Name"));
    CHECK(*jsonr::boolean(j, "Ok"));
    const json* links = jsonr::object(j, "Links");
    REQUIRE(links);
    CHECK(*jsonr::firstLink(*links, "Chassis") == "/redfish/v1/Chassis/1"); // object where an array belongs
    CHECK(*jsonr::firstLink(*links, "ManagedBy") == "/m");
    CHECK(jsonr::links(j, "Members") == std::vector<std::string>{"/a"});
    CHECK(jsonr::strings(j, "Types") == std::vector<std::string>{"On", "Off"});
    // Not an object at all.
    json arr = json::array({1, 2});
    CHECK_FALSE(jsonr::member(arr, "x"));
    CHECK_FALSE(jsonr::string(json("str"), "x"));
    CHECK_FALSE(jsonr::parse("{\"a\": "));
    CHECK_FALSE(jsonr::parse(std::string(1, '\0')));
}

TEST_CASE("the DMTF mockups read through the accessors, plain and mangled") {
    if (!fs::is_directory(mockups())) {
        MESSAGE("mockups not found at " << mockups().string());
        return;
    }
    std::size_t files = 0, keys = 0;
    std::mt19937 rng(7);
    for (const auto& e : fs::recursive_directory_iterator(mockups())) {
        if (e.path().filename() != "index.json") continue;
        auto j = load(e.path());
        ++files;
        keys += exercise(j);
        for (int round = 0; round < 3; ++round) {
            auto m = j;
            mangle(m, rng);
            CHECK_NOTHROW(exercise(m));
        }
    }
    CHECK(files > 100);
    CHECK(keys > 1000);
    // What cmcd's discovery reads from the bladed mockup's first system.
    auto sys = load(mockups() / "public-bladed" / "Systems" / "529QB9450R6" / "index.json");
    CHECK(*jsonr::text(sys, "Model") == "SX1000");
    CHECK(*jsonr::integer(*jsonr::object(sys, "ProcessorSummary"), "Count") == 1);
    CHECK(*jsonr::number(*jsonr::object(sys, "MemorySummary"), "TotalSystemMemoryGiB") == doctest::Approx(64));
    CHECK(*jsonr::firstLink(*jsonr::object(sys, "Links"), "ManagedBy") == "/redfish/v1/Managers/Blade1BMC");
    auto coll = load(mockups() / "public-bladed" / "Systems" / "index.json");
    CHECK(jsonr::links(coll, "Members").size() == 4);
}

TEST_CASE("SSE framing: fields, CRLF, comments, split chunks, multi-line data, ids") {
    SseParser p;
    std::vector<SseEvent> got;
    auto on = [&](const SseEvent& e) { got.push_back(e); };
    std::string stream =
        ": keep-alive\r\n\r\nid: 7\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\nevent: x\ndata:plain\n\nretry: 10\n\n";
    // Byte by byte: chunk boundaries anywhere.
    for (char c : stream)
        p.feed(std::string_view(&c, 1), on);
    REQUIRE(got.size() == 2);
    CHECK(got[0].id == "7");
    CHECK(got[0].data == "{\"a\":\n1}");
    CHECK(got[0].event == "message");
    CHECK(got[1].event == "x");
    CHECK(got[1].data == "plain");
    CHECK(got[1].id == "7"); // the last id carries on
    CHECK(p.lastEventId() == "7");
}

TEST_CASE("SSE framing: an event larger than the bound is dropped, the stream goes on") {
    SseParser p(64);
    std::vector<SseEvent> got;
    auto on = [&](const SseEvent& e) { got.push_back(e); };
    CHECK(p.feed("data: " + std::string(500, 'x') + "\n\n", on) == 1);
    p.feed("data: small\n\n", on);
    REQUIRE(got.size() == 1);
    CHECK(got[0].data == "small");
}
