#include "southbound/ipmi/ipmi_link.hpp"

#include <OpenIPMI/ipmi_addr.h>
#include <OpenIPMI/ipmi_auth.h>
#include <OpenIPMI/ipmi_conn.h>
#include <OpenIPMI/ipmi_err.h>
#include <OpenIPMI/ipmi_lan.h>
#include <OpenIPMI/ipmiif.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cmc::southbound::ipmi {
namespace {

void* toCookie(std::uint64_t v) {
    return reinterpret_cast<void*>(static_cast<std::uintptr_t>(v));
}

std::uint64_t fromCookie(void* p) {
    return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p));
}

} // namespace

ipmi_con_s* openLink(const IpmiEndpoint& endpoint, unsigned privilege, os_handler_s* os, const std::string& name,
                     std::uint64_t linkId, ConChangedFn onChange, std::string& why) {
    unsigned char addrBuf[sizeof(in6_addr)];
    if (inet_pton(AF_INET, endpoint.host.c_str(), addrBuf) != 1 &&
        inet_pton(AF_INET6, endpoint.host.c_str(), addrBuf) != 1) {
        why = "host '" + endpoint.host + "' is not an IP address (no name lookups on the event loop)";
        return nullptr;
    }
    std::string port = std::to_string(endpoint.port);
    std::string host = endpoint.host;
    char* addrs[1] = {host.data()};
    char* ports[1] = {port.data()};
    std::string user = endpoint.username;
    std::string pass = endpoint.password;
    ipmi_lanp_parm_t parms[10];
    unsigned n = 0;
    auto set = [&](int id, int val, void* data, unsigned len) { parms[n++] = ipmi_lanp_parm_t{id, val, data, len}; };
    set(IPMI_LANP_PARMID_ADDRS, 0, addrs, 1);
    set(IPMI_LANP_PARMID_PORTS, 0, ports, 1);
    set(IPMI_LANP_PARMID_AUTHTYPE, IPMI_AUTHTYPE_RMCP_PLUS, nullptr, 0);
    set(IPMI_LANP_PARMID_PRIVILEGE, static_cast<int>(privilege), nullptr, 0);
    set(IPMI_LANP_PARMID_USERNAME, 0, user.data(), static_cast<unsigned>(user.size()));
    set(IPMI_LANP_PARMID_PASSWORD, 0, pass.data(), static_cast<unsigned>(pass.size()));
    set(IPMI_LANP_AUTHENTICATION_ALGORITHM, IPMI_LANP_AUTHENTICATION_ALGORITHM_RAKP_HMAC_SHA1, nullptr, 0);
    set(IPMI_LANP_INTEGRITY_ALGORITHM, IPMI_LANP_INTEGRITY_ALGORITHM_HMAC_SHA1_96, nullptr, 0);
    set(IPMI_LANP_CONFIDENTIALITY_ALGORITHM, IPMI_LANP_CONFIDENTIALITY_ALGORITHM_AES_CBC_128, nullptr, 0);
    set(IPMI_LANP_MAX_OUTSTANDING_MSG_COUNT, static_cast<int>(kLinkMaxOutstanding), nullptr, 0);
    ipmi_con_t* con = nullptr;
    const int rv = ipmi_lanp_setup_con(parms, n, os, nullptr, &con);
    std::fill(pass.begin(), pass.end(), '\0');
    if (rv != 0 || con == nullptr) {
        why = std::string("cannot set up the LAN connection: ") + std::strerror(rv);
        return nullptr;
    }
    // OpenIPMI frees the name with its allocator, which is our malloc/free.
    const std::string withSpace = name + " ";
    if (con->name != nullptr) std::free(con->name);
    con->name = static_cast<char*>(std::malloc(withSpace.size() + 1));
    if (con->name != nullptr) std::memcpy(con->name, withSpace.c_str(), withSpace.size() + 1);
    con->add_con_change_handler(con, onChange, toCookie(linkId));
    return con;
}

int startLink(ipmi_con_s* con) {
    return con->start_con(con);
}

void closeLink(ipmi_con_s* con, std::uint64_t linkId, ConChangedFn onChange) {
    con->remove_con_change_handler(con, onChange, toCookie(linkId));
    con->close_connection(con);
}

int sendOnLink(ipmi_con_s* con, std::uint64_t linkId, std::uint64_t reqId, std::uint8_t netfn, std::uint8_t cmd,
               const std::vector<std::uint8_t>& data, ResponseFn onResponse) {
    if (data.size() > IPMI_MAX_MSG_LENGTH) return EINVAL;
    ipmi_msgi_t* item = ipmi_alloc_msg_item();
    if (item == nullptr) return ENOMEM;
    item->data1 = toCookie(reqId);
    item->data2 = toCookie(linkId);
    ipmi_system_interface_addr_t si{};
    si.addr_type = IPMI_SYSTEM_INTERFACE_ADDR_TYPE;
    si.channel = IPMI_BMC_CHANNEL;
    si.lun = 0;
    ipmi_msg_t msg{};
    msg.netfn = netfn;
    msg.cmd = cmd;
    msg.data_len = static_cast<unsigned short>(data.size());
    // OpenIPMI copies the data (for retransmits and its wait queue).
    msg.data = data.empty() ? nullptr : const_cast<std::uint8_t*>(data.data());
    const int rv = con->send_command(con, reinterpret_cast<ipmi_addr_t*>(&si), sizeof si, &msg, onResponse, item);
    if (rv != 0) ipmi_free_msg_item(item);
    return rv;
}

void readAnswer(const ipmi_msg_item_s* rspi, std::uint64_t& reqId, std::uint64_t& linkId,
                std::vector<std::uint8_t>& bytes) {
    reqId = fromCookie(rspi->data1);
    linkId = fromCookie(rspi->data2);
    bytes.clear();
    if (rspi->msg.data != nullptr && rspi->msg.data_len > 0)
        bytes.assign(rspi->msg.data, rspi->msg.data + rspi->msg.data_len);
}

std::string describeConError(int err) {
    if (IPMI_IS_RMCPP_ERR(err)) {
        const int code = IPMI_GET_RMCPP_ERR(err);
        switch (code) {
        case 0x0d: return "RMCP+ status 0x0d: unauthorized user name";
        case 0x0f: return "RMCP+ status 0x0f: invalid integrity check value (wrong password?)";
        case 0x12: return "RMCP+ status 0x12: unauthorized role or privilege";
        case 0x11: return "RMCP+ status 0x11: no cipher suite match (the BMC refuses cipher suite 3)";
        default: return "RMCP+ status " + std::to_string(code);
        }
    }
    if (IPMI_IS_IPMI_ERR(err)) {
        char cc[8];
        std::snprintf(cc, sizeof cc, "0x%02x", IPMI_GET_IPMI_ERR(err));
        return std::string("the BMC answered completion code ") + cc + " during session setup";
    }
    if (err == ETIMEDOUT) return "no answer from the BMC";
    return std::string("session setup failed: ") + std::strerror(err);
}

bool isAuthError(int err, bool libComplained) {
    if (IPMI_IS_RMCPP_ERR(err)) {
        const int code = IPMI_GET_RMCPP_ERR(err);
        return code == 0x0d || code == 0x0f || code == 0x12 || code == 0x0e || code == 0x0c;
    }
    return (err == EINVAL || err == EPERM) && !libComplained;
}

} // namespace cmc::southbound::ipmi
