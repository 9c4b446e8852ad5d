#include <doctest/doctest.h>

#include <map>

#include "redfish/query.hpp"
#include "redfish/redfish_errors.hpp"

using namespace cmc;
using nlohmann::json;
namespace q = cmc::redfish::query;

namespace {

std::string messageIdOf(const http::Response& r) {
    auto body = json::parse(r.body, nullptr, false);
    if (!body.is_object() || !body.contains("error")) return {};
    return body["error"]["code"].get<std::string>();
}

// A small resource tree answered synchronously, as the BMC does.
struct Tree {
    std::map<std::string, json> resources;
    int fetches = 0;
    q::Fetch fetch() {
        return [this](const std::string& uri, q::Fetched done) {
            ++fetches;
            auto it = resources.find(uri);
            if (it == resources.end())
                done(std::nullopt);
            else
                done(it->second);
        };
    }
};

json link(const std::string& uri) {
    return json{{"@odata.id", uri}};
}

json member(int i) {
    const std::string id = "/redfish/v1/Things/" + std::to_string(i);
    return json{{"@odata.id", id},
                {"@odata.type", "#Thing.v1_0_0.Thing"},
                {"Id", std::to_string(i)},
                {"Name", "Thing"},
                {"Status", {{"Health", "OK"}, {"State", "Enabled"}}},
                {"Links", {{"Parent", link("/redfish/v1/Things")}}}};
}

json things(int n) {
    json c{{"@odata.id", "/redfish/v1/Things"},
           {"@odata.type", "#ThingCollection.ThingCollection"},
           {"Name", "Things"},
           {"Members", json::array()}};
    for (int i = 1; i <= n; ++i)
        c["Members"].push_back(link("/redfish/v1/Things/" + std::to_string(i)));
    c["Members@odata.count"] = n;
    return c;
}

Tree tree(int n) {
    Tree t;
    t.resources["/redfish/v1/Things"] = things(n);
    for (int i = 1; i <= n; ++i)
        t.resources["/redfish/v1/Things/" + std::to_string(i)] = member(i);
    return t;
}

json applied(const json& body, const std::string& query, Tree& t) {
    q::Query parsed;
    auto err = q::parse(query, parsed);
    REQUIRE_FALSE(err.has_value());
    std::optional<http::Response> out;
    q::apply(redfish::jsonResponse(200, body), parsed, "/redfish/v1/Things", t.fetch(),
             [&out](http::Response r) { out = std::move(r); });
    REQUIRE(out.has_value()); // synchronous fetches answer at once
    return json::parse(out->body);
}

} // namespace

TEST_CASE("query parameters parse; non-$ parameters are ignored") {
    q::Query p;
    REQUIRE_FALSE(q::parse("", p));
    CHECK(p.empty());
    REQUIRE_FALSE(q::parse("foo=bar&x", p));
    CHECK(p.empty());
    REQUIRE_FALSE(q::parse("$top=2&$skip=10", p));
    CHECK(*p.top == 2u);
    CHECK(*p.skip == 10u);
    REQUIRE_FALSE(q::parse("$select=Name,Status/Health", p));
    CHECK(p.select == std::vector<std::string>{"Name", "Status/Health"});
    REQUIRE_FALSE(q::parse("$expand=*", p));
    CHECK(p.expand == q::Expand::All);
    CHECK(p.levels == 1u);
    REQUIRE_FALSE(q::parse("$expand=.($levels=2)", p));
    CHECK(p.expand == q::Expand::Subordinate);
    CHECK(p.levels == 2u);
    REQUIRE_FALSE(q::parse("$expand=~(%24levels=99)", p)); // percent-encoded '$'; levels capped
    CHECK(p.expand == q::Expand::Links);
    CHECK(p.levels == q::kMaxExpandLevels);
    REQUIRE_FALSE(q::parse("only", p));
    CHECK(p.only);
    REQUIRE_FALSE(q::parse("$filter=MessageId%20eq%20'x'", p, true));
    CHECK(*p.filter == "MessageId eq 'x'");
    CHECK(p.empty()); // a $filter is the route's own
}

