#include "redfish/redfish_errors.hpp"

#include "redfish/base_messages.hpp"

#include <map>

namespace cmc::redfish {

namespace {

struct BaseMessage {
    const char* text;
    const char* severity;
    const char* resolution;
};

const std::map<std::string_view, BaseMessage>& baseMessages() {
    static const std::map<std::string_view, BaseMessage> kMessages = {
        {"PasswordIncorrectLength",
         {"The password provided for this account does not meet the password length requirements of the service.",
          "Critical",
          "Resubmit the request with a password that meets the password length requirements as specified by the "
          "`MinPasswordLength` and `MaxPasswordLength` properties in the `AccountService` resource."}},
        {"PasswordComplexityNotMet",
         {"The password provided for this account does not meet the password complexity requirements of the service.",
          "Critical",
          "Resubmit the request with a password that meets the password complexity requirements as specified by the "
          "`PasswordGuidanceMessage` property in the `AccountService` resource."}},
        {"ResourceNotFound",
         {"The requested resource of type %1 named '%2' was not found.", "Critical",
          "Provide a valid resource identifier and resubmit the request."}},
        {"MalformedJSON",
         {"The request body submitted was malformed JSON and could not be parsed by the receiving service.", "Critical",
          "Ensure that the request body is valid JSON and resubmit the request."}},
        {"PropertyUnknown",
         {"The property %1 is not in the list of valid properties for the resource.", "Warning",
          "Remove the unknown property from the request body and resubmit the request if the operation failed."}},
        {"PropertyValueTypeError",
         {"The value '%1' for the property %2 is not a type that the property can accept.", "Warning",
          "Correct the value for the property in the request body and resubmit the request if the operation failed."}},
        {"PropertyValueNotInList",
         {"The value '%1' for the property %2 is not in the list of acceptable values.", "Warning",
          "Choose a value from the enumeration list that the implementation can support and resubmit the request if "
          "the operation failed."}},
        {"PropertyValueFormatError",
         {"The value '%1' for the property %2 is not a format that the property can accept.", "Warning",
          "Correct the value for the property in the request body and resubmit the request if the operation failed."}},
        {"PropertyValueOutOfRange",
         {"The value '%1' for the property %2 is not in the supported range of acceptable values.", "Warning",
          "Correct the value for the property in the request body and resubmit the request if the operation failed."}},
        {"PropertyNotWritable",
         {"The property %1 is a read-only property and cannot be assigned a value.", "Warning",
          "Remove the property from the request body and resubmit the request if the operation failed."}},
        {"CreateFailedMissingReqProperties",
         {"The create operation failed because the required property %1 was missing from the request.", "Critical",
          "Correct the body to include the required property with a valid value and resubmit the request if the "
          "operation failed."}},
        {"PropertyMissing",
         {"The property %1 is a required property and must be included in the request.", "Warning",
          "Ensure that the property is in the request body and has a valid value and resubmit the request if the "
          "operation failed."}},
        {"ActionParameterMissing",
         {"The action %1 requires the parameter %2 to be present in the request body.", "Critical",
          "Supply the action with the required parameter in the request body when the request is resubmitted."}},
        {"ActionParameterUnknown",
         {"The action %1 was submitted with the invalid parameter %2.", "Warning",
          "Correct the invalid action parameter and resubmit the request if the operation failed."}},
        {"ActionParameterValueNotInList",
         {"The value '%1' for the parameter %2 in the action %3 is not in the list of acceptable values.", "Warning",
          "Choose a value from the enumeration list that the implementation can support and resubmit the request if "
          "the operation failed."}},
        {"ActionParameterValueTypeError",
         {"The value '%1' for the parameter %2 in the action %3 is not a type that the parameter can accept.",
          "Warning",
          "Correct the value for the parameter in the request body and resubmit the request if the operation failed."}},
        {"ActionParameterValueError",
         {"The value for the parameter %1 in the action %2 is invalid.", "Warning",
          "Correct the value for the parameter in the request body and resubmit the request if the operation failed."}},
        {"ActionParameterNotSupported",
         {"The parameter %1 for the action %2 is not supported on the target resource.", "Warning",
          "Remove the parameter supplied and resubmit the request if the operation failed."}},
        {"ActionNotSupported",
         {"The action %1 is not supported by the resource.", "Critical",
          "Check the Actions property in the resource for the supported actions."}},
        {"InsufficientPrivilege",
         {"There are insufficient privileges for the account or credentials associated with the current session to "
          "perform the requested operation.",
          "Critical",
          "Either abandon the operation or change the associated access rights and resubmit the request if the "
          "operation failed."}},
        {"NoValidSession",
         {"There is no valid session established with the implementation.", "Critical",
          "Establish a session before attempting any operations."}},
        {"PreconditionFailed",
         {"The ETag supplied did not match the ETag required to change this resource.", "Critical",
          "Try the operation again using the appropriate ETag."}},
        {"OperationNotAllowed", {"The HTTP method is not allowed on this resource.", "Critical", "None."}},
        {"GeneralError",
         {"A general error has occurred.  See Resolution for information on how to resolve the error, or "
          "@Message.ExtendedInfo if Resolution is not provided.",
          "Critical", "None."}},
        {"Success", {"The request completed successfully.", "OK", "None."}},
        {"Created", {"The resource was created successfully.", "OK", "None."}},
        {"QueryNotSupported",
         {"Querying is not supported by the implementation.", "Warning",
          "Remove the query parameters and resubmit the request if the operation failed."}},
        {"PayloadTooLarge",
         {"The supplied payload exceeds the maximum size supported by the service.", "Critical",
          "Check that the supplied payload is correct and supported by this service."}},
        {"ResourceCannotBeDeleted",
         {"The delete request failed because the resource requested cannot be deleted.", "Critical",
          "Do not attempt to delete a non-deletable resource."}},
        {"ResourceInUse",
         {"The change to the requested resource failed because the resource is in use or in transition.", "Warning",
          "Remove the condition and resubmit the request if the operation failed."}},
        {"ServiceTemporarilyUnavailable",
         {"The service is temporarily unavailable.  Retry in %1 seconds.", "Critical",
          "Wait for the indicated retry duration and retry the operation."}},
        {"NoOperation",
         {"The request body submitted contain no data to act upon and no changes to the resource took place.",
          "Warning", "Add properties in the JSON object and resubmit the request."}},
        {"UnsupportedMediaType",
         {"The request specified a media type that is not supported: use application/json.", "Critical",
          "Resubmit the request with Content-Type: application/json."}},
        {"ResourceAlreadyExists",
         {"The requested resource of type %1 with the property %2 with the value '%3' already exists.", "Critical",
          "Do not repeat the create operation as the resource was already created."}},
        {"PropertyValueConflict",
         {"The property '%1' could not be written because its value would conflict with the value of the '%2' "
          "property.",
          "Warning", "None."}},
        {"PropertyValueIncorrect",
         {"The property '%1' with the requested value of '%2' could not be written because the value is not "
          "acceptable for the property.",
          "Warning", "None."}},
        {"PropertyValueExternalConflict",
         {"The property '%1' with the requested value of '%2' could not be written because the value is not available "
          "due to a configuration conflict.",
          "Warning", "None."}},
        {"ResourceMissingAtURI",
         {"The resource at the URI '%1' was not found.", "Critical",
          "Place a valid resource at the URI or correct the URI and resubmit the request."}},
        {"ResourceExhaustion",
         {"The resource '%1' was unable to satisfy the request due to unavailability of resources.", "Critical",
          "Ensure that the resources are available and resubmit the request."}},
        {"StringValueTooLong",
         {"The string '%1' exceeds the length limit %2.", "Warning",
          "Resubmit the request with an appropriate string length."}},
        {"QueryParameterValueFormatError",
         {"The value '%1' for the parameter %2 is not a format that the parameter can accept.", "Warning",
          "Correct the value for the query parameter in the request and resubmit the request if the operation "
          "failed."}},
        {"QueryParameterValueTypeError",
         {"The value '%1' for the query parameter %2 is not a type that the parameter can accept.", "Warning",
          "Correct the value for the query parameter in the request and resubmit the request if the operation "
          "failed."}},
        {"QueryParameterOutOfRange",
         {"The value '%1' for the query parameter %2 is out of range %3.", "Warning",
          "Reduce the value for the query parameter to a value that is within range, such as a start or count value "
          "that is within bounds of the number of resources in a collection or a page number that is within the "
          "range of valid pages."}},
        {"EventSubscriptionLimitExceeded",
         {"The event subscription failed due to the number of simultaneous subscriptions exceeding the limit of the "
          "implementation.",
          "Critical",
          "Reduce the number of other subscriptions before trying to establish the event subscription or increase "
          "the limit of simultaneous subscriptions, if supported."}},
        {"ServiceDisabled",
         {"The operation failed because the service at %1 is disabled and cannot accept requests.", "Warning",
          "Enable the service and resubmit the request if the operation failed."}},
    };
    return kMessages;
}

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

} // namespace

std::string substituteArgs(std::string_view text, const std::vector<std::string>& args) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 1 < text.size() && text[i + 1] >= '1' && text[i + 1] <= '9') {
            auto n = static_cast<std::size_t>(text[i + 1] - '1');
            if (n < args.size()) out += args[n];
            ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

json detail::baseMessage(std::string_view id, std::vector<std::string> args, std::string relatedProperty) {
    const auto& table = baseMessages();
    auto it = table.find(id);
    json m;
    m["@odata.type"] = "#Message.v1_2_0.Message";
    m["MessageId"] = std::string(kBaseRegistry) + "." + std::string(id);
    if (it != table.end()) {
        m["Message"] = substituteArgs(it->second.text, args);
        m["MessageSeverity"] = it->second.severity;
        m["Resolution"] = it->second.resolution;
    } else {
        m["Message"] = std::string(id);
        m["MessageSeverity"] = "Critical";
        m["Resolution"] = "None.";
    }
    m["MessageArgs"] = args;
    if (!relatedProperty.empty()) m["RelatedProperties"] = json::array({relatedProperty});
    return m;
}

namespace {
std::string etagOfText(std::string_view text) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "W/\"%016llx\"", static_cast<unsigned long long>(fnv1a(text)));
    return buf;
}
} // namespace

