// Microsoft Graph v1.0, as much of it as `az ad sp create-for-rbac`, `az ad sp|app
// list/show/delete` and the SDKs' Graph clients use (shared/reference/identity-clients.md
// §2): applications with their password credentials (secrets shown once, stored as salted
// hashes), service principals, the developer user, and directoryObjects/getByIds. Served
// under /graph/v1.0 with the Graph audience.
#include <boost/json.hpp>

#include <regex>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/service/access_records.h"
#include "reprieve/http/internal/access_control.h"
#include "reprieve/http/internal/context.h"
#include "reprieve/http/internal/crypto.h"
#include "reprieve/http/internal/routes.h"
#include "reprieve/http/internal/wire.h"

namespace reprieve::http::internal {
namespace json = boost::json;
namespace {

Status GraphNotFound(const std::string& id) {
  return NotFoundError("Resource '" + id +
                       "' does not exist or one of its queried reference-property objects are "
                       "not present.")
      .WithArmCode("Request_ResourceNotFound");
}

Status GraphBadRequest(std::string message) {
  return InvalidArgumentError(std::move(message)).WithArmCode("Request_BadRequest");
}

json::object DeveloperUser() {
  return json::object{{"id", kDeveloperObjectId},
                      {"displayName", "Reprieve developer"},
                      {"userPrincipalName", kDeveloperUpn},
                      {"mail", kDeveloperUpn}};
}

// An OData $filter of the forms az sends, applied to one object.
class GraphFilter {
 public:
  static Result<GraphFilter> Parse(const std::string& text) {
    GraphFilter filter;
    if (text.empty()) return filter;
    static const std::regex kEq(R"(^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$)", std::regex::icase);
    static const std::regex kStartsWith(R"(^\s*startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)\s*$)",
                                        std::regex::icase);
    static const std::regex kAny(
        R"(^\s*(\w+)/any\(\s*(\w+)\s*:\s*\2\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$)", std::regex::icase);
    std::smatch m;
    if (std::regex_match(text, m, kEq)) {
      filter.kind_ = Kind::kEq;
      filter.property_ = m[1].str();
      filter.value_ = Unquote(m[2].str());
    } else if (std::regex_match(text, m, kStartsWith)) {
      filter.kind_ = Kind::kStartsWith;
      filter.property_ = m[1].str();
      filter.value_ = Unquote(m[2].str());
    } else if (std::regex_match(text, m, kAny)) {
      filter.kind_ = Kind::kAny;
      filter.property_ = m[1].str();
      filter.value_ = Unquote(m[3].str());
    } else {
      return GraphBadRequest("Unsupported query: the $filter '" + text +
                             "' is not one of: prop eq 'v', startswith(prop,'v'), "
                             "prop/any(c:c eq 'v').");
    }
    return filter;
  }

  bool Matches(const json::object& object) const {
    if (kind_ == Kind::kNone) return true;
    const json::value* v = nullptr;
    for (const auto& member : object) {
      if (EqualsIgnoreCase(member.key(), property_)) v = &member.value();
    }
    if (v == nullptr) return false;
    if (kind_ == Kind::kAny) {
      if (!v->is_array()) return false;
      for (const json::value& item : v->as_array()) {
        if (item.is_string() && EqualsIgnoreCase(item.as_string(), value_)) return true;
      }
      return false;
    }
    if (!v->is_string()) return false;
    const std::string_view actual = v->as_string();
    if (kind_ == Kind::kEq) return EqualsIgnoreCase(actual, value_);
    return StartsWithIgnoreCase(actual, value_);
  }