TEST_CASE("unsupported query options answer 501 QueryNotSupported") {
    q::Query p;
    for (const char* s : {"$filter=Id eq 1", "$orderby=Name", "$count=true", "$levels=1", "$search=x", "$=1"}) {
        auto err = q::parse(s, p);
        REQUIRE(err.has_value());
        CHECK(err->status == 501);
        CHECK(messageIdOf(*err) == "Base.1.22.1.QueryNotSupported");
    }
}

TEST_CASE("malformed query values answer 400 with the query parameter messages") {
    struct Case {
        const char* query;
        const char* id;
    };
    const Case cases[] = {
        {"$top=abc", "QueryParameterValueTypeError"},
        {"$top=", "QueryParameterValueTypeError"},
        {"$top=1.5", "QueryParameterValueTypeError"},
        {"$top=-1", "QueryParameterOutOfRange"},
        {"$skip=-3", "QueryParameterOutOfRange"},
        {"$skip=99999999999999999999", "QueryParameterOutOfRange"},
        {"$skip=x", "QueryParameterValueTypeError"},
        {"$expand=bogus", "QueryParameterValueFormatError"},
        {"$expand=", "QueryParameterValueFormatError"},
        {"$expand=*($levels=)", "QueryParameterValueFormatError"},
        {"$expand=*($levels=x)", "QueryParameterValueFormatError"},
        {"$expand=*(levels=1)", "QueryParameterValueFormatError"},
        {"$expand=.($levels=1", "QueryParameterValueFormatError"},
        {"$expand=*($levels=0)", "QueryParameterOutOfRange"},
        {"$select=", "QueryParameterValueFormatError"},
        {"$select=Name,,Id", "QueryParameterValueFormatError"},
        {"$select=/Name", "QueryParameterValueFormatError"},
        {"$select=Status//Health", "QueryParameterValueFormatError"},
        {"$select=Na<me", "QueryParameterValueFormatError"},
        {"$select=Nope/../x", "QueryParameterValueFormatError"},
        {"$top=1&$top=2", "QueryParameterValueFormatError"},
        {"$select=.", "QueryParameterValueFormatError"},
        {"$top=%zz", "QueryParameterValueFormatError"},
        {"only=yes", "QueryParameterValueFormatError"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.query);
        q::Query p;
        auto err = q::parse(c.query, p);
        REQUIRE(err.has_value());
        CHECK(err->status == 400);
        CHECK(messageIdOf(*err) == std::string("Base.1.22.1.") + c.id);
        auto body = json::parse(err->body);
        const auto text = body["error"]["message"].get<std::string>();
        CHECK(text.find("%1") == std::string::npos); // every argument filled
        CHECK(text.find("%2") == std::string::npos);
    }
    q::Query p;
    auto err = q::parse("$filter=", p, true);
    REQUIRE(err.has_value());
    CHECK(err->status == 400);
}

TEST_CASE("$top and $skip slice Members, keep the total count and link the next page") {
    Tree t = tree(5);
    auto page = applied(things(5), "$top=2&$skip=1", t);
    REQUIRE(page["Members"].size() == 2u);
    CHECK(page["Members"][0]["@odata.id"] == "/redfish/v1/Things/2");
    CHECK(page["Members@odata.count"] == 5);
    CHECK(page["Members@odata.nextLink"] == "/redfish/v1/Things?$skip=3&$top=2");
    auto last = applied(things(5), "$top=2&$skip=3", t);
    CHECK(last["Members"].size() == 2u);
    CHECK_FALSE(last.contains("Members@odata.nextLink"));
    auto beyond = applied(things(5), "$skip=9", t);
    CHECK(beyond["Members"].empty());
    CHECK(beyond["Members@odata.count"] == 5);
    auto notCollection = applied(member(1), "$top=1", t);
    CHECK(notCollection == member(1));
}

TEST_CASE("$select keeps the selected properties and every @odata annotation") {
    Tree t = tree(1);
    auto s = applied(member(1), "$select=Name,Status/Health", t);
    CHECK(s["@odata.id"] == "/redfish/v1/Things/1");
    CHECK(s["@odata.type"] == "#Thing.v1_0_0.Thing");
    CHECK(s["Name"] == "Thing");
    CHECK(s["Status"] == json{{"Health", "OK"}});
    CHECK(s.contains("Id")); // Id and Name are required by every resource schema: always kept
    CHECK_FALSE(s.contains("Links"));
    auto c = applied(things(2), "$select=Members", t);
    CHECK(c["Members"].size() == 2u);
    CHECK(c["Members@odata.count"] == 2); // the annotation of a selected property stays
    CHECK(c.contains("Name"));
}

