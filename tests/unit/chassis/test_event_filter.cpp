// The EventService's pure parts: the SSE $filter, a subscription's lists, the
// destination policy and the #Event payload.
#include <doctest/doctest.h>

#include "northbound/event_filter.hpp"

using namespace cmc;
using northbound::EventFilter;

namespace {

domain::Event event(const std::string& key, const std::string& origin, const std::string& prefix = "OpenCMC.1.0.0") {
    domain::Event e;
    e.id = 7;
    e.timeMs = 1700000000000;
    e.messageId = prefix + "." + key;
    e.origin = origin;
    e.severity = "Critical";
    e.message = "m";
    e.args = {"2"};
    return e;
}

bool accepts(const std::string& text, const domain::Event& e) {
    std::string error;
    auto f = EventFilter::parse(text, error);
    REQUIRE_MESSAGE(f, text << ": " << error);
    return f->matches(e);
}

std::string rejects(const std::string& text) {
    std::string error;
    auto f = EventFilter::parse(text, error);
    CHECK_MESSAGE(!f, text);
    CHECK(!error.empty());
    return error;
}

} // namespace

TEST_CASE("$filter: MessageId, OriginResource, RegistryPrefix with eq") {
    auto failed2 = event("BladeFailed", "/redfish/v1/Chassis/blade-2");
    CHECK(accepts("MessageId eq 'OpenCMC.1.0.0.BladeFailed'", failed2));
    CHECK(accepts("MessageId eq 'OpenCMC.BladeFailed'", failed2)); // versions left out match any
    CHECK(accepts("MessageId eq 'OpenCMC.1.BladeFailed'", failed2));
    CHECK_FALSE(accepts("MessageId eq 'OpenCMC.2.BladeFailed'", failed2));
    CHECK_FALSE(accepts("MessageId eq 'OpenCMC.1.0.0.BladeRecovered'", failed2));
    CHECK_FALSE(accepts("MessageId eq 'Other.BladeFailed'", failed2));
    CHECK(accepts("OriginResource eq '/redfish/v1/Chassis/blade-2'", failed2));
    CHECK(accepts("OriginResource eq '/redfish/v1/Chassis/blade-2/'", failed2));
    CHECK_FALSE(accepts("OriginResource eq '/redfish/v1/Chassis/blade-20'", failed2));
    CHECK(accepts("RegistryPrefix eq 'OpenCMC'", failed2));
    CHECK_FALSE(accepts("RegistryPrefix eq 'ResourceEvent'", failed2));
    CHECK(accepts("", failed2));
    CHECK(accepts("   ", failed2));
}

TEST_CASE("$filter: and binds tighter than or; parentheses; keywords in any case") {
    auto failed2 = event("BladeFailed", "/redfish/v1/Chassis/blade-2");
    auto failed3 = event("BladeFailed", "/redfish/v1/Chassis/blade-3");
    auto started = event("ServiceStarted", "/redfish/v1/Managers/cmc");
    const std::string f = "MessageId eq 'OpenCMC.BladeFailed' and OriginResource eq '/redfish/v1/Chassis/blade-3' or "
                          "MessageId eq 'OpenCMC.ServiceStarted'";
    CHECK_FALSE(accepts(f, failed2));
    CHECK(accepts(f, failed3));
    CHECK(accepts(f, started));
    const std::string g = "MessageId eq 'OpenCMC.BladeFailed' and (OriginResource eq '/redfish/v1/Chassis/blade-3' or "
                          "OriginResource eq '/redfish/v1/Managers/cmc')";
    CHECK_FALSE(accepts(g, failed2));
    CHECK(accepts(g, failed3));
    CHECK_FALSE(accepts(g, started));
    CHECK(accepts("(MessageId EQ 'OpenCMC.BladeFailed') OR (MessageId eq 'x.y')", failed2));
    CHECK(accepts("((((RegistryPrefix eq 'OpenCMC'))))", failed2));
    CHECK(accepts("OriginResource eq '/a''b'", event("X", "/a'b"))); // '' is a quote
}

TEST_CASE("$filter: what is refused, with a reason") {
    CHECK(rejects("MessageId").find("'eq' expected") != std::string::npos);
    CHECK(rejects("MessageId ne 'x'").find("'eq' expected") != std::string::npos);
    CHECK(rejects("Severity eq 'OK'").find("not a property") != std::string::npos);
    CHECK(rejects("MessageId eq 'x").find("not closed") != std::string::npos);
    CHECK(rejects("MessageId eq x").find("quoted value") != std::string::npos);
    CHECK(rejects("MessageId eq 'x' MessageId eq 'y'").find("'and' or 'or' expected") != std::string::npos);
    CHECK(rejects("(MessageId eq 'x'").find("')' expected") != std::string::npos);
    CHECK(rejects("MessageId eq 'x' or").find("property name expected") != std::string::npos);
    CHECK(rejects("MessageId eq 'x' ; drop").find("unexpected ';'") != std::string::npos);
    CHECK(rejects(std::string(40, '(') + "MessageId eq 'x'" + std::string(40, ')')).find("deeper") !=
          std::string::npos);
    CHECK(rejects(std::string(5000, ' ')).find("longer") != std::string::npos);
}

