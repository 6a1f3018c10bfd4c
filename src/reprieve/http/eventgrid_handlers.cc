// Microsoft.EventGrid/eventSubscriptions at subscription and resource-group scope, as
// api-version 2022-06-15 has them (operations-events.md §3.4, §5.3): PUT answers 201 with
// Azure-AsyncOperation and stays Creating until the endpoint passes the validation
// handshake (run by core's EventDispatcher off the request path); GET shows endpointBaseUrl,
// never endpointUrl; POST getFullUrl; DELETE; the lists. The manual validation URL the
// handshake offers is served here too.
#include <boost/json.hpp>
#include <boost/url.hpp>
#include <openssl/crypto.h>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/base/time.h"
#include "reprieve/core/events/event_dispatcher.h"
#include "reprieve/core/model/event.h"
#include "reprieve/http/internal/context.h"
#include "reprieve/http/internal/operations.h"
#include "reprieve/http/internal/routes.h"
#include "reprieve/http/internal/wire.h"

namespace reprieve::http::internal {
namespace json = boost::json;
namespace {

constexpr const char* kApiVersions[] = {"2020-06-01", "2021-12-01", "2022-06-15",
                                        "2023-06-01-preview", "2023-12-15-preview",
                                        "2025-02-15"};
constexpr std::string_view kProviderPath = "/providers/Microsoft.EventGrid/eventSubscriptions";

Status RequireEventGridApiVersion(const RequestContext& ctx) {
  return RequireApiVersionIn(ctx, kApiVersions);
}

Status BadRequest(const std::string& message, const std::string& target = "") {
  Status status = InvalidArgumentError(message).WithArmCode("InvalidRequest");
  return target.empty() ? status : status.WithTarget(target);
}

// The scope the path names ("/subscriptions/{s}" or ".../resourceGroups/{g}", as spelled),
// after checking that it exists.
Result<std::string> ScopeOf(ApiState& state, const RequestContext& ctx) {
  const std::string& subscription = ctx.segments[1];
  REPRIEVE_RETURN_IF_ERROR(state.service.tenancy().GetSubscription(subscription).status());
  if (ctx.segments.size() > 2 && EqualsIgnoreCase(ctx.segments[2], "resourceGroups")) {
    REPRIEVE_RETURN_IF_ERROR(state.service.tenancy().GetResourceGroup(subscription, ctx.segments[3]).status());
    return "/subscriptions/" + subscription + "/resourceGroups/" + ctx.segments[3];
  }
  return "/subscriptions/" + subscription;
}

// The event subscription's name: the segment after "eventSubscriptions".
std::string NameOf(const RequestContext& ctx) {
  for (size_t i = 0; i + 1 < ctx.segments.size(); ++i) {
    if (EqualsIgnoreCase(ctx.segments[i], "eventSubscriptions")) return ctx.segments[i + 1];
  }
  return "";
}

Status NotFound(const std::string& name) {
  return NotFoundError("The event subscription '" + name + "' could not be found.")
      .WithArmCode("ResourceNotFound");
}

bool LoopbackHost(const boost::urls::url_view& url) {
  const std::string host = AsciiLower(url.host_address());
  return host == "127.0.0.1" || host == "::1" || host == "localhost" ||
         host.rfind("127.", 0) == 0;
}

// `url` without its query: what reads show as endpointBaseUrl.
std::string BaseUrl(const std::string& url) { return url.substr(0, url.find('?')); }

Result<int> IntMember(const json::object& object, std::string_view name, int fallback, int low,
                      int high, const std::string& target) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr || value->is_null()) return fallback;
  if (!value->is_int64() || value->as_int64() < low || value->as_int64() > high) {
    return BadRequest("'" + target + "' must be a whole number from " + std::to_string(low) +
                          " to " + std::to_string(high) + ".",
                      target);
  }
  return static_cast<int>(value->as_int64());
}

Result<std::string> StringMember(const json::object& object, std::string_view name,
                                 const std::string& target) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr || value->is_null()) return std::string();
  if (!value->is_string()) return BadRequest("'" + target + "' must be a string.", target);
  return std::string(value->as_string());
}

const json::object* ObjectMember(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  return value != nullptr && value->is_object() ? &value->as_object() : nullptr;
}

