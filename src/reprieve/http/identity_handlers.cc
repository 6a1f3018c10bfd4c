// Reprieve's token service, as Entra ID answers the clients (shared/reference/
// identity-clients.md §8): OpenID discovery and JWKS under /adfs (az signs in offline only
// with an ADFS authority) and under /{tenant}/v2.0 (the SDKs with instance discovery off),
// the client-credentials grant at both token endpoints, and the managed-identity endpoint
// `az login --identity` uses. Also the admin API's signing-key rotation.
#include <boost/json.hpp>
#include <boost/url.hpp>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/http/internal/access_control.h"
#include "reprieve/http/internal/context.h"
#include "reprieve/http/internal/crypto.h"
#include "reprieve/http/internal/routes.h"
#include "reprieve/http/internal/token_service.h"
#include "reprieve/http/internal/wire.h"

namespace reprieve::http::internal {
namespace json = boost::json;
namespace {

constexpr std::chrono::seconds kTokenLifetime{3600};

Status OAuthError(std::string code, std::string description) {
  const bool client = code == "invalid_client";
  Status status = client ? UnauthenticatedError(std::move(description))
                         : InvalidArgumentError(std::move(description));
  return status.WithArmCode(std::move(code));
}

// The form fields of an application/x-www-form-urlencoded body, decoded.
std::vector<std::pair<std::string, std::string>> FormFields(const RequestContext& ctx) {
  std::vector<std::pair<std::string, std::string>> fields;
  // Form encoding writes spaces as '+'. The view throws on a malformed body, which then
  // has no fields.
  try {
    const boost::urls::params_view params(ctx.request.body,
                                          boost::urls::encoding_opts(/*space_as_plus=*/true));
    for (auto param : params) fields.emplace_back(param.key, param.value);
  } catch (const std::exception&) {
    fields.clear();
  }
  return fields;
}

std::string Field(const std::vector<std::pair<std::string, std::string>>& fields,
                  std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return value;
  }
  return "";
}

// The audience a token for `resource` carries, if it names one of Reprieve's: ARM
// ("https://host:port" with or without the slash, as the SDKs and az ask) or Graph.
std::optional<std::string> AudienceFor(const RequestContext& ctx, std::string resource) {
  const std::string& base = ctx.base_url;
  for (const std::string& known :
       {base, base + "/", base + "/graph", base + "/graph/"}) {
    if (EqualsIgnoreCase(resource, known)) return known;
  }
  return std::nullopt;
}

std::string TenantOf(const ApiState& state, const RequestContext& ctx) {
  const std::string& first = ctx.segments[0];
  return EqualsIgnoreCase(first, "adfs") ? state.default_tenant : AsciiLower(first);
}

HandlerResult OpenIdConfiguration(const RequestContext& ctx) {
  const std::string& base = ctx.base_url;
  const std::string& tenant = ctx.segments[0];
  const bool adfs = EqualsIgnoreCase(tenant, "adfs");
  const bool v2 = ctx.SegmentIs(1, "v2.0");
  const std::string authority = base + "/" + tenant;
  const std::string oauth = authority + (v2 ? "/oauth2/v2.0" : "/oauth2");
  json::object body{
      {"issuer", adfs ? authority : authority + (v2 ? "/v2.0" : "/")},
      {"authorization_endpoint", oauth + "/authorize"},
      {"token_endpoint", oauth + "/token"},
      {"jwks_uri", authority + (adfs ? "/discovery/keys" : v2 ? "/discovery/v2.0/keys"
                                                              : "/discovery/keys")},
      {"response_types_supported", json::array{"token"}},
      {"grant_types_supported", json::array{"client_credentials"}},
      {"token_endpoint_auth_methods_supported", json::array{"client_secret_post"}},
      {"id_token_signing_alg_values_supported", json::array{"ES256"}},
      {"subject_types_supported", json::array{"pairwise"}},
      {"scopes_supported", json::array{"openid"}},
      {"tenant_region_scope", nullptr},
      {"cloud_instance_name", "reprieve"}};
  return JsonResponse(200, body);
}

HandlerResult Jwks(ApiState& state) { return JsonResponse(200, state.tokens.Jwks()); }

Result<std::string> IssueFor(ApiState& state, const RequestContext& ctx,
                             const std::string& audience, const std::string& tenant,
                             const json::object& service_principal) {
  TokenClaims claims;
  claims.audience = audience;
  claims.tenant_id = tenant;
  claims.issuer = ctx.base_url + "/" + tenant + "/";
  const auto text = [&](std::string_view name) {
    const json::value* v = service_principal.if_contains(name);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  claims.object_id = AsciiLower(text("id"));
  claims.app_id = AsciiLower(text("appId"));
  claims.display_name = text("displayName");
  claims.issued_at = claims.not_before = ctx.now;
  claims.expires_at = ctx.now + kTokenLifetime;
  return state.tokens.Issue(claims);
}

// Whether one of the application's passwords is `secret` and has not expired at `now`. Its
// start date is the client's own clock's (az sends its wall clock's now), which a manual
// server clock lags behind, so only the end is enforced. A hash without its credential's
// metadata matches nothing.
bool SecretMatches(const AccessSnapshot& snapshot, const std::string& application_id,
                   const std::string& secret, Timestamp now) {
  const auto hashes = snapshot.directory.secrets.find(application_id);
  const auto app = snapshot.directory.applications.find(application_id);
  if (hashes == snapshot.directory.secrets.end() || app == snapshot.directory.applications.end()) {
    return false;
  }
  const json::value* passwords = app->second.if_contains("passwordCredentials");
  if (passwords == nullptr || !passwords->is_array()) return false;
  for (const json::value& password : passwords->as_array()) {
    if (!password.is_object()) continue;
    const json::object& credential = password.as_object();
    const auto hash = hashes->second.find(TextOf(credential, "keyId"));
    if (hash == hashes->second.end() || !VerifySecret(secret, hash->second)) continue;
    const auto end = ParseRfc3339(TextOf(credential, "endDateTime"));
    return end && now < *end;
  }
  return false;
}

HandlerResult TokenEndpoint(ApiState& state, RequestContext& ctx) {
  ctx.oauth_errors = true;
  const auto fields = FormFields(ctx);
  const std::string tenant = TenantOf(state, ctx);
  if (tenant != state.default_tenant) {
    return OAuthError("invalid_request", "AADSTS90002: Tenant '" + tenant +
                                             "' not found. Check to make sure you have the "
                                             "correct tenant ID and are signing into the "
                                             "correct cloud.");
  }
  const std::string grant = Field(fields, "grant_type");
  if (grant != "client_credentials") {
    return OAuthError("unsupported_grant_type",
                      "AADSTS70003: The app requested an unsupported grant type '" + grant +
                          "'. Reprieve issues tokens for the client_credentials grant.");
  }
  const std::string client_id = AsciiLower(Field(fields, "client_id"));
  const std::string secret = Field(fields, "client_secret");
  std::string scope = Field(fields, "scope");
  if (scope.empty()) scope = Field(fields, "resource");  // the v1 endpoint's parameter
  constexpr std::string_view kDefault = "/.default";
  if (scope.size() >= kDefault.size() &&
      scope.compare(scope.size() - kDefault.size(), kDefault.size(), kDefault) == 0) {
    scope.resize(scope.size() - kDefault.size());
  }
  const auto audience = AudienceFor(ctx, scope);
  if (!audience) {
    return OAuthError("invalid_resource",
                      "AADSTS500011: The resource principal named " + scope +
                          " was not found in the tenant named " + tenant +
                          ". Reprieve issues tokens for " + ctx.base_url + "/ and " +
                          ctx.base_url + "/graph/.");
  }
  REPRIEVE_ASSIGN_OR_RETURN(const auto snapshot, state.access.Current());
  const auto app = snapshot->directory.application_by_app_id.find(client_id);
  if (app == snapshot->directory.application_by_app_id.end()) {
    return OAuthError("unauthorized_client",
                      "AADSTS700016: Application with identifier '" + client_id +
                          "' was not found in the directory '" + tenant + "'.");
  }
  if (secret.empty() || !SecretMatches(*snapshot, app->second, secret, ctx.now)) {
    return OAuthError("invalid_client",
                      "AADSTS7000215: Invalid client secret provided. Ensure the secret being "
                      "sent in the request is the client secret value, not the client secret "
                      "ID, for a secret added to app '" + client_id + "'.");
  }
  const auto sp = snapshot->directory.service_principal_by_app_id.find(client_id);
  if (sp == snapshot->directory.service_principal_by_app_id.end()) {
    return OAuthError("invalid_client", "AADSTS7000229: The client application " + client_id +
                                            " is missing service principal in the tenant " +
                                            tenant + ".");
  }
  REPRIEVE_ASSIGN_OR_RETURN(
      const std::string token,
      IssueFor(state, ctx, *audience, tenant, snapshot->directory.service_principals.at(sp->second)));
  const int64_t lifetime = kTokenLifetime.count();
  return JsonResponse(200, json::object{{"token_type", "Bearer"},
                                        {"expires_in", lifetime},
                                        {"ext_expires_in", lifetime},
                                        {"access_token", token}});
}

}  // namespace

HandlerResult ManagedIdentityToken(ApiState& state, const RequestContext& ctx) {
  if (!state.managed_identity) {
    return NotFoundError("The managed-identity endpoint is turned off (--managed-identity off).")
        .WithArmCode("ManagedIdentityDisabled");
  }
  // Only callers on this machine, reached directly (not through a proxy that forwards
  // others) and by a loopback name (a DNS-rebound name is a web page's, not a local tool's).
  const std::string host = std::string(ctx.request.Header("host"));
  const std::string host_name = host.substr(0, host.front() == '[' ? host.find(']') + 1
                                                                   : host.rfind(':'));
  const bool loopback_name = host_name == "localhost" || host_name == "[::1]" ||
                             host_name.rfind("127.", 0) == 0;
  if (!ctx.request.from_loopback || !loopback_name ||
      !ctx.request.Header("x-forwarded-for").empty() || !ctx.request.Header("forwarded").empty()) {
    return PermissionDeniedError(
               "The managed-identity endpoint answers only callers on this machine that "
               "address it by a loopback name, directly.")
        .WithArmCode("ManagedIdentityLoopbackOnly");
  }
  // As Azure's identity endpoints do, a request must say it is one (a header no browser
  // or redirected request sends), so that no forged cross-site request obtains a token.
  if (!EqualsIgnoreCase(ctx.request.Header("metadata"), "true") &&
      ctx.request.Header("x-identity-header").empty()) {
    return InvalidArgumentError(
               "Required metadata header not specified: send 'Metadata: true'.")
        .WithArmCode("MissingMetadataHeader");
  }
  std::string resource = ctx.Query("resource").value_or("");
  if (ctx.request.method == "POST") {
    if (std::string posted = Field(FormFields(ctx), "resource"); !posted.empty()) {
      resource = posted;
    }
  }
  if (resource.empty()) resource = ctx.base_url + "/";
  const auto audience = AudienceFor(ctx, resource);
  if (!audience) {
    return InvalidArgumentError("The resource '" + resource +
                                "' is not one of Reprieve's: ask for " + ctx.base_url +
                                "/ or " + ctx.base_url + "/graph/.")
        .WithArmCode("InvalidResource");
  }
  REPRIEVE_ASSIGN_OR_RETURN(const auto snapshot, state.access.Current());
  const auto sp = snapshot->directory.service_principals.find(kManagedIdentityObjectId);
  if (sp == snapshot->directory.service_principals.end()) {
    return InternalError("the managed identity's service principal is missing");
  }
  REPRIEVE_ASSIGN_OR_RETURN(const std::string token,
                            IssueFor(state, ctx, *audience, state.default_tenant, sp->second));
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(ctx.now.time_since_epoch()).count();
  const int64_t lifetime = kTokenLifetime.count();
  return JsonResponse(200, json::object{{"access_token", token},
                                        {"refresh_token", ""},
                                        {"expires_in", std::to_string(lifetime)},
                                        {"expires_on", std::to_string(now + lifetime)},
                                        {"not_before", std::to_string(now)},
                                        {"resource", resource},
                                        {"token_type", "Bearer"},
                                        {"client_id", kManagedIdentityAppId}});
}

HandlerResult SigningKeys(ApiState& state, RequestContext& ctx) {
  if (ctx.request.method == "POST") REPRIEVE_RETURN_IF_ERROR(state.tokens.Rotate());
  json::object body = state.tokens.Jwks();
  body["current"] = state.tokens.CurrentKid();
  return JsonResponse(200, body);
}

void AddIdentityRoutes(std::vector<Route>& routes) {
  const auto add = [&](std::string pattern, Methods methods,
                       std::function<HandlerResult(ApiState&, RequestContext&)> handler) {
    routes.push_back(MakeRoute(std::move(pattern), Access::kPublic, std::move(methods),
                               std::move(handler)));
  };
  const auto config = [](ApiState&, RequestContext& ctx) { return OpenIdConfiguration(ctx); };
  const auto keys = [](ApiState& state, RequestContext&) { return Jwks(state); };
  add("/{tenant}/.well-known/openid-configuration", {{"GET", ""}}, config);
  add("/{tenant}/v2.0/.well-known/openid-configuration", {{"GET", ""}}, config);
  add("/{tenant}/discovery/keys", {{"GET", ""}}, keys);
  add("/{tenant}/discovery/v2.0/keys", {{"GET", ""}}, keys);
  add("/{tenant}/oauth2/token", {{"POST", ""}}, TokenEndpoint);
  add("/{tenant}/oauth2/v2.0/token", {{"POST", ""}}, TokenEndpoint);
}

}  // namespace reprieve::http::internal
