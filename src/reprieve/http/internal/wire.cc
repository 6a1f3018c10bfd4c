#include "reprieve/http/internal/wire.h"

#include <charconv>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/model/location.h"
#include "reprieve/core/model/resource_id.h"
#include "reprieve/core/policy/policy_catalog.h"
#include "reprieve/http/internal/base64.h"

namespace reprieve::http::internal {
namespace json = boost::json;
namespace {

constexpr int kMaxJsonDepth = 64;
constexpr size_t kMaxTags = 50;
constexpr size_t kMaxTagName = 512;
constexpr size_t kMaxTagValue = 256;
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

Status BadContent(std::string message, std::string target = "") {
  return InvalidArgumentError(std::move(message))
      .WithArmCode("InvalidRequestContent")
      .WithTarget(std::move(target));
}

const char* KindName(core::JsonKind kind) {
  switch (kind) {
    case core::JsonKind::kString: return "a string";
    case core::JsonKind::kBoolean: return "a boolean";
    case core::JsonKind::kNumber: return "a number";
    case core::JsonKind::kInteger: return "an integer";
    case core::JsonKind::kObject: return "an object";
    case core::JsonKind::kArray: return "an array";
  }
  return "a value";
}

bool HasKind(const json::value& value, core::JsonKind kind) {
  switch (kind) {
    case core::JsonKind::kString: return value.is_string();
    case core::JsonKind::kBoolean: return value.is_bool();
    case core::JsonKind::kNumber: return value.is_number();
    case core::JsonKind::kInteger: return value.is_int64() || value.is_uint64();
    case core::JsonKind::kObject: return value.is_object();
    case core::JsonKind::kArray: return value.is_array();
  }
  return false;
}

// Removes members named case-insensitively like `name`.
void EraseIgnoreCase(json::object& object, std::string_view name) {
  for (auto it = object.begin(); it != object.end();) {
    if (EqualsIgnoreCase(it->key(), name)) {
      it = object.erase(it);
    } else {
      ++it;
    }
  }
}

const char* PrincipalTypeName(core::PrincipalType type) {
  return type == core::PrincipalType::kApplication ? "Application" : "User";
}

json::object SystemData(const core::ResourceRecord& record) {
  json::object data;
  data["createdBy"] = record.created_by;
  data["createdByType"] = PrincipalTypeName(record.created_by_type);
  data["createdAt"] = FormatRfc3339(record.created_at);
  data["lastModifiedBy"] = record.changed_by;
  data["lastModifiedByType"] = PrincipalTypeName(record.changed_by_type);
  data["lastModifiedAt"] = FormatRfc3339(record.changed_at);
  return data;
}

json::object ParseStored(const std::string& body) {
  std::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec || !value.is_object()) return {};
  return std::move(value.as_object());
}

}  // namespace

Status RequireAnyApiVersion(const RequestContext& ctx) {
  if (ctx.api_version.empty()) {
    return InvalidArgumentError(
               "The api-version query parameter (?api-version=) is required for all requests.")
        .WithArmCode("MissingApiVersionParameter");
  }
  return OkStatus();
}

Status RequireApiVersion(const RequestContext& ctx, const core::TypePolicy& policy) {
  if (Status present = RequireAnyApiVersion(ctx); !present.ok()) return present;
  if (!policy.SupportsApiVersion(ctx.api_version)) {
    return InvalidArgumentError("The api-version '" + ctx.api_version +
                                "' is invalid. The supported versions are '" +
                                policy.ApiVersionList() + "'.")
        .WithArmCode("InvalidApiVersionParameter");
  }
  return OkStatus();
}

Status MethodNotAllowed(const RequestContext& ctx, std::string_view allowed) {
  return UnimplementedError("The method '" + ctx.request.method + "' is not allowed on '" +
                            ctx.path + "'. Allowed: " + std::string(allowed) + ".")
      .WithArmCode("MethodNotAllowed");
}

Result<json::object> ParseObject(std::string_view body) {
  if (body.empty()) return BadContent("The request content was empty; a JSON object is required.");
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  std::error_code ec;
  json::value value = json::parse(body, ec, json::storage_ptr(), options);
  if (ec) {
    return BadContent("The request content is not valid JSON: " + ec.message() + ".");
  }
  if (!value.is_object()) return BadContent("The request content must be a JSON object.");
  return std::move(value.as_object());
}

