// Handlers for the subscription-level ARM surface (subscriptions, tenants, providers,
// resource groups and their operation results, the cloud metadata document) and for
// Reprieve's admin API (/reprieve/admin/...: clock, tenants, subscriptions).
#include <boost/json.hpp>

#include <algorithm>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/policy/policy_catalog.h"
#include "reprieve/http/internal/access_control.h"
#include "reprieve/http/internal/context.h"
#include "reprieve/http/internal/operations.h"
#include "reprieve/http/internal/routes.h"
#include "reprieve/http/internal/token_service.h"
#include "reprieve/http/internal/wire.h"

namespace reprieve::http::internal {
namespace json = boost::json;
using core::TypePolicy;

namespace {

// Regions listed for every resource type; Reprieve accepts any location string.
constexpr const char* kLocations[] = {"East US",     "East US 2",      "West US",
                                      "West US 2",   "Central US",     "South Central US",
                                      "North Europe", "West Europe",   "UK South",
                                      "Southeast Asia", "Japan East",  "Australia East"};

const TypePolicy& ResourcesPolicy(const ApiState& state) {
  return *state.service.catalog().Find(core::kResourceGroupType);
}

json::object ResourceTypeObject(std::string name, const TypePolicy& policy) {
  json::array locations;
  for (const char* location : kLocations) locations.emplace_back(location);
  json::array versions;
  for (const std::string& version : policy.api_versions) versions.emplace_back(version);
  return json::object{{"resourceType", std::move(name)},
                      {"locations", std::move(locations)},
                      {"apiVersions", std::move(versions)},
                      {"capabilities", "None"}};
}

json::object ProviderObject(const ApiState& state, const std::string& subscription,
                            const std::string& ns) {
  json::array types;
  std::vector<std::string> listed;
  // Each resource type once; a shared one (locations, operation URLs) takes the versions of
  // the namespace's first type.
  const auto add = [&](const std::string& name, const TypePolicy& policy) {
    for (const std::string& seen : listed) {
      if (EqualsIgnoreCase(seen, name)) return;
    }
    listed.push_back(name);
    types.push_back(ResourceTypeObject(name, policy));
  };
  std::string canonical_ns = ns;
  // The namespace's resource types are what the route table serves under
  // /providers/{ns}/: the literal segments of each readable route after the namespace.
  for (const Route& route : state.routes.routes()) {
    if (route.policy == nullptr || !EqualsIgnoreCase(route.policy->Namespace(), ns)) continue;
    const bool readable = std::any_of(route.actions.begin(), route.actions.end(),
                                      [](const auto& entry) { return entry.first == "GET"; });
    if (!readable) continue;
    canonical_ns = route.policy->Namespace();
    std::string type;
    bool after_namespace = false;
    for (size_t idx = 0; idx < route.literals.size(); ++idx) {
      const std::string& literal = route.literals[idx];
      if (after_namespace && !literal.empty()) {
        type += (type.empty() ? "" : "/") + literal;
      } else if (idx > 0 && EqualsIgnoreCase(route.literals[idx - 1], "providers") &&
                 EqualsIgnoreCase(literal, canonical_ns)) {
        after_namespace = true;
      }
    }
    // az resolves ids under .../locations/... through the "locations" type's versions.
    if (type.rfind("locations/", 0) == 0) add("locations", *route.policy);
    if (!type.empty()) add(type, *route.policy);
  }
  if (EqualsIgnoreCase(ns, "Microsoft.Resources")) {
    const TypePolicy& resources = ResourcesPolicy(state);
    canonical_ns = resources.Namespace();
    add("resourceGroups", resources);
    add("subscriptions", resources);
    add("tenants", resources);
    add("operationresults", resources);
  }
  return json::object{{"id", "/subscriptions/" + subscription + "/providers/" + canonical_ns},
                      {"namespace", canonical_ns},
                      {"registrationState", "Registered"},
                      {"registrationPolicy", "RegistrationRequired"},
                      {"resourceTypes", std::move(types)}};
}

HandlerResult Providers(ApiState& state, const RequestContext& ctx) {
  const auto& seg = ctx.segments;
  REPRIEVE_RETURN_IF_ERROR(RequireApiVersion(ctx, ResourcesPolicy(state)));
  REPRIEVE_RETURN_IF_ERROR(state.service.tenancy().GetSubscription(seg[1]).status());
  if (seg.size() == 3) {
    if (ctx.request.method != "GET") return MethodNotAllowed(ctx, "GET");
    json::array providers;
    for (const std::string& ns : state.service.catalog().Namespaces()) {
      providers.push_back(ProviderObject(state, seg[1], ns));
    }
    return JsonResponse(200, json::object{{"value", std::move(providers)}});
  }
  if (state.service.catalog().InNamespace(seg[3]).empty()) {
    return NotFoundError("The resource provider '" + seg[3] + "' is not served by Reprieve.")
        .WithArmCode("InvalidResourceNamespace");
  }
  const bool register_call = seg.size() == 5;
  if (register_call ? ctx.request.method != "POST" : ctx.request.method != "GET") {
    return MethodNotAllowed(ctx, register_call ? "POST" : "GET");
  }
  return JsonResponse(200, ProviderObject(state, seg[1], seg[3]));
}

HandlerResult Subscriptions(ApiState& state, const RequestContext& ctx) {
  if (ctx.request.method != "GET") return MethodNotAllowed(ctx, "GET");
  REPRIEVE_RETURN_IF_ERROR(RequireApiVersion(ctx, ResourcesPolicy(state)));
  if (ctx.segments.size() == 2) {
    REPRIEVE_ASSIGN_OR_RETURN(const core::ResourceRecord record,
                              state.service.tenancy().GetSubscription(ctx.segments[1]));
    return JsonResponse(200, SubscriptionObject(record));
  }
  REPRIEVE_ASSIGN_OR_RETURN(const int limit, PageSize(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const std::string after, PageCursor(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const core::Page page, state.service.tenancy().ListSubscriptions(after, limit));
  json::array items;
  // A principal sees the subscriptions in which it holds a role, at any scope.
  for (const core::ResourceRecord& record : page.items) {
    if (ctx.access->evaluator.HasAnyRoleTouching(ctx.caller_object_id,
                                                 "/subscriptions/" + record.name)) {
      items.push_back(SubscriptionObject(record));
    }
  }
  return ListResponse(ctx, std::move(items), page);
}

json::object TenantObject(const core::ResourceRecord& record) {
  std::error_code ec;
  json::value stored = json::parse(record.body, ec);
  json::object out = (!ec && stored.is_object()) ? stored.as_object() : json::object();
  out["id"] = "/tenants/" + record.name;
  out["tenantId"] = record.name;
  out["tenantCategory"] = "Home";
  return out;
}

HandlerResult Tenants(ApiState& state, const RequestContext& ctx) {
  if (ctx.request.method != "GET") return MethodNotAllowed(ctx, "GET");
  REPRIEVE_RETURN_IF_ERROR(RequireApiVersion(ctx, ResourcesPolicy(state)));
  REPRIEVE_ASSIGN_OR_RETURN(const int limit, PageSize(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const std::string after, PageCursor(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const core::Page page, state.service.tenancy().ListTenants(after, limit));
  json::array items;
  for (const core::ResourceRecord& record : page.items) items.push_back(TenantObject(record));
  return ListResponse(ctx, std::move(items), page);
}

// ---------------------------------------------------------------- resource groups

HttpResponse GroupResponse(int status, const core::ResourceRecord& record) {
  return JsonResponse(status, GroupObject(record));
}

Result<std::string> GroupBody(json::object body) {
  REPRIEVE_RETURN_IF_ERROR(CanonicalizeKeys(body, nullptr));
  REPRIEVE_RETURN_IF_ERROR(ValidateTags(body));
  json::object stored;
  if (const json::value* tags = Find(body, "tags"); tags && tags->is_object()) {
    stored["tags"] = *tags;
  }
  if (const json::value* managed_by = Find(body, "managedBy"); managed_by && !managed_by->is_null()) {
    if (!managed_by->is_string()) {
      return InvalidArgumentError("The property 'managedBy' must be a string.")
          .WithArmCode("InvalidRequestContent")
          .WithTarget("managedBy");
    }
    stored["managedBy"] = *managed_by;
  }
  return json::serialize(stored);
}

HandlerResult ResourceGroup(ApiState& state, const RequestContext& ctx) {
  const std::string& subscription = ctx.segments[1];
  const std::string& name = ctx.segments[3];
  const std::string& method = ctx.request.method;
  // Reads make no invocation (it draws an operation id).
  const auto invocation = method == "GET" || method == "HEAD"
                              ? std::optional<core::Invocation>()
                              : std::optional<core::Invocation>(InvocationOf(state, ctx));
  if (method == "PUT") {
    REPRIEVE_ASSIGN_OR_RETURN(const json::object body, ParseObject(ctx.request.body));
    REPRIEVE_ASSIGN_OR_RETURN(const std::string location, RequireLocation(body));
    REPRIEVE_ASSIGN_OR_RETURN(const std::string stored, GroupBody(body));
    REPRIEVE_ASSIGN_OR_RETURN(
        const core::PutOutcome outcome,
        state.service.tenancy().PutResourceGroup(subscription, name, location, stored, ctx.caller,
                                       &*invocation));
    return GroupResponse(outcome.kind == core::PutOutcome::Kind::kCreated ? 201 : 200,
                         outcome.record);
  }
  if (method == "GET" || method == "HEAD") {
    auto record = state.service.tenancy().GetResourceGroup(subscription, name);
    if (method == "HEAD") {
      if (record.has_value()) return EmptyResponse(204);
      return record.status();
    }
    if (!record.has_value()) return record.status();
    return GroupResponse(200, *record);
  }
  if (method == "PATCH") {
    REPRIEVE_ASSIGN_OR_RETURN(const json::object patch, ParseObject(ctx.request.body));
    REPRIEVE_ASSIGN_OR_RETURN(const std::string patch_body, GroupBody(patch));
    const json::object patch_members = json::parse(patch_body).as_object();
    REPRIEVE_ASSIGN_OR_RETURN(
        const core::ResourceRecord updated,
        state.service.Modify(
            core::ResourceId::ResourceGroup(subscription, name),
            [&](const core::ResourceRecord& current) -> Result<core::BodyChange> {
              json::object merged = json::parse(current.body).as_object();
              for (const auto& member : patch_members) merged[member.key()] = member.value();
              return core::BodyChange{json::serialize(merged), std::nullopt};
            },
            ctx.caller, &*invocation));
    return GroupResponse(200, updated);
  }
  if (method == "DELETE") {
    REPRIEVE_ASSIGN_OR_RETURN(
        const core::GroupDeleteOutcome outcome,
        state.service.DeleteResourceGroup(subscription, name, ctx.caller, *invocation));
    HttpResponse response = EmptyResponse(202);
    response.SetHeader("Location",
                       AbsoluteUrl(ctx, "/subscriptions/" + subscription + "/operationresults/" +
                                            outcome.operation->id));
    response.SetHeader("Retry-After", std::to_string(std::max(1, state.retry_after_seconds)));
    return response;
  }
  return MethodNotAllowed(ctx, "GET, HEAD, PUT, PATCH, DELETE");
}

HandlerResult ResourceGroups(ApiState& state, const RequestContext& ctx) {
  if (ctx.request.method != "GET") return MethodNotAllowed(ctx, "GET");
  REPRIEVE_ASSIGN_OR_RETURN(const int limit, PageSize(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const std::string after, PageCursor(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const core::Page page,
                            state.service.tenancy().ListResourceGroups(ctx.segments[1], after, limit));
  json::array items;
  for (const core::ResourceRecord& record : page.items) items.push_back(GroupObject(record));
  return ListResponse(ctx, std::move(items), page);
}


HandlerResult CloudMetadata(const RequestContext& ctx) {
  if (ctx.request.method != "GET") return MethodNotAllowed(ctx, "GET");
  const std::string& base = ctx.base_url;
  return JsonResponse(
      200, json::object{{"galleryEndpoint", base + "/"},
                        {"graphEndpoint", base + "/"},
                        {"portalEndpoint", base + "/"},
                        {"authentication",
                         json::object{{"loginEndpoint", base},
                                      {"audiences", json::array{base + "/"}}}}});
}

// ---------------------------------------------------------------- admin

HandlerResult Clock(ApiState& state, const RequestContext& ctx) {
  // `purged` and `finished` (what moving the clock did) are left out when negative.
  const auto clock_document = [&](int64_t purged, int64_t finished) {
    json::object body{{"now", FormatRfc3339(state.clock.Now())},
                      {"mode", state.manual_clock != nullptr ? "manual" : "system"}};
    if (purged >= 0) body["purged"] = purged;
    if (finished >= 0) body["operationsFinished"] = finished;
    return JsonResponse(200, body);
  };
  if (ctx.request.method == "GET") return clock_document(-1, -1);
  if (ctx.request.method != "POST") return MethodNotAllowed(ctx, "GET, POST");
  if (state.manual_clock == nullptr) {
    return FailedPreconditionError(
               "The clock can only be moved when reprieved runs with --clock manual.")
        .WithArmCode("ClockNotManual");
  }
  REPRIEVE_ASSIGN_OR_RETURN(const json::object body, ParseObject(ctx.request.body));
  const json::value* advance = Find(body, "advance");
  const json::value* set = Find(body, "set");
  if ((advance == nullptr) == (set == nullptr)) {
    return InvalidArgumentError(
               "Send exactly one of 'advance' (an ISO-8601 duration such as \"PT49H\") or "
               "'set' (an RFC 3339 instant).")
        .WithArmCode("InvalidRequestContent");
  }
  if (advance != nullptr) {
    const auto by = advance->is_string() ? ParseIsoDuration(advance->as_string()) : std::nullopt;
    if (!by) {
      return InvalidArgumentError(
                 "'advance' must be a positive ISO-8601 duration of weeks, days, hours, minutes "
                 "and seconds, such as \"PT49H\" or \"P2DT1H\" (years and months are ambiguous "
                 "and not accepted).")
          .WithArmCode("InvalidDuration")
          .WithTarget("advance");
    }
    state.manual_clock->Advance(*by);
  } else {
    const auto to = set->is_string() ? ParseRfc3339(set->as_string()) : std::nullopt;
    if (!to) {
      return InvalidArgumentError("'set' must be an RFC 3339 instant such as "
                                  "\"2026-01-01T00:00:00Z\".")
          .WithArmCode("InvalidTimestamp")
          .WithTarget("set");
    }
    state.manual_clock->Set(*to);
  }
  // What the new time makes due happens before the answer: operations end, then the sweep.
  REPRIEVE_ASSIGN_OR_RETURN(const int64_t finished, FinishDueOperations(state));
  return clock_document(state.sweep_now ? state.sweep_now() : 0, finished);
}

// The admin API's ids are GUIDs, as ARM's are.
Status RequireGuid(const std::string& id, const std::string& what, const std::string& arm_code) {
  if (IsGuid(id)) return OkStatus();
  return InvalidArgumentError("The " + what + " id '" + id + "' must be a GUID.")
      .WithArmCode(arm_code);
}

// A string member of an admin body: `fallback` when absent (required when it is empty).
Result<std::string> StringMember(const json::object& body, const std::string& name,
                                 const std::string& fallback) {
  const json::value* value = Find(body, name);
  if (value == nullptr && !fallback.empty()) return fallback;
  if (value == nullptr || !value->is_string()) {
    return InvalidArgumentError("'" + name + "'" + (fallback.empty() ? " is required and" : "") +
                                " must be a string.")
        .WithArmCode("InvalidRequestContent")
        .WithTarget(name);
  }
  return std::string(value->as_string());
}

HandlerResult AdminTenant(ApiState& state, const RequestContext& ctx) {
  if (ctx.segments.size() == 3) {
    if (ctx.request.method != "GET") return MethodNotAllowed(ctx, "GET");
    REPRIEVE_ASSIGN_OR_RETURN(const core::Page page, state.service.tenancy().ListTenants("", 1000));
    json::array items;
    for (const core::ResourceRecord& record : page.items) items.push_back(TenantObject(record));
    return JsonResponse(200, json::object{{"value", std::move(items)}});
  }
  if (ctx.request.method != "PUT") return MethodNotAllowed(ctx, "PUT");
  const std::string& id = ctx.segments[3];
  REPRIEVE_RETURN_IF_ERROR(RequireGuid(id, "tenant", "InvalidTenantId"));
  REPRIEVE_ASSIGN_OR_RETURN(const json::object body, ParseObject(ctx.request.body));
  REPRIEVE_ASSIGN_OR_RETURN(const std::string name, StringMember(body, "displayName", id));
  REPRIEVE_ASSIGN_OR_RETURN(
      const core::PutOutcome outcome,
      state.service.tenancy().PutTenant(AsciiLower(id), json::serialize(json::object{{"displayName", name}})));
  return JsonResponse(outcome.kind == core::PutOutcome::Kind::kCreated ? 201 : 200,
                      TenantObject(outcome.record));
}

HandlerResult AdminSubscription(ApiState& state, const RequestContext& ctx) {
  if (ctx.segments.size() == 3) {
    if (ctx.request.method != "GET") return MethodNotAllowed(ctx, "GET");
    REPRIEVE_ASSIGN_OR_RETURN(const core::Page page, state.service.tenancy().ListSubscriptions("", 1000));
    json::array items;
    for (const auto& record : page.items) items.push_back(SubscriptionObject(record));
    return JsonResponse(200, json::object{{"value", std::move(items)}});
  }
  if (ctx.request.method != "PUT") return MethodNotAllowed(ctx, "PUT");
  const std::string& id = ctx.segments[3];
  REPRIEVE_RETURN_IF_ERROR(RequireGuid(id, "subscription", "InvalidSubscriptionId"));
  REPRIEVE_ASSIGN_OR_RETURN(const json::object body, ParseObject(ctx.request.body));
  REPRIEVE_ASSIGN_OR_RETURN(const std::string tenant, StringMember(body, "tenantId", ""));
  REPRIEVE_ASSIGN_OR_RETURN(const std::string name, StringMember(body, "displayName", id));
  const std::string tenant_id = AsciiLower(tenant);
  const json::object stored{{"tenantId", tenant_id}, {"displayName", name}, {"state", "Enabled"}};
  REPRIEVE_ASSIGN_OR_RETURN(
      const core::PutOutcome outcome,
      state.service.tenancy().PutSubscription(AsciiLower(id), tenant_id, json::serialize(stored)));
  return JsonResponse(outcome.kind == core::PutOutcome::Kind::kCreated ? 201 : 200,
                      SubscriptionObject(outcome.record));
}

// ---------------------------------------------------------------- preview features

const std::vector<std::string> kFeatureApiVersions = {"2021-07-01", "2015-12-01"};

Status RequireFeatureApiVersion(const RequestContext& ctx) {
  REPRIEVE_RETURN_IF_ERROR(RequireAnyApiVersion(ctx));
  for (const std::string& version : kFeatureApiVersions) {
    if (EqualsIgnoreCase(version, ctx.api_version)) return OkStatus();
  }
  return InvalidArgumentError("The api-version '" + ctx.api_version +
                              "' is invalid. The supported versions are '2021-07-01,2015-12-01'.")
      .WithArmCode("InvalidApiVersionParameter");
}

json::object FeatureObject(const std::string& subscription, const std::string& feature,
                           bool registered) {
  const size_t slash = feature.find('/');
  return json::object{
      {"id", "/subscriptions/" + subscription + "/providers/Microsoft.Features/providers/" +
                 feature.substr(0, slash) + "/features/" + feature.substr(slash + 1)},
      {"name", feature},
      {"type", "Microsoft.Features/providers/features"},
      {"properties", json::object{{"state", registered ? "Registered" : "NotRegistered"}}}};
}

// /subscriptions/{s}/providers/Microsoft.Features/features
// /subscriptions/{s}/providers/Microsoft.Features/providers/{ns}/features[/{name}[/register|unregister]]
HandlerResult Features(ApiState& state, const RequestContext& ctx) {
  const auto& seg = ctx.segments;
  REPRIEVE_RETURN_IF_ERROR(RequireFeatureApiVersion(ctx));
  REPRIEVE_RETURN_IF_ERROR(state.service.tenancy().GetSubscription(seg[1]).status());
  const size_t n = seg.size();
  if (n == 5 || n == 7) {  // lists
    if (ctx.request.method != "GET") return MethodNotAllowed(ctx, "GET");
    json::array items;
    for (const std::string& feature : state.service.tenancy().KnownFeatures()) {
      const size_t slash = feature.find('/');
      if (n == 7 && !EqualsIgnoreCase(feature.substr(0, slash), seg[5])) continue;
      REPRIEVE_ASSIGN_OR_RETURN(
          const bool registered,
          state.service.tenancy().FeatureRegistered(seg[1], feature.substr(0, slash), feature.substr(slash + 1)));
      items.push_back(FeatureObject(seg[1], feature, registered));
    }
    return JsonResponse(200, json::object{{"value", std::move(items)}});
  }
  const std::string& ns = seg[5];
  const std::string& name = seg[7];
  std::string canonical = ns + "/" + name;
  for (const std::string& feature : state.service.tenancy().KnownFeatures()) {
    if (EqualsIgnoreCase(feature, canonical)) canonical = feature;
  }
  if (n == 9) {
    const bool register_call = ctx.SegmentIs(8, "register");
    if (!register_call && !ctx.SegmentIs(8, "unregister")) {
      return NotFoundError("The action '" + seg[8] + "' is not a feature action.")
          .WithArmCode("InvalidAction");
    }
    if (ctx.request.method != "POST") return MethodNotAllowed(ctx, "POST");
    const core::Invocation invocation = InvocationOf(state, ctx);
    REPRIEVE_RETURN_IF_ERROR(
        state.service.tenancy().SetFeature(seg[1], ns, name, register_call, &invocation));
    return JsonResponse(200, FeatureObject(seg[1], canonical, register_call));
  }
  if (ctx.request.method != "GET") return MethodNotAllowed(ctx, "GET");
  REPRIEVE_ASSIGN_OR_RETURN(const bool registered, state.service.tenancy().FeatureRegistered(seg[1], ns, name));
  return JsonResponse(200, FeatureObject(seg[1], canonical, registered));
}

}  // namespace

namespace {

// A route whose scope is its first `scope_segments` segments (0: all of them).
Route ScopedRoute(std::string pattern, Access access, Methods actions,
                  std::function<HandlerResult(ApiState&, RequestContext&)> handler,
                  int scope_segments) {
  Route route = MakeRoute(std::move(pattern), access, std::move(actions), std::move(handler));
  route.scope_segments = scope_segments;
  return route;
}

HandlerResult GroupRoute(ApiState& state, RequestContext& ctx) {
  REPRIEVE_RETURN_IF_ERROR(RequireApiVersion(ctx, ResourcesPolicy(state)));
  return ctx.segments.size() == 3 ? ResourceGroups(state, ctx) : ResourceGroup(state, ctx);
}

}  // namespace

void AddTenancyRoutes(std::vector<Route>& routes) {
  constexpr const char* kGroups = "Microsoft.Resources/subscriptions/resourceGroups";
  routes.push_back(MakeRoute("/metadata/endpoints", Access::kPublic, {{"GET", ""}},
                             [](ApiState&, RequestContext& ctx) { return CloudMetadata(ctx); }));
  routes.push_back(MakeRoute("/tenants", Access::kSignedIn, {{"GET", ""}}, Tenants));
  routes.push_back(MakeRoute("/subscriptions", Access::kSignedIn, {{"GET", ""}}, Subscriptions));
  routes.push_back(MakeRoute("/subscriptions/{subscriptionId}", Access::kAction,
                             {{"GET", "Microsoft.Resources/subscriptions/read"}}, Subscriptions));
  routes.push_back(MakeRoute("/subscriptions/{subscriptionId}/providers/Microsoft.Features/features",
                             Access::kAction, {{"GET", "Microsoft.Features/features/read"}},
                             Features));
  const std::string features =
      "/subscriptions/{subscriptionId}/providers/Microsoft.Features/providers/{ns}/features";
  routes.push_back(MakeRoute(features, Access::kAction,
                             {{"GET", "Microsoft.Features/providers/features/read"}}, Features));
  routes.push_back(MakeRoute(features + "/{feature}", Access::kAction,
                             {{"GET", "Microsoft.Features/providers/features/read"}}, Features));
  routes.push_back(ScopedRoute(features + "/{feature}/register", Access::kAction,
                               {{"POST", "Microsoft.Features/providers/features/register/action"}},
                               Features, -1));
  routes.push_back(ScopedRoute(features + "/{feature}/unregister", Access::kAction,
                               {{"POST", "Microsoft.Features/providers/features/unregister/action"}},
                               Features, -1));
  // Provider metadata is readable by anyone with a role in the subscription, as in Azure.
  routes.push_back(MakeRoute("/subscriptions/{subscriptionId}/providers", Access::kSignedIn,
                             {{"GET", ""}}, Providers));
  routes.push_back(MakeRoute("/subscriptions/{subscriptionId}/providers/{ns}", Access::kSignedIn,
                             {{"GET", ""}}, Providers));
  routes.push_back(ScopedRoute("/subscriptions/{subscriptionId}/providers/{ns}/register",
                               Access::kAction, {{"POST", "{ns}/register/action"}}, Providers,
                               -1));
  routes.push_back(MakeRoute("/subscriptions/{subscriptionId}/operationresults/{operationId}",
                             Access::kActionOrStarter,
                             {{"GET", "Microsoft.Resources/subscriptions/operationresults/read"}},
                             [](ApiState& state, RequestContext& ctx) {
                               return OperationResult(state, ctx);
                             }));
  routes.push_back(MakeRoute("/subscriptions/{subscriptionId}/resourceGroups", Access::kAction,
                             {{"GET", std::string(kGroups) + "/read"}}, GroupRoute));
  routes.push_back(MakeRoute("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}",
                             Access::kAction,
                             {{"GET", std::string(kGroups) + "/read"},
                              {"PUT", std::string(kGroups) + "/write"},
                              {"PATCH", std::string(kGroups) + "/write"},
                              {"DELETE", std::string(kGroups) + "/delete"}},
                             GroupRoute));
}

void AddAdminRoutes(std::vector<Route>& routes) {
  routes.push_back(MakeRoute("/reprieve/msi/token", Access::kPublic, {{"GET", ""}, {"POST", ""}},
                             [](ApiState& state, RequestContext& ctx) {
                               return ManagedIdentityToken(state, ctx);
                             }));
  routes.push_back(MakeRoute("/reprieve/admin/clock", Access::kRootOwner,
                             {{"GET", ""}, {"POST", ""}}, Clock));
  routes.push_back(MakeRoute("/reprieve/admin/tenants", Access::kRootOwner, {{"GET", ""}},
                             AdminTenant));
  routes.push_back(MakeRoute("/reprieve/admin/tenants/{tenantId}", Access::kRootOwner,
                             {{"PUT", ""}}, AdminTenant));
  routes.push_back(MakeRoute("/reprieve/admin/subscriptions", Access::kRootOwner, {{"GET", ""}},
                             AdminSubscription));
  routes.push_back(MakeRoute("/reprieve/admin/subscriptions/{subscriptionId}", Access::kRootOwner,
                             {{"PUT", ""}}, AdminSubscription));
  routes.push_back(MakeRoute("/reprieve/admin/signingKeys", Access::kRootOwner, {{"GET", ""}},
                             SigningKeys));
  routes.push_back(MakeRoute("/reprieve/admin/signingKeys/rotate", Access::kRootOwner,
                             {{"POST", ""}}, SigningKeys));
  routes.push_back(MakeRoute("/reprieve/admin/operations", Access::kRootOwner, {{"GET", ""}},
                             OperationSchedule));
  routes.push_back(MakeRoute("/reprieve/admin/operations/failNext", Access::kRootOwner,
                             {{"POST", ""}}, FailNextOperation));
}

}  // namespace reprieve::http::internal
