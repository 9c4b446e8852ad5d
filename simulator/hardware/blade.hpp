// A simulated blade: power state machine, POST and boot, host OS with an agent
// that pets the watchdog and answers at its logical IP, sensors with seeded
// noise, SEL, NICs and HBAs with permanent and current addresses, and the
// injected faults. Implements the firmware's HAL.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "hal/blade_hal.hpp"
#include "hardware/sim_clock.hpp"

namespace cmc::sim {

// Simulated durations of the hardware phases. A zero delay still goes through
// every state (the next phase is scheduled on the io_context with no wait).
struct BladeTimings {
    SimDuration powerOn{1000};                  // PoweringOn -> On
    SimDuration powerOff{1000};                 // PoweringOff -> Off (firmware only)
    SimDuration post{5000};                     // power-on self test
    SimDuration osBoot{20000};                  // volume found -> OS running
    SimDuration osShutdown{3000};               // graceful shutdown of a running OS
    SimDuration crashReboot{5000};              // crashed OS -> reboot (POST again)
    SimDuration agentPet{10000};                // host agent watchdog petting interval
    std::uint16_t agentWatchdogCountdown = 300; // 100 ms units (30 s)

    // The same timings with every hardware delay (power on/off, POST, OS boot and
    // shutdown, crash reboot) at 0; the host agent's petting and watchdog stay.
    [[nodiscard]] BladeTimings withZeroHardwareDelays() const {
        BladeTimings t = *this;
        t.powerOn = t.powerOff = t.post = t.osBoot = t.osShutdown = t.crashReboot = SimDuration{0};
        return t;
    }
};

// Faults of one blade (names as in the control API).
struct BladeFaults {
    bool powerLoss = false;
    bool psuFault = false;
    bool bmcUnresponsive = false;
    std::optional<SimDuration> bmcSlow;
    bool hostHang = false;
    bool hostCrashLoop = false;
    SimDuration crashAfter{3000};
    std::optional<double> overTemperatureC;
    std::vector<bool> nicLinkDown; // per NIC
    bool mgmtLoss = false;
    std::optional<SimDuration> mgmtLatency;
    std::optional<double> mgmtPacketLossPercent;
    std::optional<SimDuration> failAfterBoot;
    bool failVerification = false;
};

class Blade;

// What a blade needs from its surroundings (the fabric).
class BladeEnvironment {
public:
    virtual ~BladeEnvironment() = default;
    // The boot volume the blade's HBAs can see right now, if any.
    [[nodiscard]] virtual std::optional<std::string> findBootVolume(const Blade& blade) = 0;
    // The blade's power, host, NIC or HBA state changed.
    virtual void bladeChanged(const Blade& blade) = 0;
};

struct BladeSpec {
    std::uint16_t slot = 1;
    std::size_t nicCount = 2;
    std::size_t hbaCount = 2;
    std::uint64_t seed = 1;
    BladeTimings timings;
};

class Blade final : public hal::BladeHal {
public:
    Blade(boost::asio::io_context& io, const SimClock& clock, BladeEnvironment& env, BladeSpec spec);
    ~Blade() override;

    // --- HAL ---
    [[nodiscard]] const hal::Inventory& inventory() const override { return inventory_; }
    [[nodiscard]] hal::ChassisStatus chassisStatus() const override;
    [[nodiscard]] hal::HostState hostState() const override { return host_; }
    // Power and reset requests (Redfish ComputerSystem.Reset, IPMI chassis control).
    // On: from Off, power on (PoweringOn, POST, boot); while PoweringOff, power on
    // again once off. A blade already On and held at firmware (a warm spare that
    // found no bootable device) retries boot-device selection at once, without
    // POST: it boots (BootingOs, then Running) if a volume is now visible to its
    // current WWPN, else stays at firmware. On is a no-op in any other host state.
    [[nodiscard]] hal::HalError reset(hal::ResetType type) override;
    void setIdentify(bool on, std::chrono::seconds duration) override;
    [[nodiscard]] std::uint32_t powerOnHours() const override;
    [[nodiscard]] hal::BootOverride bootOverride() const override { return boot_; }
    void setBootOverride(const hal::BootOverride& o) override { boot_ = o; }
    [[nodiscard]] std::vector<hal::SensorReading> sensors() const override;
    [[nodiscard]] const std::vector<hal::SelRecord>& sel() const override { return sel_; }
    [[nodiscard]] std::uint16_t addSel(hal::SelRecord record) override;
    void clearSel() override;
    [[nodiscard]] std::uint32_t selLastAddTime() const override { return selLastAdd_; }
    [[nodiscard]] std::uint32_t selLastEraseTime() const override { return selLastErase_; }
    [[nodiscard]] std::size_t selCapacity() const override { return kSelCapacity; }
    [[nodiscard]] const std::vector<hal::NicPort>& nics() const override { return nics_; }
    [[nodiscard]] hal::HalError setNicMac(std::size_t index, const std::string& mac) override;
    [[nodiscard]] const std::vector<hal::HbaPort>& hbas() const override { return hbas_; }
    [[nodiscard]] hal::HalError setHbaWwpn(std::size_t index, const std::string& wwpn) override;
    [[nodiscard]] hal::HalError setHbaBootTargets(std::size_t index, std::vector<hal::FcBootTarget> targets) override;
    [[nodiscard]] hal::WatchdogState watchdog() const override;
    [[nodiscard]] hal::HalError setWatchdog(const hal::WatchdogState& config) override;
    [[nodiscard]] hal::HalError resetWatchdog() override;
    [[nodiscard]] hal::ManagementLink managementLink() const override;
    void addObserver(hal::HalObserver* observer) override;
    void removeObserver(hal::HalObserver* observer) override;

