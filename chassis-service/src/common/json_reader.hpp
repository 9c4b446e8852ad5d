// The one accessor layer for JSON that comes from outside cmcd (a BMC, a
// manifest, a fabric manager). A property that is missing, null or of the
// wrong type is "absent" (std::nullopt / nullptr), never an exception:
// nlohmann's value()/get()/operator[] are not used on untrusted documents.
#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cmc::jsonr {

using json = nlohmann::json;

// The member `key` of an object, or nullptr (not an object, missing, or null).
[[nodiscard]] inline const json* member(const json& j, std::string_view key) {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return nullptr;
    return &*it;
}

[[nodiscard]] inline const json* object(const json& j, std::string_view key) {
    const json* m = member(j, key);
    return m && m->is_object() ? m : nullptr;
}

[[nodiscard]] inline const json* array(const json& j, std::string_view key) {
    const json* m = member(j, key);
    return m && m->is_array() ? m : nullptr;
}

[[nodiscard]] inline std::optional<std::string> string(const json& j, std::string_view key) {
    const json* m = member(j, key);
    if (!m || !m->is_string()) return std::nullopt;
    return m->get_ref<const std::string&>();
}

// A non-empty string, or absent.
[[nodiscard]] inline std::optional<std::string> text(const json& j, std::string_view key) {
    auto s = string(j, key);
    if (!s || s->empty()) return std::nullopt;
    return s;
}

[[nodiscard]] inline std::optional<bool> boolean(const json& j, std::string_view key) {
    const json* m = member(j, key);
    if (!m || !m->is_boolean()) return std::nullopt;
    return m->get_ref<const json::boolean_t&>();
}

// An integer in [lo, hi]; a float with no fraction counts (BMCs send 64.0).
[[nodiscard]] inline std::optional<std::int64_t> integer(const json& j, std::string_view key,
                                                         std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
                                                         std::int64_t hi = std::numeric_limits<std::int64_t>::max()) {
    const json* m = member(j, key);
    if (!m) return std::nullopt;
    std::int64_t v = 0;
    if (m->is_number_unsigned()) {
        auto u = m->get_ref<const json::number_unsigned_t&>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
        v = static_cast<std::int64_t>(u);
    } else if (m->is_number_integer()) {
        v = m->get_ref<const json::number_integer_t&>();
    } else if (m->is_number_float()) {
        double d = m->get_ref<const json::number_float_t&>();
        if (!std::isfinite(d) || d != std::floor(d) || d < -9.0e18 || d > 9.0e18) return std::nullopt;
        v = static_cast<std::int64_t>(d);
    } else {
        return std::nullopt;
    }
    if (v < lo || v > hi) return std::nullopt;
    return v;
}

[[nodiscard]] inline std::optional<double> number(const json& j, std::string_view key) {
    const json* m = member(j, key);
    if (!m || !m->is_number()) return std::nullopt;
    double d = 0;
    if (m->is_number_float())
        d = m->get_ref<const json::number_float_t&>();
    else if (m->is_number_unsigned())
        d = static_cast<double>(m->get_ref<const json::number_unsigned_t&>());
    else
        d = static_cast<double>(m->get_ref<const json::number_integer_t&>());
    if (!std::isfinite(d)) return std::nullopt;
    return d;
}

// The "@odata.id" of a link object `{"@odata.id": "..."}` held under `key`.
[[nodiscard]] inline std::optional<std::string> link(const json& j, std::string_view key) {
    const json* o = object(j, key);
    if (!o) return std::nullopt;
    return text(*o, "@odata.id");
}

// The "@odata.id" of every well-formed element of an array of links; elements
// that are not link objects are skipped.
[[nodiscard]] inline std::vector<std::string> links(const json& j, std::string_view key) {
    std::vector<std::string> out;
    const json* a = array(j, key);
    if (!a) return out;
    for (const auto& e : *a) {
        if (auto id = text(e, "@odata.id")) out.push_back(*id);
    }
    return out;
}

// The first link of an array of links, or of a single link object (some
// services send one where the schema says an array).
[[nodiscard]] inline std::optional<std::string> firstLink(const json& j, std::string_view key) {
    auto all = links(j, key);
    if (!all.empty()) return all.front();
    return link(j, key);
}

// A string element of an array of strings (skipping other types).
[[nodiscard]] inline std::vector<std::string> strings(const json& j, std::string_view key) {
    std::vector<std::string> out;
    const json* a = array(j, key);
    if (!a) return out;
    for (const auto& e : *a) {
        if (e.is_string()) out.push_back(e.get_ref<const std::string&>());
    }
    return out;
}

// Parses untrusted text; nullopt when it is not JSON.
[[nodiscard]] inline std::optional<json> parse(std::string_view text) {
    auto j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
}

// A short description of a JSON value's type, for messages.
[[nodiscard]] inline const char* typeName(const json* j) {
    return j ? j->type_name() : "absent";
}

} // namespace cmc::jsonr
