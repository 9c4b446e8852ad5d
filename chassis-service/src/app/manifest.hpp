// The rack manifest (schemas/sim/rack-manifest.schema.json): what cmcd
// imports for discovery. Parsing is pure and never throws: a bad chassis
// section or top-level key is an error naming the key (cmcd exits 2); a bad
// blade entry is skipped with a message naming the entry and the key.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"

namespace cmc::app {

struct ParsedManifest {
    std::optional<domain::Chassis> chassis;
    std::optional<std::string> control; // the fabric's management URL
    std::vector<domain::Blade> blades;  // valid entries, distinct slots
    std::vector<std::string> skipped;   // "blade entry 3 skipped: 'ipmi.port' must be ..."
};

// Empty string on success, else the message (the manifest is unusable).
[[nodiscard]] std::string parseManifest(const std::string& text, ParsedManifest& out);
[[nodiscard]] std::string readManifestFile(const std::string& path, ParsedManifest& out);

} // namespace cmc::app
