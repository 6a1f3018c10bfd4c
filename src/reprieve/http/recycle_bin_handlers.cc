// The recycle bin on the wire: Reprieve.Lifecycle/deletedResources, one list of every
// soft-deleted resource of every type (core/service/recycle_bin.h), each entry carrying the
// descriptors of its type's own recover and purge calls, so a client stays type-agnostic.
#include <charconv>

#include <boost/json.hpp>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/service/recycle_bin.h"
#include "reprieve/http/arm_error.h"
#include "reprieve/http/internal/access_control.h"
#include "reprieve/http/internal/base64.h"
#include "reprieve/http/internal/odata.h"
#include "reprieve/http/internal/routes.h"
#include "reprieve/http/internal/wire.h"

namespace reprieve::http::internal {
namespace json = boost::json;
namespace {

constexpr const char* kApiVersions[] = {"2026-12-01"};
constexpr std::string_view kBinPath = "/providers/Reprieve.Lifecycle/deletedResources";

Status BadFilter(const std::string& why) {
  return InvalidArgumentError("The $filter is invalid: " + why +
                              ". Expected clauses joined by 'and': resourceType eq '<type>', "
                              "kind eq '<kind>', startswith(name, '<prefix>').")
      .WithArmCode("InvalidFilter")
      .WithTarget("$filter");
}

struct BinFilter {
  const core::TypePolicy* type = nullptr;
  std::string kind;
  std::string name_prefix;
};

Result<BinFilter> ParseBinFilter(std::string_view filter, const core::PolicyCatalog& catalog) {
  BinFilter out;
  for (std::string_view clause : Clauses(filter)) {
    clause = Trim(clause);
    if (StartsWithIgnoreCase(clause, "startswith(") && clause.back() == ')') {
      const std::string_view args = clause.substr(11, clause.size() - 12);
      const size_t comma = args.find(',');
      if (comma == std::string_view::npos || !EqualsIgnoreCase(Trim(args.substr(0, comma)), "name")) {
        return BadFilter("startswith takes (name, '<prefix>')");
      }
      out.name_prefix = std::string(Unquote(Trim(args.substr(comma + 1))));
      continue;
    }
    const size_t first = clause.find(' ');
    const size_t second = first == std::string_view::npos ? first : clause.find(' ', first + 1);
    if (second == std::string_view::npos ||
        !EqualsIgnoreCase(Trim(clause.substr(first + 1, second - first - 1)), "eq")) {
      return BadFilter("'" + std::string(clause) + "' is not 'name eq value'");
    }
    const std::string_view name = clause.substr(0, first);
    const std::string value(Unquote(Trim(clause.substr(second + 1))));
    if (EqualsIgnoreCase(name, "resourceType")) {
      out.type = catalog.Find(value);
      if (out.type == nullptr || !core::RecycleBin::Holds(*out.type)) {
        return BadFilter("'" + value + "' is not a type whose deleted resources the bin holds");
      }
    } else if (EqualsIgnoreCase(name, "kind")) {
      out.kind = value;
    } else {
      return BadFilter("'" + std::string(name) + "' cannot be filtered on");
    }
  }
  return out;
}

// "{purge date in ms}|{key}", base64url.
std::string EncodeCursor(const core::BinCursor& cursor) {
  return Base64UrlEncode(std::to_string(cursor.purge_at.time_since_epoch().count()) + "|" + cursor.key);
}

Result<std::optional<core::BinCursor>> DecodeCursor(const RequestContext& ctx) {
  const auto token = ctx.Query("$skiptoken");
  if (!token) return std::optional<core::BinCursor>();
  const auto text = Base64UrlDecode(*token);
  if (!text) return BadSkipToken();
  const size_t bar = text->find('|');
  int64_t millis = 0;
  const auto parsed = std::from_chars(text->data(), text->data() + std::min(bar, text->size()), millis);
  if (bar == std::string::npos || parsed.ptr != text->data() + bar || parsed.ec != std::errc() ||
      text->compare(bar + 1, 15, "/subscriptions/") != 0) {
    return BadSkipToken();
  }
  return std::optional<core::BinCursor>(core::BinCursor{Timestamp(Duration(millis)), text->substr(bar + 1)});
}

// The api-version clients of the type send by default: its newest stable one.
const std::string& PreferredVersion(const core::TypePolicy& policy) {
  for (const std::string& version : policy.api_versions) {
    if (version.find("preview") == std::string::npos) return version;
  }
  return policy.api_versions.front();
}

json::object Call(const RequestContext& ctx, const core::TypePolicy& policy, const char* method,
                  const std::string& path) {
  return json::object{{"method", method},
                      {"url", ctx.base_url + path + "?api-version=" + PreferredVersion(policy)}};
}

// The type's own recover call for `record`.
json::object RecoverCall(const RequestContext& ctx, const core::TypePolicy& policy,
                         const core::ResourceRecord& record) {
  json::object properties;
  switch (policy.recover) {
    case core::RecoverMechanism::kNone:
      return {};
    case core::RecoverMechanism::kRecoverAction: {
      json::object call = Call(ctx, policy, "POST", DeletedId(record, policy) + "/recover");
      call["body"] = nullptr;
      return call;
    }
    case core::RecoverMechanism::kRestoreProperty:
      properties["restore"] = true;
      break;
    case core::RecoverMechanism::kCreateModeRecover:
      properties["createMode"] = "recover";
      break;
    case core::RecoverMechanism::kRestoreReference:
      properties[policy.restore_reference_path.substr(policy.restore_reference_path.find('.') + 1)] =
          core::RestoreReference(record);
      break;
  }
  json::object call = Call(ctx, policy, "PUT", record.id);
  call["body"] = json::object{{"location", record.location}, {"properties", std::move(properties)}};
  return call;
}

// The type's own purge call, or null where deleted resources only expire.
json::value PurgeCall(const RequestContext& ctx, const core::TypePolicy& policy,
                      const core::ResourceRecord& record) {
  if (!policy.purgeable) return nullptr;
  const std::string deleted = DeletedId(record, policy);
  if (!policy.purge_action.empty()) {
    return Call(ctx, policy, "POST", deleted + "/" + policy.purge_action);
  }
  return Call(ctx, policy, "DELETE", deleted);
}

json::value ErrorObject(const Status& status) {
  if (status.ok()) return nullptr;
  json::object error{{"code", MapStatus(status).code}, {"message", status.message()}};
  if (!status.target().empty()) error["target"] = status.target();
  return error;
}

// The record's `kind` ("OpenAI", "StorageV2"), "" where its type has none.
std::string KindOf(const core::ResourceRecord& record) {
  boost::system::error_code ec;
  const json::value body = json::parse(record.body, ec);
  const json::value* kind = !ec && body.is_object() ? body.as_object().if_contains("kind") : nullptr;
  return kind != nullptr && kind->is_string() ? std::string(kind->as_string()) : std::string();
}

json::object EntryObject(const RequestContext& ctx, const core::BinEntry& entry) {
  const core::ResourceRecord& r = entry.record;
  const core::TypePolicy& policy = *entry.policy;
  const auto id = core::ResourceId::Parse(r.id);
  const std::string kind = KindOf(r);
  json::object out{
      {"id", DeletedId(r, policy)},
      {"name", r.name},
      {"type", policy.deleted_type},
      {"resourceType", policy.type},
      {"kind", kind.empty() ? json::value(nullptr) : json::value(kind)},
      {"resourceId", r.id},
      {"resourceGroup", id.has_value() ? id->resource_group() : r.resource_group},
      {"location", r.location},
      {"deletionDate", FormatRfc3339(*r.deleted_at)},
      {"scheduledPurgeDate", FormatRfc3339(*r.scheduled_purge_at)},
      {"purgeProtection", r.purge_protected},
      // The delete's own write names its caller, as its activity-log entry does; it stays
      // when the entry has aged out of the log.
      {"deletedBy", r.changed_by},
      {"deletedByType", r.changed_by_type == core::PrincipalType::kApplication ? "Application"
                                                                                : "User"},
      {"recoverable", entry.recover.ok()},
      {"recoverError", ErrorObject(entry.recover)},
      {"purgeable", entry.purge.ok()},
      {"purgeError", ErrorObject(entry.purge)},
      {"recover", RecoverCall(ctx, policy, r)},
      {"purge", PurgeCall(ctx, policy, r)}};
  return out;
}

// The deleted-resource list action of `policy` (what its own list-deleted route needs).
std::string ListDeletedAction(const core::TypePolicy& policy) {
  return policy.Namespace() + "/" + policy.deleted_collection + "/read";
}

HandlerResult ListBin(ApiState& state, RequestContext& ctx) {
  REPRIEVE_RETURN_IF_ERROR(RequireApiVersionIn(ctx, kApiVersions));
  const bool in_group = ctx.SegmentIs(2, "resourceGroups");
  core::BinQuery query;
  query.subscription = AsciiLower(ctx.segments[1]);
  // A group's bin stays readable after the group is deleted: that is when it matters.
  if (in_group) query.resource_group = AsciiLower(ctx.segments[3]);
  REPRIEVE_ASSIGN_OR_RETURN(query.limit, PageSize(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(query.after, DecodeCursor(ctx));
  const auto filter_text = ctx.Query("$filter");
  BinFilter filter;
  if (filter_text) {
    REPRIEVE_ASSIGN_OR_RETURN(filter, ParseBinFilter(*filter_text, state.service.catalog()));
  }
  if (filter.type != nullptr) query.types.push_back(filter.type);
  query.name_prefix = filter.name_prefix;
  // Each entry is shown only to a caller who may list its type's deleted resources here.
  const std::string scope = "/subscriptions/" + ctx.segments[1] +
                            (in_group ? "/resourceGroups/" + ctx.segments[3] : "");
  const core::AccessEvaluator* rbac = ctx.access ? &ctx.access->evaluator : nullptr;
  query.accept = [&](const core::ResourceRecord& record, const core::TypePolicy& policy) {
    if (rbac != nullptr &&
        !rbac->Evaluate(ctx.caller_object_id, ListDeletedAction(policy), scope).allowed) {
      return false;
    }
    return filter.kind.empty() || EqualsIgnoreCase(KindOf(record), filter.kind);
  };
  core::RecycleBin bin(state.service);
  REPRIEVE_ASSIGN_OR_RETURN(const core::BinPage page, bin.List(query, ctx.caller));
  json::array items;
  for (const core::BinEntry& entry : page.entries) items.push_back(EntryObject(ctx, entry));
  json::object body{{"value", std::move(items)}, {"now", FormatRfc3339(ctx.now)}};
  if (page.next) {
    std::string link = ctx.base_url;
    for (const std::string& segment : ctx.segments) link += "/" + UrlEncode(segment);
    link += "?api-version=" + UrlEncode(ctx.api_version);
    if (filter_text) link += "&$filter=" + UrlEncode(*filter_text);
    if (const auto top = ctx.Query("$top")) link += "&$top=" + UrlEncode(*top);
    link += "&$skipToken=" + EncodeCursor(*page.next);
    body["nextLink"] = std::move(link);
  }
  return JsonResponse(200, body);
}

}  // namespace

void AddRecycleBinRoutes(std::vector<Route>& routes) {
  for (const std::string scope :
       {"/subscriptions/{subscriptionId}",
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"}) {
    Route route = MakeRoute(scope + std::string(kBinPath), Access::kAction,
                            {{"GET", "Reprieve.Lifecycle/deletedResources/read"}},
                            [](ApiState& state, RequestContext& ctx) { return ListBin(state, ctx); });
    route.scope_segments = -3;  // read at the subscription or group
    routes.push_back(std::move(route));
  }
}

}  // namespace reprieve::http::internal
