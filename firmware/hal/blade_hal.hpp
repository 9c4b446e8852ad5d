// Hardware abstraction layer of a blade, as seen by its BMC firmware.
//
// The firmware (IPMI and Redfish services under firmware/) is written only
// against these interfaces. The simulator (simulator/hardware) implements them
// on simulated hardware; real hardware would implement them on GPIOs, I2C
// sensors, NIC/HBA firmware interfaces. Nothing here knows about the simulator.
//
// Threading: every call is made on the owning io_context thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cmc::hal {

enum class PowerState { Off, PoweringOn, On, PoweringOff };

// What the host is doing, as far as the BMC can see (BIOS POST codes,
// boot progress reported by the host agent).
enum class HostState {
    Off,       // no main power
    Post,      // power-on self test
    Firmware,  // held at firmware: no bootable device (a warm spare)
    PxeBoot,   // network boot requested, waiting for an image
    BootingOs, // loading the OS from the boot volume
    Running,   // OS up; host agent runs
    Hung,      // OS hung: agent silent
    Crashed,   // OS crashed; about to reboot
};

enum class ResetType {
    On,
    ForceOff,
    GracefulShutdown,
    ForceRestart,
    GracefulRestart,
    PowerCycle,
    Nmi,
};

enum class BootSource { None, Pxe, Hdd, RemoteDrive, Cd, Usb, BiosSetup, Diags };
enum class BootEnabled { Disabled, Once, Continuous };

struct BootOverride {
    BootSource target = BootSource::None;
    BootEnabled enabled = BootEnabled::Disabled;
    bool uefi = true;
};

enum class SensorKind { Temperature, Voltage, Power, Fan };

struct SensorThresholds {
    std::optional<double> lowerCritical;
    std::optional<double> lowerNonCritical;
    std::optional<double> upperNonCritical;
    std::optional<double> upperCritical;
};

struct SensorReading {
    std::uint8_t number = 0; // stable IPMI sensor number
    std::string id;          // stable short id, e.g. "cpu-temp"
    std::string name;        // e.g. "CPU Temp"
    SensorKind kind = SensorKind::Temperature;
    double value = 0.0;    // in units below
    std::string units;     // "Cel", "V", "W", "RPM" (UCUM, as Redfish)
    bool available = true; // false: not readable in this power state
    SensorThresholds thresholds;
};

// A System Event Log record, in IPMI terms (the Redfish LogEntry is derived).
enum class Severity { Ok, Warning, Critical };

struct SelRecord {
    std::uint16_t id = 0;
    std::uint32_t timestamp = 0; // seconds since the Unix epoch (wall clock)
    std::uint8_t sensorType = 0; // IPMI sensor type code (0x01 temperature, ...)
    std::uint8_t sensorNumber = 0;
    std::uint8_t eventDirType = 0; // bit 7: deassertion; bits 6..0: event/reading type
    std::array<std::uint8_t, 3> eventData{0xff, 0xff, 0xff};
    Severity severity = Severity::Ok;
    std::string message; // human readable
};

struct NicPort {
    std::string permanentMac; // burned in, "aa:bb:cc:dd:ee:ff"
    std::string mac;          // current (virtual) MAC, programmed by firmware
    bool linkUp = true;
};

struct FcBootTarget {
    std::string targetWwpn; // SAN target port, may be empty
    std::uint32_t lun = 0;
};

struct HbaPort {
    std::string permanentWwpn; // "20:00:..:.."
    std::string wwpn;          // current (virtual) WWPN
    std::string permanentWwnn;
    std::string wwnn;
    bool linkUp = true;
    std::vector<FcBootTarget> bootTargets;
};

struct Inventory {
    std::string manufacturer;
    std::string model;
    std::string serialNumber;
    std::string partNumber;
    std::string assetTag;
    std::string uuid; // system UUID (the blade's own; 8-4-4-4-12)
    std::string biosVersion;
    std::string bmcFirmwareVersion;
    std::uint32_t cpuCount = 0;
    std::string cpuModel;
    std::uint32_t memoryGiB = 0;
    std::uint16_t slot = 0;
    std::chrono::system_clock::time_point manufactured{};
};

// IPMI watchdog timer (IPMI 2.0 section 27), kept in the BMC hardware.
enum class WatchdogAction { None, HardReset, PowerDown, PowerCycle };

struct WatchdogState {
    std::uint8_t timerUse = 0x04; // 1 BIOS FRB2, 2 BIOS/POST, 3 OS load, 4 SMS/OS, 5 OEM
    bool dontLog = false;
    bool running = false;
    WatchdogAction action = WatchdogAction::None;
    std::uint8_t preTimeoutInterrupt = 0;
    std::uint8_t preTimeoutSeconds = 0;
    std::uint8_t expirationFlags = 0;   // bits set per timer use that expired
    std::uint16_t initialCountdown = 0; // 100 ms units
    std::uint16_t presentCountdown = 0; // 100 ms units
};

