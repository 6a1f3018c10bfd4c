#include "reprieve/http/internal/routes.h"

#include "reprieve/base/check.h"
#include "reprieve/base/strings.h"

namespace reprieve::http::internal {
namespace {

void Parse(Route& route) {
  route.literals.clear();
  route.params.clear();
  for (std::string_view segment : Split(route.pattern, '/')) {
    if (segment.empty()) continue;
    if (segment == "{scope}") {
      REPRIEVE_CHECK(route.literals.empty()) << "{scope} must lead: " << route.pattern;
      route.leading_scope = true;
      continue;
    }
    const bool parameter = segment.front() == '{' && segment.back() == '}';
    route.literals.emplace_back(parameter ? std::string_view() : segment);
    route.params.emplace_back(parameter ? segment.substr(1, segment.size() - 2)
                                        : std::string_view());
  }
  for (const auto& [method, action] : route.actions) {
    const bool needs_action = route.access == Access::kAction ||
                              route.access == Access::kActionOrStarter ||
                              route.access == Access::kGraphWrite;
    REPRIEVE_CHECK(!needs_action || !action.empty())
        << route.pattern << " " << method << " names no action";
  }
}

std::string Join(const std::vector<std::string>& segments, size_t count) {
  if (count == 0) return "/";
  std::string out;
  for (size_t idx = 0; idx < count && idx < segments.size(); ++idx) out += "/" + segments[idx];
  return out;
}

size_t ScopeLength(int spec, size_t total) {
  if (spec > 0) return std::min(static_cast<size_t>(spec), total);
  if (spec < 0) {
    const size_t drop = static_cast<size_t>(-spec);
    return total > drop ? total - drop : 0;
  }
  return total;
}

}  // namespace

RouteTable::RouteTable(std::vector<Route> routes) : routes_(std::move(routes)) {
  for (size_t idx = 0; idx < routes_.size(); ++idx) {
    Route& route = routes_[idx];
    Parse(route);
    if (route.leading_scope) {
      variable_.push_back(idx);
      continue;
    }
    if (fixed_by_length_.size() <= route.literals.size()) {
      fixed_by_length_.resize(route.literals.size() + 1);
    }
    fixed_by_length_[route.literals.size()].push_back(idx);
  }
}

bool RouteTable::Matches(const Route& route, const std::vector<std::string>& segments) {
  const size_t fixed = route.literals.size();
  if (route.leading_scope) {
    if (segments.size() < fixed) return false;
    const size_t offset = segments.size() - fixed;
    for (size_t idx = 0; idx < fixed; ++idx) {
      const std::string& literal = route.literals[idx];
      if (!literal.empty() && !EqualsIgnoreCase(literal, segments[offset + idx])) return false;
    }
    return true;
  }
  if (segments.size() != fixed) return false;
  for (size_t idx = 0; idx < fixed; ++idx) {
    const std::string& literal = route.literals[idx];
    if (!literal.empty() && !EqualsIgnoreCase(literal, segments[idx])) return false;
  }
  return true;
}

const Route* RouteTable::Match(const std::vector<std::string>& segments,
                              const std::string& method) const {
  // The first route whose pattern matches decides; a route of the same pattern further on
  // may serve other methods of it (Graph's reads and writes differ in access).
  const std::string_view lookup = method == "HEAD" ? std::string_view("GET") : method;
  const auto serves = [&](const Route& route) {
    for (const auto& [served, action] : route.actions) {
      if (served == method || served == lookup) return true;
    }
    return false;
  };
  static const std::vector<size_t> kNone;
  const std::vector<size_t>& fixed =
      segments.size() < fixed_by_length_.size() ? fixed_by_length_[segments.size()] : kNone;
  const Route* first = nullptr;
  size_t fixed_at = 0;
  size_t variable_at = 0;
  while (fixed_at < fixed.size() || variable_at < variable_.size()) {
    const bool take_fixed = variable_at == variable_.size() ||
                            (fixed_at < fixed.size() && fixed[fixed_at] < variable_[variable_at]);
    const Route& route = routes_[take_fixed ? fixed[fixed_at++] : variable_[variable_at++]];
    if (first != nullptr ? route.pattern != first->pattern : !Matches(route, segments)) continue;
    if (serves(route)) return &route;
    if (first == nullptr) first = &route;
  }
  return first;
}

Operation RouteTable::Resolve(const Route& route, const std::vector<std::string>& segments,
                              const std::string& method) {
  Operation op;
  op.route = &route;
  op.policy = route.policy;
  const std::string& lookup = method == "HEAD" ? std::string("GET") : method;
  for (const auto& [served_method, action] : route.actions) {
    if (served_method == method || served_method == lookup) {
      op.action = action;
      op.served = true;
      break;
    }
  }
  if (op.action.find('{') != std::string::npos) {
    const size_t offset = route.leading_scope ? segments.size() - route.literals.size() : 0;
    for (size_t idx = 0; idx < route.params.size(); ++idx) {
      if (route.params[idx].empty()) continue;
      const std::string token = "{" + route.params[idx] + "}";
      for (size_t at = op.action.find(token); at != std::string::npos;
           at = op.action.find(token)) {
        op.action.replace(at, token.size(), segments[offset + idx]);
      }
    }
  }
  if (route.leading_scope) {
    op.scope = Join(segments, segments.size() - route.literals.size());
  } else {
    op.scope = Join(segments, ScopeLength(route.scope_segments, segments.size()));
  }
  if (!route.also_action.empty()) {
    op.also_action = route.also_action;
    op.also_scope = Join(segments, ScopeLength(route.also_scope_segments, segments.size()));
  }
  return op;
}

Route MakeRoute(std::string pattern, Access access, Methods actions, RouteHandler handler) {
  Route route;
  route.pattern = std::move(pattern);
  route.access = access;
  route.actions = std::move(actions);
  route.handler = std::move(handler);
  return route;
}

Route MakeRoute(std::string pattern, Access access, Methods actions,
                std::function<HandlerResult(ApiState&, RequestContext&)> handler) {
  return MakeRoute(std::move(pattern), access, std::move(actions),
                   RouteHandler([handler = std::move(handler)](
                                    ApiState& state, RequestContext& ctx,
                                    const Operation&) { return handler(state, ctx); }));
}

std::string AllowedMethods(const Route& route) {
  std::string out;
  for (const auto& [method, action] : route.actions) {
    if (!out.empty()) out += ", ";
    out += method;
  }
  return out;
}

RouteTable BuildRouteTable(const core::PolicyCatalog& catalog) {
  std::vector<Route> routes;
  AddIdentityRoutes(routes);
  AddGraphRoutes(routes);
  AddAdminRoutes(routes);
  AddResourceRoutes(catalog, routes);
  AddRbacRoutes(routes);
  AddTenancyRoutes(routes);
  AddActivityRoutes(routes);
  AddEventGridRoutes(routes);
  AddRecycleBinRoutes(routes);
  AddHealthRoutes(routes);
  AddWebRoutes(routes);
  AddResourceFallbackRoutes(routes);
  return RouteTable(std::move(routes));
}

}  // namespace reprieve::http::internal
