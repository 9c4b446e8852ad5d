#include "http/http_types.hpp"

namespace cmc::http {

namespace {
char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
} // namespace

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

const std::string* Request::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (iequals(h.name, name)) return &h.value;
    }
    return nullptr;
}

void Response::set(std::string name, std::string value) {
    for (auto& h : headers) {
        if (iequals(h.name, name)) {
            h.value = std::move(value);
            return;
        }
    }
    headers.push_back({std::move(name), std::move(value)});
}

const std::string* Response::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (iequals(h.name, name)) return &h.value;
    }
    return nullptr;
}

namespace {
constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64Encode(std::string_view in) {
    std::string out;
    int val = 0;
    int bits = -6;
    for (unsigned char c : in) {
        val = (val << 8) + c;
        bits += 8;
        while (bits >= 0) {
            out.push_back(kBase64[static_cast<std::size_t>((val >> bits) & 0x3f)]);
            bits -= 6;
        }
    }
    if (bits > -6) out.push_back(kBase64[static_cast<std::size_t>(((val << 8) >> (bits + 8)) & 0x3f)]);
    while (out.size() % 4)
        out.push_back('=');
    return out;
}

std::optional<std::string> base64Decode(std::string_view in) {
    std::string out;
    int val = 0;
    int bits = -8;
    for (char c : in) {
        if (c == '=') break;
        auto pos = kBase64.find(c);
        if (pos == std::string_view::npos) return std::nullopt;
        val = ((val << 6) + static_cast<int>(pos)) & 0xffffff;
        bits += 6;
        if (bits >= 0) {
            out.push_back(static_cast<char>((val >> bits) & 0xff));
            bits -= 8;
        }
    }
    return out;
}

std::optional<std::pair<std::string, std::string>> parseBasicAuth(std::string_view header) {
    if (header.size() <= 6 || !iequals(header.substr(0, 6), "Basic ")) return std::nullopt;
    auto decoded = base64Decode(header.substr(6));
    if (!decoded) return std::nullopt;
    auto colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

std::optional<std::string> percentDecode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return std::nullopt;
            int hi = hexValue(in[i + 1]);
            int lo = hexValue(in[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            char d = static_cast<char>(hi * 16 + lo);
            if (d == '\0') return std::nullopt;
            out.push_back(d);
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

} // namespace cmc::http
