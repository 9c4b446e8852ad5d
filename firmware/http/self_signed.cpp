#include "http/self_signed.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <ctime>
#include <memory>
#include <string_view>

namespace cmc::http {

namespace {

template <auto Fn> struct Deleter {
    template <class T> void operator()(T* p) const { Fn(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free>>;
using KeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using Ext = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using Names = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using Bn = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

std::string opensslError(const char* what) {
    std::string s = what;
    unsigned long e = ERR_get_error();
    if (e) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        s += ": ";
        s += buf;
    }
    ERR_clear_error();
    return s;
}

std::string bioString(BIO* b) {
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

bool isIpLiteral(const std::string& s) {
    unsigned char buf[16];
    return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool addExtension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    Ext ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

std::string fingerprint(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        if (i) out += ':';
        out += kHex[md[i] >> 4];
        out += kHex[md[i] & 0xf];
    }
    return out;
}

} // namespace

std::optional<SelfSignedIdentity> makeSelfSignedIdentity(const std::string& commonName, const std::string& ipAddress,
                                                         int validDays, std::string& error) {
    KeyCtx kctx(EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr));
    EVP_PKEY* rawKey = nullptr;
    if (!kctx || EVP_PKEY_keygen_init(kctx.get()) != 1 ||
        EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kctx.get(), NID_X9_62_prime256v1) != 1 ||
        EVP_PKEY_keygen(kctx.get(), &rawKey) != 1) {
        error = opensslError("ECDSA P-256 key generation failed");
        return std::nullopt;
    }
    Key key(rawKey);
    Cert cert(X509_new());
    if (!cert) {
        error = opensslError("X509_new failed");
        return std::nullopt;
    }
    // Random positive 127-bit serial number (RFC 5280: at most 20 octets, unique per issuer).
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) {
        error = opensslError("no random bytes for the serial number");
        return std::nullopt;
    }
    serial[0] &= 0x7f;
    serial[0] |= 0x01;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr;
    BN_free(bn);
    ok = ok && X509_set_version(cert.get(), 2) == 1; // v3
    ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr;
    ok = ok && X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(validDays) * 86400L) != nullptr;
    X509_NAME* name = X509_get_subject_name(cert.get());
    ok = ok && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("OpenCMC"),
                                          -1, -1, 0) == 1;
    ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0) == 1;
    ok = ok && X509_set_issuer_name(cert.get(), name) == 1;
    ok = ok && X509_set_pubkey(cert.get(), key.get()) == 1;
    ok = ok && addExtension(cert.get(), NID_subject_alt_name, (isIpLiteral(ipAddress) ? "IP:" : "DNS:") + ipAddress);
    ok = ok && addExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    ok = ok && addExtension(cert.get(), NID_key_usage, "critical,digitalSignature");
    ok = ok && addExtension(cert.get(), NID_ext_key_usage, "serverAuth");
    ok = ok && addExtension(cert.get(), NID_subject_key_identifier, "hash");
    ok = ok && X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
    if (!ok) {
        error = opensslError("building the self-signed certificate failed");
        return std::nullopt;
    }
    Bio certBio(BIO_new(BIO_s_mem()));
    Bio keyBio(BIO_new(BIO_s_mem()));
    if (!certBio || !keyBio || PEM_write_bio_X509(certBio.get(), cert.get()) != 1 ||
        PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        error = opensslError("PEM encoding failed");
        return std::nullopt;
    }
    SelfSignedIdentity out;
    out.identity.certificatePem = bioString(certBio.get());
    out.identity.privateKeyPem = bioString(keyBio.get());
    out.fingerprintSha256 = fingerprint(cert.get());
    if (out.fingerprintSha256.empty()) {
        error = opensslError("certificate digest failed");
        return std::nullopt;
    }
    return out;
}

std::optional<std::string> certificateFingerprintSha256(const std::string& pem) {
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return std::nullopt;
    Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        ERR_clear_error();
        return std::nullopt;
    }
    auto f = fingerprint(cert.get());
    if (f.empty()) return std::nullopt;
    return f;
}

namespace {

// Never prompts for a pass phrase (OpenSSL's default callback reads the terminal).
int noPassphrase(char*, int, int, void*) {
    return -1;
}

std::string hexPairs(const unsigned char* p, std::size_t n) {
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        if (i) out += ':';
        out += kHex[p[i] >> 4];
        out += kHex[p[i] & 0xf];
    }
    return out;
}

