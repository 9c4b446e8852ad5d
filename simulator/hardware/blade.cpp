#include "hardware/blade.hpp"

#include <algorithm>
#include <cstdio>

#include "hal/address_format.hpp"

namespace cmc::sim {

using hal::HalError;
using hal::HostState;
using hal::PowerState;

namespace {

// Event-only sensor numbers (the threshold sensors are 1..4).
constexpr std::uint8_t kSensorInlet = 1;
constexpr std::uint8_t kSensorCpu = 2;
constexpr std::uint8_t kSensor12V = 3;
constexpr std::uint8_t kSensorPower = 4;
constexpr std::uint8_t kSensorWatchdog = 0x10;
constexpr std::uint8_t kSensorPowerUnit = 0x11;
constexpr std::uint8_t kSensorPsu = 0x12;
constexpr std::uint8_t kSensorOsStop = 0x13;

// IPMI sensor types.
constexpr std::uint8_t kTypeTemperature = 0x01;
constexpr std::uint8_t kTypePowerSupply = 0x08;
constexpr std::uint8_t kTypePowerUnit = 0x09;
constexpr std::uint8_t kTypeOsStop = 0x20;
constexpr std::uint8_t kTypeWatchdog2 = 0x23;
constexpr std::uint8_t kEventThreshold = 0x01;
constexpr std::uint8_t kEventSensorSpecific = 0x6f;

std::string makeUuid(std::mt19937_64& rng) {
    std::uint64_t a = rng();
    std::uint64_t b = rng();
    a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL; // version 4
    b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; // variant
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                  static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return buf;
}

} // namespace

Blade::Blade(boost::asio::io_context& io, const SimClock& clock, BladeEnvironment& env, BladeSpec spec)
    : clock_(clock), env_(env), spec_(spec), rng_(spec.seed * 0x9e3779b97f4a7c15ULL + spec.slot), phaseTimer_(io),
      watchdogTimer_(io), agentTimer_(io), sensorTimer_(io), identifyTimer_(io) {
    static const char* kModels[] = {"OpenBlade B200", "OpenBlade B400"};
    inventory_.manufacturer = "OpenCMC Simulated Systems";
    inventory_.model = kModels[spec.slot % 2];
    char serial[32];
    std::snprintf(serial, sizeof serial, "SIM%02X%06llX", spec.slot,
                  static_cast<unsigned long long>(rng_() & 0xffffff));
    inventory_.serialNumber = serial;
    inventory_.partNumber = spec.slot % 2 ? "OB-B400-01" : "OB-B200-01";
    inventory_.assetTag = "slot-" + std::to_string(spec.slot);
    inventory_.uuid = makeUuid(rng_);
    inventory_.biosVersion = "2.4.1";
    inventory_.bmcFirmwareVersion = "1.0.0";
    inventory_.cpuCount = spec.slot % 2 ? 4 : 2;
    inventory_.cpuModel = "Simulated Xeon 6430";
    inventory_.memoryGiB = spec.slot % 2 ? 512 : 256;
    inventory_.slot = spec.slot;
    inventory_.manufactured = std::chrono::system_clock::time_point(std::chrono::seconds(1735689600));

    // Burned-in addresses: OUI 02:0c:4d is not used; permanent MACs are
    // universally administered under a fixed simulated OUI (00:1b:21).
    for (std::size_t i = 0; i < spec.nicCount; ++i) {
        std::uint64_t mac = 0x001b21000000ULL | (static_cast<std::uint64_t>(spec.slot) << 8) | (i + 1);
        hal::NicPort p;
        p.permanentMac = hal::formatMac(mac);
        p.mac = p.permanentMac;
        nics_.push_back(p);
    }
    for (std::size_t i = 0; i < spec.hbaCount; ++i) {
        std::uint64_t wwpn = 0x2100001b32000000ULL | (static_cast<std::uint64_t>(spec.slot) << 8) | (i + 1);
        std::uint64_t wwnn = 0x2000001b32000000ULL | (static_cast<std::uint64_t>(spec.slot) << 8);
        hal::HbaPort p;
        p.permanentWwpn = hal::formatWwn(wwpn);
        p.wwpn = p.permanentWwpn;
        p.permanentWwnn = hal::formatWwn(wwnn);
        p.wwnn = p.permanentWwnn;
        hbas_.push_back(p);
    }
    faults_.nicLinkDown.assign(spec.nicCount, false);
    sensorTick();
}

Blade::~Blade() = default;

template <class Fn> void Blade::notify(Fn fn) {
    if (observers_.empty()) return;
    auto list = observers_; // an observer may remove itself
    for (auto* o : list) {
        if (std::find(observers_.begin(), observers_.end(), o) != observers_.end()) fn(*o);
    }
}

std::uint32_t Blade::wallSeconds() const {
    return static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

double Blade::noise(double amplitude) const {
    std::uniform_real_distribution<double> d(-amplitude, amplitude);
    return d(rng_);
}

// ---------------------------------------------------------------- power

hal::ChassisStatus Blade::chassisStatus() const {
    hal::ChassisStatus s;
    s.power = power_;
    s.powerFault = faults_.powerLoss || faults_.psuFault;
    s.identifyOn = identify_;
    s.lastEvent = lastEvent_;
    s.coolingFault = faults_.overTemperatureC.has_value();
    return s;
}

void Blade::setPower(PowerState p) {
    if (p == power_) return;
    bool wasPowered = power_ != PowerState::Off;
    power_ = p;
    bool powered = power_ != PowerState::Off;
    auto now = clock_.nowMs();
    if (powered && !wasPowered) poweredSinceMs_ = now;
    if (!powered && wasPowered && poweredSinceMs_ >= 0) {
        poweredTotalMs_ += now - poweredSinceMs_;
        poweredSinceMs_ = -1;
    }
    env_.bladeChanged(*this);
    notify([p](hal::HalObserver& o) {
        o.powerStateChanged(p);
        o.sensorsChanged();
    });
}

void Blade::setHost(HostState h) {
    if (h == host_) return;
    host_ = h;
    hostSinceMs_ = clock_.nowMs();
    if (h != HostState::BootingOs && h != HostState::Running && h != HostState::Hung) bootVolume_.reset();
    if (h != HostState::Running && h != HostState::Hung) {
        agentTimer_.cancel();
    }
    if (h == HostState::Off || h == HostState::Post) leases_.clear();
    env_.bladeChanged(*this);
    notify([](hal::HalObserver& o) { o.sensorsChanged(); });
}

std::uint32_t Blade::powerOnHours() const {
    auto total = poweredTotalMs_;
    if (poweredSinceMs_ >= 0) total += clock_.nowMs() - poweredSinceMs_;
    return static_cast<std::uint32_t>(total / 3'600'000);
}

void Blade::schedulePhase(SimDuration d, void (Blade::*fn)()) {
    auto gen = ++phaseGeneration_;
    phaseTimer_.expires_after(clock_.toReal(d));
    phaseTimer_.async_wait([this, gen, fn](const boost::system::error_code& ec) {
        if (ec || gen != phaseGeneration_) return;
        (this->*fn)();
    });
}

HalError Blade::reset(hal::ResetType type) {
    using hal::ResetType;
    bool fault = faults_.powerLoss || faults_.psuFault;
    switch (type) {
    case ResetType::On:
        if (fault) return HalError::PowerFault;
        if (power_ == PowerState::Off) {
            lastEvent_ = hal::LastPowerEvent::PowerOnByCommand;
            startPowerOn();
        } else if (power_ == PowerState::PoweringOff) {
            pendingPowerOnAfterOff_ = true;
        } else if (power_ == PowerState::On && host_ == HostState::Firmware) {
            // A warm spare: the firmware selects a boot device again, no POST.
            afterPost();
        }
        return HalError::Ok;
    case ResetType::ForceOff:
        pendingPowerOnAfterOff_ = false;
        if (power_ != PowerState::Off) powerOffNow(hal::LastPowerEvent::PowerDownByCommand);
        ++phaseGeneration_; // also cancels a pending power-on of a power cycle
        return HalError::Ok;
    case ResetType::GracefulShutdown:
    case ResetType::GracefulRestart: {
        bool restart = type == ResetType::GracefulRestart;
        if (power_ == PowerState::Off) return restart ? reset(ResetType::On) : HalError::Ok;
        pendingPowerOnAfterOff_ = restart;
        if (host_ == HostState::Hung) return HalError::Ok; // a hung OS ignores the ACPI request
        if (power_ == PowerState::PoweringOff) return HalError::Ok;
        bool osUp = host_ == HostState::Running || host_ == HostState::BootingOs;
        setPower(PowerState::PoweringOff);
        schedulePhase(osUp ? spec_.timings.osShutdown : spec_.timings.powerOff, &Blade::shutdownDone);
        return HalError::Ok;
    }
    case ResetType::ForceRestart:
        if (fault) return HalError::PowerFault;
        if (power_ == PowerState::Off) return reset(ResetType::On);
        if (power_ == PowerState::PoweringOn) return HalError::Ok;
        pendingPowerOnAfterOff_ = false;
        setPower(PowerState::On);
        startPost();
        return HalError::Ok;
    case ResetType::PowerCycle:
        if (fault) return HalError::PowerFault;
        pendingPowerOnAfterOff_ = false;
        if (power_ != PowerState::Off) powerOffNow(hal::LastPowerEvent::PowerDownByCommand);
        lastEvent_ = hal::LastPowerEvent::PowerOnByCommand;
        schedulePhase(spec_.timings.powerOff, &Blade::startPowerOn);
        return HalError::Ok;
    case ResetType::Nmi:
        if (host_ == HostState::Running || host_ == HostState::Hung) hostCrash("NMI / diagnostic interrupt");
        return HalError::Ok;
    }
    return HalError::InvalidArgument;
}

void Blade::startPowerOn() {
    if (faults_.powerLoss || faults_.psuFault) return;
    setPower(PowerState::PoweringOn);
    schedulePhase(spec_.timings.powerOn, &Blade::poweredOn);
}

void Blade::poweredOn() {
    setPower(PowerState::On);
    startPost();
}

void Blade::powerOffNow(hal::LastPowerEvent why) {
    ++phaseGeneration_;
    phaseTimer_.cancel();
    stopWatchdog();
    lastEvent_ = why;
    setHost(HostState::Off);
    setPower(PowerState::Off);
}

void Blade::shutdownDone() {
    powerOffNow(hal::LastPowerEvent::PowerDownByCommand);
    if (pendingPowerOnAfterOff_) {
        pendingPowerOnAfterOff_ = false;
        schedulePhase(spec_.timings.powerOff, &Blade::startPowerOn);
    }
}

void Blade::stopWatchdog() {
    wd_.running = false;
    watchdogTimer_.cancel();
}

void Blade::startPost() {
    stopWatchdog(); // a system reset stops the watchdog (IPMI 2.0 27.7)
    setHost(HostState::Post);
    schedulePhase(spec_.timings.post, &Blade::afterPost);
}

void Blade::afterPost() {
    hal::BootSource target = boot_.enabled == hal::BootEnabled::Disabled ? hal::BootSource::None : boot_.target;
    if (boot_.enabled == hal::BootEnabled::Once) boot_ = hal::BootOverride{};
    switch (target) {
    case hal::BootSource::BiosSetup:
    case hal::BootSource::Diags: setHost(HostState::Firmware); return;
    case hal::BootSource::Pxe: setHost(HostState::PxeBoot); return;
    default: break;
    }
    auto volume = env_.findBootVolume(*this);
    if (!volume) {
        setHost(HostState::Firmware); // "no bootable device": held at firmware
        return;
    }
    bootVolume_ = volume;
    host_ = HostState::Off; // force a change notification with the volume set
    setHost(HostState::BootingOs);
    schedulePhase(spec_.timings.osBoot, &Blade::osRunning);
}

void Blade::osRunning() {
    // The volume may have vanished while loading (masking changed, port disabled).
    if (!env_.findBootVolume(*this)) {
        hostCrash("boot volume lost while loading the OS");
        return;
    }
    ++bootCount_;
    setHost(HostState::Running);
    if (faults_.hostHang) {
        setHost(HostState::Hung);
        return;
    }
    if (!faults_.failVerification) {
        // The host agent arms the watchdog (SMS/OS use, log only) and pets it.
        hal::WatchdogState w;
        w.timerUse = 0x04;
        w.action = hal::WatchdogAction::None;
        w.initialCountdown = spec_.timings.agentWatchdogCountdown;
        (void)setWatchdog(w);
        (void)resetWatchdog();
        agentTick();
    }
    if (faults_.failAfterBoot)
        schedulePhase(*faults_.failAfterBoot, &Blade::osFailAfterBoot);
    else if (faults_.hostCrashLoop)
        schedulePhase(faults_.crashAfter, &Blade::crashLoopTick);
}

void Blade::osFailAfterBoot() {
    if (host_ == HostState::Running) setHost(HostState::Hung);
}

void Blade::crashLoopTick() {
    if (host_ == HostState::Running) hostCrash("kernel panic (crash loop)");
}

void Blade::hostCrash(const std::string& why) {
    logSel(kTypeOsStop, kSensorOsStop, kEventSensorSpecific, {0x01, 0xff, 0xff}, hal::Severity::Critical,
           "OS critical stop: " + why);
    setHost(HostState::Crashed);
    schedulePhase(spec_.timings.crashReboot, &Blade::rebootAfterCrash);
}

void Blade::rebootAfterCrash() {
    if (power_ == PowerState::On) startPost();
}

void Blade::agentTick() {
    if (host_ != HostState::Running || faults_.hostHang || faults_.failVerification) return;
    (void)resetWatchdog();
    agentTimer_.expires_after(clock_.toReal(spec_.timings.agentPet));
    agentTimer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) agentTick();
    });
}