 private:
  enum class Kind { kNone, kEq, kStartsWith, kAny };
  static std::string Unquote(std::string text) {
    for (size_t at = text.find("''"); at != std::string::npos; at = text.find("''", at + 1)) {
      text.erase(at, 1);
    }
    return text;
  }
  Kind kind_ = Kind::kNone;
  std::string property_;
  std::string value_;
};

HttpResponse GraphList(const RequestContext& ctx, const std::string& collection,
                       json::array items) {
  return JsonResponse(200, json::object{{"@odata.context", ctx.base_url + "/graph/v1.0/$metadata#" +
                                                               collection},
                                        {"value", std::move(items)}});
}

// A Graph object to show: what is stored, with @odata.type.
json::object Shown(json::object object, std::string_view odata_type) {
  object["@odata.type"] = std::string(odata_type);
  return object;
}

core::ResourceRecord DirectoryRecord(std::string_view type, const json::object& body,
                                     const std::string& secrets, Timestamp now) {
  core::ResourceRecord record;
  record.key = core::DirectoryKey(type, TextOf(body, "id"));
  record.id = record.key;
  record.type = std::string(type);
  record.name = TextOf(body, "id");
  record.body = json::serialize(body);
  record.secrets = secrets;
  record.created_at = record.changed_at = now;
  return record;
}

HandlerResult Applications(ApiState& state, RequestContext& ctx, const Operation&) {
  if (ctx.request.method == "GET") {
    REPRIEVE_ASSIGN_OR_RETURN(const GraphFilter filter,
                              GraphFilter::Parse(ctx.Query("$filter").value_or("")));
    json::array items;
    for (const auto& [id, app] : ctx.access->directory.applications) {
      if (filter.Matches(app)) items.push_back(Shown(app, "#microsoft.graph.application"));
    }
    return GraphList(ctx, "applications", std::move(items));
  }
  REPRIEVE_ASSIGN_OR_RETURN(const json::object body, ParseObject(ctx.request.body));
  const std::string name = TextOf(body, "displayName");
  if (name.empty()) return GraphBadRequest("Property 'displayName' is required.");
  json::object app{{"id", state.random.NewUuid()},
                   {"appId", state.random.NewUuid()},
                   {"displayName", name},
                   {"createdDateTime", FormatRfc3339(ctx.now)},
                   {"identifierUris", json::array()},
                   {"signInAudience", "AzureADMyOrg"},
                   {"keyCredentials", json::array()},
                   {"passwordCredentials", json::array()},
                   {"publisherDomain", "reprieve.local"}};
  if (const json::value* uris = body.if_contains("identifierUris"); uris && uris->is_array()) {
    app["identifierUris"] = *uris;
  }
  REPRIEVE_RETURN_IF_ERROR(state.service.access().Create(
      DirectoryRecord(core::kApplicationType, app, "{}", ctx.now), "Request_BadRequest"));
  return JsonResponse(201, Shown(app, "#microsoft.graph.application"));
}

Result<core::ResourceRecord> ApplicationRecord(ApiState& state, const std::string& id) {
  auto record = state.service.access().Get(core::DirectoryKey(core::kApplicationType, id));
  if (!record.has_value() && record.status().code() == StatusCode::kNotFound) {
    return GraphNotFound(id);
  }
  return record;
}

HandlerResult Application(ApiState& state, RequestContext& ctx, const Operation&) {
  const std::string id = AsciiLower(ctx.segments[3]);
  REPRIEVE_ASSIGN_OR_RETURN(core::ResourceRecord record, ApplicationRecord(state, id));
  json::object app = json::parse(record.body).as_object();
  if (ctx.request.method == "GET") {
    return JsonResponse(200, Shown(app, "#microsoft.graph.application"));
  }
  if (ctx.request.method == "DELETE") {
    REPRIEVE_RETURN_IF_ERROR(state.service.access().Erase(record.key).status());
    // Deleting an application deletes its service principal, as in Entra ID.
    const auto sp = ctx.access->directory.service_principal_by_app_id.find(
        AsciiLower(TextOf(app, "appId")));
    if (sp != ctx.access->directory.service_principal_by_app_id.end()) {
      REPRIEVE_RETURN_IF_ERROR(
          state.service.access().Erase(core::DirectoryKey(core::kServicePrincipalType, sp->second))
              .status());
    }
    return EmptyResponse(204);
  }
  REPRIEVE_ASSIGN_OR_RETURN(const json::object patch, ParseObject(ctx.request.body));
  for (const char* name : {"displayName", "identifierUris"}) {
    if (const json::value* v = patch.if_contains(name)) app[name] = *v;
  }
  record.body = json::serialize(app);
  record.changed_at = ctx.now;
  REPRIEVE_RETURN_IF_ERROR(state.service.access().Replace(record, record.version));
  return EmptyResponse(204);
}

HandlerResult Password(ApiState& state, RequestContext& ctx, const Operation&) {
  const std::string id = AsciiLower(ctx.segments[3]);
  const bool add = ctx.SegmentIs(4, "addPassword");
  REPRIEVE_ASSIGN_OR_RETURN(core::ResourceRecord record, ApplicationRecord(state, id));
  json::object app = json::parse(record.body).as_object();
  std::error_code ec;
  json::value secrets_value = json::parse(record.secrets.empty() ? "{}" : record.secrets, ec);
  json::object secrets = !ec && secrets_value.is_object() ? secrets_value.as_object() : json::object();
  json::array passwords = app["passwordCredentials"].is_array()
                              ? app["passwordCredentials"].as_array()
                              : json::array();
  REPRIEVE_ASSIGN_OR_RETURN(const json::object body, ParseObject(ctx.request.body));
  HttpResponse response = EmptyResponse(204);
  if (add) {
    json::object requested;
    if (const json::value* p = body.if_contains("passwordCredential"); p && p->is_object()) {
      requested = p->as_object();
    }
    std::string start = TextOf(requested, "startDateTime");
    std::string end = TextOf(requested, "endDateTime");
    if (start.empty()) start = FormatRfc3339(ctx.now);
    if (end.empty()) end = FormatRfc3339(ctx.now + std::chrono::days(730));
    if (!ParseRfc3339(start) || !ParseRfc3339(end)) {
      return GraphBadRequest("startDateTime and endDateTime must be RFC 3339 instants.");
    }
    // The secret is shown once, in this answer; only its salted hash is kept. It begins with
    // a letter, as Entra ID's do: base64url may begin with '-', which `az login -p SECRET`
    // would read as an option.
    const std::string secret = "R" + RandomToken(30);
    const std::string key_id = state.random.NewUuid();
    json::object credential{{"customKeyIdentifier", nullptr},
                            {"displayName", requested.if_contains("displayName")
                                                ? requested.at("displayName")
                                                : json::value(nullptr)},
                            {"endDateTime", end},
                            {"hint", secret.substr(0, 3)},
                            {"keyId", key_id},
                            {"secretText", nullptr},
                            {"startDateTime", start}};
    passwords.push_back(credential);
    secrets[key_id] = HashSecret(secret);
    credential["secretText"] = secret;
    response = JsonResponse(200, credential);
  } else {
    const std::string key_id = AsciiLower(TextOf(body, "keyId"));
    json::array kept;
    bool found = false;
    for (const json::value& password : passwords) {
      if (password.is_object() && EqualsIgnoreCase(TextOf(password.as_object(), "keyId"), key_id)) {
        found = true;
        continue;
      }
      kept.push_back(password);
    }
    if (!found) return GraphBadRequest("No password credential has the keyId '" + key_id + "'.");
    passwords = std::move(kept);
    secrets.erase(key_id);
  }
  app["passwordCredentials"] = std::move(passwords);
  record.body = json::serialize(app);
  record.secrets = json::serialize(secrets);
  record.changed_at = ctx.now;
  REPRIEVE_RETURN_IF_ERROR(state.service.access().Replace(record, record.version));
  return response;
}

HandlerResult ServicePrincipals(ApiState& state, RequestContext& ctx, const Operation&) {
  const DirectorySnapshot& directory = ctx.access->directory;
  if (ctx.request.method == "GET") {
    REPRIEVE_ASSIGN_OR_RETURN(const GraphFilter filter,
                              GraphFilter::Parse(ctx.Query("$filter").value_or("")));
    json::array items;
    for (const auto& [id, sp] : directory.service_principals) {
      if (filter.Matches(sp)) items.push_back(Shown(sp, "#microsoft.graph.servicePrincipal"));
    }
    return GraphList(ctx, "servicePrincipals", std::move(items));
  }
  REPRIEVE_ASSIGN_OR_RETURN(const json::object body, ParseObject(ctx.request.body));
  const std::string app_id = AsciiLower(TextOf(body, "appId"));
  const auto app = directory.application_by_app_id.find(app_id);
  if (app == directory.application_by_app_id.end()) {
    return GraphBadRequest("The appId '" + app_id +
                           "' of the object referenced does not reference a valid application "
                           "object.");
  }
  if (directory.service_principal_by_app_id.count(app_id) != 0) {
    return AlreadyExistsError("Another object with the same value for property "
                              "servicePrincipalNames already exists.")
        .WithArmCode("Request_MultipleObjectsWithSameKeyValue");
  }
  const json::object& application = directory.applications.at(app->second);
  const json::value* enabled = body.if_contains("accountEnabled");
  json::object sp{{"id", state.random.NewUuid()},
                  {"appId", app_id},
                  {"displayName", TextOf(application, "displayName")},
                  {"servicePrincipalType", "Application"},
                  {"servicePrincipalNames", json::array{app_id}},
                  {"accountEnabled", enabled && enabled->is_bool() ? enabled->as_bool() : true},
                  {"appOwnerOrganizationId", state.default_tenant},
                  {"createdDateTime", FormatRfc3339(ctx.now)}};
  REPRIEVE_RETURN_IF_ERROR(state.service.access().Create(
      DirectoryRecord(core::kServicePrincipalType, sp, "", ctx.now),
      "Request_MultipleObjectsWithSameKeyValue"));
  return JsonResponse(201, Shown(sp, "#microsoft.graph.servicePrincipal"));
}

HandlerResult ServicePrincipal(ApiState& state, RequestContext& ctx, const Operation&) {
  const std::string id = AsciiLower(ctx.segments[3]);
  const auto sp = ctx.access->directory.service_principals.find(id);
  if (sp == ctx.access->directory.service_principals.end()) return GraphNotFound(id);
  if (ctx.request.method == "GET") {
    return JsonResponse(200, Shown(sp->second, "#microsoft.graph.servicePrincipal"));
  }
  if (id == kManagedIdentityObjectId) {
    return GraphBadRequest("The managed identity cannot be deleted: it is Reprieve's bootstrap "
                           "administrator.");
  }
  REPRIEVE_RETURN_IF_ERROR(
      state.service.access().Erase(core::DirectoryKey(core::kServicePrincipalType, id)).status());
  return EmptyResponse(204);
}

HandlerResult Users(ApiState&, RequestContext& ctx, const Operation&) {
  REPRIEVE_ASSIGN_OR_RETURN(const GraphFilter filter,
                            GraphFilter::Parse(ctx.Query("$filter").value_or("")));
  json::array items;
  if (ctx.access->evaluator.HasAnyRoleTouching(kDeveloperObjectId, "/") &&
      filter.Matches(DeveloperUser())) {
    items.push_back(Shown(DeveloperUser(), "#microsoft.graph.user"));
  }
  return GraphList(ctx, "users", std::move(items));
}

HandlerResult User(ApiState&, RequestContext& ctx, const Operation&) {
  const bool me = ctx.segments.size() == 3;
  const std::string id = me ? std::string(ctx.caller_object_id) : AsciiLower(ctx.segments[3]);
  if (id != kDeveloperObjectId && !EqualsIgnoreCase(id, kDeveloperUpn)) {
    if (me) {
      return GraphBadRequest("/me request is only valid with delegated authentication flow.");
    }
    return GraphNotFound(id);
  }
  return JsonResponse(200, Shown(DeveloperUser(), "#microsoft.graph.user"));
}

HandlerResult GetByIds(ApiState&, RequestContext& ctx, const Operation&) {
  REPRIEVE_ASSIGN_OR_RETURN(const json::object body, ParseObject(ctx.request.body));
  const json::value* ids = body.if_contains("ids");
  if (ids == nullptr || !ids->is_array()) return GraphBadRequest("Property 'ids' is required.");
  json::array items;
  const DirectorySnapshot& directory = ctx.access->directory;
  for (const json::value& id_value : ids->as_array()) {
    if (!id_value.is_string()) continue;
    const std::string id = AsciiLower(id_value.as_string());
    if (const auto sp = directory.service_principals.find(id); sp != directory.service_principals.end()) {
      items.push_back(Shown(sp->second, "#microsoft.graph.servicePrincipal"));
    } else if (const auto app = directory.applications.find(id); app != directory.applications.end()) {
      items.push_back(Shown(app->second, "#microsoft.graph.application"));
    } else if (id == kDeveloperObjectId) {
      items.push_back(Shown(DeveloperUser(), "#microsoft.graph.user"));
    }
  }
  return GraphList(ctx, "directoryObjects", std::move(items));
}

Route GraphRoute(std::string suffix, Access access, Methods actions, RouteHandler handler) {
  Route route = MakeRoute("/graph/v1.0/" + suffix, access, std::move(actions), std::move(handler));
  route.graph = true;
  return route;
}

}  // namespace

void AddGraphRoutes(std::vector<Route>& routes) {
  constexpr const char* kApps = "microsoft.directory/applications/";
  constexpr const char* kSps = "microsoft.directory/servicePrincipals/";
  // Reads are open to every principal of the directory, as Entra ID's default member
  // permissions; writes need the directory action at root scope (Owner holds it).
  routes.push_back(GraphRoute("applications", Access::kGraphRead, {{"GET", ""}}, Applications));
  routes.push_back(GraphRoute("applications", Access::kGraphWrite,
                              {{"POST", std::string(kApps) + "create"}}, Applications));
  routes.push_back(GraphRoute("applications/{id}", Access::kGraphRead, {{"GET", ""}},
                              Application));
  routes.push_back(GraphRoute("applications/{id}", Access::kGraphWrite,
                              {{"PATCH", std::string(kApps) + "basic/update"},
                               {"DELETE", std::string(kApps) + "delete"}},
                              Application));
  routes.push_back(GraphRoute("applications/{id}/addPassword", Access::kGraphWrite,
                              {{"POST", std::string(kApps) + "credentials/update"}}, Password));
  routes.push_back(GraphRoute("applications/{id}/removePassword", Access::kGraphWrite,
                              {{"POST", std::string(kApps) + "credentials/update"}}, Password));
  routes.push_back(GraphRoute("servicePrincipals", Access::kGraphRead, {{"GET", ""}},
                              ServicePrincipals));
  routes.push_back(GraphRoute("servicePrincipals", Access::kGraphWrite,
                              {{"POST", std::string(kSps) + "create"}}, ServicePrincipals));
  routes.push_back(GraphRoute("servicePrincipals/{id}", Access::kGraphRead, {{"GET", ""}},
                              ServicePrincipal));
  routes.push_back(GraphRoute("servicePrincipals/{id}", Access::kGraphWrite,
                              {{"DELETE", std::string(kSps) + "delete"}}, ServicePrincipal));
  routes.push_back(GraphRoute("users", Access::kGraphRead, {{"GET", ""}}, Users));
  routes.push_back(GraphRoute("users/{id}", Access::kGraphRead, {{"GET", ""}}, User));
  routes.push_back(GraphRoute("me", Access::kGraphRead, {{"GET", ""}}, User));
  routes.push_back(GraphRoute("directoryObjects/getByIds", Access::kGraphRead, {{"POST", ""}},
                              GetByIds));
}

}  // namespace reprieve::http::internal