namespace {

Status RefuseCaseDuplicates(const json::object& object, const std::string& path) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    for (auto other = std::next(it); other != object.end(); ++other) {
      if (EqualsIgnoreCase(it->key(), other->key())) {
        const std::string where = path.empty() ? std::string(it->key())
                                               : path + "." + std::string(it->key());
        return BadContent("The property '" + where + "' appears more than once ('" +
                              std::string(it->key()) + "' and '" + std::string(other->key()) +
                              "'); property names are case-insensitive.",
                          where);
      }
    }
    if (it->value().is_object()) {
      const std::string child = path.empty() ? std::string(it->key())
                                             : path + "." + std::string(it->key());
      REPRIEVE_RETURN_IF_ERROR(RefuseCaseDuplicates(it->value().as_object(), child));
    }
  }
  return OkStatus();
}

// Renames the members along `path` ("properties.softDeleteRetentionInDays") to its spelling.
void Canonicalize(json::object& object, std::string_view path) {
  const size_t dot = path.find('.');
  const std::string_view head = path.substr(0, dot);
  if (head == "[]") return;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (!EqualsIgnoreCase(it->key(), head)) continue;
    if (it->key() != head) {
      json::value moved = std::move(it->value());
      object.erase(it);
      object[head] = std::move(moved);
    }
    break;
  }
  if (dot == std::string_view::npos) return;
  if (json::value* child = object.if_contains(head); child != nullptr && child->is_object()) {
    Canonicalize(child->as_object(), path.substr(dot + 1));
  }
}

}  // namespace

Status CanonicalizeKeys(json::object& body, const core::TypePolicy* policy) {
  REPRIEVE_RETURN_IF_ERROR(RefuseCaseDuplicates(body, ""));
  for (const char* envelope : {"location", "tags", "kind", "sku", "identity", "properties",
                               "etag", "id", "name", "type", "systemData", "managedBy", "zones",
                               "properties.restore", "properties.createMode"}) {
    Canonicalize(body, envelope);
  }
  if (policy == nullptr) return OkStatus();
  for (const core::FieldRule& rule : policy->fields) Canonicalize(body, rule.path);
  for (const core::DependencyRule& rule : policy->dependencies) Canonicalize(body, rule.path);
  for (const std::string* path : {&policy->retention_rule.path, &policy->purge_protection_path,
                                  &policy->restore_reference_path}) {
    if (!path->empty()) Canonicalize(body, *path);
  }
  for (const std::string* rule : {&policy->customer_managed_key_path, &policy->transient_path}) {
    if (!rule->empty()) Canonicalize(body, rule->substr(0, rule->find('=')));
  }
  return OkStatus();
}

const json::value* Find(const json::object& object, std::string_view path) {
  const json::object* current = &object;
  const json::value* found = nullptr;
  for (std::string_view part : Split(path, '.')) {
    if (current == nullptr) return nullptr;
    found = nullptr;
    for (const auto& member : *current) {
      if (EqualsIgnoreCase(member.key(), part)) found = &member.value();
    }
    if (found == nullptr) return nullptr;
    current = found->is_object() ? &found->as_object() : nullptr;
  }
  return found;
}

Status ValidateFields(const json::object& body, const core::TypePolicy& policy, bool creating) {
  for (const core::FieldRule& rule : policy.fields) {
    const json::value* value = Find(body, rule.path);
    if (value == nullptr || value->is_null()) {
      if (creating && rule.required_on_create) {
        return BadContent("The property '" + rule.path + "' is required for " + policy.type + ".",
                          rule.path);
      }
      continue;
    }
    if (!HasKind(*value, rule.kind)) {
      return BadContent("The property '" + rule.path + "' must be " + KindName(rule.kind) + ".",
                        rule.path);
    }
  }
  return OkStatus();
}