// ---------------------------------------------------------------- watchdog

hal::WatchdogState Blade::watchdog() const {
    hal::WatchdogState w = wd_;
    if (w.running) {
        auto left = wdDeadlineMs_ - clock_.nowMs();
        w.presentCountdown = static_cast<std::uint16_t>(std::clamp<std::int64_t>(left / 100, 0, 0xffff));
    } else {
        w.presentCountdown = wd_.presentCountdown;
    }
    return w;
}

HalError Blade::setWatchdog(const hal::WatchdogState& config) {
    if (config.timerUse < 1 || config.timerUse > 5) return HalError::InvalidArgument;
    auto flags = wd_.expirationFlags & static_cast<std::uint8_t>(~config.expirationFlags);
    wd_ = config;
    wd_.expirationFlags = flags;
    wd_.running = false;
    wd_.presentCountdown = config.initialCountdown;
    wdConfigured_ = true;
    watchdogTimer_.cancel();
    return HalError::Ok;
}

HalError Blade::resetWatchdog() {
    if (!wdConfigured_) return HalError::Busy;
    wd_.running = true;
    wdDeadlineMs_ = clock_.nowMs() + static_cast<std::int64_t>(wd_.initialCountdown) * 100;
    armWatchdogTimer();
    return HalError::Ok;
}