enum class LastPowerEvent { None, AcFailed, PowerFault, PowerOnByCommand, PowerDownByCommand };

struct ChassisStatus {
    PowerState power = PowerState::Off;
    bool powerFault = false; // main power fault (power good lost)
    bool powerOverload = false;
    bool powerInterlock = false;
    bool coolingFault = false;
    bool intrusion = false;
    bool identifyOn = false;
    LastPowerEvent lastEvent = LastPowerEvent::None;
};

// Condition of the BMC and its management network port. Firmware network
// front-ends consult this for each datagram or request.
struct ManagementLink {
    bool up = true;                        // false: every packet is lost
    bool bmcHung = false;                  // BMC firmware does not answer at all
    double lossRatio = 0.0;                // 0..1, each datagram/request independently
    std::chrono::milliseconds latency{0};  // added to each answer
    std::chrono::milliseconds bmcDelay{0}; // slow BMC: added processing time
};

enum class HalError { Ok, PowerFault, InvalidArgument, NotSupported, Busy };

// Hardware changes pushed to the firmware as they happen (BMC event sources:
// Redfish EventService). Called synchronously on the io_context thread from
// inside the HAL; an observer must not call back into the HAL's setters from
// here. A HAL that cannot push keeps BladeHal's default no-op add/remove, and
// the firmware sees changes only when it polls.
class HalObserver {
public:
    virtual ~HalObserver() = default;
    virtual void powerStateChanged(PowerState now) { (void)now; }
    virtual void selRecordAdded(const SelRecord& record) { (void)record; }
    virtual void selCleared() {}
    // Something that moves sensor readings changed (a fault, power or host
    // state): re-read sensors() to see threshold crossings.
    virtual void sensorsChanged() {}
};

class BladeHal {
public:
    virtual ~BladeHal() = default;

    [[nodiscard]] virtual const Inventory& inventory() const = 0;

    // Power and host.
    [[nodiscard]] virtual ChassisStatus chassisStatus() const = 0;
    [[nodiscard]] virtual HostState hostState() const = 0;
    [[nodiscard]] virtual HalError reset(ResetType type) = 0;
    virtual void setIdentify(bool on, std::chrono::seconds duration) = 0;
    [[nodiscard]] virtual std::uint32_t powerOnHours() const = 0;

    // Boot.
    [[nodiscard]] virtual BootOverride bootOverride() const = 0;
    virtual void setBootOverride(const BootOverride& o) = 0;

    // Sensors (stable order, stable numbers).
    [[nodiscard]] virtual std::vector<SensorReading> sensors() const = 0;

    // System event log.
    [[nodiscard]] virtual const std::vector<SelRecord>& sel() const = 0;
    [[nodiscard]] virtual std::uint16_t addSel(SelRecord record) = 0; // returns the id
    virtual void clearSel() = 0;
    [[nodiscard]] virtual std::uint32_t selLastAddTime() const = 0;
    [[nodiscard]] virtual std::uint32_t selLastEraseTime() const = 0;
    [[nodiscard]] virtual std::size_t selCapacity() const = 0;

    // NICs and HBAs: burned-in and current addresses.
    [[nodiscard]] virtual const std::vector<NicPort>& nics() const = 0;
    [[nodiscard]] virtual HalError setNicMac(std::size_t index, const std::string& mac) = 0;
    [[nodiscard]] virtual const std::vector<HbaPort>& hbas() const = 0;
    [[nodiscard]] virtual HalError setHbaWwpn(std::size_t index, const std::string& wwpn) = 0;
    [[nodiscard]] virtual HalError setHbaBootTargets(std::size_t index, std::vector<FcBootTarget> targets) = 0;

    // Watchdog.
    [[nodiscard]] virtual WatchdogState watchdog() const = 0;
    [[nodiscard]] virtual HalError setWatchdog(const WatchdogState& config) = 0; // stops it
    [[nodiscard]] virtual HalError resetWatchdog() = 0; // (re)start countdown; Busy if never set

    // Management network / BMC condition.
    [[nodiscard]] virtual ManagementLink managementLink() const = 0;

    // Change notifications (see HalObserver). The observer outlives its registration.
    virtual void addObserver(HalObserver* observer) { (void)observer; }
    virtual void removeObserver(HalObserver* observer) { (void)observer; }
};

const char* toString(PowerState s);
const char* toString(HostState s);
const char* toString(BootSource s);
const char* toString(BootEnabled s);
const char* toString(ResetType t);

} // namespace cmc::hal
