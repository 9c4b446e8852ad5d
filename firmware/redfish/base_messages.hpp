// DMTF Base registry (Base.1.22.1) messages as typed functions with fixed
// arguments: a caller cannot misspell a MessageId or pass the wrong number of
// arguments. Each returns one @Message.ExtendedInfo entry; `related` is the
// JSON pointer of the property concerned ("#/Boot/BootSourceOverrideTarget").
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace cmc::redfish::base {

using json = nlohmann::json;

[[nodiscard]] json resourceNotFound(std::string_view type, std::string_view id);
[[nodiscard]] json resourceInUse();
[[nodiscard]] json resourceAlreadyExists(std::string_view type, std::string_view property, std::string_view value,
                                         std::string related = {});
[[nodiscard]] json resourceMissingAtUri(std::string_view uri, std::string related = {});
[[nodiscard]] json resourceExhaustion(std::string_view resource, std::string related = {});
[[nodiscard]] json malformedJson();
[[nodiscard]] json propertyUnknown(std::string_view property, std::string related = {});
[[nodiscard]] json propertyValueTypeError(std::string_view value, std::string_view property, std::string related = {});
[[nodiscard]] json propertyValueNotInList(std::string_view value, std::string_view property, std::string related = {});
[[nodiscard]] json propertyValueFormatError(std::string_view value, std::string_view property,
                                            std::string related = {});
[[nodiscard]] json propertyValueOutOfRange(std::string_view value, std::string_view property, std::string related = {});
[[nodiscard]] json propertyValueIncorrect(std::string_view property, std::string_view value, std::string related = {});
[[nodiscard]] json propertyValueConflict(std::string_view property, std::string_view other, std::string related = {});
[[nodiscard]] json propertyValueExternalConflict(std::string_view property, std::string_view value,
                                                 std::string related = {});
[[nodiscard]] json propertyNotWritable(std::string_view property, std::string related = {});
[[nodiscard]] json propertyMissing(std::string_view property, std::string related = {});
[[nodiscard]] json createFailedMissingReqProperties(std::string_view property, std::string related = {});
[[nodiscard]] json actionParameterMissing(std::string_view action, std::string_view parameter);
[[nodiscard]] json actionParameterUnknown(std::string_view action, std::string_view parameter);
[[nodiscard]] json actionParameterValueNotInList(std::string_view value, std::string_view parameter,
                                                 std::string_view action);
[[nodiscard]] json actionParameterValueTypeError(std::string_view value, std::string_view parameter,
                                                 std::string_view action);
[[nodiscard]] json actionParameterValueError(std::string_view parameter, std::string_view action);
[[nodiscard]] json actionParameterNotSupported(std::string_view parameter, std::string_view action);
[[nodiscard]] json actionNotSupported(std::string_view action);
[[nodiscard]] json insufficientPrivilege();
[[nodiscard]] json passwordIncorrectLength(std::string related = {});
[[nodiscard]] json passwordComplexityNotMet(std::string related = {});
[[nodiscard]] json noValidSession();
[[nodiscard]] json preconditionFailed();
[[nodiscard]] json operationNotAllowed();
[[nodiscard]] json generalError();
[[nodiscard]] json queryNotSupported();
[[nodiscard]] json noOperation();
[[nodiscard]] json success();
[[nodiscard]] json payloadTooLarge();
[[nodiscard]] json unsupportedMediaType();
[[nodiscard]] json serviceTemporarilyUnavailable(std::string_view retryAfterSeconds);
[[nodiscard]] json queryParameterValueFormatError(std::string_view value, std::string_view parameter);
[[nodiscard]] json queryParameterValueTypeError(std::string_view value, std::string_view parameter);
[[nodiscard]] json queryParameterOutOfRange(std::string_view value, std::string_view parameter, std::string_view range);
[[nodiscard]] json eventSubscriptionLimitExceeded();
[[nodiscard]] json serviceDisabled(std::string_view uri);

} // namespace cmc::redfish::base
