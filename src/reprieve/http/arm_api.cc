#include "reprieve/http/arm_api.h"

#include <boost/json.hpp>
#include <boost/url.hpp>

#include "reprieve/base/log.h"
#include "reprieve/base/strings.h"
#include "reprieve/http/arm_error.h"
#include "reprieve/http/internal/base64.h"
#include "reprieve/http/internal/context.h"
#include "reprieve/http/internal/wire.h"

namespace reprieve::http {
namespace json = boost::json;
using internal::HandlerResult;
using internal::RequestContext;

struct ArmApi::State {
  internal::ApiState api;
};

namespace {

// Reprieve does not throttle; the rate-limit headers report ARM's full per-principal buckets.
constexpr const char* kRemainingReads = "249";
constexpr const char* kRemainingWrites = "199";
constexpr const char* kRemainingDeletes = "199";

Status NoRoute(const RequestContext& ctx) {
  return NotFoundError("No route matches '" + ctx.request.method + " " + ctx.path +
                       "'. See the README for the API surface Reprieve serves.")
      .WithArmCode("InvalidRoute");
}

// Who the bearer token says the caller is: the user a JWT's upn / unique_name / email
// claim names, else the application its appid names; a generic user for opaque tokens (any
// token is accepted until identity arrives).
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

// DecodeCaller, remembering the last token seen on this thread: a client sends the same
// token with every request until it expires, an hour later.
void IdentifyCaller(RequestContext& ctx, std::string_view token) {
  struct Identified {
    std::string token;
    core::Principal caller;
  };
  thread_local Identified last;
  if (last.token != token) last = {std::string(token), DecodeCaller(token)};
  ctx.caller = last.caller;
}

Status Authenticate(RequestContext& ctx) {
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
  IdentifyCaller(ctx, authorization.substr(7));
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

std::string BaseUrl(const HttpRequest& request) {
  std::string_view host = request.Header("host");
  if (host.empty()) host = "localhost";
  return std::string(request.secure ? "https://" : "http://") + std::string(host);
}

}  // namespace

bool internal::RequestContext::SegmentIs(size_t index, std::string_view literal) const {
  return index < segments.size() && EqualsIgnoreCase(segments[index], literal);
}

ArmApi::ArmApi(core::ResourceService& service, const Clock& clock, RandomSource& random,
               ArmApiOptions options)
    : state_(new State{internal::ApiState{service, clock, random, options.manual_clock,
                                          std::move(options.sweep_now),
                                          std::move(options.default_tenant)}}) {}

ArmApi::~ArmApi() = default;

bool ArmApi::IsReadOnly(const HttpRequest& request) {
  return request.method == "GET" || request.method == "HEAD";
}

HttpResponse ArmApi::Handle(const HttpRequest& request) {
  internal::ApiState& api = state_->api;
  RequestContext ctx{request,        {}, {}, {}, BaseUrl(request), api.random.NewUuid(), {}, {},
                     api.clock.Now()};
  HandlerResult result = [&]() -> HandlerResult {
    if (Status parsed = ParseTarget(ctx); !parsed.ok()) return parsed;
    ctx.api_version = ctx.Query("api-version").value_or("");
    // The cloud metadata document and the managed-identity token endpoint are public:
    // clients call them before they have a token.
    if (ctx.segments.size() == 2 && ctx.SegmentIs(0, "metadata") &&
        ctx.SegmentIs(1, "endpoints")) {
      if (auto routed = internal::RouteTenancy(api, ctx)) return std::move(*routed);
    }
    if (ctx.segments.size() == 3 && ctx.SegmentIs(0, "reprieve") && ctx.SegmentIs(1, "msi") &&
        ctx.SegmentIs(2, "token")) {
      return internal::ManagedIdentityToken(api, ctx);
    }
    if (Status authenticated = Authenticate(ctx); !authenticated.ok()) return authenticated;
    if (ctx.SegmentIs(0, "reprieve")) {
      if (auto routed = internal::RouteAdmin(api, ctx)) return std::move(*routed);
      return NoRoute(ctx);
    }
    if (auto routed = internal::RouteTenancy(api, ctx)) return std::move(*routed);
    if (auto routed = internal::RouteResources(api, ctx)) return std::move(*routed);
    return NoRoute(ctx);
  }();

  return Finish(ctx, std::move(result));
}

HttpResponse ArmApi::Reject(const Status& status) {
  static const HttpRequest kUnparsed{"GET", "/", {}, {}, true};
  internal::ApiState& api = state_->api;
  RequestContext ctx{kUnparsed, {}, {}, {}, "", api.random.NewUuid(), {}, {}, api.clock.Now()};
  return Finish(ctx, status);
}

HttpResponse ArmApi::Finish(const internal::RequestContext& ctx, internal::HandlerResult result) {
  const HttpRequest& request = ctx.request;
  HttpResponse response;
  if (result.has_value()) {
    response = std::move(result).value();
  } else {
    const Status status = result.status();
    const ArmError mapped = MapStatus(status);
    if (mapped.http_status >= 500) {
      LogError("request " + ctx.request_id + " " + request.method + " " + request.target +
               " failed: " + status.ToString());
    }
    response.status = mapped.http_status;
    if (request.method != "HEAD") {
      response.body = ArmErrorBody(status, ctx.request_id);
      response.SetHeader("Content-Type", "application/json; charset=utf-8");
    }
    response.SetHeader("x-ms-failure-cause", "gateway");
    if (response.status == 401) {
      response.SetHeader("WWW-Authenticate",
                         "Bearer authorization_uri=\"" + ctx.base_url +
                             "\", error=\"invalid_token\", error_description=\"" +
                             status.message() + "\"");
    }
    if (response.status == 503 || response.status == 429) response.SetHeader("Retry-After", "1");
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
  return response;
}

}  // namespace reprieve::http
