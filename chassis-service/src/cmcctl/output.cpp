#include "cmcctl/output.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "common/json_reader.hpp"

namespace cmc::cmcctl {

const json* at(const json& j, std::initializer_list<std::string_view> path) {
    const json* cur = &j;
    for (auto key : path) {
        cur = jsonr::member(*cur, key);
        if (!cur) return nullptr;
    }
    return cur;
}

std::string cellOf(const json* v) {
    if (!v) return "-";
    if (v->is_string()) {
        const auto& s = v->get_ref<const std::string&>();
        return s.empty() ? "-" : s;
    }
    if (v->is_boolean()) return v->get<bool>() ? "yes" : "no";
    if (v->is_number()) return v->dump();
    return "-";
}

std::string cell(const json& j, std::initializer_list<std::string_view> path) {
    return cellOf(at(j, path));
}

json field(const json& j, std::initializer_list<std::string_view> path) {
    const json* v = at(j, path);
    if (!v || v->is_object() || v->is_array()) return nullptr;
    return *v;
}

std::string linkAt(const json& j, std::initializer_list<std::string_view> path) {
    const json* v = at(j, path);
    return v ? jsonr::text(*v, "@odata.id").value_or("") : "";
}

std::string firstLinkAt(const json& j, std::initializer_list<std::string_view> path) {
    const json* v = at(j, path);
    if (!v || !v->is_array()) return "";
    for (const auto& e : *v) {
        if (auto id = jsonr::text(e, "@odata.id")) return *id;
    }
    return "";
}

std::optional<int> slotOfUri(const std::string& uri) {
    std::string s = lastSegment(uri);
    if (s.rfind("blade-", 0) != 0 || s.size() == 6) return std::nullopt;
    int v = 0;
    auto [p, ec] = std::from_chars(s.data() + 6, s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

std::string lastSegment(const std::string& uri) {
    std::string u = uri;
    while (u.size() > 1 && u.back() == '/')
        u.pop_back();
    auto slash = u.rfind('/');
    return slash == std::string::npos ? u : u.substr(slash + 1);
}

std::string duration(const json* ms) {
    if (!ms || !ms->is_number()) return "-";
    double v = ms->get<double>();
    if (v < 0) return "-";
    char buf[64];
    if (v < 1000)
        std::snprintf(buf, sizeof buf, "%.0f ms", v);
    else if (v < 60000)
        std::snprintf(buf, sizeof buf, "%.1f s", v / 1000.0);
    else if (double sec = std::floor((v - std::floor(v / 60000.0) * 60000.0) / 1000.0); sec == 0)
        std::snprintf(buf, sizeof buf, "%.0f min", std::floor(v / 60000.0));
    else
        std::snprintf(buf, sizeof buf, "%.0f min %.0f s", std::floor(v / 60000.0), sec);
    return buf;
}

std::optional<int> parseSlot(const std::string& s) {
    std::string digits = s.rfind("blade-", 0) == 0 ? s.substr(6) : s;
    int v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || v <= 0 || digits[0] == '0')
        return std::nullopt;
    return v;
}

bool validName(const std::string& s) {
    if (s.empty() || s.size() > 255) return false;
    return std::all_of(s.begin(), s.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
               ch == '_' || ch == '-';
    });
}

std::string withNote(const std::string& value, const std::string& note) {
    return note.empty() || note == "-" ? value : value + " (" + note + ")";
}

std::string slotText(const std::optional<int>& slot) {
    return slot ? std::to_string(*slot) : "-";
}

json slotJson(const std::optional<int>& slot) {
    return slot ? json(*slot) : json(nullptr);
}

namespace {

// Display width of UTF-8 text (code points; good enough for names and messages).
std::size_t widthOf(const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Control characters from the service are not sent to the terminal.
std::string printable(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s)
        out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
    return out;
}

} // namespace

void Table::print(std::ostream& os) const {
    std::vector<std::size_t> width(headers_.size(), 0);
    for (std::size_t i = 0; i < headers_.size(); ++i)
        width[i] = widthOf(headers_[i]);
    for (const auto& r : rows_) {
        for (std::size_t i = 0; i < r.size() && i < width.size(); ++i)
            width[i] = std::max(width[i], widthOf(printable(r[i])));
    }
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (std::size_t i = 0; i < headers_.size(); ++i) {
            std::string c = i < cells.size() ? printable(cells[i]) : "-";
            out += c;
            if (i + 1 < headers_.size()) out += std::string(width[i] - widthOf(c) + 2, ' ');
        }
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        os << out << "\n";
    };
    line(headers_);
    for (const auto& r : rows_)
        line(r);
}

void KeyValues::print(std::ostream& os) const {
    std::size_t w = 0;
    for (const auto& [k, v] : rows_)
        w = std::max(w, widthOf(k));
    for (const auto& [k, v] : rows_)
        os << k << ":" << std::string(w - widthOf(k) + 2, ' ') << printable(v) << "\n";
}

void printJson(const json& j) {
    std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

// "/redfish/v1/Systems/web01" -> "Systems/web01".
std::string shortUri(const std::string& uri) {
    const std::string prefix = "/redfish/v1/";
    return uri.rfind(prefix, 0) == 0 ? uri.substr(prefix.size()) : (uri.empty() ? "-" : uri);
}

// The slots of the blades named by the links at `path` ("3, 13").
std::string slotsOfLinks(const json& j, std::initializer_list<std::string_view> path) {
    const json* a = at(j, path);
    std::string out;
    if (!a || !a->is_array()) return "-";
    for (const auto& e : *a) {
        auto id = jsonr::text(e, "@odata.id");
        auto slot = id ? slotOfUri(*id) : std::nullopt;
        if (!slot) continue;
        out += (out.empty() ? "" : ", ") + std::to_string(*slot);
    }
    return out.empty() ? "-" : out;
}

json stringsAt(const json& j, std::initializer_list<std::string_view> path, std::string_view key) {
    json out = json::array();
    const json* a = at(j, path);
    if (!a || !a->is_array()) return out;
    for (const auto& e : *a) {
        if (auto v = jsonr::text(e, key)) out.push_back(*v);
    }
    return out;
}

std::string joined(const json& a) {
    std::string out;
    for (const auto& e : a)
        out += (out.empty() ? "" : ", ") + e.get<std::string>();
    return out.empty() ? "-" : out;
}

// Tasks in id order (ids are numbers; the collection's order is not promised).
void sortByNumericId(std::vector<json>& v) {
    auto key = [](const json& t) {
        auto id = jsonr::text(t, "Id").value_or("");
        long n = 0;
        std::from_chars(id.data(), id.data() + id.size(), n);
        return n;
    };
    std::stable_sort(v.begin(), v.end(), [&](const json& a, const json& b) { return key(a) < key(b); });
}

} // namespace cmc::cmcctl
