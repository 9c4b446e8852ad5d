#include "northbound/event_filter.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "events/event_log.hpp"
#include "http/http_types.hpp"

namespace cmc::northbound {

using json = nlohmann::json;

namespace {

constexpr std::size_t kMaxFilterLength = 4096;
constexpr int kMaxDepth = 16;
constexpr const char* kLogEntries = "/redfish/v1/Managers/cmc/LogServices/EventLog/Entries/";

std::string_view trimSlash(std::string_view s) {
    while (s.size() > 1 && s.back() == '/')
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (true) {
        auto j = s.find(sep, i);
        out.push_back(s.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
        if (j == std::string_view::npos) break;
        i = j + 1;
    }
    return out;
}

bool iequal(std::string_view a, std::string_view b) {
    return http::iequals(a, b);
}

// A query value: '+' is a space, %XX a byte; nullopt for a bad escape.
std::optional<std::string> queryDecode(std::string_view v) {
    std::string s(v);
    std::replace(s.begin(), s.end(), '+', ' ');
    return http::percentDecode(s);
}

} // namespace

// ---- $filter

struct FilterParser {
    struct Token {
        enum class Kind { Word, String, Open, Close, End } kind;
        std::string text;
        std::size_t at;
    };

    std::string_view in;
    std::vector<Token> tokens;
    std::size_t pos = 0;
    std::string error;
    EventFilter out;

    bool tokenize() {
        std::size_t i = 0;
        while (i < in.size()) {
            char c = in[i];
            if (c == ' ' || c == '\t') {
                ++i;
            } else if (c == '(' || c == ')') {
                tokens.push_back({c == '(' ? Token::Kind::Open : Token::Kind::Close, std::string(1, c), i});
                ++i;
            } else if (c == '\'') {
                std::string v;
                std::size_t start = i++;
                bool closed = false;
                while (i < in.size()) {
                    if (in[i] == '\'') {
                        if (i + 1 < in.size() && in[i + 1] == '\'') { // '' is a quote inside the string
                            v += '\'';
                            i += 2;
                            continue;
                        }
                        closed = true;
                        ++i;
                        break;
                    }
                    v += in[i++];
                }
                if (!closed) {
                    error = "the string starting at position " + std::to_string(start + 1) + " is not closed";
                    return false;
                }
                tokens.push_back({Token::Kind::String, std::move(v), start});
            } else if (std::isalpha(static_cast<unsigned char>(c))) {
                std::size_t start = i;
                while (i < in.size() && (std::isalnum(static_cast<unsigned char>(in[i])) || in[i] == '_'))
                    ++i;
                tokens.push_back({Token::Kind::Word, std::string(in.substr(start, i - start)), start});
            } else {
                error = "unexpected '" + std::string(1, c) + "' at position " + std::to_string(i + 1);
                return false;
            }
        }
        tokens.push_back({Token::Kind::End, "", in.size()});
        return true;
    }

    const Token& peek() const { return tokens[pos]; }
    bool word(std::string_view w) const { return peek().kind == Token::Kind::Word && iequal(peek().text, w); }
    std::string where() const {
        return peek().kind == Token::Kind::End ? std::string("at the end")
                                               : "at position " + std::to_string(peek().at + 1);
    }

    int add(EventFilter::Node n) {
        out.nodes_.push_back(std::move(n));
        return static_cast<int>(out.nodes_.size()) - 1;
    }

    int orExpr(int depth) {
        int left = andExpr(depth);
        while (left >= 0 && word("or")) {
            ++pos;
            int right = andExpr(depth);
            if (right < 0) return -1;
            left = add({EventFilter::Node::Kind::Or, {}, {}, left, right});
        }
        return left;
    }

    int andExpr(int depth) {
        int left = primary(depth);
        while (left >= 0 && word("and")) {
            ++pos;
            int right = primary(depth);
            if (right < 0) return -1;
            left = add({EventFilter::Node::Kind::And, {}, {}, left, right});
        }
        return left;
    }