TEST_CASE("$expand leaves the references inside Oem objects as links (their schemas declare links)") {
    Tree t = tree(2);
    json c = things(2);
    c["Oem"] = {{"OpenCMC", {{"Ref", link("/redfish/v1/Things/1")}}}};
    t.resources["/redfish/v1/Things"] = c;
    auto all = applied(c, "$expand=*", t);
    CHECK(all["Members"][0]["Name"] == "Thing");
    CHECK(all["Oem"]["OpenCMC"]["Ref"] == link("/redfish/v1/Things/1"));
}

TEST_CASE("$expand replaces links with the resources, bounded by levels") {
    Tree t = tree(3);
    auto dot = applied(things(3), "$expand=.", t);
    REQUIRE(dot["Members"].size() == 3u);
    CHECK(dot["Members"][1]["Id"] == "2");
    // One level: the members' own links stay links.
    CHECK(dot["Members"][1]["Links"]["Parent"] == link("/redfish/v1/Things"));
    CHECK(t.fetches == 3);

    // "." never follows Links, so a second level has nothing more to expand.
    t.fetches = 0;
    auto dot2 = applied(things(3), "$expand=.($levels=2)", t);
    CHECK(dot2["Members"][0]["Links"]["Parent"] == link("/redfish/v1/Things"));
    CHECK(t.fetches == 3);

    // "~" expands only Links.
    t.fetches = 0;
    auto tilde = applied(member(1), "$expand=~", t);
    CHECK(tilde["Links"]["Parent"]["Name"] == "Things");
    CHECK(tilde["Links"]["Parent"]["Members"][0] == link("/redfish/v1/Things/1"));
    CHECK(t.fetches == 1);

    // "*" two levels deep: members, then their links; cycles are cut by the level bound.
    t.fetches = 0;
    auto all = applied(things(3), "$expand=*($levels=2)", t);
    CHECK(all["Members"][2]["Links"]["Parent"]["Name"] == "Things");
    CHECK(all["Members"][2]["Links"]["Parent"]["Members"][0] == link("/redfish/v1/Things/1"));
    CHECK(t.fetches == 6);

    // A link that does not resolve stays a link.
    auto gone = things(1);
    gone["Members"].push_back(link("/redfish/v1/Things/404"));
    auto g = applied(gone, "$expand=.", t);
    CHECK(g["Members"][1] == link("/redfish/v1/Things/404"));
}

TEST_CASE("$expand is bounded in work") {
    const int n = static_cast<int>(q::kMaxExpandFetches) + 20;
    Tree t = tree(n);
    auto big = applied(things(n), "$expand=*($levels=3)", t);
    CHECK(t.fetches == static_cast<int>(q::kMaxExpandFetches));
    CHECK(big["Members"].size() == static_cast<std::size_t>(n));
}

TEST_CASE("expansion waits for asynchronous fetches") {
    Tree t = tree(2);
    std::vector<std::pair<std::string, q::Fetched>> queued;
    q::Fetch later = [&queued](const std::string& uri, q::Fetched done) { queued.emplace_back(uri, std::move(done)); };
    q::Query p;
    REQUIRE_FALSE(q::parse("$expand=.&$select=Members", p));
    std::optional<http::Response> out;
    q::apply(redfish::jsonResponse(200, things(2)), p, "/redfish/v1/Things", later,
             [&out](http::Response r) { out = std::move(r); });
    CHECK_FALSE(out.has_value());
    REQUIRE(queued.size() == 2u);
    auto pending = std::move(queued);
    for (auto& [uri, done] : pending)
        done(t.resources[uri]);
    REQUIRE(out.has_value());
    auto body = json::parse(out->body);
    CHECK(body["Members"][1]["Id"] == "2");
    CHECK(body["Name"] == "Things"); // kept by $select: every resource schema requires it
}

TEST_CASE("only answers the single member of a collection") {
    Tree t = tree(1);
    auto one = applied(things(1), "only", t);
    CHECK(one["Id"] == "1");
    Tree t2 = tree(2);
    auto two = applied(things(2), "only", t2);
    CHECK(two["Members"].size() == 2u);
}