void Blade::armWatchdogTimer() {
    watchdogTimer_.expires_after(clock_.toReal(SimDuration(std::max<std::int64_t>(wdDeadlineMs_ - clock_.nowMs(), 0))));
    watchdogTimer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !wd_.running) return;
        if (clock_.nowMs() < wdDeadlineMs_) {
            armWatchdogTimer();
            return;
        }
        watchdogExpired();
    });
}

void Blade::watchdogExpired() {
    wd_.running = false;
    wd_.presentCountdown = 0;
    wd_.expirationFlags |= static_cast<std::uint8_t>(1u << wd_.timerUse);
    static const char* kAction[] = {"timer expired, no action", "hard reset", "power down", "power cycle"};
    auto actionIndex = static_cast<std::uint8_t>(wd_.action);
    if (!wd_.dontLog) {
        logSel(kTypeWatchdog2, kSensorWatchdog, kEventSensorSpecific, {actionIndex, wd_.timerUse, 0xff},
               hal::Severity::Critical, std::string("Watchdog 2: ") + kAction[actionIndex]);
    }
    switch (wd_.action) {
    case hal::WatchdogAction::None: break;
    case hal::WatchdogAction::HardReset: (void)reset(hal::ResetType::ForceRestart); break;
    case hal::WatchdogAction::PowerDown: (void)reset(hal::ResetType::ForceOff); break;
    case hal::WatchdogAction::PowerCycle: (void)reset(hal::ResetType::PowerCycle); break;
    }
}

