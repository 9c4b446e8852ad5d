#include "southbound/ipmi/ipmi_decode.hpp"

#include <algorithm>
#include <cstdio>

namespace cmc::southbound::ipmi {
namespace {

std::string hexByte(std::uint8_t b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", b);
    return buf;
}

// Sets error/completionCode/message for an answer that is empty, carries a
// non-zero completion code or is shorter than minLength; true if it may be
// decoded further.
template <typename T> bool checkCompletion(Bytes answer, std::size_t minLength, const char* what, IpmiResult<T>& out) {
    if (answer.empty()) {
        out.error = IpmiError::Malformed;
        out.message = std::string(what) + ": empty answer";
        return false;
    }
    out.completionCode = answer[0];
    if (answer[0] != 0) {
        out.error = IpmiError::CompletionCode;
        out.message = std::string(what) + ": completion code " + hexByte(answer[0]);
        return false;
    }
    if (answer.size() < minLength) {
        out.error = IpmiError::Malformed;
        out.message = std::string(what) + ": answer of " + std::to_string(answer.size()) +
                      " bytes, expected at least " + std::to_string(minLength);
        return false;
    }
    return true;
}

std::uint16_t le16(Bytes b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}

std::uint32_t le32(Bytes b, std::size_t at) {
    return static_cast<std::uint32_t>(b[at]) | (static_cast<std::uint32_t>(b[at + 1]) << 8) |
           (static_cast<std::uint32_t>(b[at + 2]) << 16) | (static_cast<std::uint32_t>(b[at + 3]) << 24);
}

bool zeroChecksum(Bytes b) {
    unsigned sum = 0;
    for (auto v : b)
        sum += v;
    return (sum & 0xff) == 0;
}

// Decodes one type/length-coded field into text.
std::string decodeField(std::uint8_t typeLength, Bytes data) {
    const unsigned type = typeLength >> 6;
    std::string s;
    switch (type) {
    case 0: { // binary: hex
        static constexpr char kHex[] = "0123456789abcdef";
        for (auto v : data) {
            s.push_back(kHex[v >> 4]);
            s.push_back(kHex[v & 0xf]);
        }
        break;
    }
    case 1: { // BCD plus
        static constexpr char kBcd[] = "0123456789 -.:,_";
        for (auto v : data) {
            s.push_back(kBcd[v >> 4]);
            s.push_back(kBcd[v & 0xf]);
        }
        break;
    }
    case 2: { // 6-bit ASCII, packed LSB first
        std::uint32_t acc = 0;
        int bits = 0;
        for (auto v : data) {
            acc |= static_cast<std::uint32_t>(v) << bits;
            bits += 8;
            while (bits >= 6) {
                s.push_back(static_cast<char>(0x20 + (acc & 0x3f)));
                acc >>= 6;
                bits -= 6;
            }
        }
        break;
    }
    default: // 8-bit ASCII + Latin-1
        for (auto v : data)
            s.push_back(static_cast<char>(v));
        break;
    }
    // Trailing padding is common in FRU images.
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0'))
        s.pop_back();
    return s;
}

// Reads the type/length fields starting at `pos` into `fields` until the end
// marker (0xC1). False with a reason if a field runs past the area.
bool readFields(Bytes area, std::size_t pos, std::vector<std::string>& fields, std::string& why) {
    // The last byte of the area is its checksum.
    const std::size_t end = area.size() - 1;
    while (pos < end) {
        const std::uint8_t tl = area[pos];
        if (tl == 0xc1) return true;
        const std::size_t len = tl & 0x3f;
        if (pos + 1 + len > end) {
            why = "field at offset " + std::to_string(pos) + " runs past the area";
            return false;
        }
        fields.push_back(decodeField(tl, area.subspan(pos + 1, len)));
        pos += 1 + len;
    }
    why = "no end-of-fields marker";
    return false;
}

bool checkArea(Bytes area, const char* name, std::string& why) {
    if (area.size() < 8 || area.size() != static_cast<std::size_t>(area[1]) * 8) {
        why = std::string(name) + " area length inconsistent";
        return false;
    }
    if ((area[0] & 0x0f) != 0x01) {
        why = std::string(name) + " area format version " + hexByte(area[0]) + " unsupported";
        return false;
    }
    if (!zeroChecksum(area)) {
        why = std::string(name) + " area checksum wrong";
        return false;
    }
    return true;
}

} // namespace

IpmiResult<IpmiDeviceId> decodeDeviceId(Bytes a) {
    IpmiResult<IpmiDeviceId> r;
    if (!checkCompletion(a, 12, "Get Device ID", r)) return r;
    r.value.deviceId = a[1];
    r.value.deviceRevision = a[2] & 0x0f;
    char fw[16];
    std::snprintf(fw, sizeof fw, "%u.%02x", static_cast<unsigned>(a[3] & 0x7f), static_cast<unsigned>(a[4]));
    r.value.firmwareVersion = fw;
    r.value.ipmiVersion = a[5];
    r.value.manufacturerId = static_cast<std::uint32_t>(a[7] | (a[8] << 8) | ((a[9] & 0x0f) << 16));
    r.value.productId = le16(a, 10);
    return r;
}

IpmiResult<IpmiChassisStatus> decodeChassisStatus(Bytes a) {
    IpmiResult<IpmiChassisStatus> r;
    if (!checkCompletion(a, 4, "Get Chassis Status", r)) return r;
    auto& v = r.value;
    v.powerOn = (a[1] & 0x01) != 0;
    v.powerOverload = (a[1] & 0x02) != 0;
    v.powerInterlock = (a[1] & 0x04) != 0;
    v.powerFault = (a[1] & 0x08) != 0;
    v.powerControlFault = (a[1] & 0x10) != 0;
    v.lastPowerEvent = a[2];
    v.intrusion = (a[3] & 0x01) != 0;
    v.coolingFault = (a[3] & 0x08) != 0;
    // Bits 5:4 identify state (1 temporary on, 2 indefinite on), valid if bit 6 is set.
    v.identifyOn = (a[3] & 0x40) != 0 && ((a[3] >> 4) & 0x03) != 0 && ((a[3] >> 4) & 0x03) != 3;
    return r;
}

IpmiResult<bool> decodeChassisControl(Bytes a) {
    IpmiResult<bool> r;
    if (!checkCompletion(a, 1, "Chassis Control", r)) return r;
    r.value = true;
    return r;
}

IpmiResult<IpmiSelInfo> decodeSelInfo(Bytes a) {
    IpmiResult<IpmiSelInfo> r;
    if (!checkCompletion(a, 15, "Get SEL Info", r)) return r;
    r.value.entries = le16(a, 2);
    r.value.lastAddTimestamp = le32(a, 6);
    r.value.lastEraseTimestamp = le32(a, 10);
    return r;
}

IpmiResult<IpmiWatchdog> decodeWatchdog(Bytes a) {
    IpmiResult<IpmiWatchdog> r;
    if (!checkCompletion(a, 9, "Get Watchdog Timer", r)) return r;
    auto& w = r.value;
    w.timerUse = a[1] & 0x07;
    w.running = (a[1] & 0x40) != 0;
    w.action = a[2] & 0x07;
    w.expirationFlags = a[4];
    w.initialCountdown = le16(a, 5);
    w.presentCountdown = le16(a, 7);
    return r;
}

IpmiResult<FruAreaInfo> decodeFruAreaInfo(Bytes a) {
    IpmiResult<FruAreaInfo> r;
    if (!checkCompletion(a, 4, "Get FRU Inventory Area Info", r)) return r;
    r.value.size = le16(a, 1);
    r.value.wordAccess = (a[3] & 0x01) != 0;
    return r;
}

IpmiResult<std::vector<std::uint8_t>> decodeReadFruData(Bytes a) {
    IpmiResult<std::vector<std::uint8_t>> r;
    if (!checkCompletion(a, 2, "Read FRU Data", r)) return r;
    const std::size_t count = a[1];
    if (a.size() != 2 + count) {
        r.error = IpmiError::Malformed;
        r.message =
            "Read FRU Data: count " + std::to_string(count) + " but " + std::to_string(a.size() - 2) + " data bytes";
        return r;
    }
    r.value.assign(a.begin() + 2, a.end());
    return r;
}

IpmiResult<FruHeader> parseFruHeader(Bytes h) {
    IpmiResult<FruHeader> r;
    if (h.size() < 8) {
        r.error = IpmiError::Malformed;
        r.message = "FRU common header shorter than 8 bytes";
        return r;
    }
    if ((h[0] & 0x0f) != 0x01) {
        r.error = IpmiError::Malformed;
        r.message = "FRU common header format version " + hexByte(h[0]) + " unsupported";
        return r;
    }
    if (!zeroChecksum(h.first(8))) {
        r.error = IpmiError::Malformed;
        r.message = "FRU common header checksum wrong";
        return r;
    }
    r.value.boardOffset = static_cast<std::uint16_t>(h[3] * 8);
    r.value.productOffset = static_cast<std::uint16_t>(h[4] * 8);
    return r;
}

bool parseBoardArea(Bytes area, IpmiFru& out, std::string& why) {
    if (!checkArea(area, "board", why)) return false;
    std::vector<std::string> f;
    // version, length, language, 3 bytes manufacturing date, then fields.
    if (!readFields(area, 6, f, why)) {
        why = "board area: " + why;
        return false;
    }
    f.resize(std::max<std::size_t>(f.size(), 4));
    out.boardManufacturer = f[0];
    out.boardProductName = f[1];
    out.boardSerialNumber = f[2];
    out.boardPartNumber = f[3];
    return true;
}

bool parseProductArea(Bytes area, IpmiFru& out, std::string& why) {
    if (!checkArea(area, "product", why)) return false;
    std::vector<std::string> f;
    if (!readFields(area, 3, f, why)) {
        why = "product area: " + why;
        return false;
    }
    f.resize(std::max<std::size_t>(f.size(), 6));
    out.productManufacturer = f[0];
    out.productName = f[1];
    out.productPartNumber = f[2];
    out.productVersion = f[3];
    out.productSerialNumber = f[4];
    out.productAssetTag = f[5];
    return true;
}

IpmiResult<IpmiFru> parseFruImage(Bytes image) {
    IpmiResult<IpmiFru> r;
    auto h = parseFruHeader(image);
    if (!h.ok()) {
        r.error = h.error;
        r.message = h.message;
        return r;
    }
    auto area = [&](std::uint16_t off, Bytes& outArea) {
        if (off + 2u > image.size()) return false;
        const std::size_t len = static_cast<std::size_t>(image[off + 1]) * 8;
        if (off + len > image.size()) return false;
        outArea = image.subspan(off, len);
        return true;
    };
    std::string why;
    Bytes a;
    if (h.value.boardOffset != 0) {
        if (!area(h.value.boardOffset, a) || !parseBoardArea(a, r.value, why)) {
            r.error = IpmiError::Malformed;
            r.message = why.empty() ? "board area outside the FRU image" : why;
            return r;
        }
    }
    if (h.value.productOffset != 0) {
        if (!area(h.value.productOffset, a) || !parseProductArea(a, r.value, why)) {
            r.error = IpmiError::Malformed;
            r.message = why.empty() ? "product area outside the FRU image" : why;
            return r;
        }
    }
    return r;
}

IpmiResult<std::uint16_t> decodeReserveSel(Bytes a) {
    IpmiResult<std::uint16_t> r;
    if (!checkCompletion(a, 3, "Reserve SEL", r)) return r;
    r.value = le16(a, 1);
    return r;
}

IpmiResult<SelEntryAnswer> decodeSelEntry(Bytes a) {
    IpmiResult<SelEntryAnswer> r;
    if (!checkCompletion(a, 19, "Get SEL Entry", r)) return r;
    r.value.nextId = le16(a, 1);
    auto& e = r.value.entry;
    e.recordId = le16(a, 3);
    e.recordType = a[5];
    e.timestamp = le32(a, 6);
    // 10..11 generator id, 12 EvM revision.
    e.sensorType = a[13];
    e.sensorNumber = a[14];
    e.eventDirType = a[15];
    e.eventData = {a[16], a[17], a[18]};
    return r;
}

} // namespace cmc::southbound::ipmi