    int primary(int depth) {
        if (peek().kind == Token::Kind::Open) {
            if (depth >= kMaxDepth) {
                error = "parentheses nest deeper than " + std::to_string(kMaxDepth);
                return -1;
            }
            ++pos;
            int inner = orExpr(depth + 1);
            if (inner < 0) return -1;
            if (peek().kind != Token::Kind::Close) {
                error = "')' expected " + where();
                return -1;
            }
            ++pos;
            return inner;
        }
        if (peek().kind != Token::Kind::Word) {
            error = "a property name expected " + where();
            return -1;
        }
        std::string prop;
        for (const char* p : {"MessageId", "OriginResource", "RegistryPrefix"}) {
            if (peek().text == p) prop = p;
        }
        if (prop.empty()) {
            error = "'" + peek().text +
                    "' is not a property this filter supports (MessageId, OriginResource, "
                    "RegistryPrefix)";
            return -1;
        }
        ++pos;
        if (!word("eq")) {
            error = "'eq' expected " + where() + " (the only comparison supported)";
            return -1;
        }
        ++pos;
        if (peek().kind != Token::Kind::String) {
            error = "a quoted value expected " + where();
            return -1;
        }
        std::string value = peek().text;
        ++pos;
        return add({EventFilter::Node::Kind::Compare, std::move(prop), std::move(value), -1, -1});
    }
};

std::optional<EventFilter> EventFilter::parse(std::string_view text, std::string& error) {
    if (text.size() > kMaxFilterLength) {
        error = "longer than " + std::to_string(kMaxFilterLength) + " characters";
        return std::nullopt;
    }
    FilterParser p{text, {}, 0, {}, {}};
    if (!p.tokenize()) {
        error = p.error;
        return std::nullopt;
    }
    if (p.tokens.size() == 1) return EventFilter{}; // blank: everything
    int root = p.orExpr(0);
    if (root >= 0 && p.peek().kind != FilterParser::Token::Kind::End) {
        p.error = "'and' or 'or' expected " + p.where();
        root = -1;
    }
    if (root < 0) {
        error = p.error;
        return std::nullopt;
    }
    p.out.root_ = root;
    return std::move(p.out);
}

bool EventFilter::matches(const domain::Event& e) const {
    return root_ < 0 || eval(root_, e);
}

bool EventFilter::eval(int node, const domain::Event& e) const {
    const Node& n = nodes_[static_cast<std::size_t>(node)];
    switch (n.kind) {
    case Node::Kind::And: return eval(n.left, e) && eval(n.right, e);
    case Node::Kind::Or: return eval(n.left, e) || eval(n.right, e);
    case Node::Kind::Compare: break;
    }
    if (n.property == "MessageId") return messageIdMatches(n.value, e.messageId);
    if (n.property == "RegistryPrefix") return registryPrefixOf(e.messageId) == n.value;
    return !e.origin.empty() && trimSlash(e.origin) == trimSlash(n.value);
}

std::string filterParameter(std::string_view query, std::vector<std::string>& others) {
    std::string filter;
    for (auto kv : split(query, '&')) {
        if (kv.empty()) continue;
        auto eq = kv.find('=');
        auto name = queryDecode(kv.substr(0, eq)).value_or(std::string(kv.substr(0, eq)));
        if (name != "$filter") {
            others.push_back(name);
            continue;
        }
        auto v = queryDecode(eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1));
        if (!v) {
            others.push_back(name); // undecodable: reported as a bad parameter
            continue;
        }
        filter = *v;
    }
    return filter;
}

// ---- subscriptions

std::string registryPrefixOf(std::string_view messageId) {
    return std::string(messageId.substr(0, messageId.find('.')));
}

bool messageIdMatches(std::string_view pattern, std::string_view messageId) {
    if (pattern == messageId) return true;
    auto p = split(pattern, '.');
    auto m = split(messageId, '.');
    if (p.size() < 2 || m.size() < 2 || p.size() > m.size()) return false;
    if (p.front() != m.front() || p.back() != m.back()) return false;
    for (std::size_t i = 1; i + 1 < p.size(); ++i) { // the versions given
        if (p[i] != m[i]) return false;
    }
    return true;
}

bool subscriptionMatches(const domain::EventSubscription& s, const domain::Event& e) {
    if (!s.registryPrefixes.empty()) {
        auto prefix = registryPrefixOf(e.messageId);
        if (std::find(s.registryPrefixes.begin(), s.registryPrefixes.end(), prefix) == s.registryPrefixes.end())
            return false;
    }
    // DSP0266: the versions in a subscription's MessageIds are ignored.
    auto key = [](std::string_view id) { return id.substr(id.rfind('.') + 1); };
    if (!s.messageIds.empty() && std::none_of(s.messageIds.begin(), s.messageIds.end(), [&](const std::string& p) {
            return registryPrefixOf(p) == registryPrefixOf(e.messageId) && p.find('.') != std::string::npos &&
                   key(p) == key(e.messageId);
        }))
        return false;
    if (!s.originResources.empty() &&
        std::none_of(s.originResources.begin(), s.originResources.end(),
                     [&](const std::string& o) { return !e.origin.empty() && trimSlash(o) == trimSlash(e.origin); }))
        return false;
    return true;
}

// ---- destinations

std::string Destination::baseUrl() const {
    bool v6 = host.find(':') != std::string::npos;
    return scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

namespace {

std::optional<std::uint16_t> portOf(std::string_view s) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v == 0 || v > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(v);
}

// "host", "host:port", "[v6]", "[v6]:port": host and port (when given).
bool splitHostPort(std::string_view s, std::string& host, std::optional<std::uint16_t>& port) {
    port.reset();
    if (!s.empty() && s.front() == '[') {
        auto close = s.find(']');
        if (close == std::string_view::npos) return false;
        host = std::string(s.substr(1, close - 1));
        auto rest = s.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':' || !(port = portOf(rest.substr(1)))) return false;
        }
        in6_addr a{};
        return inet_pton(AF_INET6, host.c_str(), &a) == 1;
    }
    auto colon = s.find(':');
    if (colon != std::string_view::npos) {
        if (s.find(':', colon + 1) != std::string_view::npos) { // a bare IPv6 address
            host = std::string(s);
            in6_addr a{};
            return inet_pton(AF_INET6, host.c_str(), &a) == 1;
        }
        if (!(port = portOf(s.substr(colon + 1)))) return false;
        s = s.substr(0, colon);
    }
    if (s.empty()) return false;
    for (char c : s) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
    }
    host = std::string(s);
    std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
    return true;
}