// ---------------------------------------------------------------- identify, SEL

void Blade::setIdentify(bool on, std::chrono::seconds duration) {
    identify_ = on;
    identifyTimer_.cancel();
    if (on && duration.count() > 0) {
        identifyTimer_.expires_after(clock_.toReal(std::chrono::duration_cast<SimDuration>(duration)));
        identifyTimer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) identify_ = false;
        });
    }
}

std::uint16_t Blade::addSel(hal::SelRecord record) {
    if (sel_.size() >= kSelCapacity) sel_.erase(sel_.begin()); // overwrite oldest
    record.id = nextSelId_++;
    if (nextSelId_ == 0xffff || nextSelId_ == 0) nextSelId_ = 1;
    if (record.timestamp == 0) record.timestamp = wallSeconds();
    selLastAdd_ = wallSeconds();
    sel_.push_back(std::move(record));
    auto id = sel_.back().id;
    const hal::SelRecord copy = sel_.back(); // an observer may not see the SEL move under it
    notify([&copy](hal::HalObserver& o) { o.selRecordAdded(copy); });
    return id;
}

void Blade::clearSel() {
    sel_.clear();
    selLastErase_ = wallSeconds();
    notify([](hal::HalObserver& o) { o.selCleared(); });
}

void Blade::addObserver(hal::HalObserver* observer) {
    if (observer && std::find(observers_.begin(), observers_.end(), observer) == observers_.end())
        observers_.push_back(observer);
}

