// The HTTPS certificate: /redfish/v1/CertificateService (CertificateLocations,
// #CertificateService.ReplaceCertificate), cmcd's ManagerNetworkProtocol and
// its HTTPS Certificates collection with the one certificate the listener
// presents. Reading and checking PEM is the backend's (OpenSSL stays out of
// northbound/).
#include "common/json_reader.hpp"
#include "northbound/resources.hpp"
#include "redfish/base_messages.hpp"
#include "redfish/odata.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::northbound {

namespace {

namespace base = redfish::base;

const std::string kService = "/redfish/v1/CertificateService";
const std::string kLocations = kService + "/CertificateLocations";
const std::string kReplace = kService + "/Actions/CertificateService.ReplaceCertificate";
const std::string kProtocol = "/redfish/v1/Managers/cmc/NetworkProtocol";
const std::string kCertificates = kProtocol + "/HTTPS/Certificates";
const std::string kCertificate = kCertificates + "/1";
constexpr const char* kAction = "CertificateService.ReplaceCertificate";

json identifier(const http::DistinguishedName& n) {
    json j = json::object();
    auto put = [&j](const char* key, const std::string& v) {
        if (!v.empty()) j[key] = v;
    };
    put("CommonName", n.commonName);
    put("Organization", n.organization);
    put("OrganizationalUnit", n.organizationalUnit);
    put("City", n.city);
    put("State", n.state);
    put("Country", n.country);
    put("Email", n.email);
    put("DisplayString", n.display);
    return j;
}

json certificateJson(const http::CertificateDetails& c) {
    json j;
    j["@odata.id"] = kCertificate;
    j["@odata.type"] = "#Certificate.v1_11_0.Certificate";
    j["Id"] = "1";
    j["Name"] = "HTTPS certificate of cmcd";
    j["CertificateType"] = "PEMchain";
    j["CertificateString"] = c.certificatePem; // the chain only: never the private key
    j["CertificateUsageTypes"] = json::array({"Web"});
    j["Subject"] = identifier(c.subject);
    if (!c.alternativeNames.empty()) j["Subject"]["AlternativeNames"] = c.alternativeNames;
    j["Issuer"] = identifier(c.issuer);
    j["ValidNotBefore"] = redfish::rfc3339Ms(c.notBeforeUnix * 1000);
    j["ValidNotAfter"] = redfish::rfc3339Ms(c.notAfterUnix * 1000);
    if (!c.serialNumber.empty()) j["SerialNumber"] = c.serialNumber;
    j["Fingerprint"] = c.fingerprintSha256;
    j["FingerprintHashAlgorithm"] = "TPM_ALG_SHA256";
    if (!c.signatureAlgorithm.empty()) j["SignatureAlgorithm"] = c.signatureAlgorithm;
    j["KeyUsage"] = c.keyUsage;
    return j;
}

void handleReplace(Backend& b, const http::RouteRequest& req, const http::AsyncResp& res) {
    json body;
    http::Response error;
    if (!readBody(req.http, body, error)) {
        res->res = std::move(error);
        return;
    }
    std::vector<json> problems;
    for (const auto& [k, v] : body.items()) {
        if (k == "Password")
            problems.push_back(
                base::actionParameterNotSupported(k, kAction)); // PKCS#12 only; PEM keys come unencrypted
        else if (k != "CertificateString" && k != "CertificateType" && k != "CertificateUri")
            problems.push_back(base::actionParameterUnknown(kAction, k));
    }
    const json* pem = jsonr::member(body, "CertificateString");
    if (!pem)
        problems.push_back(base::actionParameterMissing(kAction, "CertificateString"));
    else if (!pem->is_string()) // never echo it: it may hold a private key
        problems.push_back(base::actionParameterValueTypeError("(not a string)", "CertificateString", kAction));
    const json* type = jsonr::member(body, "CertificateType");
    if (!type) {
        problems.push_back(base::actionParameterMissing(kAction, "CertificateType"));
    } else if (!type->is_string()) {
        problems.push_back(base::actionParameterValueTypeError(WriteReader::shown(*type), "CertificateType", kAction));
    } else if (const auto& t = type->get_ref<const std::string&>(); t != "PEM" && t != "PEMchain") {
        problems.push_back(base::actionParameterValueNotInList(t, "CertificateType", kAction));
    }
    const json* uri = jsonr::member(body, "CertificateUri");
    const auto target = jsonr::link(body, "CertificateUri");
    if (!uri) {
        problems.push_back(base::actionParameterMissing(kAction, "CertificateUri"));
    } else if (!target) {
        problems.push_back(base::actionParameterValueTypeError(WriteReader::shown(*uri), "CertificateUri", kAction));
    } else if (*target != kCertificate && *target != kCertificate + "/") {
        problems.push_back(
            explained(base::resourceMissingAtUri(*target), "cmcd has one replaceable certificate, " + kCertificate));
    }
    if (!problems.empty()) {
        res->res = redfish::errorResponse(400, std::move(problems));
        return;
    }
    b.replaceHttpsCertificate(pem->get<std::string>(), req.principal.user, [&b, res](const domain::OperationResult& r) {
        guarded(b, "ReplaceCertificate", res, [&] {
            using Code = domain::OperationResult::Code;
            if (r.code == Code::BadRequest) {
                res->res = redfish::errorResponse(
                    400, {explained(base::actionParameterValueError("CertificateString", kAction), r.message)});
                return;
            }
            if (!r.ok()) {
                res->res = operationError(r);
                return;
            }
            auto c = b.httpsCertificate();
            if (!c) {
                domain::OperationResult gone;
                gone.code = Code::Unavailable;
                gone.message = "the HTTPS listener has stopped";
                res->res = operationError(gone);
                return;
            }
            res->res = redfish::jsonResponse(200, certificateJson(*c));
            res->res.set("Location", kCertificate);
        });
    });
}

} // namespace

