// Which events go where, as pure functions (unit-tested): the `$filter` of
// the EventService's SSE stream, a push subscription's RegistryPrefixes/
// MessageIds/OriginResources, the policy of allowed destinations, and the
// #Event payload both deliveries send.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/event_subscription.hpp"
#include "domain/model.hpp"

namespace cmc::northbound {

// A parsed `$filter`: comparisons `Property eq 'value'` (MessageId,
// OriginResource, RegistryPrefix) joined by `and` (binds tighter) and `or`,
// with optional parentheses. An empty filter matches everything.
class EventFilter {
public:
    // Parses the decoded text of the parameter; nullopt with `error` (what is
    // wrong, and where) when it is not a filter this service supports.
    [[nodiscard]] static std::optional<EventFilter> parse(std::string_view text, std::string& error);

    [[nodiscard]] bool matches(const domain::Event& e) const;
    [[nodiscard]] bool empty() const { return nodes_.empty(); }

    struct Node {
        enum class Kind { Compare, And, Or } kind = Kind::Compare;
        std::string property; // Compare: "MessageId", "OriginResource", "RegistryPrefix"
        std::string value;
        int left = -1, right = -1; // And/Or: indexes into nodes_
    };

private:
    [[nodiscard]] bool eval(int node, const domain::Event& e) const;
    std::vector<Node> nodes_;
    int root_ = -1;
    friend struct FilterParser;
};

// The decoded value of `$filter` in a raw query string ("" when absent).
// Other parameters are left to the caller: `others` gets their names.
[[nodiscard]] std::string filterParameter(std::string_view query, std::vector<std::string>& others);

// "OpenCMC" of "OpenCMC.1.0.0.BladeFailed".
[[nodiscard]] std::string registryPrefixOf(std::string_view messageId);
// A MessageId pattern as DSP0266 lets clients write it: "Prefix.Key",
// "Prefix.Major.Key", "Prefix.Major.Minor.Key" or the full id; the versions
// given must match, the ones left out match any.
[[nodiscard]] bool messageIdMatches(std::string_view pattern, std::string_view messageId);
// A push subscription wants this event (every non-empty list must match).
[[nodiscard]] bool subscriptionMatches(const domain::EventSubscription& s, const domain::Event& e);

// The parts of an http(s) destination URI; nullopt when it is not one.
struct Destination {
    std::string scheme; // "http" or "https"
    std::string host;   // without brackets for IPv6
    std::uint16_t port = 0;
    std::string target; // "/path?query" ("/" when empty)
    [[nodiscard]] std::string baseUrl() const;
};
[[nodiscard]] std::optional<Destination> parseDestination(std::string_view uri);

// One entry of eventService.allowedDestinations: "host", "host:port",
// "10.0.0.0/8", "[fd00::1]:8443", "fd00::/16".
struct AllowRule {
    std::string host;                  // a name or an address (empty for a CIDR)
    std::optional<std::uint16_t> port; // any port when absent
    bool cidr = false;
    bool v6 = false;
    std::array<unsigned char, 16> net{};
    int prefixLength = 0;
};
[[nodiscard]] std::optional<AllowRule> parseAllowRule(std::string_view text);
// Loopback (127.0.0.0/8, ::1, localhost) always; anything else when a rule allows it.
[[nodiscard]] bool destinationAllowed(const Destination& d, const std::vector<AllowRule>& rules);

// The #Event.v1_13_0 payload of one event (EventId and Id are the event's id).
[[nodiscard]] nlohmann::json eventRecord(const domain::Event& e);
[[nodiscard]] nlohmann::json eventPayload(const domain::Event& e, const std::string& context);

} // namespace cmc::northbound