void Blade::removeObserver(hal::HalObserver* observer) {
    observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
}

void Blade::logSel(std::uint8_t sensorType, std::uint8_t sensorNumber, std::uint8_t eventType,
                   std::array<std::uint8_t, 3> data, hal::Severity sev, std::string message) {
    hal::SelRecord r;
    r.sensorType = sensorType;
    r.sensorNumber = sensorNumber;
    r.eventDirType = eventType;
    r.eventData = data;
    r.severity = sev;
    r.message = std::move(message);
    (void)addSel(std::move(r));
}

// ---------------------------------------------------------------- sensors

std::vector<hal::SensorReading> Blade::sensors() const {
    std::vector<hal::SensorReading> out;
    out.reserve(4);
    bool powered = power_ == PowerState::On || power_ == PowerState::PoweringOff;
    bool mainFault = faults_.powerLoss || faults_.psuFault;
    double inlet = 22.0 + noise(0.4);

    hal::SensorReading t;
    t.number = kSensorInlet;
    t.id = "inlet-temp";
    t.name = "Inlet Temp";
    t.kind = hal::SensorKind::Temperature;
    t.units = "Cel";
    t.value = inlet;
    t.thresholds.upperNonCritical = 35;
    t.thresholds.upperCritical = 40;
    out.push_back(t);

    hal::SensorReading cpu;
    cpu.number = kSensorCpu;
    cpu.id = "cpu-temp";
    cpu.name = "CPU Temp";
    cpu.kind = hal::SensorKind::Temperature;
    cpu.units = "Cel";
    if (faults_.overTemperatureC)
        cpu.value = *faults_.overTemperatureC + noise(0.3);
    else if (!powered)
        cpu.value = inlet + 3.0;
    else if (host_ == HostState::Running)
        cpu.value = 58.0 + noise(1.5);
    else
        cpu.value = 46.0 + noise(1.0);
    cpu.available = powered || faults_.overTemperatureC.has_value();
    cpu.thresholds.upperNonCritical = 85;
    cpu.thresholds.upperCritical = 95;
    out.push_back(cpu);

    hal::SensorReading v;
    v.number = kSensor12V;
    v.id = "vrm-12v";
    v.name = "12V";
    v.kind = hal::SensorKind::Voltage;
    v.units = "V";
    v.value = mainFault ? 0.0 + std::abs(noise(0.05)) : 12.05 + noise(0.05);
    v.thresholds.lowerCritical = 10.8;
    v.thresholds.lowerNonCritical = 11.4;
    v.thresholds.upperNonCritical = 12.6;
    v.thresholds.upperCritical = 13.2;
    out.push_back(v);

    hal::SensorReading w;
    w.number = kSensorPower;
    w.id = "power";
    w.name = "Power";
    w.kind = hal::SensorKind::Power;
    w.units = "W";
    if (mainFault)
        w.value = 0.0;
    else if (!powered)
        w.value = 12.0 + noise(0.5);
    else if (host_ == HostState::Running)
        w.value = 240.0 + noise(12.0);
    else
        w.value = 180.0 + noise(6.0);
    w.thresholds.upperNonCritical = 450;
    w.thresholds.upperCritical = 500;
    out.push_back(w);
    return out;
}