TEST_CASE("errors and non-JSON answers pass through a query untouched") {
    Tree t = tree(1);
    q::Query p;
    REQUIRE_FALSE(q::parse("$select=Name", p));
    auto nf = redfish::resourceNotFound("Thing", "9");
    const std::string before = nf.body;
    std::optional<http::Response> out;
    q::apply(std::move(nf), p, "/x", t.fetch(), [&out](http::Response r) { out = std::move(r); });
    REQUIRE(out.has_value());
    CHECK(out->status == 404);
    CHECK(out->body == before);
}

TEST_CASE("the schema Link comes from the body's top-level @odata.type") {
    CHECK(q::topLevelString(R"({"@Message.ExtendedInfo":[{"@odata.type":"#Message"}],"@odata.type":"#A.v1_0_0.A"})",
                            "@odata.type") == "#A.v1_0_0.A");
    CHECK(q::topLevelString(
              R"( { "a" : {"@odata.type":"x"}, "b":[1,"]",{}], "c":-1.5e3,"d":true,"@odata.type" : "#T.T" })",
              "@odata.type") == "#T.T");
    CHECK_FALSE(q::topLevelString(R"({"a":{"@odata.type":"x"}})", "@odata.type").has_value());
    CHECK_FALSE(q::topLevelString("[1]", "@odata.type").has_value());
    CHECK_FALSE(q::topLevelString(R"({"@odata.type":1})", "@odata.type").has_value());
    CHECK_FALSE(q::topLevelString(R"({"@odata.type":"unterminated)", "@odata.type").has_value());
    CHECK(q::describedBy("#Chassis.v1_25_0.Chassis") ==
          "<http://redfish.dmtf.org/schemas/v1/Chassis.v1_25_0.json>; rel=describedby");
    CHECK(q::describedBy("#ChassisCollection.ChassisCollection") ==
          "<http://redfish.dmtf.org/schemas/v1/ChassisCollection.json>; rel=describedby");
    CHECK(q::describedBy("#OpenCMCTask.v1_0_0.Task", "OpenCMC") ==
          "</redfish/v1/JsonSchemas/OpenCMCTask>; rel=describedby");
    CHECK(q::describedBy("nothing").empty());
    auto r = redfish::jsonResponse(200, member(1));
    q::addResourceHeaders(r, "GET, HEAD, PATCH");
    REQUIRE(r.header("Link") != nullptr);
    CHECK(*r.header("Link") == "<http://redfish.dmtf.org/schemas/v1/Thing.v1_0_0.json>; rel=describedby");
    CHECK(*r.header("Allow") == "GET, HEAD, PATCH");
    auto e = redfish::resourceNotFound("Thing", "x");
    q::addResourceHeaders(e, "GET, HEAD");
    CHECK(e.header("Allow") == nullptr);
    CHECK(e.header("Link") == nullptr);
}

TEST_CASE("If-Match accepts its tag in weak or strong form, in a list, or *") {
    const std::string tag = "W/\"00ab\"";
    CHECK(q::ifMatchAccepts("W/\"00ab\"", tag));
    CHECK(q::ifMatchAccepts("\"00ab\"", tag));
    CHECK(q::ifMatchAccepts("\"1\", W/\"00ab\"", tag));
    CHECK(q::ifMatchAccepts("*", tag));
    CHECK_FALSE(q::ifMatchAccepts("\"00abc\"", tag));
    CHECK_FALSE(q::ifMatchAccepts("\"1\",\"2\"", tag));
    CHECK_FALSE(q::ifMatchAccepts("", tag));
}

TEST_CASE("a request for another OData version is refused with 412") {
    http::Request req;
    CHECK_FALSE(q::checkODataVersion(req).has_value());
    req.headers.push_back({"OData-Version", "4.0"});
    CHECK_FALSE(q::checkODataVersion(req).has_value());
    req.headers[0].value = "4.01";
    auto err = q::checkODataVersion(req);
    REQUIRE(err.has_value());
    CHECK(err->status == 412);
    CHECK(messageIdOf(*err) == "Base.1.22.1.PreconditionFailed");
}
