// A self-signed server certificate (ECDSA P-256), generated at start-up, as a
// BMC without a provisioned certificate has. OpenSSL only; no Asio or Beast.
#pragma once

#include <optional>
#include <string>

#include "http/http_types.hpp"

namespace cmc::http {

struct SelfSignedIdentity {
    TlsIdentity identity;          // PEM certificate and PEM private key (PKCS#8)
    std::string fingerprintSha256; // SHA-256 of the DER certificate, "AB:CD:..." (32 pairs)
};

// Generates a fresh key pair and a certificate with subject CN=`commonName`
// and subjectAltName IP:`ipAddress` (DNS:`ipAddress` when it is not an IP
// literal), valid from an hour ago for `validDays`. nullopt with `error` set
// when OpenSSL fails.
[[nodiscard]] std::optional<SelfSignedIdentity>
makeSelfSignedIdentity(const std::string& commonName, const std::string& ipAddress, int validDays, std::string& error);

// SHA-256 fingerprint of the first certificate in `pem`, formatted as
// `openssl x509 -noout -fingerprint -sha256` prints it; nullopt if unreadable.
[[nodiscard]] std::optional<std::string> certificateFingerprintSha256(const std::string& pem);

} // namespace cmc::http
