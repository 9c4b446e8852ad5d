#include "redfish/query.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "redfish/base_messages.hpp"
#include "redfish/redfish_errors.hpp"

namespace cmc::redfish::query {

namespace {

constexpr std::size_t kMaxTopSkip = 2147483647;

http::Response formatError(std::string_view value, std::string_view name) {
    return errorResponse(400, {base::queryParameterValueFormatError(value, name)});
}

http::Response notSupported() {
    return errorResponse(501, {base::queryNotSupported()});
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool allDigits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

// $top, $skip: a non-negative integer.
std::optional<http::Response> count(std::string_view name, const std::string& value, std::optional<std::size_t>& out) {
    std::string_view v = value;
    bool negative = !v.empty() && v.front() == '-';
    if (!allDigits(negative ? v.substr(1) : v))
        return errorResponse(400, {base::queryParameterValueTypeError(v, name)});
    std::size_t n = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (negative || ec != std::errc() || ptr != v.data() + v.size() || n > kMaxTopSkip) {
        return errorResponse(400, {base::queryParameterOutOfRange(v, name, "0-" + std::to_string(kMaxTopSkip))});
    }
    out = n;
    return std::nullopt;
}

// "*", ".", "~", each optionally followed by "($levels=N)".
std::optional<http::Response> expandValue(const std::string& value, Query& q) {
    if (value.empty()) return formatError(value, "$expand");
    switch (value[0]) {
    case '*': q.expand = Expand::All; break;
    case '.': q.expand = Expand::Subordinate; break;
    case '~': q.expand = Expand::Links; break;
    default: return formatError(value, "$expand");
    }
    std::string_view rest = std::string_view(value).substr(1);
    q.levels = 1;
    if (rest.empty()) return std::nullopt;
    constexpr std::string_view kOpen = "($levels=";
    if (rest.size() <= kOpen.size() + 1 || rest.substr(0, kOpen.size()) != kOpen || rest.back() != ')') {
        return formatError(value, "$expand");
    }
    std::string_view digits = rest.substr(kOpen.size(), rest.size() - kOpen.size() - 1);
    if (!allDigits(digits)) return formatError(value, "$expand");
    unsigned n = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc::result_out_of_range)
        n = kMaxExpandLevels;
    else if (ec != std::errc() || ptr != digits.data() + digits.size())
        return formatError(value, "$expand");
    if (n == 0) {
        return errorResponse(
            400, {base::queryParameterOutOfRange(value, "$expand", "1-" + std::to_string(kMaxExpandLevels))});
    }
    q.levels = n > kMaxExpandLevels ? kMaxExpandLevels : n; // deeper asks are served this deep
    return std::nullopt;
}

bool propertyChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '@' ||
           c == '.' || c == '#';
}

// "Name,Status/Health": property paths, each segment non-empty.
std::optional<http::Response> selectValue(const std::string& value, Query& q) {
    q.select.clear();
    std::string_view v = value;
    std::size_t i = 0;
    while (true) {
        auto j = v.find(',', i);
        std::string_view item = trimmed(v.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
        if (item.empty() || item.front() == '/' || item.back() == '/' || item.find("//") != std::string_view::npos) {
            return formatError(value, "$select");
        }
        for (char c : item) {
            if (c != '/' && !propertyChar(c)) return formatError(value, "$select");
        }
        // A segment is a property name: "..", "." or a name starting with '.' is not one.
        for (std::size_t s = 0; s < item.size();) {
            auto e = item.find('/', s);
            if (e == std::string_view::npos) e = item.size();
            if (item[s] == '.') return formatError(value, "$select");
            s = e + 1;
        }
        q.select.emplace_back(item);
        if (j == std::string_view::npos) break;
        i = j + 1;
    }
    return std::nullopt;
}

bool isLink(const json& node) {
    if (!node.is_object() || node.size() != 1) return false;
    auto it = node.find("@odata.id");
    return it != node.end() && it->is_string();
}

// The links of `node` that `mode` expands.
void collect(json& node, bool underLinks, Expand mode, std::vector<json*>& out) {
    if (node.is_array()) {
        for (auto& e : node)
            collect(e, underLinks, mode, out);
        return;
    }
    if (!node.is_object()) return;
    if (isLink(node)) {
        bool wanted = mode == Expand::All || (mode == Expand::Subordinate && !underLinks) ||
                      (mode == Expand::Links && underLinks);
        const auto& uri = node.find("@odata.id")->get_ref<const std::string&>();
        if (wanted && uri.rfind("/redfish/", 0) == 0 && uri.find('#') == std::string::npos) out.push_back(&node);
        return;
    }
    for (auto& [k, v] : node.items()) {
        if (!k.empty() && k.front() == '@') continue; // annotations (@Redfish.Settings ...) stay as they are
        // OEM objects keep their references: their schemas declare links, not resources.
        if (k == "Oem") continue;
        collect(v, underLinks || k == "Links", mode, out);
    }
}

struct ExpandState {
    std::shared_ptr<json> root;
    Expand mode = Expand::None;
    Fetch fetch;
    std::function<void()> done;
    std::size_t pending = 0;
    std::size_t budget = kMaxExpandFetches;
};

void finish(const std::shared_ptr<ExpandState>& st) {
    if (--st->pending != 0) return;
    auto done = std::move(st->done);
    st->fetch = nullptr; // breaks the cycle state -> fetch -> callbacks
    if (done) done();
}

void step(const std::shared_ptr<ExpandState>& st, json& node, unsigned levels) {
    std::vector<json*> links;
    collect(node, false, st->mode, links);
    for (json* link : links) {
        if (st->budget == 0) break;
        --st->budget;
        ++st->pending;
        std::string uri = link->find("@odata.id")->get<std::string>();
        st->fetch(uri, [st, link, levels](std::optional<json> got) {
            if (got && got->is_object()) {
                *link = std::move(*got);
                if (levels > 1) step(st, *link, levels - 1);
            }
            finish(st);
        });
    }
}

void selectIn(json& obj, const std::vector<std::string_view>& paths) {
    if (obj.is_array()) {
        for (auto& e : obj)
            selectIn(e, paths);
        return;
    }
    if (!obj.is_object()) return;
    // Each selected member with what to keep inside it (empty: all of it).
    std::map<std::string_view, std::vector<std::string_view>, std::less<>> keep;
    std::map<std::string_view, bool, std::less<>> whole;
    for (auto p : paths) {
        auto slash = p.find('/');
        auto head = p.substr(0, slash);
        if (slash == std::string_view::npos)
            whole[head] = true;
        else
            keep[head].push_back(p.substr(slash + 1));
    }
    for (auto it = obj.begin(); it != obj.end();) {
        const std::string& k = it.key();
        std::string_view name = std::string_view(k).substr(0, k.find('@')); // "Members@odata.count" -> "Members"
        bool annotation = name.empty();
        if (annotation || whole.count(name)) {
            ++it;
        } else if (auto sub = keep.find(name); sub != keep.end()) {
            if (k.size() == name.size()) selectIn(it.value(), sub->second);
            ++it;
        } else {
            it = obj.erase(it);
        }
    }
}

std::size_t skipString(std::string_view s, std::size_t i) {
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\')
            ++i;
        else if (s[i] == '"')
            return i + 1;
    }
    return std::string_view::npos;
}

std::size_t skipWs(std::string_view s, std::size_t i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
        ++i;
    return i;
}

std::size_t skipValue(std::string_view s, std::size_t i) {
    if (i >= s.size()) return std::string_view::npos;
    if (s[i] == '"') return skipString(s, i);
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        while (i < s.size()) {
            char c = s[i];
            if (c == '"') {
                i = skipString(s, i);
                if (i == std::string_view::npos) return i;
                continue;
            }
            if (c == '{' || c == '[') ++depth;
            if (c == '}' || c == ']') {
                if (--depth == 0) return i + 1;
            }
            ++i;
        }
        return std::string_view::npos;
    }
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n')
        ++i;
    return i;
}

} // namespace