namespace {

// Every value at `path`, where a "[]" segment descends into each element of an array.
void CollectAt(const json::value& value, std::string_view path,
               std::vector<const json::value*>& out) {
  if (path.empty()) {
    out.push_back(&value);
    return;
  }
  const size_t dot = path.find('.');
  const std::string_view head = path.substr(0, dot);
  const std::string_view rest = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (head == "[]") {
    if (!value.is_array()) return;
    for (const json::value& element : value.as_array()) CollectAt(element, rest, out);
    return;
  }
  if (!value.is_object()) return;
  for (const auto& member : value.as_object()) {
    if (EqualsIgnoreCase(member.key(), head)) CollectAt(member.value(), rest, out);
  }
}

// "https://{vault}.vault.azure.net/keys/..." names the vault; nullopt otherwise.
std::optional<std::string> VaultFromUri(std::string_view uri) {
  constexpr std::string_view kScheme = "https://";
  if (!StartsWithIgnoreCase(uri, kScheme)) return std::nullopt;
  uri.remove_prefix(kScheme.size());
  const size_t dot = uri.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  return std::string(uri.substr(0, dot));
}

}  // namespace

Result<core::ResourceFacts> ExtractFacts(const json::object& body, const core::TypePolicy& policy) {
  core::ResourceFacts facts;
  const json::value root(body);
  if (!policy.retention_rule.path.empty()) {
    if (const json::value* days = Find(body, policy.retention_rule.path);
        days != nullptr && !days->is_null()) {
      if (!days->is_int64() && !days->is_uint64()) {
        return BadContent("The property '" + policy.retention_rule.path +
                              "' must be a whole number of days from " +
                              std::to_string(policy.retention_rule.min_days) + " to " +
                              std::to_string(policy.retention_rule.max_days) + ".",
                          policy.retention_rule.path)
            .WithArmCode("InvalidSoftDeleteRetention");
      }
      const int64_t count = days->is_int64() ? days->as_int64()
                                             : static_cast<int64_t>(std::min<uint64_t>(
                                                   days->as_uint64(), 1u << 20));
      const int64_t clamped = std::max<int64_t>(std::min<int64_t>(count, 1 << 20), -(1 << 20));
      facts.retention = std::chrono::hours(24 * clamped);
    }
  }
  if (!policy.purge_protection_path.empty()) {
    if (const json::value* on = Find(body, policy.purge_protection_path); on && on->is_bool()) {
      facts.purge_protected = on->as_bool();
    }
  }
  if (!policy.customer_managed_key_path.empty()) {
    const std::string& rule = policy.customer_managed_key_path;
    const size_t eq = rule.find('=');
    const json::value* value = Find(body, rule.substr(0, eq));
    facts.customer_managed_key = value != nullptr && value->is_string() &&
                                 EqualsIgnoreCase(value->as_string(), rule.substr(eq + 1));
  }
  if (!policy.transient_path.empty()) {
    const std::string& rule = policy.transient_path;
    const size_t eq = rule.find('=');
    const json::value* value = Find(body, rule.substr(0, eq));
    if (value != nullptr && value->is_string()) {
      for (std::string_view state : Split(std::string_view(rule).substr(eq + 1), '|')) {
        facts.transient = facts.transient || EqualsIgnoreCase(value->as_string(), state);
      }
    }
  }
  for (const core::DependencyRule& rule : policy.dependencies) {
    std::vector<const json::value*> values;
    CollectAt(root, rule.path, values);
    for (const json::value* value : values) {
      if (value->is_null() || (value->is_string() && value->as_string().empty())) continue;
      if (!value->is_string()) {
        return BadContent("The property '" + rule.path + "' must be a string.", rule.path);
      }
      const std::string_view text = value->as_string();
      if (rule.kind == core::DependencyRule::Kind::kKeyVaultUri) {
        const auto vault = VaultFromUri(text);
        if (!vault) {
          return BadContent("The property '" + rule.path + "' must be a Key Vault URI such as "
                            "https://myvault.vault.azure.net/.",
                            rule.path);
        }
        facts.dependencies.push_back("Microsoft.KeyVault/vaults/" + *vault);
        continue;
      }
      auto id = core::ResourceId::Parse(text);
      if (!id.has_value() || !id->IsResource()) {
        return BadContent("The property '" + rule.path + "' must be the ARM id of a resource; '" +
                              std::string(text) + "' is not.",
                          rule.path)
            .WithArmCode("LinkedInvalidPropertyId");
      }
      facts.dependencies.push_back(id->ToString());
    }
  }
  return facts;
}

