// Per-request state shared by the ARM API's handlers. Internal to reprieve_http.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reprieve/base/clock.h"
#include "reprieve/base/random.h"
#include "reprieve/base/result.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/http/http_message.h"
#include "reprieve/http/internal/render_cache.h"

namespace reprieve::http::internal {

// What the handlers share across requests.
struct ApiState {
  core::ResourceService& service;
  const Clock& clock;
  RandomSource& random;
  ManualClock* manual_clock;              // null unless --clock manual
  std::function<int64_t()> sweep_now;     // runs the purge sweeper at once; may be empty
  std::string default_tenant;             // tenant of managed-identity tokens
  RenderCache rendered{};                 // JSON text of the resources recently answered
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

// Entry points implemented in resource_handlers.cc and tenancy_handlers.cc. Each returns
// std::nullopt when the path is not one of its routes.
std::optional<HandlerResult> RouteResources(ApiState& state, RequestContext& ctx);
std::optional<HandlerResult> RouteTenancy(ApiState& state, RequestContext& ctx);
std::optional<HandlerResult> RouteAdmin(ApiState& state, RequestContext& ctx);
// GET/POST /reprieve/msi/token: an access token the way a managed-identity endpoint answers
// (for `az login --identity`). Unauthenticated.
HandlerResult ManagedIdentityToken(ApiState& state, const RequestContext& ctx);

}  // namespace reprieve::http::internal