TEST_CASE("$filter parameter from a raw query") {
    std::vector<std::string> others;
    CHECK(northbound::filterParameter("$filter=MessageId%20eq%20'A.B'", others) == "MessageId eq 'A.B'");
    CHECK(northbound::filterParameter("%24filter=MessageId+eq+'A.B'&x=1", others) == "MessageId eq 'A.B'");
    CHECK(others == std::vector<std::string>{"x"});
}

TEST_CASE("a subscription's RegistryPrefixes, MessageIds and OriginResources all apply") {
    domain::EventSubscription s;
    auto failed2 = event("BladeFailed", "/redfish/v1/Chassis/blade-2");
    auto other = event("ResourcePoweredOff", "/redfish/v1/Chassis/blade-2", "ResourceEvent.1.4");
    CHECK(northbound::subscriptionMatches(s, failed2));
    s.registryPrefixes = {"OpenCMC"};
    CHECK(northbound::subscriptionMatches(s, failed2));
    CHECK_FALSE(northbound::subscriptionMatches(s, other));
    s.messageIds = {"OpenCMC.1.0.BladeRecovered"};
    CHECK_FALSE(northbound::subscriptionMatches(s, failed2));
    s.messageIds.push_back("OpenCMC.9.9.BladeFailed"); // versions ignored (DSP0266)
    CHECK(northbound::subscriptionMatches(s, failed2));
    s.originResources = {"/redfish/v1/Chassis/blade-3"};
    CHECK_FALSE(northbound::subscriptionMatches(s, failed2));
    s.originResources.push_back("/redfish/v1/Chassis/blade-2");
    CHECK(northbound::subscriptionMatches(s, failed2));
}

TEST_CASE("destinations: http(s) only, loopback always, others by rule") {
    using northbound::destinationAllowed;
    using northbound::parseAllowRule;
    using northbound::parseDestination;
    auto d = parseDestination("http://127.0.0.1:9000/events?x=1");
    REQUIRE(d);
    CHECK(d->host == "127.0.0.1");
    CHECK(d->port == 9000);
    CHECK(d->target == "/events?x=1");
    CHECK(d->baseUrl() == "http://127.0.0.1:9000");
    CHECK(parseDestination("https://[::1]/")->baseUrl() == "https://[::1]:443");
    CHECK(parseDestination("http://EXAMPLE.com")->target == "/");
    CHECK_FALSE(parseDestination("ftp://x/"));
    CHECK_FALSE(parseDestination("http://user:pw@x/"));
    CHECK_FALSE(parseDestination("http://:80/"));
    CHECK_FALSE(parseDestination("http://x:99999/"));
    CHECK_FALSE(parseDestination("http://x/a b"));
    CHECK_FALSE(parseDestination("not a uri"));

    std::vector<northbound::AllowRule> none;
    CHECK(destinationAllowed(*parseDestination("http://127.0.0.1:1/"), none));
    CHECK(destinationAllowed(*parseDestination("http://127.5.0.1/"), none));
    CHECK(destinationAllowed(*parseDestination("http://[::1]:8/"), none));
    CHECK(destinationAllowed(*parseDestination("http://localhost:8/"), none));
    CHECK_FALSE(destinationAllowed(*parseDestination("http://10.1.2.3/"), none));

    std::vector<northbound::AllowRule> rules;
    for (const char* r : {"10.1.0.0/16", "collector.example:8443", "192.168.7.9", "fd00::/8"}) {
        auto rule = parseAllowRule(r);
        REQUIRE_MESSAGE(rule, r);
        rules.push_back(*rule);
    }
    CHECK(destinationAllowed(*parseDestination("http://10.1.2.3/"), rules));
    CHECK_FALSE(destinationAllowed(*parseDestination("http://10.2.2.3/"), rules));
    CHECK(destinationAllowed(*parseDestination("https://collector.example:8443/r"), rules));
    CHECK_FALSE(destinationAllowed(*parseDestination("https://collector.example/r"), rules));
    CHECK(destinationAllowed(*parseDestination("http://192.168.7.9:1234/"), rules));
    CHECK(destinationAllowed(*parseDestination("http://[fd12::5]/"), rules));
    CHECK_FALSE(destinationAllowed(*parseDestination("http://[fe80::5]/"), rules));
    for (const char* bad : {"", "10.0.0.0/33", "x/8", "host:0", "a b", "[::1", "10.0.0.0/"})
        CHECK_MESSAGE(!parseAllowRule(bad), bad);
}

TEST_CASE("the #Event payload of an event") {
    auto j = northbound::eventPayload(event("BladeFailed", "/redfish/v1/Chassis/blade-2"), "ctx");
    CHECK(j["@odata.type"] == "#Event.v1_13_0.Event");
    CHECK(j["Id"] == "7");
    CHECK(j["Context"] == "ctx");
    const auto& r = j["Events"][0];
    CHECK(r["EventId"] == "7");
    CHECK(r["MessageId"] == "OpenCMC.1.0.0.BladeFailed");
    CHECK(r["MessageArgs"] == nlohmann::json::array({"2"}));
    CHECK(r["MessageSeverity"] == "Critical");
    CHECK(r["OriginOfCondition"]["@odata.id"] == "/redfish/v1/Chassis/blade-2");
    CHECK(r["EventTimestamp"] == "2023-11-14T22:13:20.000Z");
    CHECK(r["LogEntry"]["@odata.id"] == "/redfish/v1/Managers/cmc/LogServices/EventLog/Entries/7");
}
