#include "reprieve/http/arm_api.h"

#include <boost/json.hpp>
#include <boost/url.hpp>

#include "reprieve/base/log.h"
#include "reprieve/base/strings.h"
#include "reprieve/http/arm_error.h"
#include "reprieve/http/internal/base64.h"
#include "reprieve/base/status_macros.h"
#include "reprieve/core/authz/access_evaluator.h"
#include "reprieve/core/service/access_records.h"
#include "reprieve/http/internal/access_control.h"
#include "reprieve/http/internal/context.h"
#include "reprieve/http/internal/operations.h"
#include "reprieve/http/internal/routes.h"
#include "reprieve/http/internal/token_service.h"
#include "reprieve/http/internal/wire.h"

#include <algorithm>
#include <array>

namespace reprieve::http {
namespace json = boost::json;
using internal::HandlerResult;
using internal::RequestContext;

struct ArmApi::State {
  State(core::ResourceService& service, const Clock& clock, RandomSource& random,
        ArmApiOptions& options, std::unique_ptr<internal::TokenService> token_service)
      : access(service.access(), options.auth == AuthMode::kDev),
        tokens(std::move(token_service)),
        routes(internal::BuildRouteTable(service.catalog())),
        api{service,           clock,          random,          options.manual_clock,
            std::move(options.sweep_now),      std::move(options.default_tenant),
            options.auth,      options.managed_identity, access,
            *tokens,           routes} {
    api.telemetry = &core::TelemetryOrNone(options.telemetry);
    api.operations = options.operations;
    api.retry_after_seconds = options.retry_after_seconds;
    api.metrics = std::move(options.metrics);
    api.readiness = std::move(options.readiness);
    api.log_requests = options.log_requests;
  }

