// cmcctl's global options: flags (anywhere on the command line), the
// environment (CMCCTL_*), a JSON config file, and defaults, in that order.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "cmcctl/client.hpp"

namespace cmc::cmcctl {

struct Options {
    Settings settings;
    bool json = false;
    bool help = false;
    bool wait = true;
    std::chrono::seconds waitTimeout{600};
    std::vector<std::string> words; // the command, its arguments and its own options
};

// Parses argv and reads the environment and the config file. On a usage
// error prints "cmcctl: ..." and returns false (exit 2). Credentials are
// resolved (password file read, a prompt on a terminal) only when `needCredentials`.
[[nodiscard]] bool parseOptions(int argc, char** argv, Options& out);
[[nodiscard]] bool resolveCredentials(Options& o);

// The text of `cmcctl --help` up to the command list.
[[nodiscard]] const char* globalHelp();
[[nodiscard]] const char* exitCodesHelp();

} // namespace cmc::cmcctl
