// The strict reader of cmcd's config file (internal to config/): typed
// accessors that record the first error with the key's full path, and
// unknown keys refused.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cmc::config::detail {

using json = nlohmann::json;

inline std::string typeError(const std::string& key, const char* want, const json& v) {
    return "config: '" + key + "' must be " + want + " (got " + v.dump() + ")";
}

struct Reader {
    const json& obj;
    std::string prefix;
    std::string error;
    std::vector<std::string> known;

    std::string key(const char* k) const { return prefix.empty() ? k : prefix + "." + k; }

    void str(const char* k, std::string& out, bool nonEmpty = false) {
        known.emplace_back(k);
        if (!error.empty() || !obj.contains(k)) return;
        const auto& v = obj[k];
        if (!v.is_string() || (nonEmpty && v.get<std::string>().empty())) {
            error = typeError(key(k), nonEmpty ? "a non-empty string" : "a string", v);
            return;
        }
        out = v.get<std::string>();
    }

    void integer(const char* k, std::int64_t& out, std::int64_t lo, std::int64_t hi) {
        known.emplace_back(k);
        if (!error.empty() || !obj.contains(k)) return;
        const auto& v = obj[k];
        if (!v.is_number_integer() || v.get<std::int64_t>() < lo || v.get<std::int64_t>() > hi) {
            error = "config: '" + key(k) + "' must be an integer " + std::to_string(lo) + ".." + std::to_string(hi) +
                    " (got " + v.dump() + ")";
            return;
        }
        out = v.get<std::int64_t>();
    }

    void boolean(const char* k, bool& out) {
        known.emplace_back(k);
        if (!error.empty() || !obj.contains(k)) return;
        const auto& v = obj[k];
        if (!v.is_boolean()) {
            error = typeError(key(k), "true or false", v);
            return;
        }
        out = v.get<bool>();
    }

    void number(const char* k, double& out, double lo, double hi) {
        known.emplace_back(k);
        if (!error.empty() || !obj.contains(k)) return;
        const auto& v = obj[k];
        if (!v.is_number() || v.get<double>() < lo || v.get<double>() > hi) {
            error = "config: '" + key(k) + "' must be a number " + std::to_string(lo) + ".." + std::to_string(hi) +
                    " (got " + v.dump() + ")";
            return;
        }
        out = v.get<double>();
    }

    void object(const char* k, const std::function<std::string(const json&, const std::string&)>& fn) {
        known.emplace_back(k);
        if (!error.empty() || !obj.contains(k)) return;
        if (!obj[k].is_object()) {
            error = typeError(key(k), "an object", obj[k]);
            return;
        }
        error = fn(obj[k], key(k));
    }

    // An array of objects: `fn(element, "key[i]")` per element.
    void objects(const char* k, const std::function<std::string(const json&, const std::string&)>& fn) {
        known.emplace_back(k);
        if (!error.empty() || !obj.contains(k)) return;
        if (!obj[k].is_array()) {
            error = typeError(key(k), "an array", obj[k]);
            return;
        }
        for (std::size_t i = 0; i < obj[k].size() && error.empty(); ++i) {
            std::string where = key(k) + "[" + std::to_string(i) + "]";
            if (!obj[k][i].is_object()) {
                error = typeError(where, "an object", obj[k][i]);
                return;
            }
            error = fn(obj[k][i], where);
        }
    }

    std::string finish() {
        if (!error.empty()) return error;
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
                return "config: unknown key '" + key(it.key().c_str()) + "'";
            }
        }
        return {};
    }
};

} // namespace cmc::config::detail

namespace cmc::config {
struct Declarations;
struct FailoverConfig;
namespace detail {
// "identityPools", "sparePools", "logicalServers" of the top level (declarations.cpp).
void readDeclarations(Reader& r, Declarations& out);
// The "failover" object (declarations.cpp).
void readFailover(Reader& r, FailoverConfig& out);
} // namespace detail
} // namespace cmc::config