Result<std::string> RequireLocation(const json::object& body) {
  const json::value* location = Find(body, "location");
  if (location == nullptr || location->is_null()) {
    return BadContent("The property 'location' is required.", "location")
        .WithArmCode("LocationRequired");
  }
  if (!location->is_string() || location->as_string().empty() ||
      location->as_string().size() > 64) {
    return BadContent("The property 'location' must be a non-empty string of at most 64 "
                      "characters.",
                      "location");
  }
  return std::string(location->as_string());
}

Status ValidateTags(const json::object& body) {
  const json::value* tags = Find(body, "tags");
  if (tags == nullptr || tags->is_null()) return OkStatus();
  if (!tags->is_object()) return BadContent("The property 'tags' must be an object.", "tags");
  if (tags->as_object().size() > kMaxTags) {
    return BadContent("At most 50 tags are allowed; the request has " +
                          std::to_string(tags->as_object().size()) + ".",
                      "tags")
        .WithArmCode("InvalidTag");
  }
  for (const auto& tag : tags->as_object()) {
    if (tag.key().empty() || tag.key().size() > kMaxTagName) {
      return BadContent("Tag names must be 1 to 512 characters long.", "tags")
          .WithArmCode("InvalidTagNameCharacters");
    }
    if (!tag.value().is_string()) {
      return BadContent("The value of tag '" + std::string(tag.key()) + "' must be a string.",
                        "tags");
    }
    if (tag.value().as_string().size() > kMaxTagValue) {
      return BadContent("The value of tag '" + std::string(tag.key()) +
                            "' is longer than 256 characters.",
                        "tags")
          .WithArmCode("InvalidTag");
    }
  }
  return OkStatus();
}

std::string StoredBody(json::object body) {
  for (const char* name : {"id", "name", "type", "location", "etag", "systemData"}) {
    EraseIgnoreCase(body, name);
  }
  for (auto& member : body) {
    if (EqualsIgnoreCase(member.key(), "properties") && member.value().is_object()) {
      json::object& properties = member.value().as_object();
      for (const char* name : {"provisioningState", "endpoint", "dateCreated", "deletionDate",
                               "scheduledPurgeDate", "restore", "internalId", "createMode"}) {
        EraseIgnoreCase(properties, name);
      }
    }
  }
  return json::serialize(body);
}

void MergePatch(json::object& target, const json::object& patch) {
  for (const auto& member : patch) {
    if (member.value().is_null()) {
      target.erase(member.key());
    } else if (member.value().is_object() && target.contains(member.key()) &&
               target.at(member.key()).is_object()) {
      MergePatch(target.at(member.key()).as_object(), member.value().as_object());
    } else {
      target[member.key()] = member.value();
    }
  }
}

json::object ResourceObject(const core::ResourceRecord& record, const core::TypePolicy& policy) {
  json::object stored = ParseStored(record.body);
  json::object out;
  out["id"] = record.id;
  out["name"] = record.name;
  out["type"] = policy.type;
  out["location"] = record.location;
  for (auto& member : stored) {
    if (member.key() != "properties") out[member.key()] = std::move(member.value());
  }
  out["etag"] = record.etag;
  json::object properties;
  if (json::value* stored_properties = stored.if_contains("properties");
      stored_properties != nullptr && stored_properties->is_object()) {
    properties = std::move(stored_properties->as_object());
  }
  properties["provisioningState"] = "Succeeded";
  if (!record.pending_operation.empty()) {
    // An operation is running on it: the phase's state, as the type shows it.
    const core::PhaseState& phase = record.pending_kind == core::OperationKind::kDelete
                                        ? policy.deleting
                                    : record.pending_kind == core::OperationKind::kRecover
                                        ? policy.recovering
                                        : policy.creating;
    properties["provisioningState"] = phase.provisioning_state;
    if (!phase.target_provisioning_state.empty()) {
      properties["targetProvisioningState"] = phase.target_provisioning_state;
    }
  }
  if (!policy.endpoint_template.empty()) {
    std::string endpoint = policy.endpoint_template;
    const json::value* subdomain = properties.if_contains("customSubDomainName");
    const std::string host = subdomain && subdomain->is_string()
                                 ? std::string(subdomain->as_string())
                                 : AsciiLower(record.name);
    endpoint.replace(endpoint.find("{name}"), 6, host);
    properties[policy.endpoint_property] = endpoint;
  }
  // The lifecycle facts in force, also where the caller left them to their defaults.
  constexpr std::string_view kProperties = "properties.";
  const std::string& retention_path = policy.retention_rule.path;
  if (record.retention && retention_path.rfind(kProperties, 0) == 0) {
    properties[retention_path.substr(kProperties.size())] =
        std::chrono::duration_cast<std::chrono::hours>(*record.retention).count() / 24;
  }
  if (record.purge_protected && policy.purge_protection_path.rfind(kProperties, 0) == 0) {
    properties[policy.purge_protection_path.substr(kProperties.size())] = true;
  }
  properties["dateCreated"] = FormatRfc3339(record.created_at);
  if (record.deleted_at) properties["deletionDate"] = FormatRfc3339(*record.deleted_at);
  if (record.scheduled_purge_at) {
    properties["scheduledPurgeDate"] = FormatRfc3339(*record.scheduled_purge_at);
  }
  out["properties"] = std::move(properties);
  out["systemData"] = SystemData(record);
  return out;
}


