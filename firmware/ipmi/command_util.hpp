// Internal helpers of the command handler translation units.
#pragma once

#include "hal/blade_hal.hpp"
#include "ipmi/ipmi_wire.hpp"

#include <optional>
#include <span>
#include <vector>

namespace cmc::ipmi::detail {

using Bytes = std::vector<std::uint8_t>;

// 0xC7 when shorter than `min`, 0xC8 when longer than `max`.
[[nodiscard]] inline std::optional<Bytes> badLength(std::span<const std::uint8_t> d, std::size_t min, std::size_t max) {
    if (d.size() < min) {
        return Bytes{wire::kCcRequestDataLengthInvalid};
    }
    if (d.size() > max) {
        return Bytes{wire::kCcRequestDataFieldLengthExceeded};
    }
    return std::nullopt;
}

[[nodiscard]] inline Bytes cc(std::uint8_t code) {
    return Bytes{code};
}

[[nodiscard]] inline std::uint8_t halCompletion(hal::HalError e) {
    switch (e) {
    case hal::HalError::Ok: return wire::kCcOk;
    case hal::HalError::InvalidArgument: return wire::kCcInvalidDataField;
    case hal::HalError::Busy: return wire::kCcNodeBusy;
    case hal::HalError::PowerFault:
    case hal::HalError::NotSupported: return wire::kCcNotSupportedInPresentState;
    }
    return wire::kCcUnspecified;
}

} // namespace cmc::ipmi::detail
