// The activity log on the wire (see internal/activity.h).
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include <boost/json.hpp>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/http/internal/activity.h"
#include "reprieve/http/internal/base64.h"
#include "reprieve/http/internal/odata.h"
#include "reprieve/http/internal/routes.h"
#include "reprieve/http/internal/wire.h"

namespace reprieve::http::internal {
namespace json = boost::json;

namespace {

constexpr int kPageSize = 100;

// The top-level EventData members $select may name (azure-mgmt-monitor's EventData).
constexpr std::string_view kSelectable[] = {"authorization",
                                            "caller",
                                            "category",
                                            "channels",
                                            "claims",
                                            "correlationId",
                                            "description",
                                            "eventDataId",
                                            "eventName",
                                            "eventTimestamp",
                                            "httpRequest",
                                            "id",
                                            "level",
                                            "operationId",
                                            "operationName",
                                            "properties",
                                            "resourceGroupName",
                                            "resourceProviderName",
                                            "resourceId",
                                            "resourceType",
                                            "status",
                                            "subStatus",
                                            "submissionTimestamp",
                                            "subscriptionId",
                                            "tenantId",
                                            "relatedEvents"};

Status BadFilter(const std::string& why) {
  return InvalidArgumentError(
             "The $filter is invalid: " + why +
             ". Expected 'eventTimestamp ge <time> [and eventTimestamp le <time>]' with at most "
             "one of resourceGroupName, resourceUri, resourceId, resourceProvider or "
             "correlationId eq '<value>', and optionally caller eq and status eq.")
      .WithArmCode("InvalidFilter")
      .WithTarget("$filter");
}

// An instant as az and the SDKs write it; no zone means UTC.
std::optional<Timestamp> ParseInstant(std::string_view text) {
  const size_t t = text.find_first_of("Tt");
  if (t == std::string_view::npos) return std::nullopt;
  const std::string_view time = text.substr(t);
  const bool zoned = time.find_first_of("Zz+-") != std::string_view::npos;
  return ParseRfc3339(zoned ? std::string(text) : std::string(text) + "Z");
}

json::object Localized(const std::string& value) {
  return json::object{{"value", value}, {"localizedValue", value}};
}

// .NET ticks (100 ns since 0001-01-01) of `t`, as the entry ids Azure builds use.
int64_t Ticks(Timestamp t) {
  constexpr int64_t kUnixEpochTicks = 621355968000000000;
  return kUnixEpochTicks + t.time_since_epoch().count() * 10000;
}

json::object EventData(const core::ActivityEntry& e, const std::string& tenant) {
  json::object out;
  out["authorization"] = json::object{{"action", e.operation_name}, {"scope", e.scope}};
  out["caller"] = e.caller;
  out["channels"] = "Operation";
  json::object claims;
  if (!e.caller_object_id.empty()) {
    claims["http://schemas.microsoft.com/identity/claims/objectidentifier"] = e.caller_object_id;
  }
  out["claims"] = std::move(claims);
  out["correlationId"] = e.correlation_id;
  out["description"] = "";
  out["eventDataId"] = e.id;
  out["eventName"] = Localized(e.status == core::kActivityStarted ? "BeginRequest" : "EndRequest");
  out["category"] = Localized("Administrative");
  out["eventTimestamp"] = FormatRfc3339(e.time);
  out["id"] = e.resource_id + "/events/" + e.id + "/ticks/" + std::to_string(Ticks(e.time));
  out["level"] = e.status == core::kActivityFailed ? "Error" : "Informational";
  out["operationId"] = e.operation_id;
  out["operationName"] = Localized(e.operation_name);
  out["resourceGroupName"] = e.resource_group;
  out["resourceProviderName"] = Localized(core::ProviderOf(e.resource_type));
  out["resourceType"] = Localized(e.resource_type);
  out["resourceId"] = e.resource_id;
  out["status"] = Localized(e.status);
  out["subStatus"] = Localized(e.sub_status);
  out["submissionTimestamp"] = FormatRfc3339(e.time);
  out["subscriptionId"] = e.subscription;
  out["tenantId"] = tenant;
  json::object properties;
  for (const auto& [name, value] : e.properties) properties[name] = value;
  out["properties"] = std::move(properties);
  if (!e.http_method.empty()) {
    out["httpRequest"] = json::object{{"clientRequestId", e.client_request_id},
                                      {"clientIpAddress", "127.0.0.1"},
                                      {"method", e.http_method}};
  }
  out["relatedEvents"] = json::array();
  return out;
}

// The (time in ms, sequence) of the entry a $skiptoken continues after.
std::optional<std::pair<int64_t, int64_t>> ParseCursor(std::string_view token) {
  const auto text = Base64UrlDecode(token);
  if (!text) return std::nullopt;
  const size_t bar = text->find('|');
  if (bar == std::string::npos) return std::nullopt;
  std::pair<int64_t, int64_t> cursor;
  const char* end = text->data() + text->size();
  const auto first = std::from_chars(text->data(), text->data() + bar, cursor.first);
  const auto second = std::from_chars(text->data() + bar + 1, end, cursor.second);
  if (first.ec != std::errc() || first.ptr != text->data() + bar || second.ec != std::errc() ||
      second.ptr != end) {
    return std::nullopt;
  }
  return cursor;
}

}  // namespace

Result<core::ActivityQuery> ParseActivityFilter(std::string_view filter, Timestamp now) {
  core::ActivityQuery query;
  bool has_start = false;
  bool has_end = false;
  for (std::string_view clause : Clauses(filter)) {
    clause = Trim(clause);
    const size_t first = clause.find(' ');
    const size_t second = first == std::string_view::npos ? first : clause.find(' ', first + 1);
    if (second == std::string_view::npos) {
      return BadFilter("'" + std::string(clause) + "' is not 'name operator value'");
    }
    const std::string name = AsciiLower(clause.substr(0, first));
    const std::string op = AsciiLower(Trim(clause.substr(first + 1, second - first - 1)));
    const std::string_view value = Unquote(Trim(clause.substr(second + 1)));
    if (name == "eventtimestamp") {
      const auto at = ParseInstant(value);
      if (!at) return BadFilter("'" + std::string(value) + "' is not a time");
      if (op == "ge" || op == "gt") {
        query.from = op == "ge" ? *at : *at + Duration(1);
        has_start = true;
      } else if (op == "le" || op == "lt") {
        query.to = op == "le" ? *at : *at - Duration(1);
        has_end = true;
      } else {
        return BadFilter("eventTimestamp takes ge, gt, le or lt, not '" + op + "'");
      }
      continue;
    }
    if (op != "eq") return BadFilter(std::string(clause.substr(0, first)) + " takes eq");
    std::string* field = name == "resourcegroupname"  ? &query.resource_group
                         : name == "resourceuri"      ? &query.resource_id
                         : name == "resourceid"       ? &query.resource_id
                         : name == "resourceprovider" ? &query.resource_provider
                         : name == "correlationid"    ? &query.correlation_id
                         : name == "caller"           ? &query.caller
                         : name == "status"           ? &query.status
                                                      : nullptr;
    if (field == nullptr) {
      return BadFilter("'" + std::string(clause.substr(0, first)) + "' cannot be filtered on");
    }
    *field = std::string(value);
  }
  if (!has_start) return BadFilter("it must give the start time (eventTimestamp ge ...)");
  if (!has_end) query.to = now;
  if (query.to < query.from) return BadFilter("the end time is before the start time");
  return query;
}

Result<std::vector<std::string>> ParseActivitySelect(std::string_view select) {
  std::vector<std::string> names;
  for (std::string_view part : Split(select, ',')) {
    const std::string_view name = Trim(part);
    if (name.empty()) continue;
    const auto known = std::find_if(std::begin(kSelectable), std::end(kSelectable),
                                    [&](std::string_view s) { return EqualsIgnoreCase(s, name); });
    if (known == std::end(kSelectable)) {
      return InvalidArgumentError("$select names '" + std::string(name) +
                                  "', which activity-log events do not have.")
          .WithArmCode("InvalidSelect")
          .WithTarget("$select");
    }
    names.emplace_back(*known);
  }
  return names;
}

HandlerResult ActivityLog(ApiState& state, const RequestContext& ctx) {
  if (ctx.request.method != "GET") return MethodNotAllowed(ctx, "GET");
  REPRIEVE_RETURN_IF_ERROR(RequireAnyApiVersion(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const core::ResourceRecord subscription,
                            state.service.tenancy().GetSubscription(ctx.segments[1]));
  const auto filter = ctx.Query("$filter");
  if (!filter) return BadFilter("$filter is required");
  REPRIEVE_ASSIGN_OR_RETURN(core::ActivityQuery query, ParseActivityFilter(*filter, ctx.now));
  std::vector<std::string> selected;
  if (const auto select = ctx.Query("$select")) {
    REPRIEVE_ASSIGN_OR_RETURN(selected, ParseActivitySelect(*select));
  }
  query.subscription = AsciiLower(ctx.segments[1]);
  query.limit = kPageSize;
  if (const auto token = ctx.Query("$skiptoken")) {
    const auto cursor = ParseCursor(*token);
    if (!cursor) {
      return InvalidArgumentError("The $skiptoken is not one this server issued.")
          .WithArmCode("InvalidSkipToken")
          .WithTarget("$skiptoken");
    }
    query.before_time = Timestamp(Duration(cursor->first));
    query.before_sequence = cursor->second;
  }
  REPRIEVE_ASSIGN_OR_RETURN(const core::ActivityPage page,
                            state.service.store().ListActivity(query));
  const std::string tenant = SubscriptionTenant(subscription);
  json::array items;
  for (const core::ActivityEntry& entry : page.items) {
    json::object event = EventData(entry, tenant);
    if (!selected.empty()) {
      json::object only;
      for (const std::string& name : selected) {
        if (const json::value* value = event.if_contains(name)) only[name] = *value;
      }
      event = std::move(only);
    }
    items.push_back(std::move(event));
  }
  json::object body{{"value", std::move(items)}};
  if (page.more) {
    const core::ActivityEntry& last = page.items.back();
    const std::string cursor = Base64UrlEncode(
        std::to_string(last.time.time_since_epoch().count()) + "|" + std::to_string(last.sequence));
    std::string next = ctx.base_url;
    for (const std::string& segment : ctx.segments) next += "/" + segment;
    next += "?api-version=" + UrlEncode(ctx.api_version) + "&$filter=" + UrlEncode(*filter);
    if (const auto select = ctx.Query("$select")) next += "&$select=" + UrlEncode(*select);
    next += "&$skiptoken=" + cursor;
    body["nextLink"] = next;
  }
  return JsonResponse(200, body);
}

void AddActivityRoutes(std::vector<Route>& routes) {
  Route route = MakeRoute(
      "/subscriptions/{subscriptionId}/providers/microsoft.insights/eventtypes/management/values",
      Access::kAction, {{"GET", "Microsoft.Insights/eventtypes/values/read"}},
      [](ApiState& state, RequestContext& ctx) { return ActivityLog(state, ctx); });
  route.scope_segments = 2;  // a subscription's log: read at the subscription
  routes.push_back(std::move(route));
}

}  // namespace reprieve::http::internal