std::optional<http::Response> parse(std::string_view raw, Query& out, bool filterAllowed) {
    out = Query{};
    std::vector<std::string> seen; // each option at most once ("$top=1&$top=2" is ambiguous)
    std::size_t i = 0;
    while (i < raw.size()) {
        auto j = raw.find('&', i);
        if (j == std::string_view::npos) j = raw.size();
        std::string_view part = raw.substr(i, j - i);
        i = j + 1;
        if (part.empty()) continue;
        auto eq = part.find('=');
        auto name = http::percentDecode(part.substr(0, eq));
        auto value = http::percentDecode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
        if (!name || !value) return formatError(part, "query");
        if (*name == "only") {
            if (!value->empty()) return formatError(*value, "only");
            out.only = true;
            continue;
        }
        if (name->empty() || name->front() != '$') continue; // not a query option: ignored
        if (std::find(seen.begin(), seen.end(), *name) != seen.end()) return formatError(part, *name);
        seen.push_back(*name);
        std::optional<http::Response> err;
        if (*name == "$top")
            err = count("$top", *value, out.top);
        else if (*name == "$skip")
            err = count("$skip", *value, out.skip);
        else if (*name == "$expand")
            err = expandValue(*value, out);
        else if (*name == "$select")
            err = selectValue(*value, out);
        else if (*name == "$filter" && filterAllowed) {
            if (value->empty()) err = formatError(*value, "$filter");
            out.filter = *value;
        } else {
            return notSupported();
        }
        if (err) return err;
    }
    return std::nullopt;
}