  // Declared before `api`, which refers to them.
  internal::AccessControl access;
  std::unique_ptr<internal::TokenService> tokens;
  internal::RouteTable routes;
  internal::ApiState api;
};

namespace {

// Reprieve does not throttle; the rate-limit headers report ARM's full per-principal buckets.
constexpr const char* kRemainingReads = "249";
constexpr const char* kRemainingWrites = "199";
constexpr const char* kRemainingDeletes = "199";

// The answer to a request refused with `status`, its body already rendered ("" for HEAD):
// the mapped HTTP status, and the headers every error answer carries.
HttpResponse ErrorAnswer(const Status& status, std::string body) {
  HttpResponse response;
  response.status = MapStatus(status).http_status;
  if (!body.empty()) {
    response.body = std::move(body);
    response.SetHeader("Content-Type", "application/json; charset=utf-8");
  }
  response.SetHeader("x-ms-failure-cause", "gateway");
  if (response.status == 503 || response.status == 429) response.SetHeader("Retry-After", "1");
  return response;
}

Status NoRoute(const RequestContext& ctx) {
  return NotFoundError("No route matches '" + ctx.request.method + " " + ctx.path +
                       "'. See the README for the API surface Reprieve serves.")
      .WithArmCode("InvalidRoute");
}

// Who a token Reprieve did not sign says the caller is (dev mode), for systemData: the user
// a JWT's upn / unique_name / email claim names, else the application its appid names; a
// generic user for opaque tokens.
core::Principal DecodeCaller(std::string_view token) {
  const core::Principal anonymous("reprieve-user");
  const size_t first = token.find('.');
  const size_t second = token.find('.', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return anonymous;
  const auto payload = internal::Base64UrlDecode(token.substr(first + 1, second - first - 1));
  if (!payload) return anonymous;
  std::error_code ec;
  const json::value claims = json::parse(*payload, ec);
  if (ec || !claims.is_object()) return anonymous;
  for (const char* claim : {"upn", "unique_name", "email"}) {
    if (const json::value* v = claims.as_object().if_contains(claim); v && v->is_string()) {
      return core::Principal(std::string(v->as_string()), core::PrincipalType::kUser);
    }
  }
  if (const json::value* v = claims.as_object().if_contains("appid"); v && v->is_string()) {
    return core::Principal(std::string(v->as_string()), core::PrincipalType::kApplication);
  }
  return anonymous;
}

// Azure's M/d/yyyy h:mm:ss AM/PM, as its token errors print instants.
std::string AzureTime(Timestamp t) {
  const std::string rfc = FormatRfc3339(t);  // 2026-06-15T08:22:51Z
  const int year = std::stoi(rfc.substr(0, 4));
  const int month = std::stoi(rfc.substr(5, 2));
  const int day = std::stoi(rfc.substr(8, 2));
  int hour = std::stoi(rfc.substr(11, 2));
  const std::string rest = rfc.substr(13, 6);  // ":22:51"
  const char* half = hour < 12 ? "AM" : "PM";
  hour %= 12;
  if (hour == 0) hour = 12;
  return std::to_string(month) + "/" + std::to_string(day) + "/" + std::to_string(year) + " " +
         std::to_string(hour) + rest + " " + half;
}

Status InvalidToken(const std::string& why) {
  return UnauthenticatedError("The access token is invalid: " + why + ".")
      .WithArmCode("InvalidAuthenticationToken");
}

// How far a token's nbf and exp may be off the server's clock, as Azure allows.
constexpr std::chrono::minutes kClockSkew{5};

// What a token says, remembered per thread: a client sends the same token with every
// request until it expires, an hour later, and an ES256 verification (or, for a token
// Reprieve did not sign, decoding its claims) is costly. An entry is keyed by the token
// service's key generation, so a rotation never reuses one.
struct KnownToken {
  uint64_t generation = 0;
  std::string token;
  internal::VerifiedToken verified;
  core::Principal foreign_caller;  // dev mode: who a token Reprieve did not sign names
};

const KnownToken& Recall(const internal::TokenService& tokens, std::string_view token) {
  thread_local std::array<KnownToken, 8> entries;
  thread_local size_t next = 0;
  const uint64_t generation = tokens.generation();
  for (const KnownToken& entry : entries) {
    if (entry.generation == generation && entry.token == token) return entry;
  }
  // Filled aside and published whole: a throw half-way leaves no entry that answers for
  // this token with another's claims.
  KnownToken fresh;
  fresh.generation = generation;
  fresh.token = std::string(token);
  fresh.verified = tokens.Verify(token);
  fresh.foreign_caller = fresh.verified.problem == internal::TokenProblem::kNone
                             ? core::Principal()
                             : DecodeCaller(token);
  KnownToken& slot = entries[next++ % entries.size()];
  slot = std::move(fresh);
  return slot;
}

// Judges the bearer token for `route` and sets the caller. In dev mode a token Reprieve did
// not sign is the developer principal; a token it signed is checked as in strict mode.
Status Authenticate(internal::ApiState& api, RequestContext& ctx, const internal::Route* route,
                    const internal::AccessSnapshot& snapshot) {
  const std::string_view authorization = ctx.request.Header("authorization");
  if (authorization.empty()) {
    return UnauthenticatedError(
               "Authentication failed. The 'Authorization' header is missing.")
        .WithArmCode("AuthenticationFailed");
  }
  if (!StartsWithIgnoreCase(authorization, "Bearer ") || authorization.size() <= 7) {
    return UnauthenticatedError(
               "Authentication failed. The 'Authorization' header is provided in an invalid "
               "format: expected 'Bearer <token>'.")
        .WithArmCode("AuthenticationFailedInvalidHeader");
  }
  const std::string_view token = authorization.substr(7);
  const KnownToken& known = Recall(api.tokens, token);
  const internal::VerifiedToken& verified = known.verified;
  if (verified.problem == internal::TokenProblem::kNotOurs ||
      verified.problem == internal::TokenProblem::kMalformed) {
    if (api.auth_mode == AuthMode::kDev) {
      ctx.caller = known.foreign_caller;
      ctx.caller_object_id = internal::kDeveloperObjectId;
      return OkStatus();
    }
    return InvalidToken(verified.problem == internal::TokenProblem::kNotOurs
                            ? "it was not issued by Reprieve's token service (" + ctx.base_url +
                                  "/adfs or " + ctx.base_url + "/{tenant}/oauth2/v2.0/token)"
                            : verified.reason);
  }
  if (verified.problem == internal::TokenProblem::kBadSignature) {
    return InvalidToken(verified.reason);
  }
  const internal::TokenClaims& claims = verified.claims;
  const bool graph = route != nullptr && route->graph;
  const std::string resource = ctx.base_url + (graph ? "/graph" : "");
  if (claims.audience != resource && claims.audience != resource + "/") {
    return UnauthenticatedError("The access token has been obtained for wrong audience or "
                                "resource '" + claims.audience + "'. It should exactly match "
                                "with one of the allowed audiences '" + resource + "/','" +
                                resource + "'.")
        .WithArmCode("InvalidAuthenticationTokenAudience");
  }
  const std::string issuer = ctx.base_url + "/" + claims.tenant_id + "/";
  if (claims.issuer != issuer || claims.tenant_id != api.default_tenant) {
    return UnauthenticatedError("The access token is from the wrong issuer '" + claims.issuer +
                                "'. It must match the tenant '" + ctx.base_url + "/" +
                                api.default_tenant + "/' associated with this server. Please "
                                "use the authority (URL) '" + ctx.base_url +
                                "/adfs' to get the token.")
        .WithArmCode("InvalidAuthenticationTokenTenant");
  }
  if (claims.not_before > ctx.now + kClockSkew) {
    return InvalidToken("it is not valid before " + AzureTime(claims.not_before) +
                        " UTC, and the current UTC time is " + AzureTime(ctx.now));
  }
  if (claims.expires_at + kClockSkew < ctx.now) {
    return UnauthenticatedError("The access token expiry UTC time '" +
                                AzureTime(claims.expires_at) +
                                "' is earlier than current UTC time '" + AzureTime(ctx.now) +
                                "'.")
        .WithArmCode("ExpiredAuthenticationToken");
  }
  const auto sp = snapshot.directory.service_principals.find(claims.object_id);
  if (sp == snapshot.directory.service_principals.end()) {
    return InvalidToken("its principal '" + claims.object_id +
                        "' no longer exists in the directory");
  }
  const boost::json::value* enabled = sp->second.if_contains("accountEnabled");
  if (enabled != nullptr && enabled->is_bool() && !enabled->as_bool()) {
    return InvalidToken("its principal '" + claims.object_id + "' is disabled");
  }
  ctx.caller = core::Principal(claims.app_id, core::PrincipalType::kApplication);
  ctx.caller_object_id = claims.object_id;
  return OkStatus();
}

Status Denied(const RequestContext& ctx, const std::string& action, const std::string& scope) {
  return PermissionDeniedError("The client '" + ctx.caller.name + "' with object id '" +
                               std::string(ctx.caller_object_id) +
                               "' does not have authorization to perform action '" + action +
                               "' over scope '" + scope +
                               "' or the scope is invalid. If access was recently granted, "
                               "please refresh your credentials.")
      .WithArmCode("AuthorizationFailed");
}

// The action a denial names: the route's, or for the admin API (Owner at root) its own.
std::string DeniedAction(const RequestContext& ctx, const internal::Operation& op) {
  const internal::Access access = op.route->access;
  if (access == internal::Access::kRootOwner || access == internal::Access::kLoopbackOrRootOwner) {
    return "Reprieve/admin/" + std::string(ctx.request.method == "GET" ? "read" : "write");
  }
  return op.action;
}

// Whether the caller may perform `op`: RBAC for actions, Owner at root for the admin API.
Status Authorize(const RequestContext& ctx, const internal::Operation& op,
                 const internal::AccessSnapshot& snapshot) {
  const core::AccessEvaluator& rbac = snapshot.evaluator;
  switch (op.route->access) {
    case internal::Access::kPublic:
    case internal::Access::kSignedIn:
    case internal::Access::kGraphRead:
      return OkStatus();
    case internal::Access::kRootOwner:
    case internal::Access::kLoopbackOrRootOwner:
      if (rbac.HoldsRoleAt(ctx.caller_object_id, core::kOwnerRoleId, "/")) return OkStatus();
      return Denied(ctx, DeniedAction(ctx, op), "/");
    case internal::Access::kGraphWrite:
      // The directory is above every subscription: changing it (a secret of an Owner's
      // application included) is for Owners at root, not for any role whose "*" matches.
      if (rbac.HoldsRoleAt(ctx.caller_object_id, core::kOwnerRoleId, "/")) return OkStatus();
      return Denied(ctx, op.action, "/");
    case internal::Access::kActionOrStarter:
    case internal::Access::kAction: {
      const std::string& scope = op.scope;
      if (!rbac.Evaluate(ctx.caller_object_id, op.action, scope).allowed) {
        return Denied(ctx, op.action, scope);
      }
      if (!op.also_action.empty() &&
          !rbac.Evaluate(ctx.caller_object_id, op.also_action, op.also_scope).allowed) {
        return Denied(ctx, op.also_action, op.also_scope);
      }
      return OkStatus();
    }
  }
  return OkStatus();
}

Status ParseTarget(RequestContext& ctx) {
  auto parsed = boost::urls::parse_origin_form(ctx.request.target);
  if (!parsed) {
    return InvalidArgumentError("The request URI '" + ctx.request.target + "' is malformed.")
        .WithArmCode("InvalidRequestUri");
  }
  const boost::urls::url_view url = *parsed;
  // Empty segments are dropped, as ARM does: az's generic `az resource` commands send
  // ".../{namespace}//{type}/..." when a resource has no parent path.
  ctx.segments.reserve(12);
  for (std::string segment : url.segments()) {
    if (!segment.empty()) ctx.segments.push_back(std::move(segment));
  }
  ctx.path = std::string(url.path());
  for (auto param : url.params()) {
    ctx.query.emplace_back(AsciiLower(param.key), std::move(param.value));
  }
  return OkStatus();
}

// Route, authenticate, authorize, handle: in that order, for every request.
HandlerResult Dispatch(internal::ApiState& api, RequestContext& ctx) {
  REPRIEVE_RETURN_IF_ERROR(ParseTarget(ctx));
  ctx.api_version = ctx.Query("api-version").value_or("");
  const internal::Route* route = api.routes.Match(ctx.segments, ctx.request.method);
  if (route != nullptr) ctx.route = route->pattern;
  // The metrics answer loopback callers (the host's own scraper) without a token.
  const bool open_here = route != nullptr && route->access == internal::Access::kLoopbackOrRootOwner &&
                         ctx.request.from_loopback;
  if (route != nullptr && (route->access == internal::Access::kPublic || open_here)) {
    const internal::Operation op = internal::RouteTable::Resolve(*route, ctx.segments,
                                                                 ctx.request.method);
    if (!op.served) return MethodNotAllowed(ctx, internal::AllowedMethods(*route));
    return route->handler(api, ctx, op);
  }
  REPRIEVE_ASSIGN_OR_RETURN(ctx.access, api.access.Current());
  REPRIEVE_RETURN_IF_ERROR(Authenticate(api, ctx, route, *ctx.access));
  if (route == nullptr) return NoRoute(ctx);
  const internal::Operation op =
      internal::RouteTable::Resolve(*route, ctx.segments, ctx.request.method);
  if (!op.served) return MethodNotAllowed(ctx, internal::AllowedMethods(*route));
  ctx.action = op.action;
  ctx.scope = op.scope;
  // A mutation of a subscription's resources that is denied or refused is recorded in the
  // activity log (one that committed recorded itself with its change).
  const bool logged = route->access == internal::Access::kAction && ctx.request.method != "GET" &&
                      ctx.request.method != "HEAD" && !op.action.empty() &&
                      ctx.SegmentIs(0, "subscriptions");
  const auto refused = [&](const Status& status) {
    if (!logged) return;
    const ArmError error = MapStatus(status);
    const core::Invocation invocation = internal::InvocationOf(api, ctx);
    const Status recorded = api.service.RecordRefusal(invocation, invocation.resource_id, status,
                                                      HttpStatusText(error.http_status));
    if (!recorded.ok()) LogError("cannot record a refused request: " + recorded.ToString());
  };
  if (Status allowed = Authorize(ctx, op, *ctx.access); !allowed.ok()) {
    if (route->access != internal::Access::kActionOrStarter) {
      api.telemetry->AuthorizationDenied(DeniedAction(ctx, op));
      refused(allowed);
      return allowed;
    }
    ctx.denied = std::move(allowed);  // the handler decides once it knows who started it
  }
  HandlerResult result = route->handler(api, ctx, op);
  if (!result.has_value()) {
    // A starter's own operation is shown; anyone else's denial is counted as one.
    if (!ctx.denied.ok() && result.status().arm_code() == ctx.denied.arm_code()) {
      api.telemetry->AuthorizationDenied(DeniedAction(ctx, op));
    }
    refused(result.status());
  }
  return result;
}

// "https://host[:port]" of the request. A Host header that is not a host name or address
// with an optional port (a path, a user, a space) is not trusted: token audiences and
// issuers are built from it.
std::string BaseUrl(const HttpRequest& request) {
  std::string_view host = request.Header("host");
  const bool valid = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
  });
  if (!valid) host = "localhost";
  return std::string(request.secure ? "https://" : "http://") + std::string(host);
}

}  // namespace

