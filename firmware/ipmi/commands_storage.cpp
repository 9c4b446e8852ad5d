// Storage network function: SDR repository, SEL and FRU inventory.
#include "hal/blade_hal.hpp"
#include "ipmi/command_handler.hpp"
#include "ipmi/command_util.hpp"
#include "ipmi/fru_image.hpp"
#include "ipmi/sdr_records.hpp"

#include <algorithm>

namespace cmc::ipmi {

using detail::badLength;
using detail::cc;
using Bytes = CommandHandler::Bytes;

namespace {

namespace storage {
constexpr std::uint8_t kGetFruAreaInfo = 0x10;
constexpr std::uint8_t kReadFruData = 0x11;
constexpr std::uint8_t kGetSdrRepositoryInfo = 0x20;
constexpr std::uint8_t kReserveSdrRepository = 0x22;
constexpr std::uint8_t kGetSdr = 0x23;
constexpr std::uint8_t kGetSelInfo = 0x40;
constexpr std::uint8_t kReserveSel = 0x42;
constexpr std::uint8_t kGetSelEntry = 0x43;
constexpr std::uint8_t kAddSelEntry = 0x44;
constexpr std::uint8_t kClearSel = 0x47;
constexpr std::uint8_t kGetSelTime = 0x48;
} // namespace storage

constexpr std::uint8_t kSdrSelVersion = 0x51;
constexpr std::uint8_t kSupportsReserve = 0x02;
constexpr std::uint16_t kFirstRecord = 0x0000;
constexpr std::uint16_t kLastRecord = 0xFFFF;
constexpr std::size_t kSelRecordSize = 16;
constexpr std::size_t kMaxFruRead = 128;
constexpr std::uint8_t kRecordTypeSystemEvent = 0x02;
constexpr std::uint8_t kEvmRev = 0x04;

Bytes selRecordBytes(const hal::SelRecord& r) {
    Bytes b;
    wire::putU16(b, r.id);
    b.push_back(kRecordTypeSystemEvent);
    wire::putU32(b, r.timestamp);
    b.push_back(0x20); // generator: BMC
    b.push_back(0x00);
    b.push_back(kEvmRev);
    b.push_back(r.sensorType);
    b.push_back(r.sensorNumber);
    b.push_back(r.eventDirType);
    b.insert(b.end(), r.eventData.begin(), r.eventData.end());
    return b;
}

// Shared by Get SDR and Get SEL Entry: [reservation][record id][offset][count].
struct RecordRead {
    std::uint16_t reservation;
    std::uint16_t recordId;
    std::uint8_t offset;
    std::uint8_t count;
};

RecordRead parseRecordRead(std::span<const std::uint8_t> d) {
    return {wire::getU16(d, 0), wire::getU16(d, 2), d[4], d[5]};
}

// Response: next record id, then the requested slice of the record.
Bytes recordSlice(const Bytes& record, std::uint16_t next, const RecordRead& rr) {
    if (rr.offset > record.size()) {
        return cc(wire::kCcParameterOutOfRange);
    }
    const std::size_t left = record.size() - rr.offset;
    const std::size_t n = rr.count == 0xFF ? left : std::min<std::size_t>(rr.count, left);
    Bytes out = {wire::kCcOk};
    wire::putU16(out, next);
    out.insert(out.end(), record.begin() + rr.offset, record.begin() + static_cast<std::ptrdiff_t>(rr.offset + n));
    return out;
}

} // namespace

Bytes CommandHandler::handleStorage(const CommandRequest& rq) {
    const auto d = rq.data;
    switch (rq.cmd) {
    case storage::kGetFruAreaInfo: return getFruAreaInfo(d);
    case storage::kReadFruData: return readFruData(d);
    case storage::kGetSdrRepositoryInfo:
        if (auto e = badLength(d, 0, 0)) return *e;
        return getSdrRepositoryInfo();
    case storage::kReserveSdrRepository: {
        if (auto e = badLength(d, 0, 0)) return *e;
        Bytes out = {wire::kCcOk};
        wire::putU16(out, nextReservation(sdrReservation_));
        return out;
    }
    case storage::kGetSdr: return getSdr(d);
    case storage::kGetSelInfo:
        if (auto e = badLength(d, 0, 0)) return *e;
        return getSelInfo();
    case storage::kReserveSel: {
        if (auto e = badLength(d, 0, 0)) return *e;
        Bytes out = {wire::kCcOk};
        wire::putU16(out, nextReservation(selReservation_));
        return out;
    }
    case storage::kGetSelEntry: return getSelEntry(d);
    case storage::kAddSelEntry: return addSelEntry(d);
    case storage::kClearSel: return clearSel(d);
    case storage::kGetSelTime: {
        if (auto e = badLength(d, 0, 0)) return *e;
        Bytes out = {wire::kCcOk};
        wire::putU32(out, now());
        return out;
    }
    default: return cc(wire::kCcInvalidCommand);
    }
}

Bytes CommandHandler::getSdrRepositoryInfo() {
    const std::size_t count = hal_.sensors().size();
    Bytes out = {wire::kCcOk, kSdrSelVersion};
    wire::putU16(out, static_cast<std::uint16_t>(count));
    wire::putU16(out, 0); // free space: the repository is read-only
    wire::putU32(out, sdrAddTime_);
    wire::putU32(out, 0);
    out.push_back(kSupportsReserve);
    return out;
}

Bytes CommandHandler::getSdr(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 6, 6)) return *e;
    const RecordRead rr = parseRecordRead(d);
    if (rr.offset != 0 && rr.reservation != sdrReservation_) {
        return cc(wire::kCcReservationCancelled);
    }
    const auto sensors = hal_.sensors();
    if (sensors.empty()) {
        return cc(wire::kCcNotPresent);
    }
    // Record ids are 1..N in the HAL's stable sensor order.
    std::size_t index = 0;
    if (rr.recordId == kLastRecord) {
        index = sensors.size() - 1;
    } else if (rr.recordId != kFirstRecord) {
        index = rr.recordId - 1u;
        if (index >= sensors.size()) {
            return cc(wire::kCcNotPresent);
        }
    }
    const auto record = fullSensorRecord(sensors[index], static_cast<std::uint16_t>(index + 1));
    const std::uint16_t next = index + 1 < sensors.size() ? static_cast<std::uint16_t>(index + 2) : kLastRecord;
    return recordSlice(record, next, rr);
}

