// The route table: the one list of every request Reprieve serves. Each route resolves a
// request to a typed Operation — Azure's action string for the method, the ARM scope the
// action is evaluated on, and the resource type's policy — before anything else happens;
// authentication and authorization run on the operation, then the route's handler. The
// provider listing, the authorization tests and the API docs are checked against it.
// Internal to reprieve_http.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reprieve/core/policy/policy_catalog.h"
#include "reprieve/http/internal/context.h"

namespace reprieve::http::internal {

// Who may call a route.
enum class Access {
  kPublic,      // no token: discovery, token endpoints, cloud metadata
  kSignedIn,    // any authenticated principal (answers are filtered to what it may see)
  kAction,      // the principal must be granted the method's action at the scope (RBAC)
  kActionOrStarter,  // kAction, or the principal started the operation the route shows
  kRootOwner,   // Owner at root scope ("/"): the admin API
  kLoopbackOrRootOwner,  // no token from a loopback peer; else kRootOwner (/metrics)
  kGraphRead,   // a Graph token of any principal of the directory
  kGraphWrite,  // a Graph token whose principal holds the method's action at "/"
};

struct Route;

// A request resolved by the table.
struct Operation {
  const Route* route = nullptr;
  bool served = false;  // the route serves the request's method
  std::string action;  // Azure's action string for this method ("" for kPublic/kSignedIn)
  std::string scope;   // the ARM scope the action is evaluated on
  const core::TypePolicy* policy = nullptr;  // the resource type, where the route has one
  // A second action the caller must hold, and where: API Management's purge also needs
  // deletedservices/read at subscription scope.
  std::string also_action;
  std::string also_scope;
};

using RouteHandler = std::function<HandlerResult(ApiState&, RequestContext&, const Operation&)>;
// Method → action.
using Methods = std::vector<std::pair<std::string, std::string>>;

struct Route {
  // "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/..."; a
  // leading "{scope}" matches any number of segments (RBAC's extension routes).
  std::string pattern;
  Access access = Access::kAction;
  // Method → action; "HEAD" falls back to "GET". "{name}" in an action is replaced by the
  // segment the pattern's parameter of that name matched ("{ns}/register/action"). An empty action under kAction/kGraphWrite
  // is refused: every authorized method names its action.
  Methods actions;
  const core::TypePolicy* policy = nullptr;
  // How many leading segments form the scope (0: all; a negative n: all but the last -n).
  int scope_segments = 0;
  // Set when the route has a second action (see Operation::also_action); its scope is the
  // first `also_scope_segments` segments.
  std::string also_action;
  int also_scope_segments = 0;
  bool graph = false;  // a Graph route: its tokens carry the Graph audience
  RouteHandler handler;

  // Parsed pattern.
  std::vector<std::string> literals;  // "" for a parameter
  std::vector<std::string> params;    // the parameter's name ("ns" for "{ns}"), "" for a literal
  bool leading_scope = false;
};

class RouteTable {
 public:
  explicit RouteTable(std::vector<Route> routes);

  // The first route whose pattern matches `segments` and that serves `method` (table order
  // is priority); else the first whose pattern matches (it answers 405); else null.
  const Route* Match(const std::vector<std::string>& segments, const std::string& method) const;

  // The operation `route` makes of a request with these segments and method; the action is
  // empty if the route does not serve the method.
  static Operation Resolve(const Route& route, const std::vector<std::string>& segments,
                           const std::string& method);

  const std::vector<Route>& routes() const { return routes_; }

 private:
  static bool Matches(const Route& route, const std::vector<std::string>& segments);
  std::vector<Route> routes_;
  // Indexes of the routes to try for a path of n segments, in table order: those of exactly
  // n segments, then merged with those of variable length.
  std::vector<std::vector<size_t>> fixed_by_length_;
  std::vector<size_t> variable_;
};

// A route of `pattern`; `handler` may take the operation or not.
Route MakeRoute(std::string pattern, Access access, Methods actions, RouteHandler handler);
Route MakeRoute(std::string pattern, Access access, Methods actions,
                std::function<HandlerResult(ApiState&, RequestContext&)> handler);

// "GET, PUT, ..." of the methods a route serves.
std::string AllowedMethods(const Route& route);

// The routes of each handler family, in priority order; the table is their concatenation:
// resources (generated from the catalog), RBAC, tenancy, identity and Graph, admin, and the
// fallbacks that explain unknown namespaces and types.
void AddResourceRoutes(const core::PolicyCatalog& catalog, std::vector<Route>& routes);
void AddResourceFallbackRoutes(std::vector<Route>& routes);
void AddRbacRoutes(std::vector<Route>& routes);
void AddTenancyRoutes(std::vector<Route>& routes);
void AddIdentityRoutes(std::vector<Route>& routes);
void AddGraphRoutes(std::vector<Route>& routes);
void AddAdminRoutes(std::vector<Route>& routes);
void AddActivityRoutes(std::vector<Route>& routes);
void AddEventGridRoutes(std::vector<Route>& routes);
void AddRecycleBinRoutes(std::vector<Route>& routes);
void AddWebRoutes(std::vector<Route>& routes);
void AddHealthRoutes(std::vector<Route>& routes);

// The whole table for `catalog`.
RouteTable BuildRouteTable(const core::PolicyCatalog& catalog);

}  // namespace reprieve::http::internal