bool addressOf(const std::string& host, bool& v6, std::array<unsigned char, 16>& out) {
    out.fill(0);
    in_addr a4{};
    if (inet_pton(AF_INET, host.c_str(), &a4) == 1) {
        v6 = false;
        std::copy_n(reinterpret_cast<const unsigned char*>(&a4), 4, out.begin());
        return true;
    }
    in6_addr a6{};
    if (inet_pton(AF_INET6, host.c_str(), &a6) == 1) {
        v6 = true;
        std::copy_n(reinterpret_cast<const unsigned char*>(&a6), 16, out.begin());
        return true;
    }
    return false;
}

bool inPrefix(const std::array<unsigned char, 16>& a, const std::array<unsigned char, 16>& net, int bits) {
    for (int i = 0; i < bits; ++i) {
        unsigned char mask = static_cast<unsigned char>(0x80u >> (i % 8));
        if ((a[static_cast<std::size_t>(i / 8)] & mask) != (net[static_cast<std::size_t>(i / 8)] & mask)) return false;
    }
    return true;
}

} // namespace

std::optional<Destination> parseDestination(std::string_view uri) {
    Destination d;
    auto sep = uri.find("://");
    if (sep == std::string_view::npos) return std::nullopt;
    std::string scheme(uri.substr(0, sep));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
    if (scheme != "http" && scheme != "https") return std::nullopt;
    d.scheme = scheme;
    auto rest = uri.substr(sep + 3);
    auto slash = rest.find_first_of("/?#");
    auto authority = rest.substr(0, slash);
    if (authority.find('@') != std::string_view::npos) return std::nullopt; // no credentials in the URI
    std::optional<std::uint16_t> port;
    if (!splitHostPort(authority, d.host, port)) return std::nullopt;
    d.port = port.value_or(scheme == "https" ? 443 : 80);
    std::string target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (auto hash = target.find('#'); hash != std::string::npos) target.erase(hash);
    if (target.empty() || target.front() != '/') target.insert(target.begin(), '/');
    for (char c : target) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
    }
    d.target = std::move(target);
    return d;
}

