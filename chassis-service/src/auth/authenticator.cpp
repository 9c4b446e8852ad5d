#include "auth/authenticator.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "config/config.hpp"

namespace cmc::auth {

namespace {

bool sameIgnoringCase(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

domain::AccountResult refused(domain::AccountResult::Code code, std::string property, std::string message) {
    domain::AccountResult r;
    r.code = code;
    r.property = std::move(property);
    r.message = std::move(message);
    return r;
}

} // namespace

Authenticator::Authenticator(boost::asio::io_context& io, std::vector<domain::Account> accounts, Options options)
    : io_(io), options_(std::move(options)) {
    options_.maxPending = std::max<std::size_t>(1, options_.maxPending);
    options_.maxPendingPerUser = std::clamp<std::size_t>(options_.maxPendingPerUser, 1, options_.maxPending);
    for (auto& a : accounts) {
        nextId_ = std::max(nextId_, a.id + 1);
        Entry e;
        e.stamp = nextStamp_++;
        e.account = std::move(a);
        entries_.emplace(e.account.id, std::move(e));
    }
}

Authenticator::~Authenticator() {
    stop();
}

void Authenticator::stop() {
    if (stopped_) return;
    stopped_ = true;
    *alive_ = false;
    worker_.join();
}

std::int64_t Authenticator::now() const {
    if (options_.nowMs) return options_.nowMs();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

Authenticator::Entry* Authenticator::find(const std::string& user) {
    for (auto& [id, e] : entries_) {
        if (e.account.userName == user) return &e;
    }
    return nullptr;
}

const Authenticator::Entry* Authenticator::find(const std::string& user) const {
    for (const auto& [id, e] : entries_) {
        if (e.account.userName == user) return &e;
    }
    return nullptr;
}

Authenticator::Entry* Authenticator::findId(std::int64_t id) {
    auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : &it->second;
}

bool Authenticator::lockedNow(const Entry& e) const {
    return e.lockedUntilMs > now();
}

domain::AccountView Authenticator::viewOf(const Entry& e) const {
    const auto& a = e.account;
    return domain::AccountView{a.id, a.userName, a.roleId, a.enabled, lockedNow(e), a.accountTypes};
}

std::string Authenticator::digestOf(const Entry& e, const std::string& password) const {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    std::string material = std::to_string(e.stamp) + '\0' + e.account.userName + '\0' + password;
    EVP_Digest(material.data(), material.size(), md, &len, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<char*>(md), len);
}

bool Authenticator::remembered(const std::string& key) const {
    return std::find(verified_.begin(), verified_.end(), key) != verified_.end();
}

void Authenticator::remember(std::string key) {
    if (options_.rememberedCredentials == 0 || remembered(key)) return;
    verified_.push_back(std::move(key));
    while (verified_.size() > options_.rememberedCredentials)
        verified_.pop_front();
}

void Authenticator::noteFailure(Entry& e) {
    const auto& p = options_.policy;
    if (p.lockoutThreshold <= 0 || p.lockoutDurationSeconds <= 0) return;
    auto t = now();
    if (e.failures > 0 && t - e.lastFailureMs > p.lockoutCounterResetSeconds * 1000) e.failures = 0;
    ++e.failures;
    e.lastFailureMs = t;
    if (e.failures >= p.lockoutThreshold) {
        e.lockedUntilMs = t + p.lockoutDurationSeconds * 1000;
        e.failures = 0;
        if (options_.log)
            options_.log("account user=" + e.account.userName + " locked for " +
                         std::to_string(p.lockoutDurationSeconds) + " s after " + std::to_string(p.lockoutThreshold) +
                         " failed logins (AccountLockoutThreshold); an administrator may unlock it with "
                         "PATCH {\"Locked\": false}");
    }
}

bool Authenticator::answerWithoutHash(const std::string& user, Job& job) {
    Entry* e = stopped_ ? nullptr : find(user);
    if (!e || !e->account.enabled) {
        job.done(Verdict{});
        return true;
    }
    if (lockedNow(*e)) {
        Verdict v;
        v.locked = true;
        job.done(v);
        return true;
    }
    if (remembered(digestOf(*e, job.password))) {
        job.done(Verdict{true, false, false, user, e->account.roleId, e->stamp});
        return true;
    }
    return false;
}

void Authenticator::verify(const std::string& user, const std::string& password, std::function<void(Verdict)> done) {
    Job job{password, std::move(done)};
    if (answerWithoutHash(user, job)) return;
    auto& q = queued_[user];
    std::size_t mine = q.size() + (running_.count(user) ? 1 : 0);
    if (pending_ >= options_.maxPending || mine >= options_.maxPendingPerUser) {
        ++busyRefusals_;
        if (q.empty()) queued_.erase(user);
        Verdict busy;
        busy.busy = true;
        job.done(busy);
        return;
    }
    ++pending_;
    q.push_back(std::move(job));
    if (!running_.count(user)) startNext(user);
}

void Authenticator::startNext(const std::string& user) {
    for (;;) {
        // Looked up again each turn: an answer may have queued or refused more checks.
        auto it = queued_.find(user);
        if (it == queued_.end()) return;
        if (it->second.empty()) {
            queued_.erase(it);
            return;
        }
        Job job = std::move(it->second.front());
        it->second.pop_front();
        // The account may have been locked, changed or verified meanwhile.
        if (!answerWithoutHash(user, job)) {
            const Entry* e = find(user);
            running_[user] = true;
            // The loop has work while the check runs: its answer is never lost
            // to an io_context that ran out of handlers.
            auto work = boost::asio::make_work_guard(io_);
            boost::asio::post(worker_, [this, alive = alive_, work = std::move(work), user, id = e->account.id,
                                        stamp = e->stamp, hash = e->account.passwordHash,
                                        job = std::move(job)]() mutable {
                config::Admin creds;
                creds.passwordHash = hash;
                bool ok = config::verifyPassword(creds, job.password);
                boost::asio::post(io_, [this, alive, ok, user, id, stamp, job = std::move(job)]() mutable {
                    if (!*alive) return; // stopped: the service is gone
                    --pending_;
                    ++hashesRun_;
                    running_.erase(user);
                    Entry* entry = findId(id);
                    Verdict v;
                    // Checked against the hash of that moment: a password changed meanwhile refuses.
                    if (entry && entry->stamp == stamp && entry->account.enabled) {
                        if (ok) {
                            entry->failures = 0;
                            remember(digestOf(*entry, job.password));
                            v = Verdict{true, false, false, user, entry->account.roleId, entry->stamp};
                        } else {
                            noteFailure(*entry);
                        }
                    }
                    job.password.assign(job.password.size(), '\0');
                    job.done(v);
                    startNext(user);
                });
            });
            return;
        }
        --pending_;
    }
}

std::vector<domain::AccountView> Authenticator::accounts() const {
    std::vector<domain::AccountView> out;
    for (const auto& [id, e] : entries_)
        out.push_back(viewOf(e));
    return out;
}

std::optional<domain::AccountView> Authenticator::account(std::int64_t id) const {
    auto it = entries_.find(id);
    if (it == entries_.end()) return std::nullopt;
    return viewOf(it->second);
}

std::optional<domain::AccountView> Authenticator::accountNamed(const std::string& user) const {
    const Entry* e = find(user);
    if (!e) return std::nullopt;
    return viewOf(*e);
}

std::optional<std::string> Authenticator::sessionRole(const std::string& user, std::uint64_t stamp) const {
    const Entry* e = find(user);
    if (!e || !e->account.enabled || e->stamp != stamp) return std::nullopt;
    return e->account.roleId;
}

std::uint64_t Authenticator::stampOf(const std::string& user) const {
    const Entry* e = find(user);
    return e ? e->stamp : 0;
}

domain::AccountResult Authenticator::checkPolicy(const domain::AccountPolicy& p) {
    using Code = domain::AccountResult::Code;
    if (p.minPasswordLength < 1 || p.minPasswordLength > 256)
        return refused(Code::BadValue, "MinPasswordLength", "MinPasswordLength must be 1..256");
    if (p.maxPasswordLength < p.minPasswordLength || p.maxPasswordLength > 256)
        return refused(Code::BadValue, "MaxPasswordLength", "MaxPasswordLength must be MinPasswordLength..256");
    if (p.lockoutThreshold < 0 || p.lockoutThreshold > 1000)
        return refused(Code::BadValue, "AccountLockoutThreshold", "AccountLockoutThreshold must be 0..1000");
    if (p.lockoutCounterResetSeconds < 0 || p.lockoutCounterResetSeconds > 86400)
        return refused(Code::BadValue, "AccountLockoutCounterResetAfter",
                       "AccountLockoutCounterResetAfter must be 0..86400 seconds");
    if (p.lockoutDurationSeconds < 0 || p.lockoutDurationSeconds > 86400)
        return refused(Code::BadValue, "AccountLockoutDuration", "AccountLockoutDuration must be 0..86400 seconds");
    if (p.lockoutDurationSeconds != 0 && p.lockoutDurationSeconds < p.lockoutCounterResetSeconds)
        return refused(Code::BadValue, "AccountLockoutDuration",
                       "AccountLockoutDuration must be at least AccountLockoutCounterResetAfter");
    return {};
}

domain::AccountResult Authenticator::checkPassword(const std::string& user, const std::string& password) const {
    using Code = domain::AccountResult::Code;
    const auto& p = options_.policy;
    auto n = static_cast<std::int64_t>(password.size());
    if (n < p.minPasswordLength || n > p.maxPasswordLength)
        return refused(Code::PasswordLength, "Password",
                       "The password must have " + std::to_string(p.minPasswordLength) + " to " +
                           std::to_string(p.maxPasswordLength) + " characters");
    if (sameIgnoringCase(user, password))
        return refused(Code::PasswordRule, "Password", "The password must not be the user name");
    for (char c : password) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            return refused(Code::PasswordRule, "Password", "The password must not contain control characters");
    }
    return {};
}

bool Authenticator::validUserName(const std::string& user) {
    if (user.empty() || user.size() > 64) return false;
    for (char c : user) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x21 || u == 0x7f || c == ':' || c == '/' || c == '\\' || c == '"') return false;
    }
    return true;
}

