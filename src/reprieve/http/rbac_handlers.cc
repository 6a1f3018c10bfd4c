// Azure RBAC as ARM exposes it: Microsoft.Authorization/roleAssignments and roleDefinitions
// at any scope (root, subscription, resource group, resource), at the api-versions az and
// the SDKs send, with the $filters they use. Decisions are core's (AccessEvaluator); these
// handlers keep the records and render them byte-stable.
#include <boost/json.hpp>

#include <algorithm>
#include <regex>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/authz/access_evaluator.h"
#include "reprieve/core/service/access_records.h"
#include "reprieve/http/internal/access_control.h"
#include "reprieve/http/internal/context.h"
#include "reprieve/http/internal/operations.h"
#include "reprieve/http/internal/routes.h"
#include "reprieve/http/internal/wire.h"

namespace reprieve::http::internal {
namespace json = boost::json;
namespace {

constexpr const char* kApiVersions[] = {"2015-07-01", "2018-01-01-preview", "2018-09-01-preview",
                                        "2020-04-01-preview", "2020-10-01-preview", "2022-04-01"};
constexpr std::string_view kAssignments = "/providers/Microsoft.Authorization/roleAssignments/";
constexpr std::string_view kDefinitions = "/providers/Microsoft.Authorization/roleDefinitions/";

Status RequireAuthorizationApiVersion(const RequestContext& ctx) {
  return RequireApiVersionIn(ctx, kApiVersions);
}

// "/subscriptions/{s}" of a scope under a subscription; "" above.
std::string SubscriptionScope(std::string_view scope) {
  const std::vector<std::string_view> parts = Split(scope, '/');
  if (parts.size() >= 3 && EqualsIgnoreCase(parts[1], "subscriptions")) {
    return "/subscriptions/" + std::string(parts[2]);
  }
  return "";
}

// The subscription id of a scope under a subscription; "" above.
std::string SubscriptionIdOf(std::string_view scope) {
  const std::string sub = SubscriptionScope(scope);
  return sub.empty() ? sub : sub.substr(std::string_view("/subscriptions/").size());
}

json::object AssignmentObject(const core::ResourceRecord& record) {
  std::error_code ec;
  json::value properties = json::parse(record.body, ec);
  if (ec || !properties.is_object()) properties = json::object();
  return json::object{{"id", record.id},
                      {"name", record.name},
                      {"type", "Microsoft.Authorization/roleAssignments"},
                      {"properties", std::move(properties)}};
}

// A definition's id as a list at `scope` shows it (az compares these ids as strings).
std::string DefinitionId(std::string_view scope, std::string_view guid) {
  return SubscriptionScope(scope) + std::string(kDefinitions) + std::string(guid);
}

json::object DefinitionObject(const core::RoleDefinition& role, std::string_view scope) {
  json::array permissions;
  for (const core::Permission& p : role.permissions) {
    permissions.push_back(json::object{{"actions", json::value_from(p.actions)},
                                       {"notActions", json::value_from(p.not_actions)},
                                       {"dataActions", json::value_from(p.data_actions)},
                                       {"notDataActions", json::value_from(p.not_data_actions)}});
  }
  return json::object{
      {"id", DefinitionId(scope, role.id)},
      {"name", role.id},
      {"type", "Microsoft.Authorization/roleDefinitions"},
      {"properties",
       json::object{{"roleName", role.role_name},
                    {"type", role.built_in ? "BuiltInRole" : "CustomRole"},
                    {"description", role.description},
                    {"assignableScopes", json::value_from(role.assignable_scopes)},
                    {"permissions", std::move(permissions)},
                    {"createdOn", nullptr},
                    {"updatedOn", nullptr},
                    {"createdBy", nullptr},
                    {"updatedBy", nullptr}}}};
}

// The quoted argument of `name eq '...'` or `name('...')` in an OData $filter.
std::optional<std::string> FilterArgument(const std::string& filter, const std::string& pattern) {
  const std::regex re(pattern, std::regex::icase);
  std::smatch match;
  if (std::regex_search(filter, match, re)) return match[1].str();
  return std::nullopt;
}

HandlerResult ListAssignments(ApiState&, RequestContext& ctx, const Operation& op) {
  REPRIEVE_RETURN_IF_ERROR(RequireAuthorizationApiVersion(ctx));
  const std::string filter = ctx.Query("$filter").value_or("");
  const bool at_scope = FilterArgument(filter, R"(atScope\(\)())").has_value();
  std::optional<std::string> principal = FilterArgument(filter, R"(principalId\s+eq\s+'([^']*)')");
  if (!principal) principal = FilterArgument(filter, R"(assignedTo\('([^']*)'\))");
  if (!filter.empty() && !at_scope && !principal) {
    return InvalidArgumentError("The filter '" + filter + "' is not supported. Supported "
                                "filters: atScope(), principalId eq '{id}', assignedTo('{id}').")
        .WithArmCode("UnsupportedQuery");
  }
  json::array items;
  for (const core::ResourceRecord& record : ctx.access->assignment_records) {
    const core::RoleAssignment a = AssignmentFromRecord(record);
    const bool above = core::ScopeCovers(a.scope, op.scope);
    const bool below = core::ScopeCovers(op.scope, a.scope);
    if (at_scope ? !above : !(above || below)) continue;
    if (principal && !EqualsIgnoreCase(*principal, a.principal_id)) continue;
    items.push_back(AssignmentObject(record));
  }
  return JsonResponse(200, json::object{{"value", std::move(items)}});
}

Status PrincipalNotFound(const std::string& id, const std::string& tenant) {
  return InvalidArgumentError(
             "Principal " + id + " does not exist in the directory " + tenant +
             ". Check that you have the correct principal ID. If you are creating this "
             "principal and then immediately assigning a role, this error might be related to "
             "a replication delay. In this case, set the role assignment principalType property "
             "to a value, such as ServicePrincipal, User, or Group.  See "
             "https://aka.ms/docs-principaltype")
      .WithArmCode("PrincipalNotFound");
}

HandlerResult PutAssignment(ApiState& state, RequestContext& ctx, const Operation& op) {
  const core::Invocation invocation = InvocationOf(state, ctx);
  const std::string& guid = ctx.segments.back();
  if (!IsGuid(guid)) {
    return InvalidArgumentError("The role assignment name '" + guid + "' is not a valid GUID.")
        .WithArmCode("InvalidRoleAssignmentId");
  }
  REPRIEVE_ASSIGN_OR_RETURN(const json::object body, ParseObject(ctx.request.body));
  const json::value* props_value = body.if_contains("properties");
  if (props_value == nullptr || !props_value->is_object()) {
    return InvalidArgumentError("The request body must have 'properties'.")
        .WithArmCode("InvalidRequestContent")
        .WithTarget("properties");
  }
  const json::object& props = props_value->as_object();
  const std::string role_id = TextOf(props, "roleDefinitionId");
  const std::string principal_id = AsciiLower(TextOf(props, "principalId"));
  if (role_id.empty() || principal_id.empty()) {
    return InvalidArgumentError("'properties.roleDefinitionId' and 'properties.principalId' "
                                "are required.")
        .WithArmCode("InvalidRequestContent")
        .WithTarget(role_id.empty() ? "properties.roleDefinitionId" : "properties.principalId");
  }
  const AccessSnapshot& snapshot = *ctx.access;
  const std::string role_guid = RoleGuid(role_id);
  const core::RoleDefinition* role = snapshot.evaluator.Definition(role_guid);
  if (role == nullptr) {
    return InvalidArgumentError("The specified role definition with ID '" + role_guid +
                                "' does not exist.")
        .WithArmCode("RoleDefinitionDoesNotExist");
  }
  if (!std::any_of(role->assignable_scopes.begin(), role->assignable_scopes.end(),
                   [&](const std::string& assignable) {
                     return core::ScopeCovers(assignable, op.scope);
                   })) {
    return PermissionDeniedError("The role definition '" + role_guid +
                                 "' is not assignable at scope '" + op.scope + "'.")
        .WithArmCode("RoleAssignmentScopeNotAllowed");
  }
  const bool is_user = principal_id == kDeveloperObjectId;
  if (!is_user && snapshot.directory.service_principals.count(principal_id) == 0) {
    return PrincipalNotFound(principal_id, state.default_tenant);
  }
  const std::string subscription = SubscriptionIdOf(op.scope);
  if (!subscription.empty()) {
    REPRIEVE_RETURN_IF_ERROR(state.service.tenancy().GetSubscription(subscription).status());
  }
  for (const core::ResourceRecord& record : snapshot.assignment_records) {
    const core::RoleAssignment a = AssignmentFromRecord(record);
    if (a.principal_id == principal_id && a.role_definition_id == role_guid &&
        EqualsIgnoreCase(a.scope, op.scope) && !EqualsIgnoreCase(a.id, guid)) {
      return AlreadyExistsError("The role assignment already exists.")
          .WithArmCode("RoleAssignmentExists");
    }
  }
  const std::string key = core::RoleAssignmentKey(op.scope, guid);
  for (const core::ResourceRecord& record : snapshot.assignment_records) {
    if (record.key != key) continue;
    const core::RoleAssignment a = AssignmentFromRecord(record);
    if (a.principal_id == principal_id && a.role_definition_id == role_guid) {
      return JsonResponse(201, AssignmentObject(record));  // the same assignment again
    }
    return AlreadyExistsError("Tenant ID, application ID, principal ID, and scope are not "
                              "allowed to be updated.")
        .WithArmCode("RoleAssignmentUpdateNotPermitted");
  }
  const std::string stamp = FormatRfc3339(ctx.now);
  std::string principal_type = TextOf(props, "principalType");
  if (principal_type.empty()) principal_type = is_user ? "User" : "ServicePrincipal";
  json::object stored{{"roleDefinitionId", role_id},
                      {"principalId", principal_id},
                      {"principalType", principal_type},
                      {"scope", op.scope},
                      {"condition", nullptr},
                      {"conditionVersion", nullptr},
                      {"createdOn", stamp},
                      {"updatedOn", stamp},
                      {"createdBy", ctx.caller_object_id},
                      {"updatedBy", ctx.caller_object_id},
                      {"delegatedManagedIdentityResourceId", nullptr},
                      {"description", props.if_contains("description")
                                          ? props.at("description")
                                          : json::value(nullptr)}};
  core::ResourceRecord record;
  record.key = key;
  record.id = (op.scope == "/" ? std::string() : op.scope) + std::string(kAssignments) + guid;
  record.subscription = AsciiLower(subscription);
  record.type = std::string(core::kRoleAssignmentType);
  record.name = AsciiLower(guid);
  record.body = json::serialize(stored);
  record.created_at = record.changed_at = ctx.now;
  record.created_by = record.changed_by = ctx.caller.name;
  REPRIEVE_RETURN_IF_ERROR(
      state.service.access().Create(record, "RoleAssignmentExists", &invocation));
  return JsonResponse(201, AssignmentObject(record));
}

HandlerResult Assignment(ApiState& state, RequestContext& ctx, const Operation& op) {
  REPRIEVE_RETURN_IF_ERROR(RequireAuthorizationApiVersion(ctx));
  if (ctx.request.method == "PUT") return PutAssignment(state, ctx, op);
  const std::string key = core::RoleAssignmentKey(op.scope, ctx.segments.back());
  auto record = state.service.access().Get(key);
  if (!record.has_value() && record.status().code() != StatusCode::kNotFound) {
    return record.status();
  }
  if (ctx.request.method == "DELETE") {
    if (!record.has_value()) return EmptyResponse(204);
    const core::Invocation invocation = InvocationOf(state, ctx);
    REPRIEVE_RETURN_IF_ERROR(state.service.access().Erase(key, &invocation).status());
    return JsonResponse(200, AssignmentObject(*record));
  }
  if (!record.has_value()) {
    return NotFoundError("The role assignment '" + ctx.segments.back() + "' is not found.")
        .WithArmCode("RoleAssignmentNotFound");
  }
  return JsonResponse(200, AssignmentObject(*record));
}

bool Assignable(const core::RoleDefinition& role, std::string_view scope) {
  for (const std::string& assignable : role.assignable_scopes) {
    if (core::ScopeCovers(assignable, scope) || core::ScopeCovers(scope, assignable)) return true;
  }
  return false;
}

HandlerResult ListDefinitions(ApiState&, RequestContext& ctx, const Operation& op) {
  REPRIEVE_RETURN_IF_ERROR(RequireAuthorizationApiVersion(ctx));
  const std::string filter = ctx.Query("$filter").value_or("");
  const auto name = FilterArgument(filter, R"(roleName\s+eq\s+'([^']*)')");
  const auto type = FilterArgument(filter, R"(type\s+eq\s+'([^']*)')");
  json::array items;
  const auto add = [&](const core::RoleDefinition& role) {
    if (name && !EqualsIgnoreCase(*name, role.role_name)) return;
    if (type && !EqualsIgnoreCase(*type, role.built_in ? "BuiltInRole" : "CustomRole")) return;
    if (!Assignable(role, op.scope)) return;
    items.push_back(DefinitionObject(role, op.scope));
  };
  for (const core::RoleDefinition& role : core::BuiltinRoles()) add(role);
  for (const core::ResourceRecord& record : ctx.access->custom_roles) {
    add(DefinitionFromRecord(record));
  }
  return JsonResponse(200, json::object{{"value", std::move(items)}});
}

HandlerResult PutDefinition(ApiState& state, RequestContext& ctx, const Operation& op) {
  const core::Invocation invocation = InvocationOf(state, ctx);
  const std::string guid = AsciiLower(ctx.segments.back());
  if (!IsGuid(guid)) {
    return InvalidArgumentError("The role definition name '" + guid + "' is not a valid GUID.")
        .WithArmCode("InvalidRoleDefinitionId");
  }
  for (const core::RoleDefinition& role : core::BuiltinRoles()) {
    if (role.id == guid) {
      return PermissionDeniedError("Built-in role definitions cannot be changed.")
          .WithArmCode("RoleDefinitionUpdateNotAllowed");
    }
  }
  REPRIEVE_ASSIGN_OR_RETURN(const json::object body, ParseObject(ctx.request.body));
  const json::value* props = body.if_contains("properties");
  if (props == nullptr || !props->is_object() || TextOf(props->as_object(), "roleName").empty()) {
    return InvalidArgumentError("'properties.roleName' is required.")
        .WithArmCode("InvalidRequestContent")
        .WithTarget("properties.roleName");
  }
  json::object stored = props->as_object();
  stored["type"] = "CustomRole";
  const json::value* scopes = stored.if_contains("assignableScopes");
  if (scopes == nullptr || !scopes->is_array() || scopes->as_array().empty()) {
    stored["assignableScopes"] = json::array{op.scope};
  }
  std::vector<std::string> reached;
  for (const json::value& scope : stored.at("assignableScopes").as_array()) {
    if (!scope.is_string() || scope.as_string().empty() || scope.as_string().front() != '/') {
      return InvalidArgumentError("Each of 'properties.assignableScopes' must be an ARM scope "
                                  "such as '/subscriptions/{id}'.")
          .WithArmCode("InvalidRequestContent")
          .WithTarget("properties.assignableScopes");
    }
    reached.emplace_back(scope.as_string());
  }
  core::ResourceRecord record;
  record.key = core::RoleDefinitionKey(guid);
  record.id = std::string(kDefinitions) + guid;
  record.type = std::string(core::kRoleDefinitionType);
  record.name = guid;
  record.body = json::serialize(stored);
  record.created_at = record.changed_at = ctx.now;
  auto existing = state.service.access().Get(record.key);
  // A role acts wherever it is assignable: writing it needs the write action at each of its
  // assignable scopes, the ones it had and the ones it gets.
  if (existing.has_value()) {
    for (std::string& scope : DefinitionFromRecord(*existing).assignable_scopes) {
      reached.push_back(std::move(scope));
    }
  }
  REPRIEVE_RETURN_IF_ERROR(RequireLinkedScopes(*ctx.access, ctx.caller.name, ctx.caller_object_id,
                                               op.action, op.scope, reached));
  if (existing.has_value()) {
    REPRIEVE_RETURN_IF_ERROR(
        state.service.access().Replace(record, existing->version, &invocation));
  } else {
    REPRIEVE_RETURN_IF_ERROR(
        state.service.access().Create(record, "RoleDefinitionExists", &invocation));
  }
  return JsonResponse(201, DefinitionObject(DefinitionFromRecord(record), op.scope));
}

HandlerResult Definition(ApiState& state, RequestContext& ctx, const Operation& op) {
  REPRIEVE_RETURN_IF_ERROR(RequireAuthorizationApiVersion(ctx));
  if (ctx.request.method == "PUT") return PutDefinition(state, ctx, op);
  const std::string guid = AsciiLower(ctx.segments.back());
  if (ctx.request.method == "DELETE") {
    for (const core::RoleDefinition& role : core::BuiltinRoles()) {
      if (role.id == guid) {
        return PermissionDeniedError("Built-in role definitions cannot be deleted.")
            .WithArmCode("RoleDefinitionDeleteNotAllowed");
      }
    }
    auto existing = state.service.access().Get(core::RoleDefinitionKey(guid));
    if (!existing.has_value()) return EmptyResponse(204);
    REPRIEVE_RETURN_IF_ERROR(RequireLinkedScopes(
        *ctx.access, ctx.caller.name, ctx.caller_object_id, op.action, op.scope,
        DefinitionFromRecord(*existing).assignable_scopes));
    for (const core::ResourceRecord& record : ctx.access->assignment_records) {
      if (AssignmentFromRecord(record).role_definition_id == guid) {
        return AlreadyExistsError("There are existing role assignments referencing the role.")
            .WithArmCode("RoleDefinitionHasAssignments");
      }
    }
    const core::Invocation invocation = InvocationOf(state, ctx);
    REPRIEVE_RETURN_IF_ERROR(state.service.access().Erase(existing->key, &invocation).status());
    return JsonResponse(200, DefinitionObject(DefinitionFromRecord(*existing), op.scope));
  }
  const core::RoleDefinition* role = ctx.access->evaluator.Definition(guid);
  if (role == nullptr) {
    return NotFoundError("The role definition '" + guid + "' could not be found.")
        .WithArmCode("RoleDefinitionDoesNotExist");
  }
  return JsonResponse(200, DefinitionObject(*role, op.scope));
}

Route RbacRoute(std::string suffix, Methods actions, RouteHandler handler) {
  return MakeRoute("{scope}/providers/Microsoft.Authorization/" + suffix, Access::kAction,
                   std::move(actions), std::move(handler));
}

}  // namespace

void AddRbacRoutes(std::vector<Route>& routes) {
  constexpr const char* kA = "Microsoft.Authorization/roleAssignments/";
  constexpr const char* kD = "Microsoft.Authorization/roleDefinitions/";
  routes.push_back(RbacRoute("roleAssignments", {{"GET", std::string(kA) + "read"}},
                             ListAssignments));
  routes.push_back(RbacRoute("roleAssignments/{roleAssignmentName}",
                             {{"GET", std::string(kA) + "read"},
                              {"PUT", std::string(kA) + "write"},
                              {"DELETE", std::string(kA) + "delete"}},
                             Assignment));
  routes.push_back(RbacRoute("roleDefinitions", {{"GET", std::string(kD) + "read"}},
                             ListDefinitions));
  routes.push_back(RbacRoute("roleDefinitions/{roleDefinitionId}",
                             {{"GET", std::string(kD) + "read"},
                              {"PUT", std::string(kD) + "write"},
                              {"DELETE", std::string(kD) + "delete"}},
                             Definition));
}

}  // namespace reprieve::http::internal