bool internal::RequestContext::SegmentIs(size_t index, std::string_view literal) const {
  return index < segments.size() && EqualsIgnoreCase(segments[index], literal);
}

ArmApi::ArmApi(std::unique_ptr<State> state) : state_(std::move(state)) {}

Result<std::unique_ptr<ArmApi>> ArmApi::Create(core::ResourceService& service, const Clock& clock,
                                               RandomSource& random, ArmApiOptions options) {
  REPRIEVE_ASSIGN_OR_RETURN(
      std::unique_ptr<internal::TokenService> tokens,
      internal::TokenService::Create(options.signing_keys, std::move(options.persist_signing_keys)));
  auto state = std::make_unique<State>(service, clock, random, options, std::move(tokens));
  REPRIEVE_RETURN_IF_ERROR(internal::EnsureManagedIdentity(
      service.access(), state->api.default_tenant, clock.Now()));
  return std::unique_ptr<ArmApi>(new ArmApi(std::move(state)));
}

ArmApi::~ArmApi() = default;

std::vector<ArmApi::RouteInfo> ArmApi::Routes() const {
  std::vector<RouteInfo> out;
  for (const internal::Route& route : state_->routes.routes()) {
    const char* access = "action";
    switch (route.access) {
      case internal::Access::kPublic: access = "public"; break;
      case internal::Access::kSignedIn: access = "signed-in"; break;
      case internal::Access::kAction: access = "action"; break;
      case internal::Access::kActionOrStarter: access = "action-or-starter"; break;
      case internal::Access::kRootOwner: access = "root-owner"; break;
      case internal::Access::kLoopbackOrRootOwner: access = "loopback-or-root-owner"; break;
      case internal::Access::kGraphRead: access = "graph-read"; break;
      case internal::Access::kGraphWrite: access = "graph-write"; break;
    }
    out.push_back({route.pattern, access, route.actions});
  }
  return out;
}