// The typed subscription and the document reads show, from a PUT's properties.
struct Parsed {
  core::EventSubscription sub;
  json::object properties;
};

Result<Parsed> ParseProperties(const json::object& body, const std::string& existing_url) {
  const json::object* given = ObjectMember(body, "properties");
  if (given == nullptr) return BadRequest("The request has no 'properties' object.", "properties");
  Parsed parsed;
  core::EventSubscription& sub = parsed.sub;
  json::object properties = *given;

  const json::object* destination = ObjectMember(*given, "destination");
  if (destination == nullptr) {
    return BadRequest("An event subscription needs a 'destination'.", "properties.destination");
  }
  REPRIEVE_ASSIGN_OR_RETURN(const std::string endpoint_type,
                            StringMember(*destination, "endpointType",
                                         "properties.destination.endpointType"));
  if (!EqualsIgnoreCase(endpoint_type, "WebHook")) {
    return BadRequest("The endpoint type '" + endpoint_type +
                          "' is not supported here; Reprieve delivers to WebHook endpoints.",
                      "properties.destination.endpointType");
  }
  json::object endpoint;
  if (const json::object* p = ObjectMember(*destination, "properties")) endpoint = *p;
  REPRIEVE_ASSIGN_OR_RETURN(sub.endpoint_url,
                            StringMember(endpoint, "endpointUrl",
                                         "properties.destination.properties.endpointUrl"));
  if (sub.endpoint_url.empty()) sub.endpoint_url = existing_url;
  auto url = boost::urls::parse_absolute_uri(sub.endpoint_url);
  if (sub.endpoint_url.empty() || !url.has_value() ||
      (url->scheme_id() != boost::urls::scheme::https &&
       !(url->scheme_id() == boost::urls::scheme::http && LoopbackHost(*url)))) {
    return BadRequest("The endpoint URL '" + BaseUrl(sub.endpoint_url) +
                          "' is not valid: a webhook endpoint must be an absolute https URL "
                          "(plain http is accepted on loopback addresses only).",
                      "properties.destination.properties.endpointUrl");
  }
  REPRIEVE_ASSIGN_OR_RETURN(sub.max_events_per_batch,
                            IntMember(endpoint, "maxEventsPerBatch", 1, 1, 5000,
                                      "properties.destination.properties.maxEventsPerBatch"));
  REPRIEVE_ASSIGN_OR_RETURN(
      const int batch_kb,
      IntMember(endpoint, "preferredBatchSizeInKilobytes", 64, 1, 1024,
                "properties.destination.properties.preferredBatchSizeInKilobytes"));
  endpoint.erase("endpointUrl");
  endpoint["endpointBaseUrl"] = BaseUrl(sub.endpoint_url);
  endpoint["maxEventsPerBatch"] = sub.max_events_per_batch;
  endpoint["preferredBatchSizeInKilobytes"] = batch_kb;
  properties["destination"] =
      json::object{{"endpointType", "WebHook"}, {"properties", std::move(endpoint)}};

  json::object filter;
  if (const json::object* f = ObjectMember(*given, "filter")) filter = *f;
  REPRIEVE_ASSIGN_OR_RETURN(sub.subject_begins_with,
                            StringMember(filter, "subjectBeginsWith",
                                         "properties.filter.subjectBeginsWith"));
  REPRIEVE_ASSIGN_OR_RETURN(sub.subject_ends_with,
                            StringMember(filter, "subjectEndsWith",
                                         "properties.filter.subjectEndsWith"));
  if (const json::value* types = filter.if_contains("includedEventTypes");
      types != nullptr && !types->is_null()) {
    if (!types->is_array()) {
      return BadRequest("'includedEventTypes' must be an array of strings.",
                        "properties.filter.includedEventTypes");
    }
    for (const json::value& type : types->as_array()) {
      if (!type.is_string()) {
        return BadRequest("'includedEventTypes' must be an array of strings.",
                          "properties.filter.includedEventTypes");
      }
      sub.included_event_types.emplace_back(type.as_string());
    }
  }
  if (const json::value* sensitive = filter.if_contains("isSubjectCaseSensitive");
      sensitive != nullptr && !sensitive->is_null()) {
    if (!sensitive->is_bool()) {
      return BadRequest("'isSubjectCaseSensitive' must be true or false.",
                        "properties.filter.isSubjectCaseSensitive");
    }
    sub.subject_case_sensitive = sensitive->as_bool();
  }
  filter["subjectBeginsWith"] = sub.subject_begins_with;
  filter["subjectEndsWith"] = sub.subject_ends_with;
  filter["isSubjectCaseSensitive"] = sub.subject_case_sensitive;
  if (!filter.contains("includedEventTypes")) filter["includedEventTypes"] = nullptr;
  properties["filter"] = std::move(filter);

  REPRIEVE_ASSIGN_OR_RETURN(std::string schema,
                            StringMember(*given, "eventDeliverySchema",
                                         "properties.eventDeliverySchema"));
  if (schema.empty() || EqualsIgnoreCase(schema, "EventGridSchema")) {
    schema = "EventGridSchema";
    sub.schema = core::EventSchema::kEventGrid;
  } else if (EqualsIgnoreCase(schema, "CloudEventSchemaV1_0")) {
    schema = "CloudEventSchemaV1_0";
    sub.schema = core::EventSchema::kCloudEvents;
  } else {
    return BadRequest("The event delivery schema '" + schema +
                          "' is not supported for system events: use EventGridSchema or "
                          "CloudEventSchemaV1_0.",
                      "properties.eventDeliverySchema");
  }
  properties["eventDeliverySchema"] = schema;

  json::object retry;
  if (const json::object* r = ObjectMember(*given, "retryPolicy")) retry = *r;
  REPRIEVE_ASSIGN_OR_RETURN(sub.max_delivery_attempts,
                            IntMember(retry, "maxDeliveryAttempts", 30, 1, 30,
                                      "properties.retryPolicy.maxDeliveryAttempts"));
  REPRIEVE_ASSIGN_OR_RETURN(const int ttl_minutes,
                            IntMember(retry, "eventTimeToLiveInMinutes", 1440, 1, 1440,
                                      "properties.retryPolicy.eventTimeToLiveInMinutes"));
  sub.event_ttl = std::chrono::minutes(ttl_minutes);
  properties["retryPolicy"] = json::object{{"maxDeliveryAttempts", sub.max_delivery_attempts},
                                           {"eventTimeToLiveInMinutes", ttl_minutes}};
  properties.erase("provisioningState");
  properties.erase("topic");
  parsed.properties = std::move(properties);
  return parsed;
}