void addCertificateRoutes(http::Router& r, Backend& b) {
    r.route(kService)([](const http::RouteRequest&, const http::AsyncResp& res) {
        json s;
        s["@odata.id"] = kService;
        s["@odata.type"] = "#CertificateService.v1_2_1.CertificateService";
        s["Id"] = "CertificateService";
        s["Name"] = "Certificate Service";
        s["Description"] = "The certificate cmcd's HTTPS listener presents, and its replacement.";
        s["CertificateLocations"] = redfish::odataId(kLocations);
        s["Actions"]["#CertificateService.ReplaceCertificate"] = {
            {"target", kReplace},
            {"CertificateType@Redfish.AllowableValues", json::array({"PEM", "PEMchain"})},
            {"CertificateUri@Redfish.AllowableValues", json::array({kCertificate})}};
        reply(res, s);
    });
    r.route(kLocations).privileges({"ConfigureManager"})([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        json l;
        l["@odata.id"] = kLocations;
        l["@odata.type"] = "#CertificateLocations.v1_0_4.CertificateLocations";
        l["Id"] = "CertificateLocations";
        l["Name"] = "Certificate Locations";
        json members = json::array();
        if (b.httpsCertificate()) members.push_back(redfish::odataId(kCertificate));
        l["Links"]["Certificates@odata.count"] = members.size();
        l["Links"]["Certificates"] = std::move(members);
        reply(res, l);
    });
    r.route(kReplace).methods({"POST"}).privileges({"ConfigureManager"})(
        [&b](const http::RouteRequest& req, const http::AsyncResp& res) { handleReplace(b, req, res); });
    r.route(kProtocol)([&b](const http::RouteRequest&, const http::AsyncResp& res) {
        const auto ports = b.listeners();
        json p;
        p["@odata.id"] = kProtocol;
        p["@odata.type"] = "#ManagerNetworkProtocol.v1_12_0.ManagerNetworkProtocol";
        p["Id"] = "NetworkProtocol";
        p["Name"] = "cmcd network protocols";
        p["Description"] = "The ports cmcd's Redfish service listens on.";
        p["Status"] = {{"State", "Enabled"}, {"Health", "OK"}};
        p["HTTP"] = {{"ProtocolEnabled", ports.http != 0}, {"Port", ports.http ? json(ports.http) : json(nullptr)}};
        p["HTTPS"] = {{"ProtocolEnabled", ports.https != 0},
                      {"Port", ports.https ? json(ports.https) : json(nullptr)},
                      {"Certificates", redfish::odataId(kCertificates)}};
        reply(res, p);
    });
    r.route(kCertificates)
        .privileges({"ConfigureManager"})([&b](const http::RouteRequest&, const http::AsyncResp& res) {
            std::vector<std::string> members;
            if (b.httpsCertificate()) members.push_back(kCertificate);
            reply(res, redfish::collection(kCertificates, "#CertificateCollection.CertificateCollection",
                                           "HTTPS certificates", members));
        });
    r.route(kCertificates + "/<str>")
        .privileges({"ConfigureManager"})([&b](const http::RouteRequest& req, const http::AsyncResp& res) {
            auto c = req.params[0] == "1" ? b.httpsCertificate() : std::nullopt;
            if (!c) {
                res->res = redfish::resourceNotFound("Certificate", req.params[0]);
                return;
            }
            reply(res, certificateJson(*c));
        });
}

} // namespace cmc::northbound
