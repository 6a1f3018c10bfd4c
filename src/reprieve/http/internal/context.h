// Per-request state shared by the ARM API's handlers. Internal to reprieve_http.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reprieve/base/clock.h"
#include "reprieve/base/random.h"
#include "reprieve/base/result.h"
#include "reprieve/core/ports/telemetry.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/http/arm_api.h"
#include "reprieve/http/http_message.h"
#include "reprieve/http/internal/render_cache.h"

namespace reprieve::http::internal {

class AccessControl;
class RouteTable;
class TokenService;
struct AccessSnapshot;

// What the handlers share across requests.
struct ApiState {
  core::ResourceService& service;
  const Clock& clock;
  RandomSource& random;
  ManualClock* manual_clock;              // null unless --clock manual
  std::function<int64_t()> sweep_now;     // runs the purge sweeper at once; may be empty
  std::string default_tenant;             // tenant of managed-identity tokens
  AuthMode auth_mode;
  bool managed_identity;                  // /reprieve/msi/token serves tokens
  AccessControl& access;
  TokenService& tokens;
  const RouteTable& routes;
  RenderCache rendered{};                 // JSON text of the resources recently answered
  // How long operations run and which fail; null: every operation finishes in its request.
  core::OperationSchedule* operations = nullptr;
  int retry_after_seconds = 1;            // Retry-After on operation answers and polls
  core::Telemetry* telemetry = &core::NoTelemetry();  // never null
  std::function<std::string()> metrics{};  // the /metrics exposition; may be empty
  std::function<Status()> readiness{};     // /readyz; may be empty (always ready)
  bool log_requests = false;               // one log line per answered request
};

struct RequestContext {
  const HttpRequest& request;
  std::vector<std::string> segments;                         // decoded path segments
  std::vector<std::pair<std::string, std::string>> query;    // names lower-case, decoded
  std::string path;                                          // decoded path, for messages
  std::string base_url;                                      // "https://host:port"
  std::string request_id;
  std::string api_version;  // as sent; empty if absent
  core::Principal caller;   // for systemData.createdBy / lastModifiedBy and their types
  Timestamp now{};
  // The authenticated principal's object id (lower-case). Refers to a constant or to the
  // thread's remembered token, which outlive the request.
  std::string_view caller_object_id{};
  // The access snapshot the request was authorized against (null for public routes).
  std::shared_ptr<const AccessSnapshot> access{};
  bool oauth_errors = false;  // errors answer in OAuth's shape (token endpoints)
  // Access::kActionOrStarter: the denial to answer unless the caller started the operation.
  Status denied{};
  // The route's action and scope for this request (the activity log records them), and the
  // correlation id its answer carries.
  std::string action{};
  std::string scope{};
  std::string correlation_id{};
  // The route table's pattern of the route that matched (metrics and logs); empty if none.
  std::string_view route{};

  // The first query value with this lower-case name.
  std::optional<std::string> Query(std::string_view lower_name) const {
    for (const auto& [name, value] : query) {
      if (name == lower_name) return value;
    }
    return std::nullopt;
  }
  bool SegmentIs(size_t index, std::string_view literal) const;
};

// A handler's answer: a response, or the Status that arm_api.cc maps to the wire.
using HandlerResult = Result<HttpResponse>;

// GET/POST /reprieve/msi/token: an access token the way a managed-identity endpoint answers
// (for `az login --identity`). Unauthenticated.
HandlerResult ManagedIdentityToken(ApiState& state, const RequestContext& ctx);
// GET /reprieve/admin/signingKeys (the JWKS and the current key id); POST .../rotate.
HandlerResult SigningKeys(ApiState& state, RequestContext& ctx);

}  // namespace reprieve::http::internal
