#include "redfish/base_messages.hpp"

#include "redfish/redfish_errors.hpp"

namespace cmc::redfish::base {

namespace {
std::string s(std::string_view v) {
    return std::string(v);
}
json message(std::string_view id, std::vector<std::string> args = {}, std::string related = {}) {
    return detail::baseMessage(id, std::move(args), std::move(related));
}
} // namespace

// clang-format off
json resourceNotFound(std::string_view type, std::string_view id) { return message("ResourceNotFound", {s(type), s(id)}); }
json resourceInUse() { return message("ResourceInUse"); }
json resourceAlreadyExists(std::string_view t, std::string_view p, std::string_view v, std::string r) { return message("ResourceAlreadyExists", {s(t), s(p), s(v)}, std::move(r)); }
json resourceMissingAtUri(std::string_view u, std::string r) { return message("ResourceMissingAtURI", {s(u)}, std::move(r)); }
json resourceExhaustion(std::string_view res, std::string r) { return message("ResourceExhaustion", {s(res)}, std::move(r)); }
json malformedJson() { return message("MalformedJSON"); }
json propertyUnknown(std::string_view p, std::string r) { return message("PropertyUnknown", {s(p)}, std::move(r)); }
json propertyValueTypeError(std::string_view v, std::string_view p, std::string r) { return message("PropertyValueTypeError", {s(v), s(p)}, std::move(r)); }
json propertyValueNotInList(std::string_view v, std::string_view p, std::string r) { return message("PropertyValueNotInList", {s(v), s(p)}, std::move(r)); }
json propertyValueFormatError(std::string_view v, std::string_view p, std::string r) { return message("PropertyValueFormatError", {s(v), s(p)}, std::move(r)); }
json propertyValueOutOfRange(std::string_view v, std::string_view p, std::string r) { return message("PropertyValueOutOfRange", {s(v), s(p)}, std::move(r)); }
json propertyValueIncorrect(std::string_view p, std::string_view v, std::string r) { return message("PropertyValueIncorrect", {s(p), s(v)}, std::move(r)); }
json propertyValueConflict(std::string_view p, std::string_view o, std::string r) { return message("PropertyValueConflict", {s(p), s(o)}, std::move(r)); }
json propertyValueExternalConflict(std::string_view p, std::string_view v, std::string r) { return message("PropertyValueExternalConflict", {s(p), s(v)}, std::move(r)); }
json propertyNotWritable(std::string_view p, std::string r) { return message("PropertyNotWritable", {s(p)}, std::move(r)); }
json propertyMissing(std::string_view p, std::string r) { return message("PropertyMissing", {s(p)}, std::move(r)); }
json createFailedMissingReqProperties(std::string_view p, std::string r) { return message("CreateFailedMissingReqProperties", {s(p)}, std::move(r)); }
json actionParameterMissing(std::string_view a, std::string_view p) { return message("ActionParameterMissing", {s(a), s(p)}); }
json actionParameterUnknown(std::string_view a, std::string_view p) { return message("ActionParameterUnknown", {s(a), s(p)}); }
json actionParameterValueNotInList(std::string_view v, std::string_view p, std::string_view a) { return message("ActionParameterValueNotInList", {s(v), s(p), s(a)}); }
json actionParameterValueTypeError(std::string_view v, std::string_view p, std::string_view a) { return message("ActionParameterValueTypeError", {s(v), s(p), s(a)}); }
json actionParameterValueError(std::string_view p, std::string_view a) { return message("ActionParameterValueError", {s(p), s(a)}); }
json actionParameterNotSupported(std::string_view p, std::string_view a) { return message("ActionParameterNotSupported", {s(p), s(a)}); }
json actionNotSupported(std::string_view a) { return message("ActionNotSupported", {s(a)}); }
json insufficientPrivilege() { return message("InsufficientPrivilege"); }
json passwordIncorrectLength(std::string r) { return message("PasswordIncorrectLength", {}, std::move(r)); }
json passwordComplexityNotMet(std::string r) { return message("PasswordComplexityNotMet", {}, std::move(r)); }
json noValidSession() { return message("NoValidSession"); }
json preconditionFailed() { return message("PreconditionFailed"); }
json operationNotAllowed() { return message("OperationNotAllowed"); }
json generalError() { return message("GeneralError"); }
json queryNotSupported() { return message("QueryNotSupported"); }
json noOperation() { return message("NoOperation"); }
json success() { return message("Success"); }
json payloadTooLarge() { return message("PayloadTooLarge"); }
json unsupportedMediaType() { return message("UnsupportedMediaType"); }
json serviceTemporarilyUnavailable(std::string_view retry) { return message("ServiceTemporarilyUnavailable", {s(retry)}); }
json queryParameterValueFormatError(std::string_view v, std::string_view p) { return message("QueryParameterValueFormatError", {s(v), s(p)}); }
json queryParameterValueTypeError(std::string_view v, std::string_view p) { return message("QueryParameterValueTypeError", {s(v), s(p)}); }
json queryParameterOutOfRange(std::string_view v, std::string_view p, std::string_view range) { return message("QueryParameterOutOfRange", {s(v), s(p), s(range)}); }
json eventSubscriptionLimitExceeded() { return message("EventSubscriptionLimitExceeded"); }
json serviceDisabled(std::string_view uri) { return message("ServiceDisabled", {s(uri)}); }
// clang-format on

} // namespace cmc::redfish::base
