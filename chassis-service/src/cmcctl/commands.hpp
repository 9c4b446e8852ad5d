// cmcctl's commands: one table (name, usage, help, handler); each handler
// reads its own arguments and returns the exit code.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cmcctl/client.hpp"

namespace cmc::cmcctl {

struct Options;

// What a command runs with. Commands read their arguments first and then
// connect, so that a usage error never needs cmcd (or a password).
class Context {
public:
    explicit Context(Options& o);
    ~Context(); // logs the session out
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    // Resolves the credentials and logs in (once); kOk or the exit code.
    [[nodiscard]] int connect();
    [[nodiscard]] Client& api() { return *client_; }

    const bool json;
    const bool wait;
    const std::chrono::seconds waitTimeout;

private:
    Options& options_;
    std::unique_ptr<Client> client_;
    int loginRc_ = -1;
};

// A command's arguments: its own options ("--to 13", "--to=13", "--yes")
// taken out by name, then the positional words.
class Args {
public:
    Args(std::string command, std::vector<std::string> words)
        : command_(std::move(command)), words_(std::move(words)) {}
    [[nodiscard]] bool flag(std::string_view name);
    [[nodiscard]] std::optional<std::string> value(std::string_view name);
    // A non-negative integer option; a bad value is a usage error.
    [[nodiscard]] std::optional<long> number(std::string_view name, long lo, long hi);
    // The positional words, when there are between `min` and `max` of them
    // and no unknown option is left; else prints a usage error.
    [[nodiscard]] bool positionals(std::size_t min, std::size_t max, std::vector<std::string>& out);
    // Prints "cmcctl: COMMAND: msg" and the command's usage; returns kUsage.
    int usage(const std::string& msg) const;
    [[nodiscard]] bool failed() const { return failed_; }

private:
    std::string command_;
    std::vector<std::string> words_;
    bool failed_ = false;
};

struct Command {
    std::string_view name; // "server create"
    std::string_view usage;
    std::string_view summary;
    std::string_view help;
    int (*run)(Context&, Args&);
};

[[nodiscard]] std::span<const Command> commands();
[[nodiscard]] const Command* findCommand(std::string_view name);

// Handlers (commands_read.cpp, commands_write.cpp, watch.cpp).
int runLogin(Context&, Args&);
int runChassis(Context&, Args&);
int runBlades(Context&, Args&);
int runBlade(Context&, Args&);
int runServers(Context&, Args&);
int runServer(Context&, Args&);
int runSpares(Context&, Args&);
int runPools(Context&, Args&);
int runFailovers(Context&, Args&);
int runTask(Context&, Args&);
int runEvents(Context&, Args&);
int runAccounts(Context&, Args&);
int runStorm(Context&, Args&);
int runServerCreate(Context&, Args&);
int runServerDelete(Context&, Args&);
int runServerReset(Context&, Args&);
int runMigrate(Context&, Args&);
int runFailover(Context&, Args&);
int runFailback(Context&, Args&);
int runMaintenance(Context&, Args&);
int runRepair(Context&, Args&);
int runEvacuate(Context&, Args&);
int runStormAck(Context&, Args&);
int runWatch(Context&, Args&);

// Shared by the handlers.
// GET of one resource; on failure reports it and returns the exit code.
[[nodiscard]] int getJson(Context& c, const std::string& path, json& out);
// The members of a collection (following nextLink), their @odata.ids.
[[nodiscard]] int memberIds(Context& c, const std::string& path, std::vector<std::string>& out);
// GETs every member of a collection; a member that vanished meanwhile (404) is skipped.
[[nodiscard]] int members(Context& c, const std::string& path, std::vector<json>& out);
// The answer of an action or write: 202 + Location waits for the task (unless --no-wait);
// `done` is what to print on a synchronous success.
[[nodiscard]] int finishWrite(Context& c, const std::string& what, const Reply& r, const std::string& done);
// Waits for the task at `uri` and prints its outcome.
[[nodiscard]] int waitTask(Context& c, const std::string& uri);
// One line on a finished or running task ("Migrate 7 of web01: Completed in 2.4 s, blade 1 -> 13").
[[nodiscard]] std::string taskSummary(const json& t);

} // namespace cmc::cmcctl