bool Authenticator::otherAdministrator(std::int64_t id) const {
    for (const auto& [other, e] : entries_) {
        if (other != id && e.account.enabled && e.account.roleId == "Administrator") return true;
    }
    return false;
}

domain::AccountResult Authenticator::validate(const domain::Account* current, const domain::AccountRequest& req) const {
    using Code = domain::AccountResult::Code;
    if (req.userName) {
        if (!validUserName(*req.userName))
            return refused(Code::BadValue, "UserName",
                           "A user name has 1 to 64 printable characters without spaces, ':', '/', '\\' or '\"'");
        const Entry* holder = find(*req.userName);
        if (holder && (!current || holder->account.id != current->id))
            return refused(Code::Duplicate, "UserName", "An account named '" + *req.userName + "' exists");
    }
    if (req.roleId && !domain::isRole(*req.roleId))
        return refused(Code::BadRole, "RoleId", "RoleId must be Administrator, Operator or ReadOnly");
    if (req.locked && *req.locked)
        return refused(Code::BadValue, "Locked", "Locked can only be set to false (to clear a lockout)");
    if (req.password) {
        auto r =
            checkPassword(req.userName ? *req.userName : (current ? current->userName : std::string()), *req.password);
        if (!r.ok()) return r;
    }
    if (current && current->enabled && current->roleId == "Administrator" && !otherAdministrator(current->id)) {
        if ((req.roleId && *req.roleId != "Administrator") || (req.enabled && !*req.enabled))
            return refused(Code::LastAdministrator, "RoleId",
                           "This is the last enabled Administrator account; create or enable another first");
    }
    return {};
}