json::object SubscriptionObject(const core::ResourceRecord& record,
                                const core::EventSubscription& sub) {
  std::error_code ec;
  json::value properties = json::parse(record.body, ec);
  if (ec || !properties.is_object()) properties = json::object();
  json::object& p = properties.as_object();
  // The topic is the scope the events come from, as the id spells it.
  p["topic"] = record.id.substr(0, record.id.size() - sub.name.size() - kProviderPath.size() - 1);
  p["provisioningState"] = std::string(core::EventSubscriptionStateName(sub.state));
  return json::object{{"id", record.id},
                      {"name", record.name},
                      {"type", std::string(core::kEventSubscriptionType)},
                      {"properties", std::move(properties)}};
}

// The record and its typed form; kNotFound as Event Grid answers it.
Result<std::pair<core::ResourceRecord, core::EventSubscription>> Load(ApiState& state,
                                                                      const std::string& scope,
                                                                      const std::string& name) {
  auto record = state.service.access().Get(core::EventSubscriptionKey(scope, name));
  if (!record.has_value()) {
    if (record.status().code() == StatusCode::kNotFound) return NotFound(name);
    return record.status();
  }
  auto sub = core::EventSubscriptionOf(*record);
  if (!sub) return InternalError("the event subscription '" + name + "' cannot be read");
  return std::make_pair(std::move(*record), std::move(*sub));
}

std::string StatusUrl(const RequestContext& ctx, const std::string& id) {
  return AbsoluteUrl(ctx, id + "/operationStatus");  // AbsoluteUrl adds the api-version
}