void Blade::sensorTick() {
    // Threshold watch for the over-temperature sensor: the BMC logs assertion
    // and deassertion of the upper critical threshold.
    bool over = faults_.overTemperatureC && *faults_.overTemperatureC >= 95.0;
    if (over != overTempAsserted_) {
        overTempAsserted_ = over;
        auto reading = static_cast<std::uint8_t>(std::clamp(faults_.overTemperatureC.value_or(60.0), 0.0, 255.0));
        logSel(kTypeTemperature, kSensorCpu, static_cast<std::uint8_t>(kEventThreshold | (over ? 0x00 : 0x80)),
               {static_cast<std::uint8_t>(0x50 | 0x09), reading, 95},
               over ? hal::Severity::Critical : hal::Severity::Ok,
               over ? "CPU Temp: upper critical threshold crossed (going high)"
                    : "CPU Temp: back below upper critical threshold");
    }
}

// ---------------------------------------------------------------- NICs, HBAs

HalError Blade::setNicMac(std::size_t index, const std::string& mac) {
    if (index >= nics_.size()) return HalError::InvalidArgument;
    auto norm = hal::normalizeMac(mac);
    if (!norm) return HalError::InvalidArgument;
    nics_[index].mac = *norm;
    env_.bladeChanged(*this);
    return HalError::Ok;
}

HalError Blade::setHbaWwpn(std::size_t index, const std::string& wwpn) {
    if (index >= hbas_.size()) return HalError::InvalidArgument;
    auto norm = hal::normalizeWwn(wwpn);
    if (!norm) return HalError::InvalidArgument;
    hbas_[index].wwpn = *norm;
    env_.bladeChanged(*this);
    return HalError::Ok;
}

HalError Blade::setHbaBootTargets(std::size_t index, std::vector<hal::FcBootTarget> targets) {
    if (index >= hbas_.size()) return HalError::InvalidArgument;
    hbas_[index].bootTargets = std::move(targets);
    return HalError::Ok;
}

bool Blade::nicTransmitting(std::size_t nic) const {
    if (nic >= nics_.size()) return false;
    if (power_ == PowerState::Off) return false;
    return nics_[nic].linkUp && !faults_.nicLinkDown[nic];
}

