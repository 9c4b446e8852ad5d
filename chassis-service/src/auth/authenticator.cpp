#include "auth/authenticator.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <openssl/evp.h>

#include <algorithm>

namespace cmc::auth {

namespace {

std::string digestOf(const std::string& user, const std::string& password) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    std::string material = user + '\0' + password;
    EVP_Digest(material.data(), material.size(), md, &len, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<char*>(md), len);
}

} // namespace

Authenticator::Authenticator(boost::asio::io_context& io, std::vector<Account> accounts, std::size_t maxPending,
                             std::size_t rememberedCredentials)
    : io_(io), accounts_(std::move(accounts)), maxPending_(std::max<std::size_t>(1, maxPending)),
      remembered_(rememberedCredentials) {}

Authenticator::~Authenticator() {
    stop();
}

void Authenticator::stop() {
    if (stopped_) return;
    stopped_ = true;
    *alive_ = false;
    worker_.join();
}

const Account* Authenticator::find(const std::string& user) const {
    for (const auto& a : accounts_) {
        if (a.credentials.username == user) return &a;
    }
    return nullptr;
}

void Authenticator::verify(const std::string& user, const std::string& password, std::function<void(Verdict)> done) {
    const Account* account = stopped_ ? nullptr : find(user);
    if (!account) {
        done(Verdict{});
        return;
    }
    Verdict yes{true, false, user, account->role};
    if (account->credentials.passwordHash.empty()) { // a plain password (demo, tests): cheap, compared in constant time
        done(config::verifyPassword(account->credentials, password) ? yes : Verdict{});
        return;
    }
    auto key = digestOf(user, password);
    if (std::find(verified_.begin(), verified_.end(), key) != verified_.end()) {
        done(yes);
        return;
    }
    if (pending_ >= maxPending_) {
        ++busyRefusals_;
        Verdict busy;
        busy.busy = true;
        done(busy);
        return;
    }
    ++pending_;
    // The loop has work while the check runs: its answer is never lost to an
    // io_context that ran out of handlers.
    auto work = boost::asio::make_work_guard(io_);
    boost::asio::post(worker_, [this, alive = alive_, work = std::move(work), creds = account->credentials, password,
                                key, yes, done = std::move(done)]() mutable {
        bool ok = config::verifyPassword(creds, password);
        boost::asio::post(io_, [this, alive, ok, key = std::move(key), yes, done = std::move(done)] {
            if (!*alive) return; // stopped: the service is gone
            --pending_;
            if (ok && remembered_ > 0) {
                verified_.push_back(key);
                while (verified_.size() > remembered_)
                    verified_.pop_front();
            }
            done(ok ? yes : Verdict{});
        });
    });
}

} // namespace cmc::auth
