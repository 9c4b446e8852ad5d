// A self-signed server certificate (ECDSA P-256), generated at start-up, as a
// BMC without a provisioned certificate has; and the reading of a certificate
// an operator supplies (Redfish CertificateService). OpenSSL only; no Asio or
// Beast.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

// One distinguished name, the attributes Redfish shows (empty when absent).
struct DistinguishedName {
    std::string commonName;
    std::string organization;
    std::string organizationalUnit;
    std::string city;
    std::string state;
    std::string country;
    std::string email;
    std::string display; // the whole name, RFC 2253 ("CN=cmcd,O=OpenCMC")
};

// What a server certificate says (its leaf, the first certificate of a chain).
struct CertificateDetails {
    DistinguishedName subject;
    DistinguishedName issuer;
    std::int64_t notBeforeUnix = 0; // seconds
    std::int64_t notAfterUnix = 0;
    std::string serialNumber;          // "0A:1B:..." (hex pairs)
    std::string fingerprintSha256;     // "AB:CD:..." (32 pairs)
    std::string signatureAlgorithm;    // "ecdsa-with-SHA256"
    std::vector<std::string> keyUsage; // Redfish KeyUsage names: "DigitalSignature", "ServerAuthentication", ...
    std::vector<std::string> alternativeNames; // subjectAltName DNS names and IP addresses
    std::string certificatePem;                // the chain, PEM, without any private key
};

// Reads the leaf certificate of a PEM chain; nullopt with `error` when there is none.
[[nodiscard]] std::optional<CertificateDetails> describeCertificate(const std::string& pem, std::string& error);

// Reads an identity an operator supplies as one PEM text: the certificate
// chain (server certificate first) and its unencrypted private key, in any
// order. Checks that there is exactly one key, that it matches the server
// certificate, and (with `requireValidNow`) that the certificate is valid
// now. Returns the identity re-encoded (chain, then the key as PKCS#8), or
// nullopt with `error` saying what is wrong (never quoting the key).
[[nodiscard]] std::optional<TlsIdentity> parseTlsIdentity(const std::string& pem, std::string& error,
                                                          bool requireValidNow = true);

} // namespace cmc::http