std::string nameEntry(X509_NAME* name, int nid) {
    int i = X509_NAME_get_index_by_NID(name, nid, -1);
    if (i < 0) return {};
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
    if (n < 0) return {};
    std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
    return out;
}

DistinguishedName distinguishedName(X509_NAME* name) {
    DistinguishedName d;
    if (!name) return d;
    d.commonName = nameEntry(name, NID_commonName);
    d.organization = nameEntry(name, NID_organizationName);
    d.organizationalUnit = nameEntry(name, NID_organizationalUnitName);
    d.city = nameEntry(name, NID_localityName);
    d.state = nameEntry(name, NID_stateOrProvinceName);
    d.country = nameEntry(name, NID_countryName);
    d.email = nameEntry(name, NID_pkcs9_emailAddress);
    Bio b(BIO_new(BIO_s_mem()));
    if (b && X509_NAME_print_ex(b.get(), name, 0, XN_FLAG_RFC2253) >= 0) d.display = bioString(b.get());
    return d;
}

std::int64_t unixTime(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return static_cast<std::int64_t>(timegm(&tm));
}

// The PEM blocks of a text: (label, whole block with its BEGIN and END lines).
struct PemBlock {
    std::string label;
    std::string text;
};

std::vector<PemBlock> pemBlocks(const std::string& pem, std::string& error) {
    std::vector<PemBlock> out;
    static constexpr std::string_view kBegin = "-----BEGIN ";
    std::size_t at = 0;
    while ((at = pem.find(kBegin, at)) != std::string::npos) {
        auto labelEnd = pem.find("-----", at + kBegin.size());
        if (labelEnd == std::string::npos) break;
        std::string label = pem.substr(at + kBegin.size(), labelEnd - at - kBegin.size());
        std::string end = "-----END " + label + "-----";
        auto endAt = pem.find(end, labelEnd);
        if (endAt == std::string::npos) {
            error = "the PEM block '" + label + "' has no END line";
            return {};
        }
        out.push_back({label, pem.substr(at, endAt + end.size() - at) + "\n"});
        at = endAt + end.size();
    }
    return out;
}

} // namespace

std::optional<CertificateDetails> describeCertificate(const std::string& pem, std::string& error) {
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    std::vector<Cert> chain;
    while (bio) {
        Cert c(PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr));
        if (!c) break;
        chain.push_back(std::move(c));
    }
    ERR_clear_error();
    if (chain.empty()) {
        error = "no PEM certificate found";
        return std::nullopt;
    }
    X509* leaf = chain.front().get();
    CertificateDetails d;
    d.subject = distinguishedName(X509_get_subject_name(leaf));
    d.issuer = distinguishedName(X509_get_issuer_name(leaf));
    d.notBeforeUnix = unixTime(X509_get0_notBefore(leaf));
    d.notAfterUnix = unixTime(X509_get0_notAfter(leaf));
    d.fingerprintSha256 = fingerprint(leaf);
    if (Bn bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf), nullptr)); bn) {
        std::vector<unsigned char> bytes(static_cast<std::size_t>(BN_num_bytes(bn.get())));
        BN_bn2bin(bn.get(), bytes.data());
        if (bytes.empty()) bytes.push_back(0);
        d.serialNumber = hexPairs(bytes.data(), bytes.size());
    }
    if (const char* alg = OBJ_nid2ln(X509_get_signature_nid(leaf))) d.signatureAlgorithm = alg;
    const std::uint32_t flags = X509_get_extension_flags(leaf);
    if (flags & EXFLAG_KUSAGE) {
        const std::uint32_t ku = X509_get_key_usage(leaf);
        static const std::pair<std::uint32_t, const char*> kKu[] = {{KU_DIGITAL_SIGNATURE, "DigitalSignature"},
                                                                    {KU_NON_REPUDIATION, "NonRepudiation"},
                                                                    {KU_KEY_ENCIPHERMENT, "KeyEncipherment"},
                                                                    {KU_DATA_ENCIPHERMENT, "DataEncipherment"},
                                                                    {KU_KEY_AGREEMENT, "KeyAgreement"},
                                                                    {KU_KEY_CERT_SIGN, "KeyCertSign"},
                                                                    {KU_CRL_SIGN, "CRLSigning"},
                                                                    {KU_ENCIPHER_ONLY, "EncipherOnly"},
                                                                    {KU_DECIPHER_ONLY, "DecipherOnly"}};
        for (const auto& [bit, name] : kKu)
            if (ku & bit) d.keyUsage.emplace_back(name);
    }
    if (flags & EXFLAG_XKUSAGE) {
        const std::uint32_t xku = X509_get_extended_key_usage(leaf);
        static const std::pair<std::uint32_t, const char*> kXku[] = {
            {XKU_SSL_SERVER, "ServerAuthentication"}, {XKU_SSL_CLIENT, "ClientAuthentication"},
            {XKU_CODE_SIGN, "CodeSigning"},           {XKU_SMIME, "EmailProtection"},
            {XKU_TIMESTAMP, "Timestamping"},          {XKU_OCSP_SIGN, "OCSPSigning"}};
        for (const auto& [bit, name] : kXku)
            if (xku & bit) d.keyUsage.emplace_back(name);
    }
    Names names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(leaf, NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
        if (g->type == GEN_DNS) {
            const ASN1_IA5STRING* dns = g->d.dNSName;
            d.alternativeNames.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                            static_cast<std::size_t>(ASN1_STRING_length(dns)));
        } else if (g->type == GEN_IPADD) {
            const ASN1_OCTET_STRING* ip = g->d.iPAddress;
            char buf[INET6_ADDRSTRLEN] = {};
            int len = ASN1_STRING_length(ip);
            if ((len == 4 || len == 16) &&
                inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip), buf, sizeof buf))
                d.alternativeNames.emplace_back(buf);
        }
    }
    Bio out(BIO_new(BIO_s_mem()));
    for (const auto& c : chain)
        if (!out || PEM_write_bio_X509(out.get(), c.get()) != 1) {
            error = opensslError("PEM encoding failed");
            return std::nullopt;
        }
    d.certificatePem = bioString(out.get());
    return d;
}

