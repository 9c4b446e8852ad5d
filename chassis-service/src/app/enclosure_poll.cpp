// The enclosure's shared parts (power supplies, fans, inlet temperature),
// read from the seat every few seconds and kept in memory for the northbound
// API (Chassis/chassis PowerSubsystem, ThermalSubsystem, Sensors). A read
// that fails keeps the parts the seat named last but makes every reading
// unknown: the API shows null rather than an old value as if it were current.
#include <iostream>

#include "app/service.hpp"
#include "events/event_log.hpp"
#include "southbound/fabric/fabric.hpp"

namespace cmc::app {

namespace {

constexpr std::chrono::milliseconds kEnclosurePollInterval{2000};

domain::EnclosureView viewOf(const southbound::EnclosureReading& r, std::int64_t nowUnixMs) {
    domain::EnclosureView v;
    v.read = true;
    v.current = true;
    v.readUnixMs = nowUnixMs;
    for (const auto& p : r.powerSupplies)
        v.powerSupplies.push_back({p.id, p.failed, p.capacityW, p.outputW});
    for (const auto& f : r.fans)
        v.fans.push_back({f.id, f.failed, f.rpm});
    v.inletC = r.inletC;
    v.loadW = r.loadW;
    v.redundancy = r.redundancy;
    return v;
}

// The last reading's parts with every value unknown (the seat did not answer).
void forget(domain::EnclosureView& v, std::string why) {
    v.current = false;
    v.error = std::move(why);
    for (auto& p : v.powerSupplies) {
        p.failed.reset();
        p.outputW.reset();
    }
    for (auto& f : v.fans) {
        f.failed.reset();
        f.rpm.reset();
    }
    v.inletC.reset();
    v.loadW.reset();
    v.redundancy.clear();
}

} // namespace

void ChassisService::scheduleEnclosure() {
    if (stopped_ || !fabric_) return;
    enclosureTimer_.expires_after(kEnclosurePollInterval);
    enclosureTimer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        guarded("enclosure poll", 0, [&] { pollEnclosure(); });
        scheduleEnclosure();
    });
}

void ChassisService::pollEnclosure() {
    if (!fabric_ || enclosureInFlight_) return;
    enclosureInFlight_ = true;
    fabric_->enclosure([this](southbound::FabricResult<southbound::EnclosureReading> r) {
        enclosureInFlight_ = false;
        if (stopped_) return;
        guarded("enclosure answer", 0, [&] {
            const bool wasFailing = !enclosure_.error.empty();
            if (r.ok) {
                if (wasFailing) std::cout << "cmcd: enclosure readings from " << fabric_->describe() << " again\n";
                enclosure_ = viewOf(r.value, events::nowUnixMs());
            } else {
                if (!wasFailing)
                    std::cout << "cmcd: enclosure readings unavailable (" << r.message
                              << "); shown as unknown until the seat answers\n";
                forget(enclosure_, r.message.empty() ? "no answer" : r.message);
            }
        });
    });
}

} // namespace cmc::app