std::optional<AllowRule> parseAllowRule(std::string_view text) {
    AllowRule r;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        std::string host(text.substr(0, slash));
        unsigned bits = 0;
        auto len = text.substr(slash + 1);
        auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), bits);
        if (len.empty() || ec != std::errc() || p != len.data() + len.size()) return std::nullopt;
        if (!addressOf(host, r.v6, r.net) || bits > (r.v6 ? 128u : 32u)) return std::nullopt;
        r.cidr = true;
        r.prefixLength = static_cast<int>(bits);
        return r;
    }
    if (!splitHostPort(text, r.host, r.port)) return std::nullopt;
    return r;
}

bool destinationAllowed(const Destination& d, const std::vector<AllowRule>& rules) {
    bool v6 = false;
    std::array<unsigned char, 16> addr{};
    bool literal = addressOf(d.host, v6, addr);
    if (d.host == "localhost") return true;
    if (literal && !v6 && addr[0] == 127) return true;
    if (literal && v6) {
        std::array<unsigned char, 16> one{};
        one[15] = 1;
        if (addr == one) return true;
    }
    for (const auto& r : rules) {
        if (r.cidr) {
            if (literal && v6 == r.v6 && inPrefix(addr, r.net, r.prefixLength)) return true;
            continue;
        }
        if (r.port && *r.port != d.port) continue;
        bool rv6 = false;
        std::array<unsigned char, 16> raddr{};
        if (literal && addressOf(r.host, rv6, raddr)) {
            if (rv6 == v6 && raddr == addr) return true;
        } else if (r.host == d.host) {
            return true;
        }
    }
    return false;
}

// ---- payloads

json eventRecord(const domain::Event& e) {
    json rec;
    auto id = std::to_string(e.id);
    rec["EventId"] = id;
    rec["EventTimestamp"] = events::rfc3339Ms(e.timeMs);
    rec["EventType"] = "Other";
    rec["MemberId"] = "0";
    rec["MessageId"] = e.messageId;
    rec["Message"] = e.message;
    rec["MessageArgs"] = e.args;
    rec["MessageSeverity"] = e.severity;
    rec["Severity"] = e.severity;
    if (!e.origin.empty()) rec["OriginOfCondition"] = {{"@odata.id", e.origin}};
    if (e.id > 0) rec["LogEntry"] = {{"@odata.id", kLogEntries + id}};
    return rec;
}

json eventPayload(const domain::Event& e, const std::string& context) {
    json ev;
    ev["@odata.type"] = "#Event.v1_13_0.Event";
    ev["Id"] = e.id > 0 ? std::to_string(e.id) : std::string("test");
    ev["Name"] = "OpenCMC event";
    if (!context.empty()) ev["Context"] = context;
    ev["Events"] = json::array({eventRecord(e)});
    ev["Events@odata.count"] = 1;
    return ev;
}

} // namespace cmc::northbound