Bytes CommandHandler::getSelInfo() {
    const auto& sel = hal_.sel();
    const std::size_t capacity = hal_.selCapacity();
    const std::size_t freeRecords = capacity > sel.size() ? capacity - sel.size() : 0;
    Bytes out = {wire::kCcOk, kSdrSelVersion};
    wire::putU16(out, static_cast<std::uint16_t>(std::min<std::size_t>(sel.size(), 0xFFFF)));
    wire::putU16(out, static_cast<std::uint16_t>(std::min<std::size_t>(freeRecords * kSelRecordSize, 0xFFFF)));
    wire::putU32(out, hal_.selLastAddTime());
    wire::putU32(out, hal_.selLastEraseTime());
    out.push_back(static_cast<std::uint8_t>(kSupportsReserve | (freeRecords == 0 ? 0x80 : 0)));
    return out;
}

Bytes CommandHandler::getSelEntry(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 6, 6)) return *e;
    const RecordRead rr = parseRecordRead(d);
    if (rr.offset != 0 && rr.reservation != selReservation_) {
        return cc(wire::kCcReservationCancelled);
    }
    const auto& sel = hal_.sel();
    if (sel.empty()) {
        return cc(wire::kCcNotPresent);
    }
    std::size_t index = 0;
    if (rr.recordId == kLastRecord) {
        index = sel.size() - 1;
    } else if (rr.recordId != kFirstRecord) {
        auto it = std::find_if(sel.begin(), sel.end(), [&rr](const hal::SelRecord& r) { return r.id == rr.recordId; });
        if (it == sel.end()) {
            return cc(wire::kCcNotPresent);
        }
        index = static_cast<std::size_t>(it - sel.begin());
    }
    const std::uint16_t next = index + 1 < sel.size() ? sel[index + 1].id : kLastRecord;
    return recordSlice(selRecordBytes(sel[index]), next, rr);
}

Bytes CommandHandler::addSelEntry(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, kSelRecordSize, kSelRecordSize)) return *e;
    const std::size_t capacity = hal_.selCapacity();
    if (capacity != 0 && hal_.sel().size() >= capacity) {
        return cc(wire::kCcOutOfSpace);
    }
    hal::SelRecord r;
    const std::uint8_t type = d[2];
    // OEM timestamped records (C0h-DFh) carry their own time stamp.
    r.timestamp = (type >= 0xC0 && type <= 0xDF) ? wire::getU32(d, 3) : now();
    r.sensorType = d[10];
    r.sensorNumber = d[11];
    r.eventDirType = d[12];
    r.eventData = {d[13], d[14], d[15]};
    r.severity = hal::Severity::Ok;
    r.message = "Added by IPMI Add SEL Entry";
    const std::uint16_t id = hal_.addSel(std::move(r));
    Bytes out = {wire::kCcOk};
    wire::putU16(out, id);
    return out;
}

Bytes CommandHandler::clearSel(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 6, 6)) return *e;
    if (wire::getU16(d, 0) != selReservation_ || selReservation_ == 0) {
        return cc(wire::kCcReservationCancelled);
    }
    if (d[2] != 'C' || d[3] != 'L' || d[4] != 'R' || (d[5] != 0xAA && d[5] != 0x00)) {
        return cc(wire::kCcInvalidDataField);
    }
    if (d[5] == 0xAA) {
        hal_.clearSel();
        selReservation_ = 0; // a cleared SEL cancels the reservation
    }
    return {wire::kCcOk, 0x01}; // erasure completed
}

Bytes CommandHandler::getFruAreaInfo(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 1, 1)) return *e;
    if (d[0] != 0) {
        return cc(wire::kCcNotPresent);
    }
    const auto image = buildFruImage(hal_.inventory());
    Bytes out = {wire::kCcOk};
    wire::putU16(out, static_cast<std::uint16_t>(image.size()));
    out.push_back(0x00); // byte access
    return out;
}

Bytes CommandHandler::readFruData(std::span<const std::uint8_t> d) {
    if (auto e = badLength(d, 4, 4)) return *e;
    if (d[0] != 0) {
        return cc(wire::kCcNotPresent);
    }
    const auto image = buildFruImage(hal_.inventory());
    const std::size_t offset = wire::getU16(d, 1);
    if (offset > image.size()) {
        return cc(wire::kCcParameterOutOfRange);
    }
    const std::size_t n = std::min({static_cast<std::size_t>(d[3]), image.size() - offset, kMaxFruRead});
    Bytes out = {wire::kCcOk, static_cast<std::uint8_t>(n)};
    out.insert(out.end(), image.begin() + static_cast<std::ptrdiff_t>(offset),
               image.begin() + static_cast<std::ptrdiff_t>(offset + n));
    return out;
}

} // namespace cmc::ipmi