std::string etagOf(const json& body) {
    return etagOfText(body.dump(-1, ' ', false, json::error_handler_t::replace));
}

http::Response jsonResponse(unsigned status, const json& body, bool withEtag) {
    http::Response r;
    r.status = status;
    r.set("Content-Type", "application/json; charset=utf-8");
    r.set("OData-Version", "4.0");
    r.set("Cache-Control", "no-store");
    r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    // The hash of the text just dumped (etagOf's, without dumping twice).
    if (withEtag) r.set("ETag", etagOfText(r.body));
    return r;
}

http::Response errorResponse(unsigned status, std::vector<json> messages) {
    json body;
    json err;
    if (!messages.empty()) {
        err["code"] = messages.front()["MessageId"];
        err["message"] = messages.front()["Message"];
    } else {
        err["code"] = std::string(kBaseRegistry) + ".GeneralError";
        err["message"] = baseMessages().at("GeneralError").text;
    }
    err["@Message.ExtendedInfo"] = std::move(messages);
    body["error"] = std::move(err);
    return jsonResponse(status, body, false);
}

http::Response resourceNotFound(std::string_view type, std::string_view id) {
    return errorResponse(404, {base::resourceNotFound(type, id)});
}

http::Response malformedJson() {
    return errorResponse(400, {base::malformedJson()});
}

