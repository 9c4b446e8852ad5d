// Accounts and password checks. A slow salted hash (PBKDF2-SHA256) is checked
// on one worker thread, never on the event loop, through a bounded queue: a
// flood of logins gets "busy" answers instead of an unbounded backlog.
// Credentials verified once are remembered (as a SHA-256 digest, never the
// password) so that a client sending Basic auth on every request pays for the
// hash only when its password is new or wrong.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace cmc::auth {

struct Account {
    config::Admin credentials; // username with password or passwordHash
    std::string role;          // "Administrator", "Operator", "ReadOnly"
};

struct Verdict {
    bool ok = false;
    bool busy = false; // refused because the hash queue was full (retry later)
    std::string user;
    std::string role;
};

class Authenticator {
public:
    Authenticator(boost::asio::io_context& io, std::vector<Account> accounts, std::size_t maxPending = 32,
                  std::size_t rememberedCredentials = 64);
    ~Authenticator();
    Authenticator(const Authenticator&) = delete;
    Authenticator& operator=(const Authenticator&) = delete;

    // `done` runs on the io_context, exactly once.
    void verify(const std::string& user, const std::string& password, std::function<void(Verdict)> done);
    // Waits for the worker; later verifications answer "not ok".
    void stop();

    [[nodiscard]] std::size_t pending() const { return pending_; }
    [[nodiscard]] std::uint64_t busyRefusals() const { return busyRefusals_; }

private:
    [[nodiscard]] const Account* find(const std::string& user) const;

    boost::asio::io_context& io_;
    std::vector<Account> accounts_;
    std::size_t maxPending_;
    std::size_t remembered_;
    std::size_t pending_ = 0;
    std::uint64_t busyRefusals_ = 0;
    std::deque<std::string> verified_; // digests of recently verified user+password, newest last
    bool stopped_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    boost::asio::thread_pool worker_{1};
};

} // namespace cmc::auth