void applyPaging(json& body, const Query& q, std::string_view path) {
    if ((!q.top && !q.skip) || !body.is_object()) return;
    auto it = body.find("Members");
    if (it == body.end() || !it->is_array()) return;
    json& members = *it;
    const std::size_t total = members.size();
    const std::size_t skip = std::min(q.skip.value_or(0), total);
    const std::size_t top = std::min(q.top.value_or(total), total - skip);
    json page = json::array();
    for (std::size_t k = skip; k < skip + top; ++k)
        page.push_back(std::move(members[k]));
    members = std::move(page);
    if (q.top && skip + top < total) {
        body["Members@odata.nextLink"] =
            std::string(path) + "?$skip=" + std::to_string(skip + top) + "&$top=" + std::to_string(*q.top);
    }
}

void applySelect(json& body, const std::vector<std::string>& select) {
    if (select.empty() || !body.is_object()) return;
    std::vector<std::string_view> paths(select.begin(), select.end());
    // Id and Name stay with the annotations: every resource schema requires them.
    paths.emplace_back("Id");
    paths.emplace_back("Name");
    selectIn(body, paths);
}

void expand(std::shared_ptr<json> body, Expand mode, unsigned levels, Fetch fetch, std::function<void()> done) {
    if (mode == Expand::None || levels == 0 || !body) {
        done();
        return;
    }
    auto st = std::make_shared<ExpandState>();
    st->root = std::move(body);
    st->mode = mode;
    st->fetch = std::move(fetch);
    st->done = std::move(done);
    st->pending = 1; // held until every link of the first level is asked for
    step(st, *st->root, levels);
    finish(st);
}

void apply(http::Response res, const Query& q, std::string path, Fetch fetch,
           std::function<void(http::Response)> done) {
    const auto* type = res.header("Content-Type");
    if (res.status != 200 || q.empty() || !type || type->find("json") == std::string::npos) {
        done(std::move(res));
        return;
    }
    auto body = std::make_shared<json>(json::parse(res.body, nullptr, false));
    if (body->is_discarded() || !body->is_object()) {
        done(std::move(res));
        return;
    }
    applyPaging(*body, q, path);
    auto shared = std::make_shared<http::Response>(std::move(res));
    // Expansion and $select on what paging (and `only`) left; the ETag stays
    // the resource's (a selection is a view of the same state).
    auto finishUp = [body, shared, q, fetch, done = std::move(done)]() mutable {
        expand(body, q.expand, q.levels, fetch, [body, shared, select = q.select, done = std::move(done)]() {
            applySelect(*body, select);
            shared->body = body->dump(-1, ' ', false, json::error_handler_t::replace);
            done(std::move(*shared));
        });
    };
    const json* members = nullptr;
    if (auto it = body->find("Members"); it != body->end() && it->is_array()) members = &*it;
    if (q.only && members && members->size() == 1 && isLink((*members)[0])) {
        std::string uri = (*members)[0].find("@odata.id")->get<std::string>();
        fetch(uri, [body, shared, finishUp = std::move(finishUp)](std::optional<json> got) mutable {
            if (got && got->is_object()) {
                *body = std::move(*got);
                shared->set("ETag", etagOf(*body));
            }
            finishUp();
        });
        return;
    }
    finishUp();
}

