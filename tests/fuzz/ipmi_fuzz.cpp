// libFuzzer target for the IPMI firmware's untrusted-input parsers: the
// pre-session datagram filter and the command set.
//   first byte even: the bytes are a datagram for filterDatagram()
//   first byte odd:  [netfn][cmd][privilege][body...] for CommandHandler
#include "../unit/ipmi/fake_blade_hal.hpp"
#include "ipmi/command_handler.hpp"
#include "ipmi/lan_filter.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    if ((data[0] & 1) == 0) {
        std::vector<std::uint8_t> datagram(data + 1, data + size);
        (void)cmc::ipmi::filterDatagram(datagram);
        return 0;
    }
    if (size < 4) {
        return 0;
    }
    static cmc::ipmi::test::FakeBladeHal hal;
    static cmc::ipmi::CommandHandler handler(hal, {{"admin", cmc::ipmi::Privilege::Administrator}},
                                             [] { return 1700000000u; });
    const auto privilege = static_cast<cmc::ipmi::Privilege>(2 + data[3] % 3);
    const auto rsp = handler.handle({static_cast<std::uint8_t>(data[1] & 0x3F), data[2],
                                     std::span<const std::uint8_t>(data + 4, size - 4), privilege});
    if (rsp.empty()) {
        __builtin_trap(); // every request gets a completion code
    }
    return 0;
}