// Creates or replaces the subscription from `body_text` (a PUT's body).
HandlerResult Put(ApiState& state, RequestContext& ctx, const std::string& scope,
                  const std::string& name, const std::string& body_text) {
  if (name.empty() || name.size() < 3 || name.size() > 64 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
          std::string::npos) {
    return BadRequest("The event subscription name '" + name +
                          "' is not valid: use 3 to 64 letters, digits and hyphens.",
                      "name");
  }
  REPRIEVE_ASSIGN_OR_RETURN(json::object body, ParseObject(body_text));
  auto existing = Load(state, scope, name);
  if (!existing.has_value() && existing.status().code() != StatusCode::kNotFound) {
    return existing.status();
  }
  REPRIEVE_ASSIGN_OR_RETURN(
      Parsed parsed,
      ParseProperties(body, existing.has_value() ? existing->second.endpoint_url : ""));
  core::EventSubscription& sub = parsed.sub;
  const std::string id = scope + std::string(kProviderPath) + "/" + name;
  sub.id = id;
  sub.name = name;
  sub.scope = AsciiLower(scope);
  const bool same_endpoint = existing.has_value() &&
                             existing->second.endpoint_url == sub.endpoint_url &&
                             existing->second.schema == sub.schema &&
                             existing->second.state == core::EventSubscriptionState::kSucceeded;
  if (same_endpoint) {
    sub.state = core::EventSubscriptionState::kSucceeded;
  } else {
    // A new endpoint is validated again before anything is delivered to it.
    sub.state = core::EventSubscriptionState::kCreating;
    sub.validation_code = state.random.NewUuid();
    sub.validation_deadline = ctx.now + core::kValidationWindow;
    sub.next_validation = ctx.now;
  }
  core::ResourceRecord record;
  record.key = core::EventSubscriptionKey(scope, name);
  record.id = id;
  record.subscription = AsciiLower(ctx.segments[1]);
  record.type = std::string(core::kEventSubscriptionType);
  record.name = name;
  record.location = "global";
  record.body = json::serialize(parsed.properties);
  record.secrets = core::EncodeEventSubscription(sub);
  record.changed_at = ctx.now;
  record.changed_by = ctx.caller.name;
  const core::Invocation invocation = InvocationOf(state, ctx);
  if (existing.has_value()) {
    record.created_at = existing->first.created_at;
    record.created_by = existing->first.created_by;
    record.version = existing->first.version + 1;
    REPRIEVE_RETURN_IF_ERROR(
        state.service.access().Replace(record, existing->first.version, &invocation));
  } else {
    record.created_at = ctx.now;
    record.created_by = ctx.caller.name;
    record.version = 1;
    REPRIEVE_RETURN_IF_ERROR(
        state.service.access().Create(record, "EventSubscriptionAlreadyExists", &invocation));
  }
  // Python's SDK (and so az) accepts 201 only, for updates too.
  HttpResponse response = JsonResponse(201, SubscriptionObject(record, sub));
  response.SetHeader("Azure-AsyncOperation", StatusUrl(ctx, id));
  response.SetHeader("Retry-After", std::to_string(state.retry_after_seconds));
  return response;
}