std::optional<std::string_view> topLevelString(std::string_view s, std::string_view key) {
    std::size_t i = skipWs(s, 0);
    if (i >= s.size() || s[i] != '{') return std::nullopt;
    ++i;
    while (true) {
        i = skipWs(s, i);
        if (i >= s.size() || s[i] != '"') return std::nullopt;
        std::size_t end = skipString(s, i);
        if (end == std::string_view::npos) return std::nullopt;
        std::string_view k = s.substr(i + 1, end - i - 2);
        i = skipWs(s, end);
        if (i >= s.size() || s[i] != ':') return std::nullopt;
        i = skipWs(s, i + 1);
        if (k == key) {
            if (i >= s.size() || s[i] != '"') return std::nullopt;
            std::size_t vend = skipString(s, i);
            if (vend == std::string_view::npos) return std::nullopt;
            return s.substr(i + 1, vend - i - 2);
        }
        i = skipValue(s, i);
        if (i == std::string_view::npos) return std::nullopt;
        i = skipWs(s, i);
        if (i >= s.size() || s[i] != ',') return std::nullopt;
        ++i;
    }
}

std::string describedBy(std::string_view type, std::string_view localPrefix) {
    if (!type.empty() && type.front() == '#') type.remove_prefix(1);
    auto dot = type.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return {};
    std::string_view ns = type.substr(0, dot); // "Chassis.v1_25_0", "ChassisCollection"
    for (char c : ns) {
        if (!propertyChar(c) || c == '@' || c == '#') return {};
    }
    if (!localPrefix.empty() && ns.substr(0, localPrefix.size()) == localPrefix) {
        return "</redfish/v1/JsonSchemas/" + std::string(ns.substr(0, ns.find('.'))) + ">; rel=describedby";
    }
    return "<http://redfish.dmtf.org/schemas/v1/" + std::string(ns) + ".json>; rel=describedby";
}

void addResourceHeaders(http::Response& res, std::string_view allow, std::string_view localPrefix) {
    if (res.status >= 300) return;
    if (!allow.empty()) res.set("Allow", std::string(allow));
    if (res.status != 200) return;
    const auto* type = res.header("Content-Type");
    if (!type || type->find("json") == std::string::npos) return;
    if (auto t = topLevelString(res.body, "@odata.type")) {
        auto link = describedBy(*t, localPrefix);
        if (!link.empty()) res.set("Link", std::move(link));
    }
}

bool ifMatchAccepts(std::string_view ifMatch, std::string_view etag) {
    auto strong = [](std::string_view t) {
        t = trimmed(t);
        if (t.substr(0, 2) == "W/") t.remove_prefix(2);
        return t;
    };
    const std::string_view want = strong(etag);
    std::size_t i = 0;
    while (i <= ifMatch.size()) {
        auto j = ifMatch.find(',', i);
        if (j == std::string_view::npos) j = ifMatch.size();
        std::string_view tag = trimmed(ifMatch.substr(i, j - i));
        if (tag == "*") return true;
        if (!tag.empty() && strong(tag) == want) return true;
        i = j + 1;
    }
    return false;
}

std::optional<http::Response> checkODataVersion(const http::Request& req) {
    const auto* v = req.header("OData-Version");
    if (!v || trimmed(*v) == "4.0") return std::nullopt;
    return preconditionFailed();
}

json protocolFeatures(bool filter) {
    json f;
    f["ExpandQuery"] = {
        {"ExpandAll", true}, {"Levels", true}, {"Links", true}, {"NoLinks", true}, {"MaxLevels", kMaxExpandLevels}};
    f["SelectQuery"] = true;
    f["FilterQuery"] = filter;
    f["OnlyMemberQuery"] = true;
    f["TopSkipQuery"] = true;
    f["ExcerptQuery"] = false;
    return f;
}

} // namespace cmc::redfish::query