std::string DeletedId(const core::ResourceRecord& record, const core::TypePolicy& policy) {
  const auto id = core::ResourceId::Parse(record.id);
  const std::string subscription = id ? id->subscription() : record.subscription;
  const std::string group = id ? id->resource_group() : record.resource_group;
  if (policy.deleted_scope == core::DeletedRouteScope::kResourceGroup) {
    return "/subscriptions/" + subscription + "/resourceGroups/" + group + "/providers/" +
           policy.Namespace() + "/" + policy.deleted_collection + "/" + record.name;
  }
  std::string out = "/subscriptions/" + subscription + "/providers/" + policy.Namespace() +
                    "/locations/" + core::NormalizeLocation(record.location);
  if (policy.deleted_scope == core::DeletedRouteScope::kLocationResourceGroup) {
    out += "/resourceGroups/" + group;
  }
  return out + "/" + policy.deleted_collection + "/" + record.name;
}

json::object DeletedObject(const core::ResourceRecord& record, const core::TypePolicy& policy) {
  const std::string deleted = record.deleted_at ? FormatRfc3339(*record.deleted_at) : "";
  const std::string purge =
      record.scheduled_purge_at ? FormatRfc3339(*record.scheduled_purge_at) : "";
  json::object out{{"id", DeletedId(record, policy)},
                   {"name", record.name},
                   {"type", policy.deleted_type}};
  switch (policy.deleted_shape) {
    case core::DeletedShape::kResource: {
      json::object full = ResourceObject(record, policy);
      full["id"] = out["id"];
      full["type"] = policy.deleted_type;
      return full;
    }
    case core::DeletedShape::kServiceContract:
      out["location"] = record.location;
      out["properties"] = json::object{{"serviceId", record.id},
                                       {"deletionDate", deleted},
                                       {"scheduledPurgeDate", purge}};
      return out;
    case core::DeletedShape::kDeletedVault: {
      json::object stored = ParseStored(record.body);
      json::value tags = json::object();
      if (json::value* t = stored.if_contains("tags"); t != nullptr && t->is_object()) tags = *t;
      out["properties"] = json::object{{"vaultId", record.id},
                                       {"location", record.location},
                                       {"deletionDate", deleted},
                                       {"scheduledPurgeDate", purge},
                                       {"tags", std::move(tags)},
                                       {"purgeProtectionEnabled", record.purge_protected}};
      return out;
    }
    case core::DeletedShape::kDeletedAccount:
      out["properties"] = json::object{{"storageAccountResourceId", record.id},
                                       {"location", record.location},
                                       {"restoreReference", core::RestoreReference(record)},
                                       {"creationTime", FormatRfc3339(record.created_at)},
                                       {"deletionTime", deleted},
                                       {"scheduledPurgeDate", purge}};
      return out;
  }
  return out;
}

json::object GroupObject(const core::ResourceRecord& record) {
  json::object stored = ParseStored(record.body);
  json::object out;
  out["id"] = record.id;
  out["name"] = record.name;
  out["type"] = std::string(core::kResourceGroupType);
  out["location"] = record.location;
  for (auto& member : stored) out[member.key()] = std::move(member.value());
  out["properties"] = json::object{{"provisioningState", "Succeeded"}};
  out["systemData"] = SystemData(record);
  return out;
}

