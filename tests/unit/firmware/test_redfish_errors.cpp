#include <doctest/doctest.h>

#include "redfish/base_messages.hpp"
#include "redfish/redfish_errors.hpp"

using namespace cmc;

TEST_CASE("Base messages substitute their arguments") {
    auto m = redfish::base::resourceNotFound("ComputerSystem", "7");
    CHECK(m["MessageId"].get<std::string>() == std::string("Base.1.22.1.ResourceNotFound"));
    CHECK(m["Message"].get<std::string>() ==
          std::string("The requested resource of type ComputerSystem named '7' was not found."));
    CHECK(m["MessageSeverity"].get<std::string>() == std::string("Critical"));
    CHECK(m["MessageArgs"].size() == 2u);
}

TEST_CASE("every typed Base message names a message of the Base registry, with its argument count") {
    using namespace redfish::base;
    const nlohmann::json all[] = {resourceNotFound("T", "i"),
                                  resourceInUse(),
                                  resourceAlreadyExists("T", "P", "v"),
                                  resourceMissingAtUri("/u"),
                                  resourceExhaustion("R"),
                                  malformedJson(),
                                  propertyUnknown("P"),
                                  propertyValueTypeError("v", "P"),
                                  propertyValueNotInList("v", "P"),
                                  propertyValueFormatError("v", "P"),
                                  propertyValueOutOfRange("v", "P"),
                                  propertyValueIncorrect("P", "v"),
                                  propertyValueConflict("P", "Q"),
                                  propertyValueExternalConflict("P", "v"),
                                  propertyNotWritable("P"),
                                  propertyMissing("P"),
                                  createFailedMissingReqProperties("P"),
                                  actionParameterMissing("A", "p"),
                                  actionParameterUnknown("A", "p"),
                                  actionParameterValueNotInList("v", "p", "A"),
                                  actionParameterValueTypeError("v", "p", "A"),
                                  actionNotSupported("A"),
                                  insufficientPrivilege(),
                                  noValidSession(),
                                  preconditionFailed(),
                                  operationNotAllowed(),
                                  generalError(),
                                  queryNotSupported(),
                                  noOperation(),
                                  success(),
                                  payloadTooLarge(),
                                  unsupportedMediaType(),
                                  serviceTemporarilyUnavailable("5")};
    for (const auto& m : all) {
        auto text = m["Message"].get<std::string>();
        // A known message has its registry text (an unknown id would echo the id) with every %n filled.
        CHECK(text != m["MessageId"].get<std::string>().substr(std::string("Base.1.22.1.").size()));
        CHECK(text.find('%') == std::string::npos);
        CHECK(m["MessageId"].get<std::string>().rfind("Base.1.22.1.", 0) == 0);
    }
    CHECK(propertyUnknown("Foo", "#/Foo")["RelatedProperties"][0] == "#/Foo");
}

TEST_CASE("error responses carry the DMTF error body") {
    auto r = redfish::resourceNotFound("Chassis", "x");
    CHECK(r.status == 404);
    auto body = nlohmann::json::parse(r.body);
    CHECK(body["error"]["code"].get<std::string>() == std::string("Base.1.22.1.ResourceNotFound"));
    CHECK(body["error"]["@Message.ExtendedInfo"].size() == 1u);
    auto a = redfish::methodNotAllowed("GET, HEAD");
    CHECK(a.status == 405);
    REQUIRE(a.header("Allow") != nullptr);
    CHECK(*a.header("Allow") == "GET, HEAD");
    auto u = redfish::noValidSession("bmc");
    CHECK(u.status == 401);
    REQUIRE(u.header("WWW-Authenticate") != nullptr);
}

TEST_CASE("ETags follow the content") {
    nlohmann::json a{{"x", 1}};
    nlohmann::json b{{"x", 2}};
    CHECK(redfish::etagOf(a) == redfish::etagOf(nlohmann::json{{"x", 1}}));
    CHECK(redfish::etagOf(a) != redfish::etagOf(b));
    CHECK(redfish::etagOf(a).rfind("W/\"", 0) == 0);
}

TEST_CASE("JSON bodies are parsed without throwing") {
    http::Request req;
    nlohmann::json out;
    http::Response err;
    for (const char* bad : {"", "{", "[]", "1", "\"s\"", "{\"a\":}", "\xff"}) {
        req.body = bad;
        CAPTURE(bad);
        CHECK_FALSE(redfish::parseJsonObject(req, out, err));
        CHECK(err.status == 400);
    }
    req.body = "{\"a\": 1}";
    CHECK(redfish::parseJsonObject(req, out, err));
    req.headers.push_back({"Content-Type", "text/plain"});
    CHECK_FALSE(redfish::parseJsonObject(req, out, err));
    CHECK(err.status == 415);
}
