#include "store/queries.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

#include "store/db.hpp"

namespace cmc::store::sql {

namespace {

constexpr std::int64_t kMinuteMs = 60000;

std::string toJsonArray(const std::vector<std::string>& items) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& s : items)
        j.push_back(s);
    // replace: a stray invalid UTF-8 byte must not throw on the writer thread.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> fromJsonArray(const std::string& text) {
    std::vector<std::string> out;
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_array()) return out;
    for (const auto& item : j) {
        if (item.is_string()) out.push_back(item.get<std::string>());
    }
    return out;
}

std::int64_t clampLimit(std::size_t limit) {
    constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(limit > kMax ? kMax : limit);
}

// A 64-bit identity range bound as 16 lower case hex digits: text order is
// numeric order, and a WWPN keeps all 64 bits.
std::string hex16(std::uint64_t v) {
    static constexpr std::array<char, 16> kDigits = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                     '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    std::string out(16, '0');
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[out.size() - 1 - i] = kDigits[(v >> (4 * i)) & 0xfU];
    }
    return out;
}

std::optional<std::uint64_t> fromHex16(const std::string& text) {
    std::uint64_t v = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, v, 16);
    if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
    return v;
}

// Slots as "3,14,15" ('' for none).
std::string joinSlots(const std::vector<int>& slots) {
    std::string out;
    for (int slot : slots) {
        if (!out.empty()) out += ',';
        out += std::to_string(slot);
    }
    return out;
}

std::vector<int> splitSlots(const std::string& text) {
    std::vector<int> out;
    const char* p = text.data();
    const char* end = p + text.size();
    while (p < end) {
        int slot = 0;
        auto [next, ec] = std::from_chars(p, end, slot);
        if (ec == std::errc()) out.push_back(slot);
        p = next;
        while (p < end && *p != ',') // skip whatever does not parse
            ++p;
        if (p < end) ++p; // the comma
    }
    return out;
}

void bindOptional(Query& q, int index, const std::optional<int>& v) {
    if (v) {
        q.bind(index, *v);
    } else {
        q.bindNull(index);
    }
}

std::optional<int> optionalInt(const Query& q, int col) {
    if (q.isNull(col)) return std::nullopt;
    return q.int32(col);
}

std::string run(Db& db, std::string_view statement) {
    auto q = db.query(statement);
    return q.exec() ? std::string() : q.error();
}

// A pragma that answers with one row; `value` receives its first column.
std::string pragma(Db& db, std::string_view statement, std::string& value) {
    auto q = db.query(statement);
    if (!q.next()) return q.failed() ? q.error() : std::string("no answer");
    value = q.text(0);
    while (q.next()) {
    }
    return q.error();
}

} // namespace

std::string begin(Db& db) {
    return run(db, "BEGIN IMMEDIATE");
}
std::string commit(Db& db) {
    return run(db, "COMMIT");
}
void rollback(Db& db) {
    // Nothing to roll back when SQLite already did (e.g. after SQLITE_FULL).
    if (db.inTransaction()) (void)run(db, "ROLLBACK");
}
std::string savepoint(Db& db) {
    return run(db, "SAVEPOINT write_task");
}
std::string release(Db& db) {
    return run(db, "RELEASE write_task");
}
void rollbackToSavepoint(Db& db) {
    if (!db.inTransaction()) return;
    (void)run(db, "ROLLBACK TO write_task");
    (void)run(db, "RELEASE write_task");
}

std::string applyPragmas(Db& db) {
    std::string value;
    if (auto err = pragma(db, "PRAGMA journal_mode = WAL", value); !err.empty()) return "journal_mode: " + err;
    if (value != "wal") return "journal_mode: WAL refused (got '" + value + "')";
    // synchronous = FULL: WAL is fsynced at every commit. NORMAL would already
    // survive killing cmcd (invariant 6: committed pages sit in the OS cache),
    // but not a power cut of the chassis controller, which to the operator is
    // the same crash: the orchestrator acts on what it journaled (fences,
    // programs identities), so a commit that vanished after the act would
    // break invariants 3 and 7. Batching queued writes into one transaction
    // keeps the fsync cost per batch, not per write.
    if (auto err = run(db, "PRAGMA synchronous = FULL"); !err.empty()) return "synchronous: " + err;
    if (auto err = run(db, "PRAGMA foreign_keys = ON"); !err.empty()) return "foreign_keys: " + err;
    if (auto err = pragma(db, "PRAGMA foreign_keys", value); !err.empty() || value != "1") {
        return "foreign_keys: not enabled " + err;
    }
    if (auto err = pragma(db, "PRAGMA busy_timeout = 5000", value); !err.empty()) return "busy_timeout: " + err;
    return {};
}

std::string saveChassis(Db& db, const domain::Chassis& c) {
    auto q = db.query("INSERT INTO chassis (id, name, model, serial_number, slots) VALUES (?1, ?2, ?3, ?4, ?5) "
                      "ON CONFLICT (id) DO UPDATE SET name = excluded.name, model = excluded.model, "
                      "serial_number = excluded.serial_number, slots = excluded.slots");
    q.bind(1, c.id).bind(2, c.name).bind(3, c.model).bind(4, c.serialNumber).bind(5, c.slots);
    return q.exec() ? std::string() : "chassis id=" + c.id + ": " + q.error();
}

