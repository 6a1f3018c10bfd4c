// The portal: web/'s files, embedded in the binary, served at / (the recycle bin),
// /resources (live resources) and /assets/*, under a strict Content-Security-Policy. The
// page calls the same ARM API as every other client, as its signed-in principal, so these
// routes need no token: they serve the same bytes to everyone.
#include <unordered_map>

#include "reprieve/base/strings.h"
#include "reprieve/http/internal/crypto.h"
#include "reprieve/http/internal/routes.h"
#include "reprieve/web/assets.h"

namespace reprieve::http::internal {
namespace {

struct Served {
  const web::WebAsset* asset;
  std::string etag;
};

// The assets by path, with their ETags, computed once.
const std::unordered_map<std::string, Served>& Catalog() {
  static const auto* const kCatalog = [] {
    auto* catalog = new std::unordered_map<std::string, Served>();
    for (const web::WebAsset& asset : web::Assets()) {
      catalog->emplace(std::string(asset.path),
                       Served{&asset, "\"" + ContentHash(asset.body) + "\""});
    }
    return catalog;
  }();
  return *kCatalog;
}

HandlerResult ServeAsset(const RequestContext& ctx, const std::string& path) {
  const auto& catalog = Catalog();
  const auto it = catalog.find(path);
  if (it == catalog.end()) {
    return NotFoundError("The portal has no file '" + ctx.path + "'.").WithArmCode("NotFound");
  }
  const Served& served = it->second;
  HttpResponse response;
  if (ctx.request.Header("if-none-match") == served.etag) {
    response.status = 304;
  } else {
    response.status = 200;
    response.body = std::string(served.asset->body);
  }
  response.SetHeader("Content-Type", std::string(served.asset->content_type));
  response.SetHeader("ETag", served.etag);
  // Cache-Control: no-cache comes with every answer: browsers revalidate by the ETag.
  response.SetHeader("X-Content-Type-Options", "nosniff");
  response.SetHeader("Content-Security-Policy",
                     "default-src 'self'; script-src 'self'; style-src 'self'; "
                     "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                     "base-uri 'none'; form-action 'self'");
  response.SetHeader("Referrer-Policy", "no-referrer");
  return response;
}

}  // namespace

void AddWebRoutes(std::vector<Route>& routes) {
  // The views are one document; the script renders the one its path names.
  for (const char* view : {"/", "/resources"}) {
    routes.push_back(MakeRoute(view, Access::kPublic, {{"GET", ""}},
                               [](ApiState&, RequestContext& ctx) {
                                 return ServeAsset(ctx, "/index.html");
                               }));
  }
  routes.push_back(MakeRoute("/assets/{file}", Access::kPublic, {{"GET", ""}},
                             [](ApiState&, RequestContext& ctx) {
                               return ServeAsset(ctx, "/assets/" + ctx.segments[1]);
                             }));
}

}  // namespace reprieve::http::internal
