// cmcd's HTTPS identity: the configured certificate and key files, or a
// self-signed certificate generated at first start and kept beside the
// database (so its fingerprint survives restarts); replaced at runtime
// (CertificateService ReplaceCertificate) and written back to the same files
// off the loop.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <functional>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "http/self_signed.hpp"

namespace cmc::app {

class HttpsCertificate {
public:
    explicit HttpsCertificate(boost::asio::io_context& io) : io_(io) {}
    ~HttpsCertificate() { stop(); }
    HttpsCertificate(const HttpsCertificate&) = delete;
    HttpsCertificate& operator=(const HttpsCertificate&) = delete;

    // At start (synchronous, before the loop runs): reads the configured
    // files, or the generated ones beside `dbPath`, generating and writing
    // them when absent. False with `error` (`badInput` for configuration).
    [[nodiscard]] bool load(const config::HttpsConfig& cfg, const std::string& dbPath, std::string& error,
                            bool& badInput);

    [[nodiscard]] const http::TlsIdentity& identity() const { return identity_; }
    [[nodiscard]] const http::CertificateDetails& details() const { return details_; }
    [[nodiscard]] const std::string& certificateFile() const { return certFile_; }

    // Writes `id` to the certificate and key files (each through a temporary
    // file and a rename; the key 0600) on a worker thread; `done` runs on the
    // io_context with "" or what failed.
    void persist(http::TlsIdentity id, std::function<void(std::string error)> done);
    // Makes `id` (already checked, persisted and served) the current one.
    void adopt(http::TlsIdentity id, http::CertificateDetails details);
    // Waits for a write in progress.
    void stop();

private:
    boost::asio::io_context& io_;
    std::optional<boost::asio::thread_pool> writer_;
    http::TlsIdentity identity_;
    http::CertificateDetails details_;
    std::string certFile_;
    std::string keyFile_;
};

// Writes `text` to `path` atomically (temporary file, fsync, rename) with `mode`.
// Returns "" or what failed.
[[nodiscard]] std::string writeFileAtomically(const std::string& path, const std::string& text, unsigned mode);

} // namespace cmc::app