std::string saveBlade(Db& db, const domain::Blade& b) {
    const std::string subject = "blade slot=" + std::to_string(b.slot) + ": ";
    {
        auto q = db.query(
            "INSERT INTO blades (slot, present, manufacturer, model, serial_number, part_number, uuid, "
            "bios_version, bmc_firmware_version, cpu_count, memory_gib, role, health, power_state, "
            "discovered_ms, inventory_ms, bmc_mac) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
            "ON CONFLICT (slot) DO UPDATE SET present = excluded.present, manufacturer = excluded.manufacturer, "
            "model = excluded.model, serial_number = excluded.serial_number, part_number = excluded.part_number, "
            "uuid = excluded.uuid, bios_version = excluded.bios_version, "
            "bmc_firmware_version = excluded.bmc_firmware_version, cpu_count = excluded.cpu_count, "
            "memory_gib = excluded.memory_gib, role = excluded.role, health = excluded.health, "
            "power_state = excluded.power_state, discovered_ms = excluded.discovered_ms, "
            "inventory_ms = excluded.inventory_ms, bmc_mac = excluded.bmc_mac");
        q.bind(1, b.slot).bind(2, b.present).bind(3, b.manufacturer).bind(4, b.model).bind(5, b.serialNumber);
        q.bind(6, b.partNumber).bind(7, b.uuid).bind(8, b.biosVersion).bind(9, b.bmcFirmwareVersion);
        q.bind(10, b.cpuCount).bind(11, b.memoryGiB).bind(12, std::string_view(domain::toString(b.role)));
        q.bind(13, std::string_view(domain::toString(b.health))).bind(14, b.powerState);
        q.bind(15, b.discoveredMs).bind(16, b.inventoryMs).bind(17, b.bmcMac);
        if (!q.exec()) return subject + "blades: " + q.error();
    }
    {
        auto q = db.query("DELETE FROM blade_nics WHERE slot = ?1");
        q.bind(1, b.slot);
        if (!q.exec()) return subject + "blade_nics: " + q.error();
    }
    for (std::size_t i = 0; i < b.nics.size(); ++i) {
        auto q =
            db.query("INSERT INTO blade_nics (slot, position, permanent_mac, current_mac) VALUES (?1, ?2, ?3, ?4)");
        q.bind(1, b.slot).bind(2, static_cast<std::int64_t>(i)).bind(3, b.nics[i].permanentMac);
        q.bind(4, b.nics[i].currentMac);
        if (!q.exec()) return subject + "blade_nics: " + q.error();
    }
    {
        auto q = db.query("DELETE FROM blade_hbas WHERE slot = ?1");
        q.bind(1, b.slot);
        if (!q.exec()) return subject + "blade_hbas: " + q.error();
    }
    for (std::size_t i = 0; i < b.hbas.size(); ++i) {
        auto q =
            db.query("INSERT INTO blade_hbas (slot, position, permanent_wwpn, current_wwpn) VALUES (?1, ?2, ?3, ?4)");
        q.bind(1, b.slot).bind(2, static_cast<std::int64_t>(i)).bind(3, b.hbas[i].permanentWwpn);
        q.bind(4, b.hbas[i].currentWwpn);
        if (!q.exec()) return subject + "blade_hbas: " + q.error();
    }
    {
        auto q =
            db.query("INSERT INTO bmc_endpoints (slot, ipmi_host, ipmi_port, redfish_url, redfish_tls_fingerprint, "
                     "redfish_ca_file, redfish_insecure, redfish_session_auth, redfish_system) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                     "ON CONFLICT (slot) DO UPDATE SET ipmi_host = excluded.ipmi_host, ipmi_port = excluded.ipmi_port, "
                     "redfish_url = excluded.redfish_url, redfish_tls_fingerprint = excluded.redfish_tls_fingerprint, "
                     "redfish_ca_file = excluded.redfish_ca_file, redfish_insecure = excluded.redfish_insecure, "
                     "redfish_session_auth = excluded.redfish_session_auth, redfish_system = excluded.redfish_system");
        q.bind(1, b.slot).bind(2, b.bmc.ipmiHost).bind(3, static_cast<std::int64_t>(b.bmc.ipmiPort));
        q.bind(4, b.bmc.redfishUrl).bind(5, b.bmc.tlsFingerprint).bind(6, b.bmc.tlsCaFile);
        q.bind(7, b.bmc.tlsInsecure).bind(8, b.bmc.redfishSessionAuth).bind(9, b.bmc.redfishSystem);
        if (!q.exec()) return subject + "bmc_endpoints: " + q.error();
    }
    {
        // The message names the table only: never the credentials.
        auto q =
            db.query("INSERT INTO bmc_credentials (slot, username, password, redfish_username, redfish_password) "
                     "VALUES (?1, ?2, ?3, ?4, ?5) "
                     "ON CONFLICT (slot) DO UPDATE SET username = excluded.username, password = excluded.password, "
                     "redfish_username = excluded.redfish_username, redfish_password = excluded.redfish_password");
        q.bind(1, b.slot).bind(2, b.bmc.username).bind(3, b.bmc.password);
        q.bind(4, b.bmc.redfishUsername).bind(5, b.bmc.redfishPassword);
        if (!q.exec()) return subject + "bmc_credentials: " + q.error();
    }
    return {};
}

std::string markBladeAbsent(Db& db, int slot) {
    auto q = db.query("UPDATE blades SET present = 0, health = 'Absent' WHERE slot = ?1");
    q.bind(1, slot);
    return q.exec() ? std::string() : "blade slot=" + std::to_string(slot) + " absent: " + q.error();
}

