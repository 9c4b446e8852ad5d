// The AccountService wiring: accounts loaded from the store at start (the
// first start seeds the administrator), the authenticator's changes written
// through the store's writer thread (with an audit record) before the API
// answers, and a change whose write failed undone in memory.
#include <openssl/rand.h>

#include <iostream>

#include "app/service.hpp"
#include "auth/authenticator.hpp"
#include "events/event_log.hpp"
#include "store/store.hpp"

namespace cmc::app {

namespace {

// A strong password for a first start without one: 20 characters of a
// 54-letter alphabet without look-alikes (about 115 bits). Empty without randomness.
std::string generatedPassword() {
    static constexpr std::string_view kAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    std::string out;
    while (out.size() < 20) {
        unsigned char b[32];
        if (RAND_bytes(b, sizeof b) != 1) return {};
        for (unsigned char c : b) {
            // Rejection sampling: no bias towards the first letters.
            if (c < 256 - 256 % kAlphabet.size() && out.size() < 20) out += kAlphabet[c % kAlphabet.size()];
        }
    }
    return out;
}

domain::AccountResult unavailable(const std::string& why) {
    return {domain::AccountResult::Code::Unavailable, {}, why, {}};
}

} // namespace

bool ChassisService::startAccounts(std::string& error) {
    auto accounts = store_->loadAccountsSync();
    auto stored = store_->loadAccountPolicySync();
    domain::AccountPolicy policy = stored.value_or(cfg_.accountPolicy);
    if (stored && !(*stored == cfg_.accountPolicy))
        std::cout << "cmcd: account policy from the database (changed through the API; the configuration's "
                     "'accountService' applies until then)\n";
    if (accounts.empty()) {
        domain::Account a;
        a.id = 1;
        a.userName = cfg_.admin.username.empty() ? "admin" : cfg_.admin.username;
        a.roleId = "Administrator";
        std::string generated;
        if (!cfg_.admin.passwordHash.empty()) {
            a.passwordHash = cfg_.admin.passwordHash;
        } else if (!cfg_.admin.password.empty()) {
            a.passwordHash = config::hashPassword(cfg_.admin.password);
        } else {
            generated = generatedPassword();
            if (!generated.empty()) a.passwordHash = config::hashPassword(generated);
        }
        if (a.passwordHash.empty()) {
            error = "cannot create the first administrator: no random numbers for its password hash";
            return false;
        }
        store_->apply(std::move(store::Batch().saveAccount(a)));
        store_->flush();
        accounts = store_->loadAccountsSync();
        if (accounts.empty()) {
            error = "database '" + cfg_.dbPath +
                    "': the first administrator could not be stored (see the store's "
                    "error above)";
            return false;
        }
        if (generated.empty()) {
            std::cout << "cmcd: first start: administrator '" << a.userName << "' from the configuration\n";
        } else {
            // The one time this password exists outside the operator's hands:
            // printed once, only its hash stored.
            std::cout << "cmcd: first start: administrator '" << a.userName << "' created with the generated password "
                      << generated << " (shown only now; change it with PATCH "
                      << "/redfish/v1/AccountService/Accounts/1"
                      << " {\"Password\": ...})\n";
        }
    } else {
        std::cout << "cmcd: " << accounts.size() << " accounts from the database"
                  << (cfg_.admin.password.empty() && cfg_.admin.passwordHash.empty()
                          ? ""
                          : " (the configuration's 'admin' applies only to a first start)")
                  << "\n";
    }
    auth::Options o;
    o.policy = policy;
    o.log = [](const std::string& line) { std::cout << "cmcd: " << line << "\n"; };
    auth_ = std::make_unique<auth::Authenticator>(io_, std::move(accounts), std::move(o));
    return true;
}

std::vector<domain::AccountView> ChassisService::accounts() const {
    return auth_ ? auth_->accounts() : std::vector<domain::AccountView>{};
}

domain::AccountPolicy ChassisService::accountPolicy() const {
    return auth_ ? auth_->policy() : cfg_.accountPolicy;
}

std::uint64_t ChassisService::accountStamp(const std::string& user) const {
    return auth_ ? auth_->stampOf(user) : 0;
}

std::optional<http::Principal> ChassisService::sessionPrincipal(const std::string& user, std::uint64_t stamp) const {
    if (!auth_) return std::nullopt;
    auto role = auth_->sessionRole(user, stamp);
    if (!role) return std::nullopt;
    return http::Principal{user, *role, northbound::privilegesOf(*role)};
}

namespace {

// Persists an applied change and answers; a failed write undoes it.
void persist(store::Store& store, auth::Authenticator& auth, auth::Authenticator::Change c, const char* action,
             const std::string& who, const std::string& subject, northbound::Backend::AccountDone done) {
    store::Batch batch;
    if (c.after)
        batch.saveAccount(*c.after);
    else if (c.before)
        batch.deleteAccount(c.before->id);
    batch.appendAudit(store::AuditRecord{0, events::nowUnixMs(), who, action, subject, "", "completed"});
    store.apply(std::move(batch), [&auth, c, action, who, subject, done](bool ok, const std::string& error) {
        if (!ok) {
            auth.revert(c);
            std::cerr << "cmcd: " << action << " " << subject << " by=" << who << " not stored: " << error << "\n";
            done(unavailable("the account change could not be stored; retry"));
            return;
        }
        std::cout << "cmcd: " << action << " " << subject << " by=" << who << "\n";
        done(c.result);
    });
}

std::string subjectOf(const auth::Authenticator::Change& c) {
    const auto& a = c.after ? *c.after : *c.before;
    return "account id=" + std::to_string(a.id) + " user=" + a.userName + " role=" + a.roleId;
}

} // namespace

void ChassisService::createAccount(domain::AccountRequest req, const std::string& who, AccountDone done) {
    if (!auth_) return done(unavailable("cmcd is starting"));
    auth_->create(std::move(req), [this, who, done](auth::Authenticator::Change c) {
        if (!c.result.ok()) return done(c.result);
        persist(*store_, *auth_, c, "CreateAccount", who, subjectOf(c), done);
    });
}

void ChassisService::updateAccount(std::int64_t id, domain::AccountRequest req, const std::string& who,
                                   AccountDone done) {
    if (!auth_) return done(unavailable("cmcd is starting"));
    bool password = req.password.has_value();
    auth_->update(id, std::move(req), [this, who, password, done](auth::Authenticator::Change c) {
        if (!c.result.ok()) return done(c.result);
        persist(*store_, *auth_, c, password ? "UpdateAccount(Password)" : "UpdateAccount", who, subjectOf(c), done);
    });
}

void ChassisService::deleteAccount(std::int64_t id, const std::string& who, AccountDone done) {
    if (!auth_) return done(unavailable("cmcd is starting"));
    auto c = auth_->remove(id);
    if (!c.result.ok()) return done(c.result);
    persist(*store_, *auth_, c, "DeleteAccount", who, subjectOf(c), done);
}

void ChassisService::setAccountPolicy(domain::AccountPolicy p, const std::string& who, AccountDone done) {
    if (!auth_) return done(unavailable("cmcd is starting"));
    if (auto r = auth::Authenticator::checkPolicy(p); !r.ok()) return done(r);
    auto before = auth_->policy();
    auth_->setPolicy(p);
    store::Batch batch;
    batch.saveAccountPolicy(p);
    batch.appendAudit(
        store::AuditRecord{0, events::nowUnixMs(), who, "UpdateAccountService", "AccountService", "", "completed"});
    store_->apply(std::move(batch), [this, before, who, done](bool ok, const std::string& error) {
        if (!ok) {
            auth_->setPolicy(before);
            std::cerr << "cmcd: account policy by=" << who << " not stored: " << error << "\n";
            return done(unavailable("the account policy could not be stored; retry"));
        }
        std::cout << "cmcd: account policy changed by=" << who << "\n";
        done({});
    });
}

} // namespace cmc::app