bool ArmApi::IsReadOnly(const HttpRequest& request) {
  return request.method == "GET" || request.method == "HEAD";
}

HttpResponse ArmApi::Handle(const HttpRequest& request) {
  internal::ApiState& api = state_->api;
  api.telemetry->RequestStarted();
  RequestContext ctx{request,        {}, {}, {}, BaseUrl(request), api.random.NewUuid(), {}, {},
                     api.clock.Now()};
  const std::string_view correlation = request.Header("x-ms-correlation-request-id");
  ctx.correlation_id = correlation.empty() ? ctx.request_id : std::string(correlation);
  HandlerResult result = [&]() -> HandlerResult {
    // The last resort: an exception that escapes a handler is a logged 500 with the ARM
    // envelope, never a dropped connection.
    try {
      return Dispatch(api, ctx);
    } catch (const std::exception& e) {
      return InternalError(std::string("unhandled exception: ") + e.what());
    } catch (...) {
      return InternalError("unhandled exception of unknown type");
    }
  }();
  return Finish(ctx, std::move(result));
}

HttpResponse ArmApi::AnswerStarting(const HttpRequest& request, RandomSource& random) {
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  HttpResponse response;
  response.SetHeader("Content-Type", "text/plain; charset=utf-8");
  if (request.method == "GET" && path == "/healthz") {
    response.body = "ok\n";
    return response;
  }
  const std::string request_id = random.NewUuid();
  const Status starting =
      UnavailableError("Reprieve is starting: its store is not open yet. Retry shortly.")
          .WithArmCode("ServiceUnavailable");
  response = ErrorAnswer(starting, ArmErrorBody(starting, request_id));
  response.AddHeader("x-ms-request-id", request_id);
  return response;
}

