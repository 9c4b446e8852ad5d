// cmcctl: a thin command-line client of cmcd's Redfish API. Global options,
// the command table and the dispatch; the commands are in commands_*.cpp.
#include <charconv>
#include <iostream>

#include "cmcctl/commands.hpp"
#include "cmcctl/options.hpp"

namespace cmc::cmcctl {

namespace {

constexpr Command kCommands[] = {
    {"login", "", "log in and print the session token (for --token / CMCCTL_TOKEN)",
     "Opens a session and prints its X-Auth-Token on stdout (with --json also the session's URI). The session\n"
     "is not logged out: it ends when deleted or after cmcd's idle timeout.",
     runLogin},
    {"chassis", "", "the enclosure: model, serial, health roll-up, slots", "", runChassis},
    {"blades", "", "every blade: slot, model, power, health, role, logical server",
     "One row per slot, from /redfish/v1/Chassis/blade-N and its ResourceBlock.", runBlades},
    {"blade", "SLOT", "one blade: inventory, health and its signals, role, addresses", "", runBlade},
    {"servers", "", "every logical server: state, power, blade, MAC, IP, spare pool, coverage", "", runServers},
    {"server", "NAME", "one logical server: identity (MACs, WWPNs, IPs, volume, UUID), blade, policy",
     "Also `server show NAME` (for a server named like a subcommand).", runServer},
    {"server show", "NAME", "the same as `server NAME`", "", runServer},
    {"server create", "NAME [--blade N] [--pool SPAREPOOL] [IDENTITY OPTIONS...]",
     "create a logical server (POST /redfish/v1/Systems) and wait until it is bound",
     "Identity options (each value explicit, or drawn from a pool; with one pool of a kind it is the default):\n"
     "  --mac MAC | --mac-pool P     the vNIC eth0's MAC\n"
     "  --ip IP | --ip-pool P        its IPv4 address (default: the only IPv4 pool; --no-ip for none)\n"
     "  --vlan N                     its VLAN (default 0)\n"
     "  --wwpn WWPN | --wwpn-pool P  the vHBA fc0's WWPN (--no-hba for none)\n"
     "  --uuid UUID | --uuid-pool P  the system UUID\n"
     "  --volume V [--lun N]         the SAN boot volume (default NAME-boot, LUN 0)\n"
     "Placement and policy:\n"
     "  --blade N                    bind to blade N (default: a spare of --pool the service chooses)\n"
     "  --pool P                     spare pool it fails over into\n"
     "  --priority N, --manual       failover priority; no automatic failover\n"
     "  --power on|off               desired power state (default on)\n"
     "  --min-cpus N, --min-memory GIB, --model-family F   hardware requirements\n"
     "The binding runs as a task; cmcctl waits for it unless --no-wait.",
     runServerCreate},
    {"server delete", "NAME [--yes]", "delete a logical server: fenced off its blade, identity released",
     "Asks for confirmation on a terminal; --yes (required when not on a terminal) skips it.", runServerDelete},
    {"server reset", "NAME TYPE", "power a logical server: TYPE On, ForceOff or GracefulShutdown", "", runServerReset},
    {"migrate", "NAME [--to SLOT]", "move a server to blade SLOT, or to a spare of its pool",
     "Graceful shutdown, then the failover steps onto the target. Waits for the task unless --no-wait.", runMigrate},
    {"failover", "NAME", "fail a server over now: the same as `migrate NAME` to any spare of its pool", "",
     runFailover},
    {"failback", "NAME", "move a server back to the blade it failed over from", "", runFailback},
    {"maintenance", "SLOT on|off", "take a blade out of service (no automatic failover from or onto it), or back", "",
     runMaintenance},
    {"repair", "SLOT", "return a Failed or Quarantined blade to service (burned-in addresses back, ports on)", "",
     runRepair},
    {"evacuate", "SLOT", "move the blade's logical server to a spare", "", runEvacuate},
    {"spares", "", "spare pools (ResourceZones) with their blades, and each server's N+M coverage", "", runSpares},
    {"pools", "", "identity pools (MAC, WWPN, IPv4, UUID): range, size, used, free", "", runPools},
    {"failovers", "[--limit N]", "failover and migration tasks: id, kind, server, from, to, state, duration",
     "Newest last; --limit N shows the last N (default all).", runFailovers},
    {"task", "ID", "one task: state, blades, phases with their times and durations", "", runTask},
    {"failover-show", "ID", "the same as `task ID`", "", runTask},
    {"events", "[--limit N]", "cmcd's event log, newest last (default the last 20; --limit 0: all)", "", runEvents},
    {"watch", "[--filter EXPR]", "follow events as they happen (SSE), until Ctrl-C",
     "Streams cmcd's EventService ServerSentEventUri; EXPR is its $filter, e.g.\n"
     "  \"MessageId eq 'OpenCMC.1.0.FailoverCompleted'\" or \"OriginResource eq '/redfish/v1/Systems/web01'\".\n"
     "When cmcd has no EventService yet, cmcctl says so and polls the event log every second instead\n"
     "(then EXPR supports `Property eq 'value'` terms joined by `and`/`or`, on MessageId - whole or its\n"
     "last part - and OriginResource).",
     runWatch},
    {"accounts", "", "accounts of cmcd's AccountService (user, role, enabled, locked)", "", runAccounts},
    {"storm", "", "the failure-storm breaker: tripped or not, why, failures in the window", "", runStorm},
    {"storm ack", "", "acknowledge a failure storm: automatic failover resumes", "", runStormAck},
};

void printHelp() {
    std::cout << globalHelp() << "\nCommands:\n";
    std::size_t w = 0;
    for (const auto& c : kCommands)
        w = std::max(w, c.name.size() + (c.usage.empty() ? 0 : c.usage.size() + 1));
    w = std::min<std::size_t>(w, 34);
    for (const auto& c : kCommands) {
        std::string head = std::string(c.name) + (c.usage.empty() ? "" : " " + std::string(c.usage));
        if (head.size() > w)
            std::cout << "  " << head << "\n  " << std::string(w, ' ') << "  " << c.summary << "\n";
        else
            std::cout << "  " << head << std::string(w - head.size() + 2, ' ') << c.summary << "\n";
    }
    std::cout << "\nOutput: aligned tables; with --json, one JSON document: the Redfish resource as cmcd sent it\n"
                 "for a single resource, an array of row objects for a list, the final Task for a waited task.\n\n"
              << exitCodesHelp();
}

void printCommandHelp(const Command& c) {
    std::cout << "usage: cmcctl [OPTIONS] " << c.name << (c.usage.empty() ? "" : " ") << c.usage << "\n\n"
              << c.summary << "\n";
    if (!c.help.empty()) std::cout << "\n" << c.help << "\n";
    std::cout << "\n" << exitCodesHelp();
}

// The command named by the first one or two words.
const Command* resolve(std::vector<std::string>& words) {
    if (words.size() >= 2) {
        if (const Command* c = findCommand(words[0] + " " + words[1])) {
            words.erase(words.begin(), words.begin() + 2);
            return c;
        }
    }
    if (!words.empty()) {
        if (const Command* c = findCommand(words[0])) {
            words.erase(words.begin());
            return c;
        }
    }
    return nullptr;
}

int run(int argc, char** argv) {
    Options o;
    if (!parseOptions(argc, argv, o)) return kUsage;
    if (!o.words.empty() && o.words[0] == "help") {
        o.words.erase(o.words.begin());
        o.help = true;
    }
    if (o.words.empty()) {
        if (o.help) {
            printHelp();
            return kOk;
        }
        std::cerr << "cmcctl: no command given\n(cmcctl --help lists the commands)\n";
        return kUsage;
    }
    const std::string first = o.words[0];
    const Command* cmd = resolve(o.words);
    if (!cmd) {
        if (o.help) {
            printHelp();
            return kOk;
        }
        std::cerr << "cmcctl: unknown command '" << first << "'\n(cmcctl --help lists the commands)\n";
        return kUsage;
    }
    if (o.help) {
        printCommandHelp(*cmd);
        return kOk;
    }
    Args args(std::string(cmd->name), o.words);
    Context ctx(o);
    return cmd->run(ctx, args);
}

} // namespace

Context::Context(Options& o) : json(o.json), wait(o.wait), waitTimeout(o.waitTimeout), options_(o) {}

Context::~Context() {
    if (client_) client_->logout();
}

int Context::connect() {
    if (loginRc_ >= 0) return loginRc_;
    if (!resolveCredentials(options_)) return loginRc_ = kUsage;
    client_ = std::make_unique<Client>(options_.settings);
    loginRc_ = client_->login();
    return loginRc_;
}

std::span<const Command> commands() {
    return kCommands;
}

const Command* findCommand(std::string_view name) {
    for (const auto& c : kCommands) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

bool Args::flag(std::string_view name) {
    bool found = false;
    for (auto it = words_.begin(); it != words_.end() && *it != "--";) {
        if (*it == name) {
            it = words_.erase(it);
            found = true;
        } else {
            ++it;
        }
    }
    return found;
}

std::optional<std::string> Args::value(std::string_view name) {
    std::optional<std::string> v;
    for (auto it = words_.begin(); it != words_.end() && *it != "--";) {
        if (*it == name) {
            if (it + 1 == words_.end()) {
                usage(std::string(name) + " needs a value");
                words_.erase(it);
                return std::nullopt;
            }
            v = *(it + 1);
            it = words_.erase(it, it + 2);
        } else if (it->size() > name.size() && it->compare(0, name.size(), name) == 0 && (*it)[name.size()] == '=') {
            v = it->substr(name.size() + 1);
            it = words_.erase(it);
        } else {
            ++it;
        }
    }
    return v;
}

std::optional<long> Args::number(std::string_view name, long lo, long hi) {
    auto v = value(name);
    if (!v) return std::nullopt;
    long n = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (v->empty() || ec != std::errc() || p != v->data() + v->size() || n < lo || n > hi) {
        usage(std::string(name) + " wants a number from " + std::to_string(lo) + " to " + std::to_string(hi) +
              ", not '" + *v + "'");
        return std::nullopt;
    }
    return n;
}

bool Args::positionals(std::size_t min, std::size_t max, std::vector<std::string>& out) {
    if (failed_) return false;
    out.clear();
    bool literal = false;
    for (const auto& w : words_) {
        if (!literal && w == "--") {
            literal = true;
            continue;
        }
        if (!literal && w.size() > 1 && w[0] == '-') {
            usage("unknown option '" + w + "'");
            return false;
        }
        out.push_back(w);
    }
    if (out.size() < min) {
        usage(min - out.size() == 1 && min == 1 ? "missing argument" : "missing arguments");
        return false;
    }
    if (out.size() > max) {
        usage("unexpected argument '" + out[max] + "'");
        return false;
    }
    return true;
}

int Args::usage(const std::string& msg) const {
    const_cast<Args*>(this)->failed_ = true;
    const Command* c = findCommand(command_);
    std::cerr << "cmcctl: " << command_ << ": " << msg << "\nusage: cmcctl " << command_;
    if (c && !c->usage.empty()) std::cerr << " " << c->usage;
    std::cerr << "\n";
    return kUsage;
}

} // namespace cmc::cmcctl

int main(int argc, char** argv) {
    try {
        return cmc::cmcctl::run(argc, argv);
    } catch (const std::exception& e) { // out of memory and the like: say so, never a core dump
        std::cerr << "cmcctl: " << e.what() << "\n";
        return cmc::cmcctl::kRefused;
    }
}
