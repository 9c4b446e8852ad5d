// OpenIPMI glue of the IPMI client: one "link" is one ipmi_con_t, i.e. one
// RMCP+ session attempt to one BMC. Callbacks carry ids (never pointers to
// our objects); see ipmi_client.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "southbound/ipmi/ipmi_client.hpp"

struct ipmi_con_s;
struct ipmi_msg_item_s;
struct os_handler_s;

namespace cmc::southbound::ipmi {

inline constexpr unsigned kLinkMaxOutstanding = 4; // per session, handed to OpenIPMI at once

using ConChangedFn = void (*)(ipmi_con_s* con, int err, unsigned int port, int anyPortUp, void* cbData);
using ResponseFn = int (*)(ipmi_con_s* con, ipmi_msg_item_s* rspi);

// Creates and starts an RMCP+ (cipher suite 3) connection named `name`
// (OpenIPMI prefixes its log lines with it). `linkId` is passed to
// `onChange`. Returns nullptr with `why` set on failure. `host` must be an
// IP literal (checked: OpenIPMI would resolve names with a blocking call).
[[nodiscard]] ipmi_con_s* openLink(const IpmiEndpoint& endpoint, unsigned privilege, os_handler_s* os,
                                   const std::string& name, std::uint64_t linkId, ConChangedFn onChange,
                                   std::string& why);
// Starts session setup; 0 or an errno.
[[nodiscard]] int startLink(ipmi_con_s* con);
// Removes the change handler and closes; OpenIPMI answers the link's
// outstanding requests inside this call (with completion code 0xFF).
void closeLink(ipmi_con_s* con, std::uint64_t linkId, ConChangedFn onChange);

// Sends one request to the BMC (system interface address, LUN 0). The answer
// comes to `onResponse` with (reqId, linkId) in the item's data1/data2.
// Returns 0 or an errno (then no answer comes).
[[nodiscard]] int sendOnLink(ipmi_con_s* con, std::uint64_t linkId, std::uint64_t reqId, std::uint8_t netfn,
                             std::uint8_t cmd, const std::vector<std::uint8_t>& data, ResponseFn onResponse);
// Reads (reqId, linkId, answer bytes) back from an answer item.
void readAnswer(const ipmi_msg_item_s* rspi, std::uint64_t& reqId, std::uint64_t& linkId,
                std::vector<std::uint8_t>& bytes);

// Human-readable reason for a con-change error (no secrets).
[[nodiscard]] std::string describeConError(int err);
// RAKP failures the BMC reports by status code are authentication failures.
// OpenIPMI's own check of the BMC's RAKP 2 key exchange code (a wrong
// password) fails with a bare EINVAL and logs nothing; its other EINVAL
// failures (short or inconsistent messages) log a line first. So EINVAL
// counts as an authentication failure only if OpenIPMI did not complain
// about this BMC while the session was being set up.
[[nodiscard]] bool isAuthError(int err, bool libComplained);

} // namespace cmc::southbound::ipmi
