#include "http/router.hpp"

#include <algorithm>

namespace cmc::http {

bool Principal::has(std::string_view privilege) const {
    return std::find(privileges.begin(), privileges.end(), privilege) != privileges.end();
}

bool Principal::hasAll(const std::vector<std::string>& required) const {
    return std::all_of(required.begin(), required.end(), [this](const std::string& p) { return has(p); });
}

Router::Builder& Router::Builder::methods(std::vector<std::string> names) {
    methods_ = std::move(names);
    return *this;
}

Router::Builder& Router::Builder::privileges(std::vector<std::string> required) {
    privileges_ = std::move(required);
    return *this;
}

Router::Builder& Router::Builder::publicAccess() {
    public_ = true;
    privileges_.clear();
    return *this;
}

Router::Builder& Router::Builder::filter() {
    filter_ = true;
    return *this;
}

Router::Builder& Router::Builder::paging() {
    paging_ = true;
    return *this;
}

void Router::Builder::operator()(RouteHandler handler) {
    router_.add(pattern_, methods_, privileges_, public_, filter_, paging_, std::move(handler));
}

Router::Builder Router::route(std::string pattern) {
    return Builder(*this, std::move(pattern));
}

void Router::add(const std::string& pattern, const std::vector<std::string>& methods,
                 const std::vector<std::string>& privileges, bool publicAccess, bool ownFilter, bool ownPaging,
                 RouteHandler handler) {
    auto parts = pathSegments(pattern);
    std::vector<std::string> p = parts ? *parts : std::vector<std::string>{};
    auto it = std::find_if(routes_.begin(), routes_.end(), [&](const Route& r) { return r.parts == p; });
    if (it == routes_.end()) {
        routes_.push_back(Route{pattern, p, {}, {}});
        it = routes_.end() - 1;
    }
    for (const auto& m : methods) {
        auto& list = it->methods;
        list.erase(std::remove_if(list.begin(), list.end(), [&](const Method& x) { return x.name == m; }), list.end());
        list.push_back(Method{m, privileges, publicAccess, ownFilter, ownPaging, handler});
    }
    // The Allow header of the path, computed once (every answer carries it).
    std::vector<std::string> names;
    for (const auto& m : it->methods) {
        names.push_back(m.name);
        if (m.name == "GET") names.emplace_back("HEAD");
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    it->allow.clear();
    for (const auto& n : names)
        it->allow += (it->allow.empty() ? "" : ", ") + n;
}

Router::Match Router::match(const std::vector<std::string>& segments, std::string_view method) const {
    Match out;
    const Route* best = nullptr;
    int bestLiterals = -1;
    for (const auto& r : routes_) {
        if (r.parts.size() != segments.size()) continue;
        int literals = 0;
        bool ok = true;
        for (std::size_t i = 0; i < segments.size() && ok; ++i) {
            if (r.parts[i] == segments[i] && r.parts[i] != "<str>")
                ++literals;
            else
                ok = r.parts[i] == "<str>";
        }
        // The most specific pattern wins: /Chassis/chassis over /Chassis/<str>.
        if (ok && literals > bestLiterals) {
            best = &r;
            bestLiterals = literals;
        }
    }
    if (!best) return out;
    out.pattern = best->pattern;
    out.allow = best->allow;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (best->parts[i] == "<str>") out.params.push_back(segments[i]);
    }
    std::string_view want = method == "HEAD" ? std::string_view("GET") : method;
    for (const auto& m : best->methods) {
        if (m.name == want) {
            out.kind = Match::Kind::Found;
            out.method = &m;
            return out;
        }
    }
    out.kind = Match::Kind::MethodNotAllowed;
    return out;
}

std::vector<std::pair<std::string, std::vector<std::string>>> Router::table() const {
    std::vector<std::pair<std::string, std::vector<std::string>>> out;
    for (const auto& r : routes_) {
        std::vector<std::string> m;
        for (const auto& x : r.methods)
            m.push_back(x.name);
        out.emplace_back(r.pattern, m);
    }
    return out;
}

std::optional<std::vector<std::string>> pathSegments(std::string_view target) {
    auto q = target.find_first_of("?#");
    std::string_view path = target.substr(0, q);
    if (path.empty() || path.front() != '/') return std::nullopt;
    std::vector<std::string> out;
    std::size_t i = 1;
    while (i <= path.size()) {
        auto j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        std::string_view raw = path.substr(i, j - i);
        bool last = j == path.size();
        if (raw.empty()) {
            if (last) break;     // a trailing slash
            return std::nullopt; // "//": an empty segment
        }
        auto decoded = percentDecode(raw);
        if (!decoded) return std::nullopt;
        out.push_back(std::move(*decoded));
        i = j + 1;
    }
    return out;
}

} // namespace cmc::http