std::string appendHealthSamples(Db& db, const std::vector<domain::HealthSample>& samples) {
    for (const auto& s : samples) {
        auto q = db.query("INSERT INTO health_samples (slot, time_ms, signal, ok, value, detail) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        q.bind(1, s.slot).bind(2, s.timeMs).bind(3, s.signal).bind(4, s.ok).bind(5, s.value).bind(6, s.detail);
        if (!q.exec()) {
            return "health sample slot=" + std::to_string(s.slot) + " signal=" + s.signal + ": " + q.error();
        }
    }
    return {};
}

std::string appendTransition(Db& db, const domain::HealthTransition& t, std::int64_t& id) {
    auto q = db.query("INSERT INTO health_transitions (slot, time_ms, from_state, to_state, reason, bad_signals) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    q.bind(1, t.slot).bind(2, t.timeMs).bind(3, std::string_view(domain::toString(t.from)));
    q.bind(4, std::string_view(domain::toString(t.to))).bind(5, t.reason).bind(6, toJsonArray(t.badSignals));
    if (!q.exec()) return "health transition slot=" + std::to_string(t.slot) + ": " + q.error();
    id = db.lastInsertRowid();
    return {};
}

std::string lastEventId(Db& db, std::int64_t& id) {
    // sqlite_sequence holds the highest id ever stored, trimmed or not.
    auto q = db.query("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
    id = 0;
    if (q.next()) id = q.int64(0);
    return q.error();
}

std::string appendEvent(Db& db, const domain::Event& e, std::int64_t& id) {
    const std::string subject = "event " + e.messageId + ": ";
    if (e.id > 0) {
        std::int64_t last = 0;
        if (auto err = lastEventId(db, last); !err.empty()) return subject + err;
        if (e.id <= last) {
            return subject + "id " + std::to_string(e.id) + " is not above the last stored id " + std::to_string(last) +
                   " (event ids are never reused)";
        }
    }
    auto q = db.query("INSERT INTO events (id, time_ms, message_id, args, severity, message, origin) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (e.id > 0) {
        q.bind(1, e.id);
    } else {
        q.bindNull(1);
    }
    q.bind(2, e.timeMs).bind(3, e.messageId).bind(4, toJsonArray(e.args)).bind(5, e.severity);
    q.bind(6, e.message).bind(7, e.origin);
    if (!q.exec()) return subject + q.error();
    id = db.lastInsertRowid();
    return {};
}

std::string runRetention(Db& db, const StoreOptions& options, std::int64_t nowMs) {
    // Fold whole minutes only: every raw sample of a folded minute goes at
    // once. A sample that arrives late for an already folded minute is merged
    // into its aggregate (weighted average, combined min/max).
    std::int64_t rawCutoff = nowMs - options.sampleRetentionMs;
    rawCutoff -= ((rawCutoff % kMinuteMs) + kMinuteMs) % kMinuteMs;
    {
        auto q =
            db.query("INSERT INTO health_samples_minute (slot, minute_ms, signal, count, bad_count, value_count, "
                     "min_value, avg_value, max_value) "
                     "SELECT slot, (time_ms / 60000) * 60000, signal, COUNT(*), SUM(ok = 0), COUNT(value), "
                     "MIN(value), AVG(value), MAX(value) "
                     "FROM health_samples WHERE time_ms < ?1 AND time_ms >= 0 "
                     "GROUP BY slot, time_ms / 60000, signal "
                     "ON CONFLICT (slot, minute_ms, signal) DO UPDATE SET "
                     "count = count + excluded.count, bad_count = bad_count + excluded.bad_count, "
                     "value_count = value_count + excluded.value_count, "
                     "avg_value = CASE WHEN value_count + excluded.value_count = 0 THEN NULL ELSE "
                     "(COALESCE(avg_value, 0) * value_count + COALESCE(excluded.avg_value, 0) * excluded.value_count) "
                     "/ (value_count + excluded.value_count) END, "
                     "min_value = CASE WHEN min_value IS NULL THEN excluded.min_value "
                     "WHEN excluded.min_value IS NULL THEN min_value ELSE MIN(min_value, excluded.min_value) END, "
                     "max_value = CASE WHEN max_value IS NULL THEN excluded.max_value "
                     "WHEN excluded.max_value IS NULL THEN max_value ELSE MAX(max_value, excluded.max_value) END");
        q.bind(1, rawCutoff);
        if (!q.exec()) return "retention: fold samples: " + q.error();
    }
    {
        auto q = db.query("DELETE FROM health_samples WHERE time_ms < ?1");
        q.bind(1, rawCutoff);
        if (!q.exec()) return "retention: delete samples: " + q.error();
    }
    {
        // An aggregate goes when its whole minute is older than the cutoff.
        auto q = db.query("DELETE FROM health_samples_minute WHERE minute_ms + 60000 <= ?1");
        q.bind(1, nowMs - options.downsampledRetentionMs);
        if (!q.exec()) return "retention: delete aggregates: " + q.error();
    }
    if (options.eventRetentionCount > 0) {
        auto q = db.query("DELETE FROM events WHERE id < "
                          "(SELECT MIN(id) FROM (SELECT id FROM events ORDER BY id DESC LIMIT ?1))");
        q.bind(1, options.eventRetentionCount);
        if (!q.exec()) return "retention: trim events: " + q.error();
    }
    return {};
}

std::string loadChassis(Db& db, std::optional<domain::Chassis>& out) {
    out.reset();
    auto q = db.query("SELECT id, name, model, serial_number, slots FROM chassis ORDER BY id LIMIT 1");
    if (q.next()) {
        domain::Chassis c;
        c.id = q.text(0);
        c.name = q.text(1);
        c.model = q.text(2);
        c.serialNumber = q.text(3);
        c.slots = q.int32(4);
        out = std::move(c);
    }
    return q.error();
}

std::string loadBlades(Db& db, std::vector<domain::Blade>& out) {
    out.clear();
    {
        auto q = db.query("SELECT b.slot, b.present, b.manufacturer, b.model, b.serial_number, b.part_number, b.uuid, "
                          "b.bios_version, b.bmc_firmware_version, b.cpu_count, b.memory_gib, b.role, b.health, "
                          "b.power_state, b.discovered_ms, b.inventory_ms, e.ipmi_host, e.ipmi_port, e.redfish_url, "
                          "c.username, c.password, e.redfish_tls_fingerprint, e.redfish_ca_file, e.redfish_insecure, "
                          "e.redfish_session_auth, e.redfish_system, c.redfish_username, c.redfish_password, b.bmc_mac "
                          "FROM blades AS b "
                          "LEFT JOIN bmc_endpoints AS e ON e.slot = b.slot "
                          "LEFT JOIN bmc_credentials AS c ON c.slot = b.slot "
                          "ORDER BY b.slot");
        while (q.next()) {
            domain::Blade b;
            b.slot = q.int32(0);
            b.present = q.int64(1) != 0;
            b.manufacturer = q.text(2);
            b.model = q.text(3);
            b.serialNumber = q.text(4);
            b.partNumber = q.text(5);
            b.uuid = q.text(6);
            b.biosVersion = q.text(7);
            b.bmcFirmwareVersion = q.text(8);
            b.cpuCount = q.int32(9);
            b.memoryGiB = q.int32(10);
            b.role = domain::bladeRoleFrom(q.text(11)).value_or(domain::BladeRole::Unassigned);
            b.health = domain::healthStateFrom(q.text(12)).value_or(domain::HealthState::Unknown);
            b.powerState = q.text(13);
            b.discoveredMs = q.int64(14);
            b.inventoryMs = q.int64(15);
            b.bmc.ipmiHost = q.text(16);
            b.bmc.ipmiPort = static_cast<std::uint16_t>(q.int32(17));
            b.bmc.redfishUrl = q.text(18);
            b.bmc.username = q.text(19);
            b.bmc.password = q.text(20);
            b.bmc.tlsFingerprint = q.text(21);
            b.bmc.tlsCaFile = q.text(22);
            b.bmc.tlsInsecure = q.int64(23) != 0;
            b.bmc.redfishSessionAuth = q.int64(24) != 0;
            b.bmc.redfishSystem = q.text(25);
            b.bmc.redfishUsername = q.text(26);
            b.bmc.redfishPassword = q.text(27);
            b.bmcMac = q.text(28);
            out.push_back(std::move(b));
        }
        if (q.failed()) return "load blades: " + q.error();
    }
    // Children in one ordered pass each; both lists are sorted by slot.
    auto findBlade = [&out](int slot) -> domain::Blade* {
        auto it =
            std::lower_bound(out.begin(), out.end(), slot, [](const domain::Blade& b, int s) { return b.slot < s; });
        return it != out.end() && it->slot == slot ? &*it : nullptr;
    };
    {
        auto q = db.query("SELECT slot, permanent_mac, current_mac FROM blade_nics ORDER BY slot, position");
        while (q.next()) {
            if (auto* b = findBlade(q.int32(0))) b->nics.push_back(domain::NicInfo{q.text(1), q.text(2)});
        }
        if (q.failed()) return "load blade NICs: " + q.error();
    }
    {
        auto q = db.query("SELECT slot, permanent_wwpn, current_wwpn FROM blade_hbas ORDER BY slot, position");
        while (q.next()) {
            if (auto* b = findBlade(q.int32(0))) b->hbas.push_back(domain::HbaInfo{q.text(1), q.text(2)});
        }
        if (q.failed()) return "load blade HBAs: " + q.error();
    }
    return {};
}

std::string loadEvents(Db& db, std::int64_t afterId, std::size_t limit, std::vector<domain::Event>& out) {
    out.clear();
    auto q = db.query("SELECT id, time_ms, message_id, args, severity, message, origin FROM events "
                      "WHERE id > ?1 ORDER BY id LIMIT ?2");
    q.bind(1, afterId).bind(2, clampLimit(limit));
    while (q.next()) {
        domain::Event e;
        e.id = q.int64(0);
        e.timeMs = q.int64(1);
        e.messageId = q.text(2);
        e.args = fromJsonArray(q.text(3));
        e.severity = q.text(4);
        e.message = q.text(5);
        e.origin = q.text(6);
        out.push_back(std::move(e));
    }
    return q.failed() ? "load events: " + q.error() : std::string();
}

std::string loadTransitions(Db& db, int slot, std::size_t limit, std::vector<domain::HealthTransition>& out) {
    out.clear();
    auto q = db.query("SELECT id, slot, time_ms, from_state, to_state, reason, bad_signals FROM health_transitions "
                      "WHERE slot = ?1 ORDER BY id DESC LIMIT ?2");
    q.bind(1, slot).bind(2, clampLimit(limit));
    while (q.next()) {
        domain::HealthTransition t;
        t.id = q.int64(0);
        t.slot = q.int32(1);
        t.timeMs = q.int64(2);
        t.from = domain::healthStateFrom(q.text(3)).value_or(domain::HealthState::Unknown);
        t.to = domain::healthStateFrom(q.text(4)).value_or(domain::HealthState::Unknown);
        t.reason = q.text(5);
        t.badSignals = fromJsonArray(q.text(6));
        out.push_back(std::move(t));
    }
    std::reverse(out.begin(), out.end()); // oldest first
    return q.failed() ? "load transitions: " + q.error() : std::string();
}

std::string loadSamples(Db& db, int slot, std::int64_t sinceMs, std::vector<domain::HealthSample>& out) {
    out.clear();
    auto q = db.query("SELECT slot, time_ms, signal, ok, value, detail FROM health_samples "
                      "WHERE slot = ?1 AND time_ms >= ?2 ORDER BY time_ms, id");
    q.bind(1, slot).bind(2, sinceMs);
    while (q.next()) {
        domain::HealthSample s;
        s.slot = q.int32(0);
        s.timeMs = q.int64(1);
        s.signal = q.text(2);
        s.ok = q.int64(3) != 0;
        s.value = q.real(4).value_or(std::numeric_limits<double>::quiet_NaN());
        s.detail = q.text(5);
        out.push_back(std::move(s));
    }
    return q.failed() ? "load samples: " + q.error() : std::string();
}

std::string loadAggregates(Db& db, int slot, std::int64_t sinceMs, std::vector<SampleAggregate>& out) {
    out.clear();
    auto q = db.query("SELECT slot, minute_ms, signal, count, bad_count, min_value, avg_value, max_value "
                      "FROM health_samples_minute WHERE slot = ?1 AND minute_ms >= ?2 ORDER BY minute_ms, signal");
    q.bind(1, slot).bind(2, sinceMs);
    while (q.next()) {
        SampleAggregate a;
        a.slot = q.int32(0);
        a.minuteMs = q.int64(1);
        a.signal = q.text(2);
        a.count = q.int64(3);
        a.badCount = q.int64(4);
        a.minValue = q.real(5);
        a.avgValue = q.real(6);
        a.maxValue = q.real(7);
        out.push_back(std::move(a));
    }
    return q.failed() ? "load aggregates: " + q.error() : std::string();
}

std::string integrityCheck(Db& db, std::string& result) {
    result.clear();
    auto q = db.query("PRAGMA integrity_check");
    while (q.next()) {
        if (!result.empty()) result += "\n";
        result += q.text(0);
    }
    if (q.failed()) {
        result = "integrity_check failed: " + q.error();
        return result;
    }
    return {};
}

std::string savePowerIntent(Db& db, const domain::PowerIntentRecord& r) {
    auto q = db.query("INSERT INTO power_intents (slot, intent, reason, set_ms, learned) VALUES (?1, ?2, ?3, ?4, ?5) "
                      "ON CONFLICT (slot) DO UPDATE SET intent = excluded.intent, reason = excluded.reason, "
                      "set_ms = excluded.set_ms, learned = excluded.learned");
    q.bind(1, r.slot).bind(2, std::string_view(domain::toString(r.intent))).bind(3, r.reason);
    q.bind(4, r.setMs).bind(5, r.learned);
    return q.exec() ? std::string() : "power intent slot=" + std::to_string(r.slot) + ": " + q.error();
}

std::string loadPowerIntents(Db& db, std::vector<domain::PowerIntentRecord>& out) {
    out.clear();
    auto q = db.query("SELECT slot, intent, reason, set_ms, learned FROM power_intents ORDER BY slot");
    while (q.next()) {
        domain::PowerIntentRecord r;
        r.slot = q.int32(0);
        r.intent = domain::powerIntentFrom(q.text(1)).value_or(domain::PowerIntent::On);
        r.reason = q.text(2);
        r.setMs = q.int64(3);
        r.learned = q.int64(4) != 0;
        out.push_back(std::move(r));
    }
    return q.failed() ? "load power intents: " + q.error() : std::string();
}

// The failover orchestrator's state (migration 0004).

std::string saveIdentityPool(Db& db, const domain::IdentityPool& p) {
    auto q = db.query("INSERT INTO identity_pools (name, kind, first_value, last_value, uuid_prefix, prefix_length, "
                      "gateway) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                      "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, first_value = excluded.first_value, "
                      "last_value = excluded.last_value, uuid_prefix = excluded.uuid_prefix, "
                      "prefix_length = excluded.prefix_length, gateway = excluded.gateway");
    q.bind(1, p.name).bind(2, std::string_view(domain::toString(p.kind))).bind(3, hex16(p.first));
    q.bind(4, hex16(p.last)).bind(5, p.uuidPrefix).bind(6, p.prefixLength).bind(7, p.gateway);
    return q.exec() ? std::string() : "identity pool " + p.name + ": " + q.error();
}

std::string saveAllocation(Db& db, const domain::Allocation& a) {
    const std::string subject = std::string("identity ") + domain::toString(a.kind) + " " + a.value + ": ";
    std::string error;
    {
        auto q = db.query("INSERT INTO identity_allocations (kind, value, owner, pool) VALUES (?1, ?2, ?3, ?4)");
        q.bind(1, std::string_view(domain::toString(a.kind))).bind(2, a.value).bind(3, a.owner).bind(4, a.pool);
        if (q.exec()) return {};
        error = q.error();
    }
    // Invariant 7: say who holds it rather than which constraint failed.
    auto q = db.query("SELECT owner FROM identity_allocations WHERE kind = ?1 AND value = ?2");
    q.bind(1, std::string_view(domain::toString(a.kind))).bind(2, a.value);
    if (q.next()) return subject + "already held by '" + q.text(0) + "' (" + error + ")";
    return subject + error;
}

std::string deleteAllocation(Db& db, domain::IdentityKind kind, const std::string& value) {
    auto q = db.query("DELETE FROM identity_allocations WHERE kind = ?1 AND value = ?2");
    q.bind(1, std::string_view(domain::toString(kind))).bind(2, value);
    return q.exec() ? std::string()
                    : std::string("identity ") + domain::toString(kind) + " " + value + ": " + q.error();
}

std::string saveLogicalServer(Db& db, const domain::LogicalServer& s) {
    const std::string subject = "logical server " + s.name + ": ";
    {
        auto q = db.query(
            "INSERT INTO logical_servers (name, uuid, uuid_pool, boot_volume, boot_lun, boot_target, min_cpus, "
            "min_memory_gib, model_family, spare_pool, priority, automatic, desired_power, slot, state, "
            "state_reason, origin, created_ms, updated_ms) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) "
            "ON CONFLICT (name) DO UPDATE SET uuid = excluded.uuid, uuid_pool = excluded.uuid_pool, "
            "boot_volume = excluded.boot_volume, boot_lun = excluded.boot_lun, boot_target = excluded.boot_target, "
            "min_cpus = excluded.min_cpus, min_memory_gib = excluded.min_memory_gib, "
            "model_family = excluded.model_family, spare_pool = excluded.spare_pool, priority = excluded.priority, "
            "automatic = excluded.automatic, desired_power = excluded.desired_power, slot = excluded.slot, "
            "state = excluded.state, state_reason = excluded.state_reason, origin = excluded.origin, "
            "created_ms = excluded.created_ms, updated_ms = excluded.updated_ms");
        q.bind(1, s.name).bind(2, s.uuid).bind(3, s.uuidPool).bind(4, s.boot.volume);
        q.bind(5, static_cast<std::int64_t>(s.boot.lun)).bind(6, s.boot.targetWwpn);
        q.bind(7, s.requirements.minCpus).bind(8, s.requirements.minMemoryGiB).bind(9, s.requirements.modelFamily);
        q.bind(10, s.policy.sparePool).bind(11, s.policy.priority).bind(12, s.policy.automatic);
        q.bind(13, std::string_view(domain::toString(s.desiredPower)));
        bindOptional(q, 14, s.slot);
        q.bind(15, std::string_view(domain::toString(s.state))).bind(16, s.stateReason).bind(17, s.origin);
        q.bind(18, s.createdMs).bind(19, s.updatedMs);
        if (!q.exec()) return subject + "logical_servers: " + q.error();
    }
    {
        auto q = db.query("DELETE FROM server_vnics WHERE server = ?1");
        q.bind(1, s.name);
        if (!q.exec()) return subject + "server_vnics: " + q.error();
    }
    for (std::size_t i = 0; i < s.vnics.size(); ++i) {
        const auto& n = s.vnics[i];
        auto q = db.query("INSERT INTO server_vnics (server, idx, name, mac, ip, vlan, mac_pool, ip_pool) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        q.bind(1, s.name).bind(2, static_cast<std::int64_t>(i)).bind(3, n.name).bind(4, n.mac).bind(5, n.ip);
        q.bind(6, n.vlan).bind(7, n.macPool).bind(8, n.ipPool);
        if (!q.exec()) return subject + "vNIC " + n.name + ": " + q.error();
    }
    {
        auto q = db.query("DELETE FROM server_vhbas WHERE server = ?1");
        q.bind(1, s.name);
        if (!q.exec()) return subject + "server_vhbas: " + q.error();
    }
    for (std::size_t i = 0; i < s.vhbas.size(); ++i) {
        const auto& h = s.vhbas[i];
        auto q = db.query("INSERT INTO server_vhbas (server, idx, name, wwpn, wwpn_pool) VALUES (?1, ?2, ?3, ?4, ?5)");
        q.bind(1, s.name).bind(2, static_cast<std::int64_t>(i)).bind(3, h.name).bind(4, h.wwpn).bind(5, h.wwpnPool);
        if (!q.exec()) return subject + "vHBA " + h.name + ": " + q.error();
    }
    return {};
}

std::string deleteLogicalServer(Db& db, const std::string& name) {
    // server_vnics and server_vhbas go with it (ON DELETE CASCADE).
    auto q = db.query("DELETE FROM logical_servers WHERE name = ?1");
    q.bind(1, name);
    return q.exec() ? std::string() : "delete logical server " + name + ": " + q.error();
}

std::string saveSparePool(Db& db, const domain::SparePool& p) {
    const std::string subject = "spare pool " + p.name + ": ";
    {
        auto q = db.query("INSERT INTO spare_pools (name) VALUES (?1) ON CONFLICT (name) DO NOTHING");
        q.bind(1, p.name);
        if (!q.exec()) return subject + "spare_pools: " + q.error();
    }
    {
        auto q = db.query("DELETE FROM spare_members WHERE pool = ?1");
        q.bind(1, p.name);
        if (!q.exec()) return subject + "spare_members: " + q.error();
    }
    for (const auto& [slot, kind] : p.members) {
        auto q = db.query("INSERT INTO spare_members (pool, slot, kind) VALUES (?1, ?2, ?3)");
        q.bind(1, p.name).bind(2, slot).bind(3, std::string_view(domain::toString(kind)));
        if (!q.exec()) return subject + "member slot=" + std::to_string(slot) + ": " + q.error();
    }
    return {};
}

std::string deleteSparePool(Db& db, const std::string& name) {
    // Its members go with it (ON DELETE CASCADE).
    auto q = db.query("DELETE FROM spare_pools WHERE name = ?1");
    q.bind(1, name);
    return q.exec() ? std::string() : "delete spare pool " + name + ": " + q.error();
}

std::string saveBladeFlags(Db& db, const BladeFlags& f) {
    auto q = db.query("INSERT INTO blade_flags (slot, maintenance, role_reason) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT (slot) DO UPDATE SET maintenance = excluded.maintenance, "
                      "role_reason = excluded.role_reason");
    q.bind(1, f.slot).bind(2, f.maintenance).bind(3, f.roleReason);
    return q.exec() ? std::string() : "blade flags slot=" + std::to_string(f.slot) + ": " + q.error();
}

std::string saveFailover(Db& db, const domain::Failover& f) {
    // The phase start columns follow the order of domain::FailoverPhase.
    static_assert(domain::kFailoverPhaseCount == 8, "failovers has one *_ms column per FailoverPhase");
    const std::string subject = "failover " + std::to_string(f.id) + " (server " + f.server + "): ";
    if (f.id <= 0) return subject + "the id must be above 0 (Store::nextFailoverIdSync gives one)";
    {
        // An upsert, not REPLACE: REPLACE would delete the row and cascade to its history.
        auto q = db.query(
            "INSERT INTO failovers (id, server, kind, cause, requested_by, from_slot, to_slot, target_slot, phase, "
            "fence, tried, reason, created_ms, end_ms, detected_ms, fencing_ms, allocating_ms, programming_ms, "
            "powering_on_ms, verifying_ms, completed_ms, failed_ms) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
            "?22) "
            "ON CONFLICT (id) DO UPDATE SET server = excluded.server, kind = excluded.kind, cause = excluded.cause, "
            "requested_by = excluded.requested_by, from_slot = excluded.from_slot, to_slot = excluded.to_slot, "
            "target_slot = excluded.target_slot, phase = excluded.phase, fence = excluded.fence, "
            "tried = excluded.tried, reason = excluded.reason, created_ms = excluded.created_ms, "
            "end_ms = excluded.end_ms, detected_ms = excluded.detected_ms, fencing_ms = excluded.fencing_ms, "
            "allocating_ms = excluded.allocating_ms, programming_ms = excluded.programming_ms, "
            "powering_on_ms = excluded.powering_on_ms, verifying_ms = excluded.verifying_ms, "
            "completed_ms = excluded.completed_ms, failed_ms = excluded.failed_ms");
        q.bind(1, f.id).bind(2, f.server).bind(3, std::string_view(domain::toString(f.kind))).bind(4, f.cause);
        q.bind(5, f.requestedBy);
        bindOptional(q, 6, f.fromSlot);
        bindOptional(q, 7, f.toSlot);
        bindOptional(q, 8, f.targetSlot);
        q.bind(9, std::string_view(domain::toString(f.phase))).bind(10, std::string_view(domain::toString(f.fence)));
        q.bind(11, joinSlots(f.triedSlots)).bind(12, f.reason).bind(13, f.createdMs).bind(14, f.endMs);
        for (int p = 0; p < domain::kFailoverPhaseCount; ++p)
            q.bind(15 + p, f.phaseStartMs[p]);
        if (!q.exec()) return subject + "failovers: " + q.error();
    }
    {
        auto q = db.query("DELETE FROM failover_phases WHERE failover = ?1");
        q.bind(1, f.id);
        if (!q.exec()) return subject + "failover_phases: " + q.error();
    }
    for (std::size_t i = 0; i < f.history.size(); ++i) {
        const auto& e = f.history[i];
        auto q = db.query("INSERT INTO failover_phases (failover, seq, phase, time_ms, slot, note) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        q.bind(1, f.id).bind(2, static_cast<std::int64_t>(i)).bind(3, std::string_view(domain::toString(e.phase)));
        q.bind(4, e.timeMs).bind(5, e.slot).bind(6, e.note);
        if (!q.exec()) return subject + "phase entry " + std::to_string(i) + ": " + q.error();
    }
    return {};
}

std::string appendAudit(Db& db, const AuditRecord& r, std::int64_t& id) {
    auto q = db.query("INSERT INTO audit (time_ms, who, action, subject, reason, outcome) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    q.bind(1, r.timeMs).bind(2, r.who).bind(3, r.action).bind(4, r.subject).bind(5, r.reason).bind(6, r.outcome);
    if (!q.exec()) return "audit " + r.action + " " + r.subject + ": " + q.error();
    id = db.lastInsertRowid();
    return {};
}

namespace {

std::string loadIdentityPools(Db& db, std::vector<domain::IdentityPool>& out) {
    auto q = db.query("SELECT name, kind, first_value, last_value, uuid_prefix, prefix_length, gateway "
                      "FROM identity_pools ORDER BY name");
    while (q.next()) {
        domain::IdentityPool p;
        p.name = q.text(0);
        auto kind = domain::identityKindFrom(q.text(1));
        auto first = fromHex16(q.text(2));
        auto last = fromHex16(q.text(3));
        // The CHECKs of 0004 keep these valid; a row that is not is named, not guessed at.
        if (!kind || !first || !last) return "load identity pools: pool " + p.name + " is malformed";
        p.kind = *kind;
        p.first = *first;
        p.last = *last;
        p.uuidPrefix = q.text(4);
        p.prefixLength = q.int32(5);
        p.gateway = q.text(6);
        out.push_back(std::move(p));
    }
    return q.failed() ? "load identity pools: " + q.error() : std::string();
}

std::string loadAllocations(Db& db, std::vector<domain::Allocation>& out) {
    auto q = db.query("SELECT kind, value, owner, pool FROM identity_allocations ORDER BY kind, value");
    while (q.next()) {
        domain::Allocation a;
        auto kind = domain::identityKindFrom(q.text(0));
        a.value = q.text(1);
        if (!kind) return "load identity allocations: " + a.value + " has an unknown kind";
        a.kind = *kind;
        a.owner = q.text(2);
        a.pool = q.text(3);
        out.push_back(std::move(a));
    }
    return q.failed() ? "load identity allocations: " + q.error() : std::string();
}

std::string loadServers(Db& db, std::vector<domain::LogicalServer>& out) {
    {
        auto q = db.query("SELECT name, uuid, uuid_pool, boot_volume, boot_lun, boot_target, min_cpus, "
                          "min_memory_gib, model_family, spare_pool, priority, automatic, desired_power, slot, state, "
                          "state_reason, origin, created_ms, updated_ms FROM logical_servers ORDER BY name");
        while (q.next()) {
            domain::LogicalServer s;
            s.name = q.text(0);
            s.uuid = q.text(1);
            s.uuidPool = q.text(2);
            s.boot.volume = q.text(3);
            s.boot.lun = static_cast<std::uint32_t>(q.int64(4));
            s.boot.targetWwpn = q.text(5);
            s.requirements.minCpus = q.int32(6);
            s.requirements.minMemoryGiB = q.int32(7);
            s.requirements.modelFamily = q.text(8);
            s.policy.sparePool = q.text(9);
            s.policy.priority = q.int32(10);
            s.policy.automatic = q.int64(11) != 0;
            s.desiredPower = domain::powerIntentFrom(q.text(12)).value_or(domain::PowerIntent::On);
            s.slot = optionalInt(q, 13);
            s.state = domain::serverStateFrom(q.text(14)).value_or(domain::ServerState::Unbound);
            s.stateReason = q.text(15);
            s.origin = q.text(16);
            s.createdMs = q.int64(17);
            s.updatedMs = q.int64(18);
            out.push_back(std::move(s));
        }
        if (q.failed()) return "load logical servers: " + q.error();
    }
    // Children in one ordered pass each; servers are sorted by name (BINARY
    // collation orders bytes as std::string does).
    auto findServer = [&out](const std::string& name) -> domain::LogicalServer* {
        auto it = std::lower_bound(out.begin(), out.end(), name,
                                   [](const domain::LogicalServer& s, const std::string& n) { return s.name < n; });
        return it != out.end() && it->name == name ? &*it : nullptr;
    };
    {
        auto q = db.query("SELECT server, name, mac, ip, vlan, mac_pool, ip_pool FROM server_vnics "
                          "ORDER BY server, idx");
        while (q.next()) {
            if (auto* s = findServer(q.text(0))) {
                domain::VNic n;
                n.name = q.text(1);
                n.mac = q.text(2);
                n.ip = q.text(3);
                n.vlan = q.int32(4);
                n.macPool = q.text(5);
                n.ipPool = q.text(6);
                s->vnics.push_back(std::move(n));
            }
        }
        if (q.failed()) return "load server vNICs: " + q.error();
    }
    {
        auto q = db.query("SELECT server, name, wwpn, wwpn_pool FROM server_vhbas ORDER BY server, idx");
        while (q.next()) {
            if (auto* s = findServer(q.text(0))) s->vhbas.push_back(domain::VHba{q.text(1), q.text(2), q.text(3)});
        }
        if (q.failed()) return "load server vHBAs: " + q.error();
    }
    return {};
}

std::string loadSparePools(Db& db, std::vector<domain::SparePool>& out) {
    {
        auto q = db.query("SELECT name FROM spare_pools ORDER BY name");
        while (q.next()) {
            domain::SparePool p;
            p.name = q.text(0);
            out.push_back(std::move(p));
        }
        if (q.failed()) return "load spare pools: " + q.error();
    }
    auto q = db.query("SELECT pool, slot, kind FROM spare_members ORDER BY pool, slot");
    while (q.next()) {
        std::string pool = q.text(0);
        auto it = std::lower_bound(out.begin(), out.end(), pool,
                                   [](const domain::SparePool& p, const std::string& n) { return p.name < n; });
        if (it == out.end() || it->name != pool) continue;
        it->members[q.int32(1)] = domain::spareKindFrom(q.text(2)).value_or(domain::SpareKind::Cold);
    }
    return q.failed() ? "load spare members: " + q.error() : std::string();
}

std::string loadBladeFlags(Db& db, std::vector<BladeFlags>& out) {
    auto q = db.query("SELECT slot, maintenance, role_reason FROM blade_flags ORDER BY slot");
    while (q.next())
        out.push_back(BladeFlags{q.int32(0), q.int64(1) != 0, q.text(2)});
    return q.failed() ? "load blade flags: " + q.error() : std::string();
}

std::string loadFailovers(Db& db, std::vector<domain::Failover>& out) {
    {
        auto q = db.query("SELECT id, server, kind, cause, requested_by, from_slot, to_slot, target_slot, phase, "
                          "fence, tried, reason, created_ms, end_ms, detected_ms, fencing_ms, allocating_ms, "
                          "programming_ms, powering_on_ms, verifying_ms, completed_ms, failed_ms "
                          "FROM failovers ORDER BY id");
        while (q.next()) {
            domain::Failover f;
            f.id = q.int64(0);
            f.server = q.text(1);
            auto kind = domain::failoverKindFrom(q.text(2));
            auto phase = domain::failoverPhaseFrom(q.text(8));
            auto fence = domain::fenceMethodFrom(q.text(9));
            // A journal entry read wrongly could fence or program the wrong blade: refuse, do not guess.
            if (!kind || !phase || !fence) return "load failovers: failover " + std::to_string(f.id) + " is malformed";
            f.kind = *kind;
            f.cause = q.text(3);
            f.requestedBy = q.text(4);
            f.fromSlot = optionalInt(q, 5);
            f.toSlot = optionalInt(q, 6);
            f.targetSlot = optionalInt(q, 7);
            f.phase = *phase;
            f.fence = *fence;
            f.triedSlots = splitSlots(q.text(10));
            f.reason = q.text(11);
            f.createdMs = q.int64(12);
            f.endMs = q.int64(13);
            for (int p = 0; p < domain::kFailoverPhaseCount; ++p)
                f.phaseStartMs[p] = q.int64(14 + p);
            out.push_back(std::move(f));
        }
        if (q.failed()) return "load failovers: " + q.error();
    }
    auto q = db.query("SELECT failover, phase, time_ms, slot, note FROM failover_phases ORDER BY failover, seq");
    while (q.next()) {
        std::int64_t id = q.int64(0);
        auto it = std::lower_bound(out.begin(), out.end(), id,
                                   [](const domain::Failover& f, std::int64_t i) { return f.id < i; });
        if (it == out.end() || it->id != id) continue;
        auto phase = domain::failoverPhaseFrom(q.text(1));
        if (!phase) return "load failover phases: failover " + std::to_string(id) + " has an unknown phase";
        it->history.push_back(domain::PhaseEntry{*phase, q.int64(2), q.int32(3), q.text(4)});
    }
    return q.failed() ? "load failover phases: " + q.error() : std::string();
}

} // namespace

std::string loadOrchestrator(Db& db, OrchestratorState& out) {
    out = OrchestratorState{};
    if (auto err = loadIdentityPools(db, out.identityPools); !err.empty()) return err;
    if (auto err = loadAllocations(db, out.allocations); !err.empty()) return err;
    if (auto err = loadServers(db, out.servers); !err.empty()) return err;
    if (auto err = loadSparePools(db, out.sparePools); !err.empty()) return err;
    if (auto err = loadBladeFlags(db, out.bladeFlags); !err.empty()) return err;
    return loadFailovers(db, out.failovers);
}

std::string nextFailoverId(Db& db, std::int64_t& id) {
    // sqlite_sequence remembers the highest id ever stored (AUTOINCREMENT),
    // deleted or not; MAX(id) covers a table it has not seen yet.
    auto q = db.query("SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'failovers'), 0), "
                      "COALESCE((SELECT MAX(id) FROM failovers), 0))");
    id = 0;
    if (!q.next()) return "next failover id: " + (q.failed() ? q.error() : std::string("no answer"));
    id = q.int64(0) + 1;
    return {};
}

std::string loadAudit(Db& db, std::size_t limit, std::vector<AuditRecord>& out) {
    out.clear();
    auto q = db.query("SELECT id, time_ms, who, action, subject, reason, outcome FROM audit "
                      "ORDER BY id DESC LIMIT ?1");
    q.bind(1, clampLimit(limit));
    while (q.next()) {
        AuditRecord r;
        r.id = q.int64(0);
        r.timeMs = q.int64(1);
        r.who = q.text(2);
        r.action = q.text(3);
        r.subject = q.text(4);
        r.reason = q.text(5);
        r.outcome = q.text(6);
        out.push_back(std::move(r));
    }
    std::reverse(out.begin(), out.end()); // oldest first
    return q.failed() ? "load audit: " + q.error() : std::string();
}

namespace {

void readAuditRows(Query& q, std::vector<AuditRecord>& out) {
    while (q.next()) {
        AuditRecord r;
        r.id = q.int64(0);
        r.timeMs = q.int64(1);
        r.who = q.text(2);
        r.action = q.text(3);
        r.subject = q.text(4);
        r.reason = q.text(5);
        r.outcome = q.text(6);
        out.push_back(std::move(r));
    }
}

} // namespace

std::string loadAuditPage(Db& db, std::size_t skip, std::size_t top, std::int64_t& total,
                          std::vector<AuditRecord>& out) {
    out.clear();
    total = 0;
    auto count = db.query("SELECT COUNT(*) FROM audit");
    if (!count.next()) return "count audit: " + (count.failed() ? count.error() : std::string("no answer"));
    total = count.int64(0);
    auto q = db.query("SELECT id, time_ms, who, action, subject, reason, outcome FROM audit "
                      "ORDER BY id LIMIT ?1 OFFSET ?2");
    q.bind(1, clampLimit(top)).bind(2, clampLimit(skip));
    readAuditRows(q, out);
    return q.failed() ? "load audit page: " + q.error() : std::string();
}

std::string loadAuditRecord(Db& db, std::int64_t id, std::vector<AuditRecord>& out) {
    out.clear();
    auto q = db.query("SELECT id, time_ms, who, action, subject, reason, outcome FROM audit WHERE id = ?1");
    q.bind(1, id);
    readAuditRows(q, out);
    return q.failed() ? "load audit record " + std::to_string(id) + ": " + q.error() : std::string();
}

} // namespace cmc::store::sql
