// Handlers for provider resources: create/update/recover (PUT), GET, PATCH, DELETE, lists,
// actions (listKeys, regenerateKey), soft-deleted resources (list, get, purge) and the
// operation-status URLs their long-running answers point at.
#include <boost/json.hpp>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/model/location.h"
#include "reprieve/http/internal/context.h"
#include "reprieve/http/internal/operations.h"
#include "reprieve/http/internal/routes.h"
#include "reprieve/http/internal/wire.h"

namespace reprieve::http::internal {
namespace json = boost::json;
using core::ResourceId;
using core::TypePolicy;

namespace {

Status UnknownNamespace(const std::string& ns) {
  return InvalidArgumentError("The resource namespace '" + ns +
                              "' is invalid: Reprieve serves no resource type in it.")
      .WithArmCode("InvalidResourceNamespace");
}

Status UnknownType(const RequestContext& ctx, const std::string& ns, const std::string& type) {
  return InvalidArgumentError("The resource type '" + type + "' could not be found in the " +
                              "namespace '" + ns + "' for api version '" + ctx.api_version + "'.")
      .WithArmCode("InvalidResourceType");
}

// The policy whose resource type (or, with `deleted`, deleted collection) is `segment`.
const TypePolicy* FindType(const core::PolicyCatalog& catalog, const std::string& ns,
                           const std::string& segment, bool deleted) {
  for (const TypePolicy* policy : catalog.InNamespace(ns)) {
    const std::string_view name =
        deleted ? std::string_view(policy->deleted_collection)
                : std::string_view(policy->type).substr(policy->type.find('/') + 1);
    if (!name.empty() && EqualsIgnoreCase(name, segment)) return policy;
  }
  return nullptr;
}

HttpResponse ResourceResponse(ApiState& state, int status, const core::ResourceRecord& record,
                              const TypePolicy& policy) {
  HttpResponse response = JsonTextResponse(status, state.rendered.Get(record, [&] {
    return json::serialize(ResourceObject(record, policy));
  }));
  response.SetHeader("ETag", record.etag);
  return response;
}

bool WantsRestore(const json::object& body, const TypePolicy& policy) {
  switch (policy.recover) {
    case core::RecoverMechanism::kNone:
    case core::RecoverMechanism::kRecoverAction:
      return false;
    case core::RecoverMechanism::kRestoreProperty: {
      const json::value* restore = Find(body, "properties.restore");
      return restore != nullptr && restore->is_bool() && restore->as_bool();
    }
    case core::RecoverMechanism::kCreateModeRecover: {
      const json::value* mode = Find(body, "properties.createMode");
      return mode != nullptr && mode->is_string() &&
             EqualsIgnoreCase(mode->as_string(), "recover");
    }
    case core::RecoverMechanism::kRestoreReference: {
      const json::value* reference = Find(body, policy.restore_reference_path);
      return reference != nullptr && reference->is_string() && !reference->as_string().empty();
    }
  }
  return false;
}

Status RequireJsonContent(const RequestContext& ctx) {
  const std::string_view type = ctx.request.Header("content-type");
  if (!type.empty() && !StartsWithIgnoreCase(type, "application/json")) {
    return InvalidArgumentError("The content type '" + std::string(type) +
                                "' is not supported; send application/json.")
        .WithArmCode("UnsupportedMediaType");
  }
  return OkStatus();
}

HandlerResult PutResource(ApiState& state, const RequestContext& ctx, const TypePolicy& policy,
                          const ResourceId& id) {
  REPRIEVE_RETURN_IF_ERROR(RequireJsonContent(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(json::object body, ParseObject(ctx.request.body));
  REPRIEVE_RETURN_IF_ERROR(CanonicalizeKeys(body, &policy));
  core::PutRequest put;
  put.id = id;
  put.restore = WantsRestore(body, policy);
  put.caller = ctx.caller;
  // A restore ignores everything but the restore signal: the deleted record comes back whole.
  REPRIEVE_RETURN_IF_ERROR(ValidateFields(body, policy, /*creating=*/!put.restore));
  if (put.restore) {
    if (const json::value* reference = Find(body, policy.restore_reference_path)) {
      put.restore_reference = std::string(reference->as_string());
    }
  } else {
    if (policy.parent_type.empty()) {
      REPRIEVE_ASSIGN_OR_RETURN(put.location, RequireLocation(body));
    }
    REPRIEVE_RETURN_IF_ERROR(ValidateTags(body));
    REPRIEVE_ASSIGN_OR_RETURN(put.facts, ExtractFacts(body, policy));
    put.body = StoredBody(std::move(body));
  }
  put.operation = StartOperation(state, ctx,
                                 put.restore ? core::OperationKind::kRecover
                                             : core::OperationKind::kCreate);
  auto outcome = state.service.Put(put);
  if (!outcome.has_value() || !outcome->operation) ReturnUnused(state, *put.operation);
  REPRIEVE_RETURN_IF_ERROR(outcome.status());
  if (outcome->kind == core::PutOutcome::Kind::kUpdated) {
    return ResourceResponse(state, 200, outcome->record, policy);
  }
  const core::OperationRecord& op = *outcome->operation;
  if (!put.operation->deferred()) {
    // Finished within the request: a create points at its finished operation, a recover
    // answers as Azure's synchronous recover does.
    HttpResponse response = ResourceResponse(state, policy.create_status, outcome->record, policy);
    if (!put.restore) {
      AddOperationHeaders(state, ctx, policy.Namespace(), op, true, false, response);
    }
    return response;
  }
  if (policy.deferred_put == core::DeferredPut::kAcceptedWithLocation) {
    HttpResponse response = EmptyResponse(202);
    AddOperationHeaders(state, ctx, policy.Namespace(), op, false, true, response);
    return response;
  }
  HttpResponse response = ResourceResponse(state, policy.create_status, outcome->record, policy);
  AddOperationHeaders(state, ctx, policy.Namespace(), op, true,
                      policy.deferred_put == core::DeferredPut::kAsyncOperationAndLocation,
                      response);
  return response;
}

HandlerResult PatchResource(ApiState& state, const RequestContext& ctx, const TypePolicy& policy,
                            const ResourceId& id) {
  REPRIEVE_RETURN_IF_ERROR(RequireJsonContent(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(json::object patch, ParseObject(ctx.request.body));
  REPRIEVE_RETURN_IF_ERROR(CanonicalizeKeys(patch, &policy));
  REPRIEVE_RETURN_IF_ERROR(ValidateFields(patch, policy, /*creating=*/false));
  REPRIEVE_RETURN_IF_ERROR(ValidateTags(patch));
  if (const json::value* location = Find(patch, "location"); location && location->is_string()) {
    // Location is fixed at create; a PATCH may restate it but not change it.
    REPRIEVE_ASSIGN_OR_RETURN(const core::ResourceRecord current, state.service.Get(id));
    if (core::NormalizeLocation(location->as_string()) !=
        core::NormalizeLocation(current.location)) {
      return InvalidArgumentError("The location of '" + current.id + "' cannot be changed.")
          .WithArmCode("LocationNotUpdatable")
          .WithTarget("location");
    }
  }
  const json::object stored_patch = json::parse(StoredBody(patch)).as_object();
  const json::value* location = Find(patch, "location");
  const core::Invocation invocation = InvocationOf(state, ctx);
  REPRIEVE_ASSIGN_OR_RETURN(
      const core::ResourceRecord updated,
      state.service.Modify(
          id,
          [&](const core::ResourceRecord& current) -> Result<core::BodyChange> {
            // Location is fixed at create; a PATCH may restate it but not change it.
            if (location != nullptr && location->is_string() &&
                core::NormalizeLocation(location->as_string()) !=
                    core::NormalizeLocation(current.location)) {
              return InvalidArgumentError("The location of '" + current.id +
                                          "' cannot be changed.")
                  .WithArmCode("LocationNotUpdatable")
                  .WithTarget("location");
            }
            json::object merged = json::parse(current.body).as_object();
            json::object rest = stored_patch;
            if (const json::value* tags = rest.if_contains("tags")) {
              merged["tags"] = *tags;  // tags are replaced whole
              rest.erase("tags");
            }
            MergePatch(merged, rest);
            REPRIEVE_RETURN_IF_ERROR(ValidateFields(merged, policy, /*creating=*/true));
            REPRIEVE_ASSIGN_OR_RETURN(core::ResourceFacts facts, ExtractFacts(merged, policy));
            return core::BodyChange{json::serialize(merged), std::move(facts)};
          },
          ctx.caller, &invocation));
  return ResourceResponse(state, 200, updated, policy);
}

bool QueryFlag(const RequestContext& ctx, const std::string& name) {
  if (name.empty()) return false;
  const auto value = ctx.Query(AsciiLower(name));
  return value && EqualsIgnoreCase(*value, "true");
}

HandlerResult DeleteResource(ApiState& state, const RequestContext& ctx, const TypePolicy& policy,
                             const ResourceId& id) {
  core::DeleteRequest request{id, ctx.caller, std::nullopt, ctx.api_version,
                              QueryFlag(ctx, policy.force_purge_parameter),
                              QueryFlag(ctx, policy.delete_dependents_parameter)};
  core::Invocation start = StartOperation(state, ctx, core::OperationKind::kDelete);
  if (policy.delete_synchronous_only) {
    // The type's DELETE never runs on: a failure set for it is the answer itself.
    if (start.plan.fails()) {
      return InternalError(start.plan.error_message).WithArmCode(start.plan.error_code);
    }
    start.plan.duration = Duration::zero();
  }
  request.operation = start;
  auto outcome = state.service.Delete(request);
  if (!outcome.has_value() || !outcome->operation) ReturnUnused(state, start);
  REPRIEVE_RETURN_IF_ERROR(outcome.status());
  if (!outcome->existed) return EmptyResponse(204);
  if (!outcome->operation) {
    // Synchronous, as the real Cognitive Services and Key Vault answer: a GET right after
    // sees 404.
    return EmptyResponse(200);
  }
  HttpResponse response = EmptyResponse(202);
  AddOperationHeaders(state, ctx, policy.Namespace(), *outcome->operation, true, true, response);
  return response;
}

HandlerResult ResourceRoute(ApiState& state, const RequestContext& ctx, const TypePolicy& policy,
                            const ResourceId& id) {
  const std::string& method = ctx.request.method;
  if (method == "PUT") return PutResource(state, ctx, policy, id);
  if (method == "GET" || method == "HEAD") {
    REPRIEVE_ASSIGN_OR_RETURN(const core::ResourceRecord record, state.service.Get(id));
    if (method == "HEAD") return EmptyResponse(204);
    return ResourceResponse(state, 200, record, policy);
  }
  if (method == "PATCH") return PatchResource(state, ctx, policy, id);
  if (method == "DELETE") return DeleteResource(state, ctx, policy, id);
  return MethodNotAllowed(ctx, "GET, HEAD, PUT, PATCH, DELETE");
}

json::object KeysObject(const core::AccessKeys& keys) {
  json::object out;
  for (const auto& [name, value] : keys) out[name] = value;
  return out;
}

HandlerResult ActionRoute(ApiState& state, const RequestContext& ctx, const TypePolicy& policy,
                          const ResourceId& id, const std::string& action) {
  if (policy.access_keys.empty() ||
      (!EqualsIgnoreCase(action, "listKeys") && !EqualsIgnoreCase(action, "regenerateKey"))) {
    return NotFoundError("The action '" + action + "' is not supported by " + policy.type + ".")
        .WithArmCode("InvalidAction");
  }
  if (ctx.request.method != "POST") return MethodNotAllowed(ctx, "POST");
  if (EqualsIgnoreCase(action, "listKeys")) {
    REPRIEVE_ASSIGN_OR_RETURN(const core::AccessKeys keys, state.service.ListKeys(id));
    return JsonResponse(200, KeysObject(keys));
  }
  REPRIEVE_RETURN_IF_ERROR(RequireJsonContent(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const json::object body, ParseObject(ctx.request.body));
  const json::value* key_name = Find(body, "keyName");
  if (key_name == nullptr || !key_name->is_string()) {
    return InvalidArgumentError("The property 'keyName' is required and must be a string.")
        .WithArmCode("InvalidRequestContent")
        .WithTarget("keyName");
  }
  const core::Invocation invocation = InvocationOf(state, ctx);
  REPRIEVE_ASSIGN_OR_RETURN(
      const core::AccessKeys keys,
      state.service.RegenerateKey(id, std::string(key_name->as_string()), ctx.caller,
                                  &invocation));
  return JsonResponse(200, KeysObject(keys));
}




HandlerResult Purge(ApiState& state, const RequestContext& ctx, const TypePolicy& policy,
                    const core::DeletedRef& ref) {
  const core::Invocation start = StartOperation(state, ctx, core::OperationKind::kPurge);
  auto outcome = state.service.Purge(policy, ref, start);
  if (!outcome.has_value()) ReturnUnused(state, start);
  REPRIEVE_RETURN_IF_ERROR(outcome.status());
  HttpResponse response = EmptyResponse(202);
  AddOperationHeaders(state, ctx, policy.Namespace(), *outcome->operation, true, true, response);
  return response;
}


// GET of a list: pages of `fetch(after, limit)`, each record drawn by `render`.
template <typename Fetch, typename Render>
HandlerResult ListPage(const RequestContext& ctx, Fetch fetch, Render render) {
  if (ctx.request.method != "GET") return MethodNotAllowed(ctx, "GET");
  REPRIEVE_ASSIGN_OR_RETURN(const int limit, PageSize(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const std::string after, PageCursor(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const core::Page page, fetch(after, limit));
  json::array items;
  for (const core::ResourceRecord& record : page.items) items.push_back(render(record));
  return ListResponse(ctx, std::move(items), page);
}

HandlerResult ListActive(ApiState& state, const RequestContext& ctx, const TypePolicy& policy,
                         const std::optional<std::string>& resource_group) {
  return ListPage(
      ctx,
      [&](const std::string& after, int limit) {
        return state.service.ListActive(policy, ctx.segments[1], resource_group, after, limit);
      },
      [&](const core::ResourceRecord& record) { return ResourceObject(record, policy); });
}

HandlerResult ListChildren(ApiState& state, const RequestContext& ctx, const TypePolicy& policy,
                           const ResourceId& parent) {
  return ListPage(
      ctx,
      [&](const std::string& after, int limit) {
        return state.service.ListChildren(policy, parent, after, limit);
      },
      [&](const core::ResourceRecord& record) { return ResourceObject(record, policy); });
}

// Soft-deleted resources of the subscription, or of one group (which may be gone).
HandlerResult ListDeleted(ApiState& state, const RequestContext& ctx, const TypePolicy& policy,
                          const std::optional<std::string>& resource_group = std::nullopt) {
  return ListPage(
      ctx,
      [&](const std::string& after, int limit) {
        return state.service.ListDeleted(policy, ctx.segments[1], resource_group, after, limit);
      },
      [&](const core::ResourceRecord& record) { return DeletedObject(record, policy); });
}

HandlerResult DeletedRoute(ApiState& state, const RequestContext& ctx, const TypePolicy& policy,
                           const core::DeletedRef& ref) {
  const std::string& method = ctx.request.method;
  if (method == "GET") {
    REPRIEVE_ASSIGN_OR_RETURN(const core::ResourceRecord record,
                              state.service.GetDeleted(policy, ref));
    return JsonResponse(200, DeletedObject(record, policy));
  }
  const bool purge_by_delete = policy.purgeable && policy.purge_action.empty();
  if (method == "DELETE" && purge_by_delete) return Purge(state, ctx, policy, ref);
  return MethodNotAllowed(ctx, purge_by_delete ? "GET, DELETE" : "GET");
}

// POST on a deleted resource: .../{purge_action} (Key Vault) or .../recover (Machine
// Learning's recover action).
HandlerResult DeletedAction(ApiState& state, const RequestContext& ctx, const TypePolicy& policy,
                            const core::DeletedRef& ref, const std::string& action) {
  const bool purge = !policy.purge_action.empty() && EqualsIgnoreCase(action, policy.purge_action);
  const bool recover =
      policy.recover == core::RecoverMechanism::kRecoverAction && EqualsIgnoreCase(action, "recover");
  if (!purge && !recover) {
    return NotFoundError("The action '" + action + "' is not supported on " + policy.deleted_type +
                         ".")
        .WithArmCode("InvalidAction");
  }
  if (ctx.request.method != "POST") return MethodNotAllowed(ctx, "POST");
  if (purge) return Purge(state, ctx, policy, ref);
  core::PutRequest put;
  put.id = core::ResourceId::Resource(ref.subscription, ref.resource_group, policy.Namespace(),
                                      policy.ResourceType(), ref.name);
  put.restore = true;
  put.caller = ctx.caller;
  put.operation = StartOperation(state, ctx, core::OperationKind::kRecover);
  auto recovered = state.service.Put(put);
  if (!recovered.has_value()) ReturnUnused(state, *put.operation);
  REPRIEVE_RETURN_IF_ERROR(recovered.status());
  const core::PutOutcome& outcome = *recovered;
  if (put.operation->deferred()) {
    // A POST action that runs on: 202 with both status URLs; Location ends with the
    // workspace.
    HttpResponse response = EmptyResponse(202);
    AddOperationHeaders(state, ctx, policy.Namespace(), *outcome.operation, true, true, response);
    return response;
  }
  // The workspace, and what became of its children: back, re-created, or not.
  json::object body = ResourceObject(outcome.record, policy);
  json::array not_recreated;
  for (const auto& [child, reason] : outcome.not_recreated_children) {
    not_recreated.push_back(json::object{{"id", child}, {"reason", reason}});
  }
  body["recovery"] = json::object{
      {"restoredChildren", json::value_from(outcome.restored_children)},
      {"recreatedChildren", json::value_from(outcome.recreated_children)},
      {"notRecreatedChildren", std::move(not_recreated)}};
  HttpResponse response = JsonResponse(200, body);
  response.SetHeader("ETag", outcome.record.etag);
  return response;
}


}  // namespace

namespace {

std::string Act(const std::string& prefix, std::string_view verb) {
  return prefix + "/" + std::string(verb);
}

// The read/write/delete actions of a resource route.
Methods ResourceMethods(const std::string& type) {
  return {{"GET", Act(type, "read")},
          {"PUT", Act(type, "write")},
          {"PATCH", Act(type, "write")},
          {"DELETE", Act(type, "delete")}};
}

// A route of a resource type, authorized by its actions.
Route TypeRoute(std::string pattern, Methods methods, const TypePolicy* policy,
                RouteHandler handler) {
  Route route = MakeRoute(std::move(pattern), Access::kAction, std::move(methods),
                          std::move(handler));
  route.policy = policy;
  return route;
}

// A POST action on a resource (listKeys, purge, recover): its scope is the resource.
Route ActionOn(std::string pattern, std::string action, const TypePolicy* policy,
               RouteHandler handler) {
  Route route = TypeRoute(std::move(pattern), {{"POST", std::move(action)}}, policy,
                          std::move(handler));
  route.scope_segments = -1;
  return route;
}

// Handlers check the api-version against the type first, as ARM does.
template <typename Fn>
RouteHandler Versioned(Fn fn) {
  return [fn](ApiState& state, RequestContext& ctx, const Operation& op) -> HandlerResult {
    REPRIEVE_RETURN_IF_ERROR(RequireApiVersion(ctx, *op.policy));
    return fn(state, ctx, *op.policy);
  };
}

void AddTypeRoutes(const core::PolicyCatalog& catalog, const TypePolicy& policy,
                   std::vector<Route>& routes) {
  const std::string ns = policy.Namespace();
  const std::string rg_base =
      "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/" + ns + "/" +
      policy.ResourceType();
  const std::string& type = policy.type;
  routes.push_back(TypeRoute(
      rg_base, {{"GET", Act(type, "read")}}, &policy,
      Versioned([](ApiState& state, RequestContext& ctx, const TypePolicy& p) {
        return ListActive(state, ctx, p, ctx.segments[3]);
      })));
  routes.push_back(TypeRoute(
      "/subscriptions/{subscriptionId}/providers/" + ns + "/" + policy.ResourceType(),
      {{"GET", Act(type, "read")}}, &policy,
      Versioned([](ApiState& state, RequestContext& ctx, const TypePolicy& p) {
        return ListActive(state, ctx, p, std::nullopt);
      })));
  routes.push_back(TypeRoute(
      rg_base + "/{name}", ResourceMethods(type), &policy,
      Versioned([](ApiState& state, RequestContext& ctx, const TypePolicy& p) {
        const auto& seg = ctx.segments;
        return ResourceRoute(state, ctx, p,
                             ResourceId::Resource(seg[1], seg[3], p.Namespace(), p.ResourceType(),
                                                  seg[7]));
      })));
  for (const char* action : {"listKeys", "regenerateKey"}) {
    if (policy.access_keys.empty()) break;
    routes.push_back(ActionOn(
        rg_base + "/{name}/" + action, type + "/" + action + "/action", &policy,
        Versioned([](ApiState& state, RequestContext& ctx, const TypePolicy& p) {
          const auto& seg = ctx.segments;
          return ActionRoute(state, ctx, p,
                             ResourceId::Resource(seg[1], seg[3], p.Namespace(),
                                                  p.ResourceType(), seg[7]),
                             seg[8]);
        })));
  }
  // Child types: .../{type}/{name}/{childType}[/{childName}].
  for (const TypePolicy& child : catalog.policies()) {
    if (child.parent_type != policy.type) continue;
    const std::string child_base = rg_base + "/{name}/" + child.ChildSegment();
    const auto parent_id = [](const RequestContext& ctx, const TypePolicy& c) {
      const auto& seg = ctx.segments;
      return ResourceId::Resource(seg[1], seg[3], c.Namespace(), seg[6], seg[7]);
    };
    routes.push_back(TypeRoute(
        child_base, {{"GET", Act(child.type, "read")}}, &child,
        Versioned([parent_id](ApiState& state, RequestContext& ctx, const TypePolicy& c) {
          return ListChildren(state, ctx, c, parent_id(ctx, c));
        })));
    routes.push_back(TypeRoute(
        child_base + "/{childName}", ResourceMethods(child.type), &child,
        Versioned([parent_id](ApiState& state, RequestContext& ctx, const TypePolicy& c) {
          return ResourceRoute(state, ctx, c,
                               parent_id(ctx, c).Child(c.ChildSegment(), ctx.segments[9]));
        })));
  }
}

void AddDeletedRoutes(const TypePolicy& policy, std::vector<Route>& routes) {
  const std::string ns = policy.Namespace();
  const std::string& collection = policy.deleted_collection;
  const std::string sub_base = "/subscriptions/{subscriptionId}/providers/" + ns;
  routes.push_back(TypeRoute(
      sub_base + "/" + collection, {{"GET", ns + "/" + collection + "/read"}}, &policy,
      Versioned([](ApiState& state, RequestContext& ctx, const TypePolicy& p) {
        return ListDeleted(state, ctx, p);
      })));
  const bool purge_by_delete = policy.purgeable && policy.purge_action.empty();
  switch (policy.deleted_scope) {
    case core::DeletedRouteScope::kNone:
      return;
    case core::DeletedRouteScope::kLocationResourceGroup: {
      const std::string prefix = ns + "/locations/resourceGroups/" + collection;
      Methods methods{{"GET", prefix + "/read"}};
      if (purge_by_delete) methods.emplace_back("DELETE", policy.PurgeAction());
      routes.push_back(TypeRoute(
          sub_base + "/locations/{location}/resourceGroups/{resourceGroupName}/" + collection +
              "/{name}",
          std::move(methods), &policy,
          Versioned([](ApiState& state, RequestContext& ctx, const TypePolicy& p) {
            const auto& seg = ctx.segments;
            return DeletedRoute(state, ctx, p, {seg[1], seg[5], seg[7], seg[9]});
          })));
      return;
    }
    case core::DeletedRouteScope::kLocation: {
      const std::string prefix = ns + "/locations/" + collection;
      Methods methods{{"GET", prefix + "/read"}};
      if (purge_by_delete) methods.emplace_back("DELETE", policy.PurgeAction());
      Route item = TypeRoute(
          sub_base + "/locations/{location}/" + collection + "/{name}", std::move(methods),
          &policy, Versioned([](ApiState& state, RequestContext& ctx, const TypePolicy& p) {
            const auto& seg = ctx.segments;
            return DeletedRoute(state, ctx, p, {seg[1], seg[5], "", seg[7]});
          }));
      if (purge_by_delete) {
        // A purge also needs to read the deleted collection at subscription scope.
        item.also_action = ns + "/" + collection + "/read";
        item.also_scope_segments = 2;
      }
      routes.push_back(std::move(item));
      if (!policy.purge_action.empty()) {
        routes.push_back(ActionOn(
            sub_base + "/locations/{location}/" + collection + "/{name}/" + policy.purge_action,
            policy.PurgeAction(), &policy,
            Versioned([](ApiState& state, RequestContext& ctx, const TypePolicy& p) {
              const auto& seg = ctx.segments;
              return DeletedAction(state, ctx, p, {seg[1], seg[5], "", seg[7]}, seg[8]);
            })));
      }
      return;
    }
    case core::DeletedRouteScope::kResourceGroup: {
      const std::string prefix = ns + "/" + collection;
      const std::string rg_base = "/subscriptions/{subscriptionId}/resourceGroups/"
                                  "{resourceGroupName}/providers/" + ns + "/" + collection;
      routes.push_back(TypeRoute(
          rg_base, {{"GET", prefix + "/read"}}, &policy,
          Versioned([](ApiState& state, RequestContext& ctx, const TypePolicy& p) {
            return ListDeleted(state, ctx, p, ctx.segments[3]);
          })));
      Methods methods{{"GET", prefix + "/read"}};
      if (purge_by_delete) methods.emplace_back("DELETE", policy.PurgeAction());
      routes.push_back(TypeRoute(
          rg_base + "/{name}", std::move(methods), &policy,
          Versioned([](ApiState& state, RequestContext& ctx, const TypePolicy& p) {
            const auto& seg = ctx.segments;
            return DeletedRoute(state, ctx, p, {seg[1], "", seg[3], seg[7], true});
          })));
      if (policy.recover == core::RecoverMechanism::kRecoverAction) {
        routes.push_back(ActionOn(
            rg_base + "/{name}/recover", prefix + "/recover/action", &policy,
            Versioned([](ApiState& state, RequestContext& ctx, const TypePolicy& p) {
              const auto& seg = ctx.segments;
              return DeletedAction(state, ctx, p, {seg[1], "", seg[3], seg[7], true}, seg[8]);
            })));
      }
      return;
    }
  }
}

// Unknown namespaces, types and actions under a provider path: the error that says which.
HandlerResult ExplainUnknown(ApiState& state, RequestContext& ctx) {
  const auto& seg = ctx.segments;
  const core::PolicyCatalog& catalog = state.service.catalog();
  const bool in_group = ctx.SegmentIs(2, "resourceGroups");
  const size_t ns_at = in_group ? 5 : 3;
  const std::string& ns = seg[ns_at];
  if (catalog.InNamespace(ns).empty()) return UnknownNamespace(ns);
  if (in_group && seg.size() >= 9) {
    if (const TypePolicy* policy = FindType(catalog, ns, seg[6], false)) {
      if (seg.size() == 9) {
        return NotFoundError("The action '" + seg[8] + "' is not supported by " + policy->type +
                             ".")
            .WithArmCode("InvalidAction");
      }
      return UnknownType(ctx, ns, seg[6] + "/" + seg[8]);
    }
  }
  if (!in_group && seg.size() >= 9 && ctx.SegmentIs(4, "locations")) {
    if (const TypePolicy* policy = FindType(catalog, ns, seg[6], true); policy && seg.size() == 9) {
      return NotFoundError("The action '" + seg[8] + "' is not supported on " +
                           policy->deleted_type + ".")
          .WithArmCode("InvalidAction");
    }
  }
  std::string type;
  for (size_t idx = ns_at + 1; idx < seg.size(); idx += 2) {
    if (!type.empty()) type += "/";
    type += seg[idx];
  }
  return UnknownType(ctx, ns, type);
}

}  // namespace

void AddResourceRoutes(const core::PolicyCatalog& catalog, std::vector<Route>& routes) {
  for (const TypePolicy& policy : catalog.policies()) {
    if (policy.type == core::kResourceGroupType || !policy.parent_type.empty()) continue;
    AddTypeRoutes(catalog, policy, routes);
    if (policy.deleted_scope != core::DeletedRouteScope::kNone) AddDeletedRoutes(policy, routes);
  }
  for (const std::string& ns : catalog.Namespaces()) {
    const TypePolicy* first = catalog.InNamespace(ns).front();
    if (first->type == core::kResourceGroupType) continue;
    for (const char* kind : {"operationStatuses", "operationResults"}) {
      const bool results = std::string_view(kind) == "operationResults";
      Route route = TypeRoute(
          "/subscriptions/{subscriptionId}/providers/" + ns + "/locations/{location}/" + kind +
              "/{operationId}",
          {{"GET", ns + "/locations/" + kind + "/read"}}, first,
          [results](ApiState& state, RequestContext& ctx, const Operation&) {
            return results ? OperationResult(state, ctx) : OperationStatus(state, ctx);
          });
      route.access = Access::kActionOrStarter;
      routes.push_back(std::move(route));
    }
  }
}

void AddResourceFallbackRoutes(std::vector<Route>& routes) {
  const std::string group = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
                            "/providers/{ns}/{type}";
  const std::string subscription = "/subscriptions/{subscriptionId}/providers/{ns}/{type}";
  for (const std::string& pattern :
       {group, group + "/{name}", group + "/{name}/{child}", group + "/{name}/{child}/{n}",
        subscription, subscription + "/{location}/{type2}/{name}",
        subscription + "/{location}/{type2}/{name}/{action}",
        subscription + "/{location}/{group}/{rg}/{type2}/{name}"}) {
    Route route;
    route.pattern = pattern;
    route.access = Access::kSignedIn;
    for (const char* method : {"GET", "PUT", "PATCH", "DELETE", "POST"}) {
      route.actions.emplace_back(method, "");
    }
    route.handler = [](ApiState& state, RequestContext& ctx, const Operation&) {
      return ExplainUnknown(state, ctx);
    };
    routes.push_back(std::move(route));
  }
}

}  // namespace reprieve::http::internal