void Authenticator::hashThen(std::optional<std::string> password, std::function<void(std::string)> then,
                             const ChangeDone& refuse) {
    if (!password) {
        then({});
        return;
    }
    if (stopped_ || pending_ >= options_.maxPending) {
        ++busyRefusals_;
        refuse(Change{refused(domain::AccountResult::Code::Unavailable, "", "Too many password operations; retry"),
                      std::nullopt, std::nullopt});
        return;
    }
    ++pending_;
    auto work = boost::asio::make_work_guard(io_);
    boost::asio::post(worker_, [this, alive = alive_, work = std::move(work), pw = std::move(*password),
                                iterations = options_.hashIterations, then = std::move(then)]() mutable {
        std::string hash = config::hashPassword(pw, iterations);
        pw.assign(pw.size(), '\0');
        boost::asio::post(io_, [this, alive, hash = std::move(hash), then = std::move(then)] {
            if (!*alive) return;
            --pending_;
            then(hash);
        });
    });
}

void Authenticator::create(domain::AccountRequest req, ChangeDone done) {
    using Code = domain::AccountResult::Code;
    if (!req.userName || !req.password || !req.roleId) {
        done(Change{refused(Code::BadValue, !req.userName ? "UserName" : (!req.password ? "Password" : "RoleId"),
                            "UserName, Password and RoleId are required"),
                    std::nullopt, std::nullopt});
        return;
    }
    if (auto r = validate(nullptr, req); !r.ok()) {
        done(Change{r, std::nullopt, std::nullopt});
        return;
    }
    auto password = std::move(req.password);
    req.password.reset();
    hashThen(
        std::move(password),
        [this, req, done](std::string hash) {
            if (hash.empty()) {
                done(Change{refused(Code::Unavailable, "", "The password could not be hashed"), std::nullopt,
                            std::nullopt});
                return;
            }
            if (auto r = validate(nullptr, req); !r.ok()) { // taken while hashing
                done(Change{r, std::nullopt, std::nullopt});
                return;
            }
            Entry e;
            e.account.id = nextId_++;
            e.account.userName = *req.userName;
            e.account.roleId = *req.roleId;
            e.account.enabled = req.enabled.value_or(true);
            e.account.passwordHash = std::move(hash);
            e.stamp = nextStamp_++;
            Change c;
            c.after = e.account;
            c.result.account = viewOf(e);
            entries_.emplace(e.account.id, std::move(e));
            done(std::move(c));
        },
        done);
}

