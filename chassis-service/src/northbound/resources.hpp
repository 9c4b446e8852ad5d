// Internal to northbound/: helpers shared by the resource files and their
// route registrations.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <exception>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/router.hpp"
#include "northbound/backend.hpp"

namespace cmc::redfish {
class SessionService;
}

namespace cmc::northbound {

using json = nlohmann::json;

// "blade-7" with prefix "blade-" -> 7; nullopt for anything else (no leading zeros).
[[nodiscard]] std::optional<int> slotFromId(const std::string& id, std::string_view prefix);
// null for an unknown (empty) string.
[[nodiscard]] json orNull(const std::string& s);
// Sets a 200 JSON answer (with ETag) on the response.
void reply(const http::AsyncResp& res, const json& body);
// The 200 JSON answer (with ETag) of `body`.
[[nodiscard]] http::Response jsonOk(const json& body);
// 204 No Content (a DELETE done).
[[nodiscard]] http::Response noContent();
// 500 with a DMTF body: what a handler that threw answers (northbound.cpp's run() and guarded()).
[[nodiscard]] http::Response internalError();

// The URIs of the composition resources.
[[nodiscard]] std::string systemUri(const std::string& name);
[[nodiscard]] std::string blockUri(int slot);
[[nodiscard]] std::string zoneUri(const std::string& pool);
[[nodiscard]] std::string taskUri(std::int64_t id);
inline constexpr std::string_view kBlocksUri = "/redfish/v1/CompositionService/ResourceBlocks";

// The request body of a write as a JSON object (MalformedJSON, UnsupportedMediaType
// otherwise); with `emptyIsObject` an empty body reads as {} (actions without parameters).
[[nodiscard]] bool readBody(const http::Request& req, json& out, http::Response& error, bool emptyIsObject = false);
// Reads the properties of a write request with their types checked. Every
// problem is collected with its property path ("Oem/OpenCMC/VNICs/0/VLAN")
// and answered together in one 400. Missing and null read as absent.
class WriteReader {
public:
    // The members of `o` (at `path`, "" for the body) other than `writable`:
    // PropertyNotWritable when listed in `readOnly`, PropertyUnknown otherwise.
    // "@odata." annotations are ignored.
    void only(const json& o, const std::string& path, std::initializer_list<std::string_view> writable,
              std::initializer_list<std::string_view> readOnly);
    [[nodiscard]] std::optional<std::string> str(const json& o, std::string_view key, const std::string& path);
    [[nodiscard]] std::optional<std::int64_t> integer(const json& o, std::string_view key, const std::string& path,
                                                      std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
                                                      std::int64_t hi = std::numeric_limits<std::int64_t>::max());
    [[nodiscard]] std::optional<bool> boolean(const json& o, std::string_view key, const std::string& path);
    [[nodiscard]] const json* object(const json& o, std::string_view key, const std::string& path);
    [[nodiscard]] const json* array(const json& o, std::string_view key, const std::string& path);