    // --- Simulator side ---
    [[nodiscard]] std::uint16_t slot() const { return spec_.slot; }
    [[nodiscard]] hal::PowerState powerState() const { return power_; }
    [[nodiscard]] const BladeFaults& faults() const { return faults_; }
    [[nodiscard]] const std::optional<std::string>& bootVolume() const { return bootVolume_; }
    // DHCP leases per NIC (empty string: none).
    [[nodiscard]] const std::vector<std::string>& leases() const { return leases_; }
    void setLeases(std::vector<std::string> ips) { leases_ = std::move(ips); }
    // Emits frames on its NICs (powered, MAC programmed).
    [[nodiscard]] bool nicTransmitting(std::size_t nic) const;
    // The host OS answers on the network (ARP/ICMP on its leased IPs).
    [[nodiscard]] bool hostAnswers() const;
    // Holds its boot volume open (a writer on the SAN).
    [[nodiscard]] bool writesVolume() const;
    [[nodiscard]] std::uint64_t bootCount() const { return bootCount_; }
    [[nodiscard]] std::int64_t hostSinceMs() const { return hostSinceMs_; }
    [[nodiscard]] const BladeTimings& timings() const { return spec_.timings; }
    // New phases use the new timings; a phase already scheduled keeps its delay.
    void setTimings(const BladeTimings& t) { spec_.timings = t; }

    // Fault injection: the new set of active faults.
    void applyFaults(const BladeFaults& f);
    // One-shot: the host OS crashes now (and reboots).
    void crashHost(const std::string& why);

    static constexpr std::size_t kSelCapacity = 1024;

private:
    void setPower(hal::PowerState p);
    void setHost(hal::HostState h);
    void startPowerOn();
    void poweredOn();
    void powerOffNow(hal::LastPowerEvent why);
    void shutdownDone();
    void startPost();
    void afterPost();
    void osRunning();
    void osFailAfterBoot();
    void crashLoopTick();
    void rebootAfterCrash();
    void stopWatchdog();
    void hostCrash(const std::string& why);
    void schedulePhase(SimDuration d, void (Blade::*fn)());
    void agentTick();
    void armWatchdogTimer();
    void watchdogExpired();
    void logSel(std::uint8_t sensorType, std::uint8_t sensorNumber, std::uint8_t eventType,
                std::array<std::uint8_t, 3> data, hal::Severity sev, std::string message);
    void sensorTick();
    template <class Fn> void notify(Fn fn);
    double noise(double amplitude) const;
    [[nodiscard]] std::uint32_t wallSeconds() const;

    const SimClock& clock_;
    BladeEnvironment& env_;
    BladeSpec spec_;
    hal::Inventory inventory_;
    hal::PowerState power_ = hal::PowerState::Off;
    hal::HostState host_ = hal::HostState::Off;
    hal::LastPowerEvent lastEvent_ = hal::LastPowerEvent::None;
    hal::BootOverride boot_;
    bool identify_ = false;
    std::vector<hal::SelRecord> sel_;
    std::uint16_t nextSelId_ = 1;
    std::uint32_t selLastAdd_ = 0;
    std::uint32_t selLastErase_ = 0;
    std::vector<hal::NicPort> nics_;
    std::vector<hal::HbaPort> hbas_;
    hal::WatchdogState wd_;
    bool wdConfigured_ = false;
    std::int64_t wdDeadlineMs_ = 0; // sim ms when the countdown reaches 0
    BladeFaults faults_;
    std::optional<std::string> bootVolume_;
    std::vector<std::string> leases_;
    std::uint64_t bootCount_ = 0;
    std::int64_t hostSinceMs_ = 0;
    std::int64_t poweredSinceMs_ = -1;
    std::int64_t poweredTotalMs_ = 0;
    bool pendingPowerOnAfterOff_ = false;
    bool overTempAsserted_ = false;
    mutable std::mt19937_64 rng_;
    boost::asio::steady_timer phaseTimer_;
    boost::asio::steady_timer watchdogTimer_;
    boost::asio::steady_timer agentTimer_;
    boost::asio::steady_timer sensorTimer_;
    boost::asio::steady_timer identifyTimer_;
    std::uint64_t phaseGeneration_ = 0;
    std::vector<hal::HalObserver*> observers_;
};

} // namespace cmc::sim