void Authenticator::update(std::int64_t id, domain::AccountRequest req, ChangeDone done) {
    using Code = domain::AccountResult::Code;
    const Entry* e = findId(id);
    if (!e) {
        done(Change{refused(Code::NotFound, "", "No account " + std::to_string(id)), std::nullopt, std::nullopt});
        return;
    }
    if (auto r = validate(&e->account, req); !r.ok()) {
        done(Change{r, std::nullopt, std::nullopt});
        return;
    }
    auto password = std::move(req.password);
    req.password.reset();
    bool newPassword = password.has_value();
    hashThen(
        std::move(password),
        [this, id, req, newPassword, done](std::string hash) {
            Entry* target = findId(id);
            if (!target) {
                done(Change{refused(Code::NotFound, "", "No account " + std::to_string(id)), std::nullopt,
                            std::nullopt});
                return;
            }
            if (newPassword && hash.empty()) {
                done(Change{refused(Code::Unavailable, "", "The password could not be hashed"), std::nullopt,
                            std::nullopt});
                return;
            }
            if (auto r = validate(&target->account, req); !r.ok()) { // changed while hashing
                done(Change{r, std::nullopt, std::nullopt});
                return;
            }
            Change c;
            c.before = target->account;
            auto& a = target->account;
            bool ends = newPassword || (req.userName && *req.userName != a.userName) ||
                        (req.enabled && !*req.enabled && a.enabled);
            if (req.userName) a.userName = *req.userName;
            if (req.roleId) a.roleId = *req.roleId;
            if (req.enabled) a.enabled = *req.enabled;
            if (newPassword) a.passwordHash = std::move(hash);
            if (req.locked) { // false: an administrator clears the lockout
                target->lockedUntilMs = 0;
                target->failures = 0;
            }
            if (ends) target->stamp = nextStamp_++; // its sessions and remembered credentials end
            c.after = a;
            c.result.account = viewOf(*target);
            done(std::move(c));
        },
        done);
}

Authenticator::Change Authenticator::remove(std::int64_t id) {
    using Code = domain::AccountResult::Code;
    auto it = entries_.find(id);
    if (it == entries_.end())
        return Change{refused(Code::NotFound, "", "No account " + std::to_string(id)), std::nullopt, std::nullopt};
    const auto& a = it->second.account;
    if (a.enabled && a.roleId == "Administrator" && !otherAdministrator(id))
        return Change{refused(Code::LastAdministrator, "",
                              "This is the last enabled Administrator account; create or enable another first"),
                      std::nullopt, std::nullopt};
    Change c;
    c.before = a;
    c.result.account = viewOf(it->second);
    entries_.erase(it);
    return c;
}

void Authenticator::revert(const Change& c) {
    if (c.after) entries_.erase(c.after->id);
    if (c.before) {
        Entry e;
        e.account = *c.before;
        e.stamp = nextStamp_++; // sessions of the reverted state end too: the safe side
        entries_[e.account.id] = std::move(e);
    }
}

} // namespace cmc::auth