HttpResponse ArmApi::Reject(const Status& status) {
  static const HttpRequest kUnparsed{"GET", "/", {}, {}, true};
  internal::ApiState& api = state_->api;
  api.telemetry->RequestStarted();
  RequestContext ctx{kUnparsed, {}, {}, {}, "", api.random.NewUuid(), {}, {}, api.clock.Now()};
  return Finish(ctx, status);
}

HttpResponse ArmApi::Finish(const internal::RequestContext& ctx, internal::HandlerResult result) {
  const HttpRequest& request = ctx.request;
  HttpResponse response;
  std::string error_code;
  if (result.has_value()) {
    response = std::move(result).value();
  } else {
    const Status status = result.status();
    const ArmError mapped = MapStatus(status);
    error_code = mapped.code;
    // An internal error's answer is generic (arm_error.cc), so its cause goes to the log;
    // every other error's message is in the answer. The path only: a query may carry what
    // is not ours to log.
    if (status.code() == StatusCode::kInternal) {
      Log(LogLevel::kError, "request failed",
          {{"requestId", ctx.request_id},
           {"method", request.method},
           {"path", ctx.path},
           {"cause", status.ToString()}});
    }
    response = ErrorAnswer(status, request.method == "HEAD"
                                       ? std::string()
                                       : ctx.oauth_errors
                                             ? OAuthErrorBody(status, ctx.request_id,
                                                              FormatRfc3339(ctx.now))
                                             : ArmErrorBody(status, ctx.request_id));
    if (response.status == 401 && !ctx.oauth_errors) {
      response.SetHeader("WWW-Authenticate",
                         "Bearer authorization_uri=\"" + ctx.base_url +
                             "\", error=\"invalid_token\", error_description=\"" +
                             status.message() + "\"");
    }
  }
  // No handler sets these.
  const std::string_view correlation = request.Header("x-ms-correlation-request-id");
  response.AddHeader("x-ms-request-id", ctx.request_id);
  response.AddHeader("x-ms-correlation-request-id",
                     correlation.empty() ? ctx.request_id : std::string(correlation));
  response.AddHeader("x-ms-routing-request-id", "LOCAL:" + ctx.request_id);
  if (const std::string_view client = request.Header("x-ms-client-request-id");
      !client.empty() && EqualsIgnoreCase(request.Header("x-ms-return-client-request-id"), "true")) {
    response.AddHeader("x-ms-client-request-id", std::string(client));
  }
  response.AddHeader("Date", FormatHttpDate(ctx.now));
  response.AddHeader("Cache-Control", "no-cache");
  response.AddHeader("Pragma", "no-cache");
  response.AddHeader("Expires", "-1");
  if (request.method == "GET" || request.method == "HEAD") {
    response.AddHeader("x-ms-ratelimit-remaining-subscription-reads", kRemainingReads);
  } else if (request.method == "DELETE") {
    response.AddHeader("x-ms-ratelimit-remaining-subscription-deletes", kRemainingDeletes);
  } else {
    response.AddHeader("x-ms-ratelimit-remaining-subscription-writes", kRemainingWrites);
  }
  Record(ctx, response.status, error_code);
  return response;
}

