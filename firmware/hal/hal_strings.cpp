#include "hal/blade_hal.hpp"

namespace cmc::hal {

const char* toString(PowerState s) {
    switch (s) {
    case PowerState::Off: return "Off";
    case PowerState::PoweringOn: return "PoweringOn";
    case PowerState::On: return "On";
    case PowerState::PoweringOff: return "PoweringOff";
    }
    return "Off";
}

const char* toString(HostState s) {
    switch (s) {
    case HostState::Off: return "Off";
    case HostState::Post: return "Post";
    case HostState::Firmware: return "Firmware";
    case HostState::PxeBoot: return "PxeBoot";
    case HostState::BootingOs: return "BootingOs";
    case HostState::Running: return "Running";
    case HostState::Hung: return "Hung";
    case HostState::Crashed: return "Crashed";
    }
    return "Off";
}

const char* toString(BootSource s) {
    switch (s) {
    case BootSource::None: return "None";
    case BootSource::Pxe: return "Pxe";
    case BootSource::Hdd: return "Hdd";
    case BootSource::RemoteDrive: return "RemoteDrive";
    case BootSource::Cd: return "Cd";
    case BootSource::Usb: return "Usb";
    case BootSource::BiosSetup: return "BiosSetup";
    case BootSource::Diags: return "Diags";
    }
    return "None";
}

const char* toString(BootEnabled s) {
    switch (s) {
    case BootEnabled::Disabled: return "Disabled";
    case BootEnabled::Once: return "Once";
    case BootEnabled::Continuous: return "Continuous";
    }
    return "Disabled";
}

const char* toString(ResetType t) {
    switch (t) {
    case ResetType::On: return "On";
    case ResetType::ForceOff: return "ForceOff";
    case ResetType::GracefulShutdown: return "GracefulShutdown";
    case ResetType::ForceRestart: return "ForceRestart";
    case ResetType::GracefulRestart: return "GracefulRestart";
    case ResetType::PowerCycle: return "PowerCycle";
    case ResetType::Nmi: return "Nmi";
    }
    return "On";
}

} // namespace cmc::hal