    // Records a problem (a Base message; its RelatedProperties name the path).
    void add(json message);
    [[nodiscard]] bool failed() const { return !problems_.empty(); }
    // A problem was recorded at `path`.
    [[nodiscard]] bool failed(const std::string& path) const;
    // 400 with every problem.
    [[nodiscard]] http::Response response() const;
    // DSP0266 PATCH: every problem is an unknown or read-only property (from
    // only()), so the rest of the request may apply; answer applied() then.
    [[nodiscard]] bool onlySkipped() const;
    // The messages of the properties only() skipped.
    [[nodiscard]] std::vector<json> skipped() const;
    // 200 with the changed resource and the skipped properties' messages in
    // @Message.ExtendedInfo (the ETag is the resource's).
    [[nodiscard]] static http::Response applied(json resource, std::vector<json> skipped);
    // A value as text for a message (shortened).
    [[nodiscard]] static std::string shown(const json& v);

private:
    std::vector<json> problems_;
    std::vector<std::string> paths_;
    std::vector<bool> skippable_; // per problem: an unknown or read-only property
};

// The answer to the GET of a resource that is a pure function of one domain
// view, kept with the view it was built from: while a new request's view
// compares equal, the same bytes (body and ETag) are sent again, and no JSON
// is built or serialised. A view that differs in anything, even a field the
// resource does not show, rebuilds: a stale answer is impossible, a needless
// rebuild only costs time. One cache per route, on the io_context thread only.
template <class Key, class View> class ViewCache {
public:
    // Answers `res` with build(view) (a json), from the cache when it can.
    template <class Build> void reply(const http::AsyncResp& res, const Key& key, View view, Build&& build) {
        if (auto it = entries_.find(key); it != entries_.end() && it->second.view == view) {
            res->res = it->second.response;
            return;
        }
        http::Response r = jsonOk(build(view));
        if (entries_.size() >= kCapacity) entries_.clear(); // keys come from the model: a bound, not a policy
        entries_.insert_or_assign(key, Entry{std::move(view), r});
        res->res = std::move(r);
    }

private:
    static constexpr std::size_t kCapacity = 4096;
    struct Entry {
        View view;
        http::Response response;
    };
    std::map<Key, Entry> entries_;
};

// A Base message with the service's explanation (the backend's OperationResult
// message) put before its Resolution.
[[nodiscard]] json explained(json message, const std::string& why);
// The default answer to a refused operation: NotFound 404 ResourceNotFound,
// Conflict 409 ResourceInUse, BadRequest 400 PropertyValueIncorrect naming
// `property`, Unavailable 503 ServiceTemporarilyUnavailable. Resources that
// know better (a reference inside a POST body) map those cases themselves.
[[nodiscard]] http::Response operationError(const domain::OperationResult& r);
// Redfish Status.Health of a blade health state.
[[nodiscard]] const char* statusHealthOf(domain::HealthState h);

// Runs the body of a backend callback: an exception there is reported and
// answered as an internal error (run() guards only the synchronous part).
template <class F> void guarded(Backend& b, const std::string& what, const http::AsyncResp& res, F&& fn) noexcept {
    try {
        try {
            fn();
        } catch (const std::exception& e) {
            res->res = internalError();
            b.reportFailure("northbound " + what, e.what());
        } catch (...) {
            res->res = internalError();
            b.reportFailure("northbound " + what, "unknown exception");
        }
    } catch (...) { // reporting failed (out of memory): the answer is already the 500
    }
}

// tasks.cpp: the Task of a failover, and the 202 Accepted answer of an
// operation that started one (Location: the task, body: the Task).
[[nodiscard]] json taskJson(Backend& b, const domain::Failover& f);
void replyAccepted(const http::AsyncResp& res, Backend& b, std::int64_t taskId);
// The task link of a failover id, or null.
[[nodiscard]] json taskLink(const std::optional<std::int64_t>& id);

// Each resource file registers its routes.
void addServiceRootRoutes(http::Router& r, Backend& b);
void addChassisRoutes(http::Router& r, Backend& b);
void addManagerRoutes(http::Router& r, Backend& b);
void addRegistryRoutes(http::Router& r, Backend& b);
// metadata.cpp: /redfish/v1/odata, $metadata, JsonSchemas and the schema files;
// chassis_enclosure.cpp: the enclosure's power, thermal and sensor resources.
void addMetadataRoutes(http::Router& r, Backend& b);
void addEnclosureRoutes(http::Router& r, Backend& b);
void addSessionRoutes(http::Router& r, Backend& b, redfish::SessionService& sessions);
// accounts.cpp: AccountService, Accounts, Roles (ends the sessions of changed accounts).
void addAccountRoutes(http::Router& r, Backend& b, redfish::SessionService& sessions);
void addSystemRoutes(http::Router& r, Backend& b);
void addCompositionRoutes(http::Router& r, Backend& b);
void addTaskRoutes(http::Router& r, Backend& b);
// certificates.cpp: CertificateService, NetworkProtocol and its HTTPS certificate.
void addCertificateRoutes(http::Router& r, Backend& b);
// metrics.cpp: GET /metrics (Prometheus text).
void addMetricsRoutes(http::Router& r, Backend& b);
// event_service.cpp: EventService, SSE, Subscriptions, SubmitTestEvent.
void addEventServiceRoutes(http::Router& r, Backend& b);

} // namespace cmc::northbound
