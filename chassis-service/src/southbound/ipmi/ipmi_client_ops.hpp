// Multi-command operations of the IPMI client (FRU read, SEL walk), written
// against a "submit one command" function so they can be tested without a
// BMC. Each step's answer arrives from the io_context, never inside submit.
#pragma once

#include <functional>
#include <utility>

#include "southbound/ipmi/ipmi_decode.hpp"

namespace cmc::southbound::ipmi {

using RawResult = IpmiResult<std::vector<std::uint8_t>>;
using RawDone = std::function<void(RawResult)>;
using Submit = std::function<void(std::uint8_t netfn, std::uint8_t cmd, std::vector<std::uint8_t> data, RawDone done)>;

// Carries a transport failure of a raw answer over into another result type.
template <typename T> IpmiResult<T> carryError(const RawResult& raw) {
    IpmiResult<T> r;
    r.error = raw.error;
    r.completionCode = raw.completionCode;
    r.message = raw.message;
    return r;
}

// A raw callback that decodes the answer bytes with `decode` (which checks
// the completion code) and hands the result to `done`.
template <typename T, typename Decode> RawDone decodeWith(std::function<void(IpmiResult<T>)> done, Decode decode) {
    return [done = std::move(done), decode](RawResult raw) {
        if (!raw.ok() && raw.error != IpmiError::CompletionCode) {
            done(carryError<T>(raw));
            return;
        }
        done(decode(Bytes(raw.value)));
    };
}

// Get FRU Inventory Area Info, the common header, then the board and
// product areas in chunks of Read FRU Data (FRU device 0).
void startFruRead(Submit submit, std::function<void(IpmiResult<IpmiFru>)> done);

// Get SEL Entry from firstId along the next-record ids (Reserve SEL when the
// BMC asks for a reservation), at most `max` entries.
void startSelRead(Submit submit, std::uint16_t firstId, std::size_t max,
                  std::function<void(IpmiResult<std::vector<IpmiSelEntry>>)> done);

} // namespace cmc::southbound::ipmi