HandlerResult EventSubscription(ApiState& state, RequestContext& ctx) {
  REPRIEVE_RETURN_IF_ERROR(RequireEventGridApiVersion(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const std::string scope, ScopeOf(state, ctx));
  const std::string name = NameOf(ctx);
  const std::string& method = ctx.request.method;
  if (method == "PUT" || method == "PATCH") {
    if (method == "PATCH") {
      // An update (EventSubscriptionUpdateParameters: the properties themselves) names only
      // what changes: merged into what the subscription has.
      REPRIEVE_ASSIGN_OR_RETURN(auto current, Load(state, scope, name));
      REPRIEVE_ASSIGN_OR_RETURN(json::object patch, ParseObject(ctx.request.body));
      REPRIEVE_ASSIGN_OR_RETURN(json::object properties, ParseObject(current.first.body));
      MergePatch(properties, patch);
      return Put(state, ctx, scope, name,
                 json::serialize(json::object{{"properties", std::move(properties)}}));
    }
    return Put(state, ctx, scope, name, ctx.request.body);
  }
  if (method == "DELETE") {
    const core::Invocation invocation = InvocationOf(state, ctx);
    REPRIEVE_ASSIGN_OR_RETURN(
        const bool erased,
        state.service.access().Erase(core::EventSubscriptionKey(scope, name), &invocation));
    return EmptyResponse(erased ? 200 : 204);
  }
  REPRIEVE_ASSIGN_OR_RETURN(auto loaded, Load(state, scope, name));
  return JsonResponse(200, SubscriptionObject(loaded.first, loaded.second));
}

HandlerResult FullUrl(ApiState& state, RequestContext& ctx) {
  REPRIEVE_RETURN_IF_ERROR(RequireEventGridApiVersion(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const std::string scope, ScopeOf(state, ctx));
  REPRIEVE_ASSIGN_OR_RETURN(auto loaded, Load(state, scope, NameOf(ctx)));
  return JsonResponse(200, json::object{{"endpointUrl", loaded.second.endpoint_url}});
}

// The Azure-AsyncOperation of a PUT: InProgress until the handshake is decided.
HandlerResult CreationStatus(ApiState& state, RequestContext& ctx) {
  REPRIEVE_ASSIGN_OR_RETURN(const std::string scope, ScopeOf(state, ctx));
  REPRIEVE_ASSIGN_OR_RETURN(auto loaded, Load(state, scope, NameOf(ctx)));
  const core::EventSubscription& sub = loaded.second;
  json::object status{{"id", AbsoluteUrl(ctx, loaded.first.id + "/operationStatus")},
                      {"name", sub.name}};
  switch (sub.state) {
    case core::EventSubscriptionState::kSucceeded: status["status"] = "Succeeded"; break;
    case core::EventSubscriptionState::kFailed:
      status["status"] = "Failed";
      status["error"] = json::object{{"code", "EndpointValidationFailed"},
                                     {"message", sub.failure}};
      break;
    default: status["status"] = "InProgress";
  }
  HttpResponse response = JsonResponse(200, status);
  response.SetHeader("Retry-After", std::to_string(state.retry_after_seconds));
  return response;
}

HandlerResult List(ApiState& state, RequestContext& ctx) {
  REPRIEVE_RETURN_IF_ERROR(RequireEventGridApiVersion(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const std::string scope, ScopeOf(state, ctx));
  // A subscription's list has the resource groups' subscriptions too.
  const std::string prefix =
      ctx.segments.size() > 2 && EqualsIgnoreCase(ctx.segments[2], "resourceGroups")
          ? core::EventSubscriptionKey(scope, "")
          : core::EventSubscriptionsOf(ctx.segments[1]);
  json::array items;
  std::string after;
  while (true) {
    REPRIEVE_ASSIGN_OR_RETURN(core::Page page,
                              state.service.access().List(core::kEventSubscriptionType, prefix,
                                                          after, 1000));
    for (const core::ResourceRecord& record : page.items) {
      if (auto sub = core::EventSubscriptionOf(record)) {
        items.push_back(SubscriptionObject(record, *sub));
      }
    }
    if (page.next_after.empty()) break;
    after = page.next_after;
  }
  return JsonResponse(200, json::object{{"value", std::move(items)}});
}

// GET /reprieve/eventgrid/validate?subscription={key}&code={code}: the validationUrl of the
// handshake; the code (random, sent only to the endpoint) is the credential.
HandlerResult ManualValidation(ApiState& state, RequestContext& ctx) {
  const std::string key = ctx.Query("subscription").value_or("");
  const std::string code = ctx.Query("code").value_or("");
  const Status refused = NotFoundError("This validation URL is not valid or has expired.")
                             .WithArmCode("ValidationFailed");
  if (key.rfind("/reprieve/eventgrid/", 0) != 0) return refused;
  auto record = state.service.access().Get(key);
  if (!record.has_value()) return refused;
  auto sub = core::EventSubscriptionOf(*record);
  if (!sub || sub->validation_code.size() != code.size() || code.empty() ||
      CRYPTO_memcmp(sub->validation_code.data(), code.data(), code.size()) != 0 ||
      ctx.now > sub->validation_deadline ||
      (sub->state != core::EventSubscriptionState::kAwaitingManualAction &&
       sub->state != core::EventSubscriptionState::kCreating)) {
    return refused;
  }
  sub->state = core::EventSubscriptionState::kSucceeded;
  sub->failure.clear();
  core::ResourceRecord updated = *record;
  updated.secrets = core::EncodeEventSubscription(*sub);
  updated.version += 1;
  REPRIEVE_RETURN_IF_ERROR(state.service.access().Replace(updated, record->version));
  return JsonResponse(200, json::object{{"validated", true}, {"id", sub->id}});
}

json::object DeliveryObject(const core::EventDelivery& d) {
  json::object out{{"id", d.id},
                   {"eventId", d.event.id},
                   {"eventType", d.event.event_type},
                   {"subject", d.event.subject},
                   {"eventSubscriptionKey", d.subscription_key},
                   {"publishTime", FormatRfc3339(d.event.time)},
                   {"deliveryAttempts", d.attempts},
                   {"nextAttemptTime", FormatRfc3339(d.next_attempt)},
                   {"lastDeliveryOutcome", d.last_outcome}};
  if (d.last_attempt) out["lastDeliveryAttemptTime"] = FormatRfc3339(*d.last_attempt);
  if (d.dead_lettered) out["deadLetterReason"] = d.dead_letter_reason;
  return out;
}

// GET /reprieve/admin/events: the deliveries still pending and the dead letters (at most
// 1000 of each, oldest first).
HandlerResult AdminEvents(ApiState& state, RequestContext&) {
  json::object out;
  for (const bool dead : {false, true}) {
    REPRIEVE_ASSIGN_OR_RETURN(std::vector<core::EventDelivery> deliveries,
                              state.service.store().ListDeliveries(dead, 1000));
    json::array items;
    for (const core::EventDelivery& d : deliveries) items.push_back(DeliveryObject(d));
    out[dead ? "deadLettered" : "pending"] = std::move(items);
  }
  return JsonResponse(200, out);
}

}  // namespace

void AddEventGridRoutes(std::vector<Route>& routes) {
  constexpr const char* kA = "Microsoft.EventGrid/eventSubscriptions/";
  for (const std::string scope :
       {"/subscriptions/{subscriptionId}",
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"}) {
    const std::string base = scope + std::string(kProviderPath);
    Route list = MakeRoute(base, Access::kAction, {{"GET", std::string(kA) + "read"}},
                           [](ApiState& state, RequestContext& ctx) { return List(state, ctx); });
    list.scope_segments = -3;  // read at the subscription or group
    routes.push_back(std::move(list));
    routes.push_back(MakeRoute(base + "/{eventSubscriptionName}", Access::kAction,
                               {{"GET", std::string(kA) + "read"},
                                {"PUT", std::string(kA) + "write"},
                                {"PATCH", std::string(kA) + "write"},
                                {"DELETE", std::string(kA) + "delete"}},
                               [](ApiState& state, RequestContext& ctx) {
                                 return EventSubscription(state, ctx);
                               }));
    Route full_url = MakeRoute(base + "/{eventSubscriptionName}/getFullUrl", Access::kAction,
                               {{"POST", std::string(kA) + "getFullUrl/action"}},
                               [](ApiState& state, RequestContext& ctx) {
                                 return FullUrl(state, ctx);
                               });
    full_url.scope_segments = -1;  // an action on the event subscription
    routes.push_back(std::move(full_url));
    Route status = MakeRoute(base + "/{eventSubscriptionName}/operationStatus",
                             Access::kAction, {{"GET", std::string(kA) + "read"}},
                             [](ApiState& state, RequestContext& ctx) {
                               return CreationStatus(state, ctx);
                             });
    status.scope_segments = -1;  // read on the subscription itself
    routes.push_back(std::move(status));
  }
  routes.push_back(MakeRoute("/reprieve/admin/events", Access::kRootOwner, {{"GET", ""}},
                             [](ApiState& state, RequestContext& ctx) {
                               return AdminEvents(state, ctx);
                             }));
  routes.push_back(MakeRoute("/reprieve/eventgrid/validate", Access::kPublic, {{"GET", ""}},
                             [](ApiState& state, RequestContext& ctx) {
                               return ManualValidation(state, ctx);
                             }));
}

}  // namespace reprieve::http::internal
