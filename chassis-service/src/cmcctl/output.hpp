// cmcctl's output: values read from untrusted JSON through the accessor
// layer ("-" for anything missing or of the wrong type), aligned tables and
// key/value blocks for people, and JSON for scripts.
#pragma once

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cmc::cmcctl {

using json = nlohmann::json;

// The value at a path of object keys, or nullptr (missing, null, not an object on the way).
[[nodiscard]] const json* at(const json& j, std::initializer_list<std::string_view> path);
// A scalar at `path` as text: strings as they are, numbers, booleans "yes"/"no"; "-" otherwise.
[[nodiscard]] std::string cell(const json& j, std::initializer_list<std::string_view> path);
[[nodiscard]] std::string cellOf(const json* v);
// The value at `path` for a JSON row: scalars copied, anything else null.
[[nodiscard]] json field(const json& j, std::initializer_list<std::string_view> path);
// The "@odata.id" of a link (object) at `path`, else "".
[[nodiscard]] std::string linkAt(const json& j, std::initializer_list<std::string_view> path);
// The first "@odata.id" of an array of links at `path`, else "".
[[nodiscard]] std::string firstLinkAt(const json& j, std::initializer_list<std::string_view> path);
// The slot of ".../blade-7" (Chassis, ResourceBlock), or nullopt.
[[nodiscard]] std::optional<int> slotOfUri(const std::string& uri);
// The last path segment of a URI ("/redfish/v1/TaskService/Tasks/7" -> "7").
[[nodiscard]] std::string lastSegment(const std::string& uri);
// "850 ms", "2.4 s", "3 min 5 s" of milliseconds; "-" when absent.
[[nodiscard]] std::string duration(const json* ms);
// A blade argument ("7" or "blade-7") as a slot, or nullopt.
[[nodiscard]] std::optional<int> parseSlot(const std::string& s);
// A name that is safe in a URI path segment: [A-Za-z0-9._-]+.
[[nodiscard]] bool validName(const std::string& s);
// "value (note)", or "value" when the note is "-" or empty.
[[nodiscard]] std::string withNote(const std::string& value, const std::string& note);
// A slot as text, "-" when absent.
[[nodiscard]] std::string slotText(const std::optional<int>& slot);
[[nodiscard]] json slotJson(const std::optional<int>& slot);

// "/redfish/v1/Systems/web01" -> "Systems/web01" ("-" when empty).
[[nodiscard]] std::string shortUri(const std::string& uri);
// The slots of the blades named by the links at `path` ("3, 13"), "-" when none.
[[nodiscard]] std::string slotsOfLinks(const json& j, std::initializer_list<std::string_view> path);
// The string `key` of each element of the array at `path`.
[[nodiscard]] json stringsAt(const json& j, std::initializer_list<std::string_view> path, std::string_view key);
// The strings of an array joined with ", " ("-" when empty).
[[nodiscard]] std::string joined(const json& a);
// Resources in the order of their numeric "Id" (tasks, events).
void sortByNumericId(std::vector<json>& v);

class Table {
public:
    explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    [[nodiscard]] std::size_t size() const { return rows_.size(); }
    void print(std::ostream& os) const;

private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

// "Key:   value" lines, aligned.
class KeyValues {
public:
    void add(std::string key, std::string value) { rows_.emplace_back(std::move(key), std::move(value)); }
    void print(std::ostream& os) const;

private:
    std::vector<std::pair<std::string, std::string>> rows_;
};

// Pretty JSON on stdout (two-space indent, invalid UTF-8 replaced).
void printJson(const json& j);

} // namespace cmc::cmcctl