json::object SubscriptionObject(const core::ResourceRecord& record) {
  json::object out = ParseStored(record.body);
  out["id"] = "/subscriptions/" + record.name;
  out["subscriptionId"] = record.name;
  if (!out.contains("state")) out["state"] = "Enabled";
  out["authorizationSource"] = "RoleBased";
  out["subscriptionPolicies"] = json::object{{"locationPlacementId", "Public_2014-09-01"},
                                             {"quotaId", "Reprieve"},
                                             {"spendingLimit", "Off"}};
  return out;
}

HttpResponse JsonResponse(int status, const json::value& body) {
  return JsonTextResponse(status, json::serialize(body));
}

HttpResponse JsonTextResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.SetHeader("Content-Type", "application/json; charset=utf-8");
  return response;
}

HttpResponse EmptyResponse(int status) {
  HttpResponse response;
  response.status = status;
  return response;
}

std::string AbsoluteUrl(const RequestContext& ctx, const std::string& path) {
  return ctx.base_url + path + "?api-version=" + ctx.api_version;
}

Result<int> PageSize(const RequestContext& ctx) {
  const auto top = ctx.Query("$top");
  if (!top) return kDefaultPageSize;
  int value = 0;
  const auto [end, ec] = std::from_chars(top->data(), top->data() + top->size(), value);
  if (ec != std::errc() || end != top->data() + top->size() || value < 1 ||
      value > kMaxPageSize) {
    return InvalidArgumentError("The query parameter '$top' must be an integer from 1 to 1000.")
        .WithArmCode("InvalidQueryParameterValue")
        .WithTarget("$top");
  }
  return value;
}

Result<std::string> PageCursor(const RequestContext& ctx) {
  const auto token = ctx.Query("$skiptoken");
  if (!token) return std::string();
  auto decoded = Base64UrlDecode(*token);
  if (!decoded || decoded->empty() || decoded->front() != '/') {
    return BadSkipToken();
  }
  return *decoded;
}

Status BadSkipToken() {
  return InvalidArgumentError("The query parameter '$skipToken' is not one this server issued.")
      .WithArmCode("InvalidQueryParameterValue")
      .WithTarget("$skipToken");
}

HttpResponse ListResponse(const RequestContext& ctx, json::array items, const core::Page& page) {
  json::object body;
  body["value"] = std::move(items);
  if (!page.next_after.empty()) {
    std::string link = ctx.base_url;
    for (const std::string& segment : ctx.segments) link += "/" + segment;
    link += "?api-version=" + ctx.api_version;
    if (const auto top = ctx.Query("$top")) link += "&$top=" + *top;
    link += "&$skipToken=" + Base64UrlEncode(page.next_after);
    body["nextLink"] = link;
  }
  return JsonResponse(200, body);
}

std::string TextOf(const json::object& object, std::string_view name) {
  const json::value* v = object.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool IsGuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t idx = 0; idx < text.size(); ++idx) {
    const char c = text[idx];
    const bool dash = idx == 8 || idx == 13 || idx == 18 || idx == 23;
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex) return false;
  }
  return true;
}


std::string SubscriptionTenant(const core::ResourceRecord& subscription) {
  std::error_code ec;
  const json::value body = json::parse(subscription.body, ec);
  if (ec || !body.is_object()) return "";
  const json::value* tenant = body.as_object().if_contains("tenantId");
  return tenant && tenant->is_string() ? std::string(tenant->as_string()) : "";
}

Status RequireApiVersionIn(const RequestContext& ctx, std::span<const char* const> versions) {
  REPRIEVE_RETURN_IF_ERROR(RequireAnyApiVersion(ctx));
  std::string supported;
  for (const char* version : versions) {
    if (EqualsIgnoreCase(version, ctx.api_version)) return OkStatus();
    supported += supported.empty() ? version : std::string(",") + version;
  }
  return InvalidArgumentError("The api-version '" + ctx.api_version +
                              "' is invalid. The supported versions are '" + supported + "'.")
      .WithArmCode("InvalidApiVersionParameter");
}

}  // namespace reprieve::http::internal