std::optional<TlsIdentity> parseTlsIdentity(const std::string& pem, std::string& error, bool requireValidNow) {
    auto blocks = pemBlocks(pem, error);
    if (!error.empty()) return std::nullopt;
    std::vector<Cert> chain;
    Key key;
    for (const auto& b : blocks) {
        Bio bio(BIO_new_mem_buf(b.text.data(), static_cast<int>(b.text.size())));
        if (!bio) {
            error = opensslError("out of memory");
            return std::nullopt;
        }
        if (b.label == "CERTIFICATE") {
            Cert c(PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr));
            if (!c) {
                error = opensslError(("certificate " + std::to_string(chain.size() + 1) + " cannot be read").c_str());
                return std::nullopt;
            }
            chain.push_back(std::move(c));
        } else if (b.label == "PRIVATE KEY" || b.label == "EC PRIVATE KEY" || b.label == "RSA PRIVATE KEY") {
            if (key) {
                error = "more than one private key given; give the server certificate's key only";
                return std::nullopt;
            }
            if (b.text.find("Proc-Type: 4,ENCRYPTED") != std::string::npos) {
                error = "the private key is encrypted; give it unencrypted";
                return std::nullopt;
            }
            key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr));
            if (!key) {
                error = opensslError("the private key cannot be read");
                return std::nullopt;
            }
        } else if (b.label == "ENCRYPTED PRIVATE KEY") {
            error = "the private key is encrypted; give it unencrypted";
            return std::nullopt;
        } else {
            error = "unexpected PEM block '" + b.label + "' (expected CERTIFICATE and PRIVATE KEY)";
            return std::nullopt;
        }
    }
    ERR_clear_error();
    if (chain.empty()) {
        error = "no PEM certificate found";
        return std::nullopt;
    }
    if (!key) {
        error = "no PEM private key found: give the certificate and its private key in CertificateString";
        return std::nullopt;
    }
    if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
        ERR_clear_error();
        error = "the private key does not belong to the (first) certificate";
        return std::nullopt;
    }
    if (requireValidNow && X509_cmp_current_time(X509_get0_notBefore(chain.front().get())) > 0) {
        error = "the certificate is not valid yet (notBefore is in the future)";
        return std::nullopt;
    }
    if (requireValidNow && X509_cmp_current_time(X509_get0_notAfter(chain.front().get())) < 0) {
        error = "the certificate has expired";
        return std::nullopt;
    }
    Bio certOut(BIO_new(BIO_s_mem()));
    Bio keyOut(BIO_new(BIO_s_mem()));
    bool ok = certOut && keyOut;
    for (const auto& c : chain)
        ok = ok && PEM_write_bio_X509(certOut.get(), c.get()) == 1;
    ok = ok && PEM_write_bio_PrivateKey(keyOut.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (!ok) {
        error = opensslError("PEM encoding failed");
        return std::nullopt;
    }
    return TlsIdentity{bioString(certOut.get()), bioString(keyOut.get())};
}

} // namespace cmc::http
