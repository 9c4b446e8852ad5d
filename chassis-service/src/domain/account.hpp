// Accounts of cmcd's AccountService: what is stored (the password only as a
// slow salted hash), the account policy, the predefined roles, and the
// outcome of an account change. Plain C++: no JSON, no SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cmc::domain {

struct Account {
    std::int64_t id = 0; // the Redfish Id ("1", "2", ...), never reused while cmcd runs
    std::string userName;
    std::string roleId; // one of kRoles
    bool enabled = true;
    std::string passwordHash; // "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>"; never a password
    std::vector<std::string> accountTypes{"Redfish"};
};

// What the API shows of an account: no hash, and whether lockout holds it.
struct AccountView {
    std::int64_t id = 0;
    std::string userName;
    std::string roleId;
    bool enabled = true;
    bool locked = false;
    std::vector<std::string> accountTypes;
};

// Redfish AccountService properties: MinPasswordLength, MaxPasswordLength,
// AccountLockoutThreshold (0: never lock), AccountLockoutDuration,
// AccountLockoutCounterResetAfter (seconds since the last failure).
struct AccountPolicy {
    std::int64_t minPasswordLength = 8;
    std::int64_t maxPasswordLength = 64;
    std::int64_t lockoutThreshold = 5;
    std::int64_t lockoutDurationSeconds = 300;
    std::int64_t lockoutCounterResetSeconds = 300;
    bool operator==(const AccountPolicy&) const = default;
};

// DMTF's predefined roles and their privileges (Redfish privilege registry).
inline constexpr std::string_view kRoles[] = {"Administrator", "Operator", "ReadOnly"};
[[nodiscard]] inline bool isRole(std::string_view r) {
    for (auto k : kRoles) {
        if (k == r) return true;
    }
    return false;
}
[[nodiscard]] inline std::vector<std::string> rolePrivileges(std::string_view role) {
    if (role == "Administrator")
        return {"Login", "ConfigureManager", "ConfigureUsers", "ConfigureComponents", "ConfigureSelf"};
    if (role == "Operator") return {"Login", "ConfigureComponents", "ConfigureSelf"};
    if (role == "ReadOnly") return {"Login", "ConfigureSelf"};
    return {};
}

// A new account, or the properties of a PATCH (absent = unchanged).
struct AccountRequest {
    std::optional<std::string> userName;
    std::optional<std::string> password; // plain, only on its way to the hash; never logged or stored
    std::optional<std::string> roleId;
    std::optional<bool> enabled;
    std::optional<bool> locked; // only false (an administrator clears a lockout)
};

struct AccountResult {
    enum class Code {
        Ok,
        NotFound,
        Duplicate,         // UserName taken: 409 ResourceAlreadyExists
        BadRole,           // 400 PropertyValueNotInList
        PasswordLength,    // 400 PasswordIncorrectLength
        PasswordRule,      // 400 PasswordComplexityNotMet (message says which rule)
        BadValue,          // 400 PropertyValueIncorrect on `property`
        LastAdministrator, // 409: the last enabled Administrator stays
        Unavailable,       // 503: hashing queue full or the database write failed
    };
    Code code = Code::Ok;
    std::string property;
    std::string message;
    std::optional<AccountView> account;
    [[nodiscard]] bool ok() const { return code == Code::Ok; }
};

} // namespace cmc::domain
