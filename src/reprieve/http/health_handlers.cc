// What an orchestrator and a scraper ask of an instance: GET /healthz (the process answers),
// GET /readyz (it takes traffic: started, not draining, its store serving) and GET /metrics
// (the Prometheus exposition). None reads a resource; health needs no token, metrics none
// from a loopback peer (otherwise the admin API's Owner at root).
#include "reprieve/base/status_macros.h"
#include "reprieve/http/internal/routes.h"

namespace reprieve::http::internal {
namespace {

HttpResponse PlainText(int status, std::string body, std::string content_type) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.SetHeader("Content-Type", std::move(content_type));
  return response;
}

}  // namespace

void AddHealthRoutes(std::vector<Route>& routes) {
  routes.push_back(MakeRoute("/healthz", Access::kPublic, {{"GET", ""}},
                             [](ApiState&, RequestContext&) -> HandlerResult {
                               return PlainText(200, "ok\n", "text/plain; charset=utf-8");
                             }));
  routes.push_back(MakeRoute("/readyz", Access::kPublic, {{"GET", ""}},
                             [](ApiState& api, RequestContext&) -> HandlerResult {
                               if (api.readiness) {
                                 // The ARM envelope says why (draining, the store failing).
                                 REPRIEVE_RETURN_IF_ERROR(api.readiness());
                               }
                               return PlainText(200, "ready\n", "text/plain; charset=utf-8");
                             }));
  routes.push_back(MakeRoute(
      "/metrics", Access::kLoopbackOrRootOwner, {{"GET", ""}},
      [](ApiState& api, RequestContext&) -> HandlerResult {
        if (!api.metrics) {
          return NotFoundError("This instance keeps no metrics.").WithArmCode("NotFound");
        }
        return PlainText(200, api.metrics(), "text/plain; version=0.0.4; charset=utf-8");
      }));
}

}  // namespace reprieve::http::internal