http::Response insufficientPrivilege() {
    return errorResponse(403, {base::insufficientPrivilege()});
}

http::Response noValidSession(std::string_view realm) {
    auto r = errorResponse(401, {base::noValidSession()});
    r.set("WWW-Authenticate", "Basic realm=\"" + std::string(realm) + "\"");
    return r;
}

http::Response methodNotAllowed(std::string_view allow) {
    auto r = errorResponse(405, {base::operationNotAllowed()});
    r.set("Allow", std::string(allow));
    return r;
}

http::Response preconditionFailed() {
    return errorResponse(412, {base::preconditionFailed()});
}

http::Response generalError(std::string_view resolution) {
    auto m = base::generalError();
    m["Resolution"] = std::string(resolution);
    return errorResponse(500, {m});
}

http::Response payloadTooLarge() {
    return errorResponse(413, {base::payloadTooLarge()});
}

http::Response unsupportedMediaType() {
    return errorResponse(415, {base::unsupportedMediaType()});
}

http::Response serviceUnavailable(unsigned retrySeconds) {
    auto r = errorResponse(503, {base::serviceTemporarilyUnavailable(std::to_string(retrySeconds))});
    r.set("Retry-After", std::to_string(retrySeconds));
    return r;
}

http::Response success() {
    json body;
    body["@Message.ExtendedInfo"] = json::array({base::success()});
    return jsonResponse(200, body, false);
}

http::Response protocolError(unsigned status, std::string_view detail) {
    if (status == 413) return payloadTooLarge();
    if (status == 503) return serviceUnavailable(1);
    auto m = base::generalError();
    m["Resolution"] = std::string(detail);
    return errorResponse(status, {m});
}

namespace {

// Whether JSON text nests arrays/objects deeper than `limit` (strings skipped):
// a deep value would overflow the stack of every recursive walk of it (dump,
// compare), so it is refused before it is parsed.
bool nestsDeeperThan(std::string_view text, int limit) {
    int depth = 0;
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (inString) {
            if (ch == '\\')
                ++i;
            else if (ch == '"')
                inString = false;
        } else if (ch == '"') {
            inString = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > limit) return true;
        } else if (ch == ']' || ch == '}') {
            --depth;
        }
    }
    return false;
}

constexpr int kMaxJsonDepth = 64;

} // namespace

bool parseJsonObject(const http::Request& req, json& out, http::Response& error) {
    if (const auto* ct = req.header("Content-Type")) {
        if (!ct->empty() && ct->find("json") == std::string::npos) {
            error = unsupportedMediaType();
            return false;
        }
    }
    if (nestsDeeperThan(req.body, kMaxJsonDepth)) {
        error = malformedJson();
        return false;
    }
    out = json::parse(req.body, nullptr, false);
    if (out.is_discarded() || !out.is_object()) {
        error = malformedJson();
        return false;
    }
    return true;
}

std::string jsonPointer(std::string_view path) {
    return "#/" + std::string(path);
}

} // namespace cmc::redfish
