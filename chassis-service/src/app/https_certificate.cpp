#include "app/https_certificate.hpp"

#include <boost/asio/post.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/service.hpp"
#include "http/http_server.hpp"

namespace cmc::app {

namespace {

constexpr int kSelfSignedDays = 3650;

bool readFile(const std::string& path, std::string& out, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read '" + path + "': " + std::strerror(errno);
        return false;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

std::string hostForCertificate(const std::string& listenHost) {
    if (listenHost != "0.0.0.0" && listenHost != "::" && !listenHost.empty()) return listenHost;
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) == 0 && name[0]) return name;
    return "localhost";
}

} // namespace

std::string writeFileAtomically(const std::string& path, const std::string& text, unsigned mode) {
    const std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0) return "cannot create '" + tmp + "': " + std::strerror(errno);
    std::string error;
    if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) error = "cannot set the mode of '" + tmp + "'";
    std::size_t done = 0;
    while (error.empty() && done < text.size()) {
        auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            error = "cannot write '" + tmp + "': " + std::strerror(errno);
        else
            done += static_cast<std::size_t>(n);
    }
    if (error.empty() && ::fsync(fd) != 0) error = "cannot sync '" + tmp + "': " + std::strerror(errno);
    ::close(fd);
    if (error.empty() && ::rename(tmp.c_str(), path.c_str()) != 0)
        error = "cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(errno);
    if (!error.empty()) ::unlink(tmp.c_str());
    return error;
}

bool HttpsCertificate::load(const config::HttpsConfig& cfg, const std::string& dbPath, std::string& error,
                            bool& badInput) {
    const bool configured = !cfg.certificateFile.empty();
    if (configured) {
        certFile_ = cfg.certificateFile;
        keyFile_ = cfg.keyFile;
    } else {
        auto dir = std::filesystem::path(dbPath).parent_path();
        if (dir.empty()) dir = ".";
        certFile_ = (dir / "https-cert.pem").string();
        keyFile_ = (dir / "https-key.pem").string();
    }
    std::error_code ec;
    const bool haveCert = std::filesystem::exists(certFile_, ec);
    const bool haveKey = std::filesystem::exists(keyFile_, ec);
    if (configured || haveCert || haveKey) {
        std::string cert, key;
        if (!readFile(certFile_, cert, error) || !readFile(keyFile_, key, error)) {
            error = "https: " + error + (configured ? "" : " (delete both files to generate a new certificate)");
            badInput = configured;
            return false;
        }
        auto id = http::parseTlsIdentity(cert + "\n" + key, error, false);
        auto d = id ? http::describeCertificate(id->certificatePem, error) : std::nullopt;
        if (!d) {
            error = "https: '" + certFile_ + "' and '" + keyFile_ + "': " + error +
                    (configured ? "" : " (delete both files to generate a new certificate)");
            badInput = configured;
            return false;
        }
        struct stat st {};
        if (::stat(keyFile_.c_str(), &st) == 0 && (st.st_mode & 077))
            std::cout << "cmcd: warning: the HTTPS key file " << keyFile_ << " is readable by others; chmod 600 it\n";
        if (d->notAfterUnix < static_cast<std::int64_t>(std::time(nullptr)))
            std::cout << "cmcd: warning: the HTTPS certificate " << certFile_ << " expired; replace it "
                      << "(CertificateService ReplaceCertificate)\n";
        identity_ = std::move(*id);
        details_ = std::move(*d);
        std::cout << "cmcd: HTTPS certificate " << certFile_ << " SHA-256 " << details_.fingerprintSha256 << "\n";
        return true;
    }
    auto made = http::makeSelfSignedIdentity("cmcd", hostForCertificate(cfg.listenHost), kSelfSignedDays, error);
    auto d = made ? http::describeCertificate(made->identity.certificatePem, error) : std::nullopt;
    if (!d) {
        error = "https: cannot generate a self-signed certificate: " + error;
        return false;
    }
    error = writeFileAtomically(keyFile_, made->identity.privateKeyPem, 0600);
    if (error.empty()) error = writeFileAtomically(certFile_, made->identity.certificatePem, 0644);
    if (!error.empty()) {
        error = "https: " + error;
        return false;
    }
    identity_ = std::move(made->identity);
    details_ = std::move(*d);
    std::cout << "cmcd: generated a self-signed HTTPS certificate " << certFile_ << " SHA-256 "
              << details_.fingerprintSha256 << "\n";
    return true;
}

void HttpsCertificate::persist(http::TlsIdentity id, std::function<void(std::string error)> done) {
    if (!writer_) writer_.emplace(1);
    boost::asio::post(*writer_, [this, id = std::move(id), done = std::move(done)]() mutable {
        std::string error = writeFileAtomically(keyFile_, id.privateKeyPem, 0600);
        if (error.empty()) error = writeFileAtomically(certFile_, id.certificatePem, 0644);
        boost::asio::post(io_, [done = std::move(done), error = std::move(error)] { done(error); });
    });
}

void HttpsCertificate::adopt(http::TlsIdentity id, http::CertificateDetails details) {
    identity_ = std::move(id);
    details_ = std::move(details);
}

void HttpsCertificate::stop() {
    if (writer_) writer_->join();
}

// --- ChassisService: the Backend's certificate methods.

std::optional<http::CertificateDetails> ChassisService::httpsCertificate() const {
    if (!httpsServer_ || !certs_) return std::nullopt;
    return certs_->details();
}

void ChassisService::replaceHttpsCertificate(const std::string& pem, const std::string& who, OpDone done) {
    using Code = domain::OperationResult::Code;
    if (!httpsServer_ || !certs_) {
        done({Code::Unavailable, "cmcd has no HTTPS listener", {}, {}, {}, {}, {}});
        return;
    }
    if (replacingCertificate_) {
        done({Code::Unavailable, "another certificate replacement is being written; retry", {}, {}, {}, {}, {}});
        return;
    }
    std::string error;
    auto id = http::parseTlsIdentity(pem, error);
    auto details = id ? http::describeCertificate(id->certificatePem, error) : std::nullopt;
    // The server builds its TLS context from it (and refuses what OpenSSL will not serve).
    if (details && !httpsServer_->setTlsIdentity(*id, error)) details.reset();
    if (!details) {
        std::cout << "cmcd: user=" << who << " ReplaceCertificate refused: " << error << "\n";
        done({Code::BadRequest, error, "CertificateString", {}, {}, {}, {}});
        return;
    }
    // Served on new connections from now; written to disk off the loop (the old one back if that fails).
    replacingCertificate_ = true;
    certs_->persist(*id, [this, id = *id, details = std::move(*details), who,
                          done = std::move(done)](std::string writeError) mutable {
        replacingCertificate_ = false;
        if (!writeError.empty()) {
            std::string ignored;
            (void)httpsServer_->setTlsIdentity(certs_->identity(), ignored);
            std::cout << "cmcd: user=" << who << " ReplaceCertificate failed, the old certificate stays: " << writeError
                      << "\n";
            done({Code::Unavailable, "the new certificate could not be saved: " + writeError, {}, {}, {}, {}, {}});
            return;
        }
        std::cout << "cmcd: user=" << who << " replaced the HTTPS certificate: " << details.subject.display
                  << " SHA-256 " << details.fingerprintSha256 << " (" << certs_->certificateFile() << ")\n";
        certs_->adopt(std::move(id), std::move(details));
        done({Code::Ok, {}, {}, {}, {}, {}, {}});
    });
}

} // namespace cmc::app
