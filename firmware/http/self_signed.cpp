#include "http/self_signed.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <memory>

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

} // namespace cmc::http