void ArmApi::Record(const internal::RequestContext& ctx, int status,
                    const std::string& error_code) {
  const HttpRequest& request = ctx.request;
  const auto answered = std::chrono::steady_clock::now();
  const auto received =
      request.received == std::chrono::steady_clock::time_point{} ? answered : request.received;
  const auto latency = std::chrono::duration_cast<Duration>(answered - received);
  const std::string_view route = ctx.route.empty() ? std::string_view("unmatched") : ctx.route;
  core::Telemetry& telemetry = *state_->api.telemetry;
  telemetry.RequestFinished(route, request.method, status, latency);
  if (status == 401) telemetry.AuthenticationFailed(error_code);
  if (!error_code.empty() && !IsReadOnly(request)) telemetry.OperationRefused(error_code);
  if (!state_->api.log_requests || !LogEnabled(LogLevel::kInfo)) return;
  // The path, never the query or the body: neither may carry a secret into the log.
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(answered - received);
  Log(LogLevel::kInfo, "request",
      {{"requestId", ctx.request_id},
       {"correlationId", ctx.correlation_id},
       {"method", request.method},
       {"path", ctx.path},
       {"route", std::string(route)},
       {"resourceId", ctx.SegmentIs(0, "subscriptions") ? ctx.path : std::string()},
       {"principal", std::string(ctx.caller_object_id)},
       {"caller", ctx.caller.name},
       {"action", ctx.action},
       {"status", std::to_string(status), true},
       {"error", error_code},
       {"latencyMs", std::to_string(static_cast<double>(micros.count()) / 1000.0), true}});
}

}  // namespace reprieve::http
