// cmcd's accounts and password checks. The account table lives here in
// memory (app/ loads it from the store and persists every change); passwords
// exist only as PBKDF2-SHA256 hashes, checked on one worker thread, never on
// the event loop.
//
// The hash queue is bounded and fair: each user has at most one check on the
// worker at a time (the rest wait in that user's own queue, bounded too), so a
// flood of wrong passwords for one account delays another account's login by
// at most the one hash already running. Lockout (AccountLockoutThreshold
// failures within AccountLockoutCounterResetAfter lock the account for
// AccountLockoutDuration) refuses a locked account before hashing, even with
// the right password. Credentials verified once are remembered as a SHA-256
// digest that includes the account's credential stamp (never the password):
// a client sending Basic auth on every request pays for the hash once, and a
// password change, rename or disable forgets them at once.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/account.hpp"

namespace cmc::auth {

struct Verdict {
    bool ok = false;
    bool busy = false;   // refused because the hash queue was full (retry later)
    bool locked = false; // refused, without hashing, because lockout holds the account
    std::string user;
    std::string role;
    std::uint64_t stamp = 0; // the account's credential stamp when verified
};

struct Options {
    std::size_t maxPending = 32;       // checks queued or running, every user together
    std::size_t maxPendingPerUser = 8; // of which one user's
    std::size_t rememberedCredentials = 64;
    int hashIterations = 100000; // PBKDF2 iterations of new passwords
    domain::AccountPolicy policy;
    std::function<std::int64_t()> nowMs;         // steady milliseconds; default std::chrono::steady_clock
    std::function<void(const std::string&)> log; // one line per lockout; never a password
};

class Authenticator {
public:
    Authenticator(boost::asio::io_context& io, std::vector<domain::Account> accounts, Options options = {});
    ~Authenticator();
    Authenticator(const Authenticator&) = delete;
    Authenticator& operator=(const Authenticator&) = delete;

    // `done` runs on the io_context, exactly once (at once when no hash is needed).
    void verify(const std::string& user, const std::string& password, std::function<void(Verdict)> done);
    // Waits for the worker; later verifications answer "not ok".
    void stop();

    [[nodiscard]] std::size_t pending() const { return pending_; }
    [[nodiscard]] std::uint64_t busyRefusals() const { return busyRefusals_; }
    [[nodiscard]] std::uint64_t hashesRun() const { return hashesRun_; }

    // The account table (by id) as the API shows it.
    [[nodiscard]] std::vector<domain::AccountView> accounts() const;
    [[nodiscard]] std::optional<domain::AccountView> account(std::int64_t id) const;
    [[nodiscard]] std::optional<domain::AccountView> accountNamed(const std::string& user) const;
    // The role a session opened for `user` with `stamp` has now: nullopt when
    // the account is gone, disabled, renamed or its password changed since.
    [[nodiscard]] std::optional<std::string> sessionRole(const std::string& user, std::uint64_t stamp) const;
    // The credential stamp of `user` now (0: no such account).
    [[nodiscard]] std::uint64_t stampOf(const std::string& user) const;

    [[nodiscard]] const domain::AccountPolicy& policy() const { return options_.policy; }
    // Checks a policy (BadValue naming the property when inconsistent).
    [[nodiscard]] static domain::AccountResult checkPolicy(const domain::AccountPolicy& p);
    void setPolicy(const domain::AccountPolicy& p) { options_.policy = p; }
    // Length and rules of a password for `user` under the current policy.
    [[nodiscard]] domain::AccountResult checkPassword(const std::string& user, const std::string& password) const;
    // A user name cmcd accepts (1..64 printable characters, no ':' that would break Basic auth).
    [[nodiscard]] static bool validUserName(const std::string& user);

    // An account change: what it was and what it is now (to persist, or to
    // revert when the write fails).
    struct Change {
        domain::AccountResult result;
        std::optional<domain::Account> before;
        std::optional<domain::Account> after;
    };
    using ChangeDone = std::function<void(Change)>;
    // Validate, hash a new password on the worker, then apply the change in
    // memory; `done` runs on the io_context. UserName, Password and RoleId
    // are required to create.
    void create(domain::AccountRequest req, ChangeDone done);
    void update(std::int64_t id, domain::AccountRequest req, ChangeDone done);
    [[nodiscard]] Change remove(std::int64_t id);
    // Undoes an applied change (its database write failed).
    void revert(const Change& c);

private:
    struct Entry {
        domain::Account account;
        std::uint64_t stamp = 0;
        std::int64_t failures = 0;
        std::int64_t lastFailureMs = 0;
        std::int64_t lockedUntilMs = 0;
    };
    struct Job {
        std::string password;
        std::function<void(Verdict)> done;
    };

    [[nodiscard]] std::int64_t now() const;
    [[nodiscard]] Entry* find(const std::string& user);
    [[nodiscard]] const Entry* find(const std::string& user) const;
    [[nodiscard]] Entry* findId(std::int64_t id);
    [[nodiscard]] bool lockedNow(const Entry& e) const;
    [[nodiscard]] domain::AccountView viewOf(const Entry& e) const;
    [[nodiscard]] std::string digestOf(const Entry& e, const std::string& password) const;
    [[nodiscard]] bool remembered(const std::string& key) const;
    void remember(std::string key);
    // Answers `job` at once when it needs no hash; true when it did.
    bool answerWithoutHash(const std::string& user, Job& job);
    void startNext(const std::string& user);
    void noteFailure(Entry& e);
    // Another enabled Administrator than `id` exists.
    [[nodiscard]] bool otherAdministrator(std::int64_t id) const;
    [[nodiscard]] domain::AccountResult validate(const domain::Account* current,
                                                 const domain::AccountRequest& req) const;
    // Hashes `password` on the worker (nothing to hash: at once) and then runs `then(hash)` on the loop.
    void hashThen(std::optional<std::string> password, std::function<void(std::string hash)> then,
                  const ChangeDone& refuse);

    boost::asio::io_context& io_;
    Options options_;
    std::map<std::int64_t, Entry> entries_; // by id
    std::int64_t nextId_ = 1;
    std::uint64_t nextStamp_ = 1;
    std::size_t pending_ = 0;
    std::uint64_t busyRefusals_ = 0;
    std::uint64_t hashesRun_ = 0;
    std::map<std::string, std::deque<Job>> queued_; // per user, waiting for the worker
    std::map<std::string, bool> running_;           // users with a check on the worker
    std::deque<std::string> verified_;              // digests of recently verified credentials, newest last
    bool stopped_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    boost::asio::thread_pool worker_{1};
};

} // namespace cmc::auth
