// Reads of the northbound backend that are not the monitor's: the service
// UUID and the audit trail (from the store, off the loop).
#include <cstdio>

#include "app/service.hpp"
#include "store/store.hpp"

namespace cmc::app {

namespace {

std::uint64_t fnv1a(std::string_view s, std::uint64_t h) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

domain::AuditEntry entryOf(const store::AuditRecord& r) {
    return {r.id, r.timeMs, r.who, r.action, r.subject, r.reason, r.outcome};
}

domain::AuditPage pageOf(store::Store::AuditPage p) {
    domain::AuditPage out;
    out.ok = p.ok;
    out.total = p.total;
    out.entries.reserve(p.records.size());
    for (const auto& r : p.records)
        out.entries.push_back(entryOf(r));
    return out;
}

} // namespace

// A name-based UUID (RFC 9562 version 8) of what identifies this
// installation and is persisted with it: the chassis' model and serial
// number from the store (the manifest wrote them), or the database's path
// when the chassis has no serial number. The same installation answers the
// same UUID after every restart; two chassis answer different ones.
std::string ChassisService::serviceUuid() const {
    std::string name = "OpenCMC cmcd|" + chassis_.id + "|" + chassis_.model + "|" + chassis_.serialNumber;
    if (chassis_.serialNumber.empty()) name += "|" + cfg_.dbPath;
    std::uint64_t hi = fnv1a(name, 0xcbf29ce484222325ULL);
    std::uint64_t lo = fnv1a(name, hi ^ 0x9e3779b97f4a7c15ULL);
    unsigned char b[16];
    for (int i = 0; i < 8; ++i) {
        b[i] = static_cast<unsigned char>(hi >> (56 - 8 * i));
        b[8 + i] = static_cast<unsigned char>(lo >> (56 - 8 * i));
    }
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x80); // version 8
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80); // RFC 4122 variant
    char out[37];
    std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                  b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return out;
}

void ChassisService::auditPage(std::size_t skip, std::size_t top, AuditDone done) {
    store_->loadAuditPage(skip, top,
                          [done = std::move(done)](store::Store::AuditPage p) { done(pageOf(std::move(p))); });
}

void ChassisService::auditEntry(std::int64_t id, AuditDone done) {
    store_->loadAuditRecord(id, [done = std::move(done)](store::Store::AuditPage p) { done(pageOf(std::move(p))); });
}

} // namespace cmc::app
