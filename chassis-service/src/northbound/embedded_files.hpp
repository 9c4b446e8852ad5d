// Files cmcd serves as they are, compiled into the binary by
// embed_files.cmake: DMTF's Base registry (schemas/redfish/dmtf/), the OEM JSON
// schemas (schemas/redfish/OpenCMC*.v*.json) and their CSDL
// (schemas/redfish/csdl/).
#pragma once

#include <string_view>
#include <vector>

namespace cmc::northbound {

struct EmbeddedFile {
    std::string_view name; // "Base.1.22.1.json", "OpenCMCChassis.v1_0_0.json", "OpenCMCChassis_v1.xml"
    std::string_view text;
};

[[nodiscard]] const std::vector<EmbeddedFile>& dmtfRegistryFiles();
[[nodiscard]] const std::vector<EmbeddedFile>& oemJsonSchemaFiles();
[[nodiscard]] const std::vector<EmbeddedFile>& oemCsdlFiles();

// The file called `name`, or nullptr.
[[nodiscard]] inline const EmbeddedFile* findEmbedded(const std::vector<EmbeddedFile>& files, std::string_view name) {
    for (const auto& f : files) {
        if (f.name == name) return &f;
    }
    return nullptr;
}

} // namespace cmc::northbound