bool Blade::hostAnswers() const {
    return power_ == PowerState::On && host_ == HostState::Running && !faults_.failVerification;
}

bool Blade::writesVolume() const {
    return bootVolume_.has_value() && power_ != PowerState::Off &&
           (host_ == HostState::BootingOs || host_ == HostState::Running || host_ == HostState::Hung);
}

// ---------------------------------------------------------------- faults

hal::ManagementLink Blade::managementLink() const {
    hal::ManagementLink l;
    l.up = !faults_.mgmtLoss;
    l.bmcHung = faults_.bmcUnresponsive;
    l.lossRatio = faults_.mgmtPacketLossPercent.value_or(0.0) / 100.0;
    if (faults_.mgmtLatency)
        l.latency = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.toReal(*faults_.mgmtLatency));
    if (faults_.bmcSlow)
        l.bmcDelay = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.toReal(*faults_.bmcSlow));
    return l;
}

void Blade::applyFaults(const BladeFaults& f) {
    BladeFaults old = faults_;
    faults_ = f;
    faults_.nicLinkDown.resize(nics_.size(), false);
    for (std::size_t i = 0; i < nics_.size(); ++i)
        nics_[i].linkUp = !faults_.nicLinkDown[i];

    if ((f.powerLoss && !old.powerLoss) || (f.psuFault && !old.psuFault)) {
        if (f.powerLoss && !old.powerLoss) {
            logSel(kTypePowerUnit, kSensorPowerUnit, kEventSensorSpecific, {0x04, 0xff, 0xff}, hal::Severity::Critical,
                   "Power Unit: AC lost / power input lost");
        }
        if (f.psuFault && !old.psuFault) {
            logSel(kTypePowerSupply, kSensorPsu, kEventSensorSpecific, {0x01, 0xff, 0xff}, hal::Severity::Critical,
                   "Power Supply: failure detected");
        }
        if (power_ != PowerState::Off)
            powerOffNow(f.powerLoss ? hal::LastPowerEvent::AcFailed : hal::LastPowerEvent::PowerFault);
        lastEvent_ = f.powerLoss ? hal::LastPowerEvent::AcFailed : hal::LastPowerEvent::PowerFault;
        pendingPowerOnAfterOff_ = false;
    }
    if (old.powerLoss && !f.powerLoss) {
        logSel(kTypePowerUnit, kSensorPowerUnit, static_cast<std::uint8_t>(kEventSensorSpecific | 0x80),
               {0x04, 0xff, 0xff}, hal::Severity::Ok, "Power Unit: AC restored");
    }
    if (old.psuFault && !f.psuFault) {
        logSel(kTypePowerSupply, kSensorPsu, static_cast<std::uint8_t>(kEventSensorSpecific | 0x80), {0x01, 0xff, 0xff},
               hal::Severity::Ok, "Power Supply: failure cleared");
    }
    if (f.hostHang && !old.hostHang && (host_ == HostState::Running)) setHost(HostState::Hung);
    if (!f.hostHang && old.hostHang && host_ == HostState::Hung) {
        // The hang was a stall that resolved itself: the OS runs on.
        setHost(HostState::Running);
        if (!faults_.failVerification) agentTick();
    }
    if (f.hostCrashLoop && !old.hostCrashLoop && host_ == HostState::Running) hostCrash("kernel panic");
    if (f.failVerification && !old.failVerification) {
        agentTimer_.cancel();
    }
    if (!f.failVerification && old.failVerification && host_ == HostState::Running) agentTick();
    sensorTick();
    env_.bladeChanged(*this);
    notify([](hal::HalObserver& o) { o.sensorsChanged(); });
}

void Blade::crashHost(const std::string& why) {
    if (host_ == HostState::Running || host_ == HostState::Hung || host_ == HostState::BootingOs) hostCrash(why);
}

} // namespace cmc::sim
