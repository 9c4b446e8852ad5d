// In-memory BladeHal for the IPMI unit and integration tests only.
#pragma once

#include "hal/blade_hal.hpp"

namespace cmc::ipmi::test {

class FakeBladeHal : public hal::BladeHal {
public:
    FakeBladeHal() {
        inventory_.manufacturer = "OpenCMC";
        inventory_.model = "Blade X1";
        inventory_.serialNumber = "SN0001";
        inventory_.partNumber = "PN-42";
        inventory_.assetTag = "ASSET-7";
        inventory_.uuid = "4c4c4544-0032-3510-8052-b4c04f4e3732";
        inventory_.biosVersion = "2.1.0";
        inventory_.bmcFirmwareVersion = "1.23.4";
        inventory_.slot = 3;
        inventory_.manufactured = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));

        sensors_.push_back(sensor(0x01, "cpu-temp", "CPU Temp", hal::SensorKind::Temperature, 45.0, "Cel",
                                  {std::nullopt, std::nullopt, 85.0, 95.0}));
        sensors_.push_back(
            sensor(0x02, "p12v", "12V Rail", hal::SensorKind::Voltage, 12.1, "V", {10.8, 11.4, 12.6, 13.2}));
        sensors_.push_back(sensor(0x03, "power", "Blade Power", hal::SensorKind::Power, 250.0, "W",
                                  {std::nullopt, std::nullopt, 700.0, 800.0}));
        sensors_.push_back(sensor(0x04, "fan1", "Fan 1", hal::SensorKind::Fan, 8400.0, "RPM",
                                  {1000.0, 1500.0, std::nullopt, std::nullopt}));

        hal::SelRecord r;
        r.timestamp = 1700000100;
        r.sensorType = 0x01;
        r.sensorNumber = 0x01;
        r.eventDirType = 0x01;
        r.eventData = {0x57, 0x60, 0x5F};
        r.severity = hal::Severity::Warning;
        r.message = "CPU Temp above upper non-critical";
        (void)addSel(r);

        nics_ = {{"00:1b:21:aa:00:01", "02:00:00:00:03:01", true}, {"00:1b:21:aa:00:02", "00:1b:21:aa:00:02", false}};
        hal::HbaPort hba;
        hba.permanentWwpn = "20:00:00:1b:21:aa:00:01";
        hba.wwpn = "50:06:0b:00:00:c2:62:00";
        hba.permanentWwnn = "10:00:00:1b:21:aa:00:01";
        hba.wwnn = "10:00:00:1b:21:aa:00:01";
        hbas_.push_back(hba);
    }

    static hal::SensorReading sensor(std::uint8_t number, const char* id, const char* name, hal::SensorKind kind,
                                     double value, const char* units, hal::SensorThresholds t) {
        hal::SensorReading s;
        s.number = number;
        s.id = id;
        s.name = name;
        s.kind = kind;
        s.value = value;
        s.units = units;
        s.thresholds = t;
        return s;
    }

    const hal::Inventory& inventory() const override { return inventory_; }
    hal::ChassisStatus chassisStatus() const override { return status_; }
    hal::HostState hostState() const override {
        return status_.power == hal::PowerState::On ? hal::HostState::Running : hal::HostState::Off;
    }
    hal::HalError reset(hal::ResetType type) override {
        ++resets;
        lastReset = type;
        switch (type) {
        case hal::ResetType::On:
            status_.power = hal::PowerState::On;
            status_.lastEvent = hal::LastPowerEvent::PowerOnByCommand;
            break;
        case hal::ResetType::ForceOff:
        case hal::ResetType::GracefulShutdown:
            status_.power = hal::PowerState::Off;
            status_.lastEvent = hal::LastPowerEvent::PowerDownByCommand;
            break;
        case hal::ResetType::PowerCycle:
        case hal::ResetType::ForceRestart:
        case hal::ResetType::GracefulRestart:
            if (status_.power == hal::PowerState::Off) {
                return hal::HalError::NotSupported;
            }
            break;
        case hal::ResetType::Nmi: break;
        }
        return hal::HalError::Ok;
    }
    void setIdentify(bool on, std::chrono::seconds duration) override {
        status_.identifyOn = on;
        identifySeconds = duration;
    }
    std::uint32_t powerOnHours() const override { return 1234; }
    hal::BootOverride bootOverride() const override { return boot_; }
    void setBootOverride(const hal::BootOverride& o) override { boot_ = o; }
    std::vector<hal::SensorReading> sensors() const override { return sensors_; }
    const std::vector<hal::SelRecord>& sel() const override { return sel_; }
    std::uint16_t addSel(hal::SelRecord record) override {
        record.id = nextSelId_++;
        sel_.push_back(std::move(record));
        lastAdd_ = sel_.back().timestamp;
        return sel_.back().id;
    }
    void clearSel() override {
        sel_.clear();
        lastErase_ = 1700000200;
    }
    std::uint32_t selLastAddTime() const override { return lastAdd_; }
    std::uint32_t selLastEraseTime() const override { return lastErase_; }
    std::size_t selCapacity() const override { return 512; }
    const std::vector<hal::NicPort>& nics() const override { return nics_; }
    hal::HalError setNicMac(std::size_t index, const std::string& mac) override {
        if (index >= nics_.size()) return hal::HalError::InvalidArgument;
        nics_[index].mac = mac;
        return hal::HalError::Ok;
    }
    const std::vector<hal::HbaPort>& hbas() const override { return hbas_; }
    hal::HalError setHbaWwpn(std::size_t index, const std::string& wwpn) override {
        if (index >= hbas_.size()) return hal::HalError::InvalidArgument;
        hbas_[index].wwpn = wwpn;
        return hal::HalError::Ok;
    }
    hal::HalError setHbaBootTargets(std::size_t index, std::vector<hal::FcBootTarget> targets) override {
        if (index >= hbas_.size()) return hal::HalError::InvalidArgument;
        hbas_[index].bootTargets = std::move(targets);
        return hal::HalError::Ok;
    }
    hal::WatchdogState watchdog() const override { return watchdog_; }
    hal::HalError setWatchdog(const hal::WatchdogState& config) override {
        watchdog_ = config;
        watchdog_.running = false;
        watchdogSet_ = true;
        return hal::HalError::Ok;
    }
    hal::HalError resetWatchdog() override {
        if (!watchdogSet_) return hal::HalError::Busy;
        watchdog_.running = true;
        watchdog_.presentCountdown = watchdog_.initialCountdown;
        return hal::HalError::Ok;
    }
    hal::ManagementLink managementLink() const override { return link; }

    // Test controls.
    hal::ManagementLink link;
    int resets = 0;
    hal::ResetType lastReset = hal::ResetType::On;
    std::chrono::seconds identifySeconds{0};
    hal::ChassisStatus status_{};
    std::vector<hal::SensorReading> sensors_;

private:
    hal::Inventory inventory_;
    hal::BootOverride boot_;
    std::vector<hal::SelRecord> sel_;
    std::uint16_t nextSelId_ = 1;
    std::uint32_t lastAdd_ = 0;
    std::uint32_t lastErase_ = 0;
    std::vector<hal::NicPort> nics_;
    std::vector<hal::HbaPort> hbas_;
    hal::WatchdogState watchdog_;
    bool watchdogSet_ = false;
};

} // namespace cmc::ipmi::test
