// Wire JSON for the ARM API: parsing and validating request bodies, rendering records,
// lists, operations and LRO headers. The only headers that include the JSON library, and
// they are internal to reprieve_http.
#pragma once

#include <boost/json.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reprieve/base/result.h"
#include "reprieve/core/model/resource.h"
#include "reprieve/core/policy/type_policy.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/core/ports/resource_store.h"
#include "reprieve/http/http_message.h"
#include "reprieve/http/internal/context.h"

namespace reprieve::http::internal {

// Parses a request body that must be a JSON object. kInvalidArgument (InvalidRequestContent)
// naming the problem: empty, malformed, too deeply nested, or not an object.
Result<boost::json::object> ParseObject(std::string_view body);

// Property names are case-insensitive in ARM: refuses an object holding one name twice in
// different cases (400 naming it), and renames the envelope's members and every property the
// policy knows to their canonical spelling, so that validation and storage see one member.
Status CanonicalizeKeys(boost::json::object& body, const core::TypePolicy* policy);

// The string member `name` of `object`; "" if it is absent or not a string.
std::string TextOf(const boost::json::object& object, std::string_view name);

// Whether `text` is a GUID in its 8-4-4-4-12 hex form.
bool IsGuid(std::string_view text);

// The member at a dotted path ("sku.name"), or nullptr.
const boost::json::value* Find(const boost::json::object& object, std::string_view path);

// Checks the policy's field rules. `creating`: required fields must be present.
Status ValidateFields(const boost::json::object& body, const core::TypePolicy& policy,
                      bool creating);
// The lifecycle facts the policy's paths point at in `body`: retention (whole days),
// purge protection, customer-managed key, dependencies. kInvalidArgument if the
// retention is not a whole number or a dependency is not a valid reference.
Result<core::ResourceFacts> ExtractFacts(const boost::json::object& body,
                                         const core::TypePolicy& policy);

// Checks `location` (a non-empty string) and `tags` (an object of at most 50 string values,
// names up to 512 and values up to 256 characters).
Result<std::string> RequireLocation(const boost::json::object& body);
Status ValidateTags(const boost::json::object& body);

// The caller-owned part of a request body, as stored: without id, name, type, location,
// etag, systemData and the read-only and transient properties.
std::string StoredBody(boost::json::object body);

// RFC 7386 JSON merge patch of `patch` into `target`.
void MergePatch(boost::json::object& target, const boost::json::object& patch);

// A live resource / a soft-deleted resource (at its deleted-resource id), as the wire shows it.
boost::json::object ResourceObject(const core::ResourceRecord& record,
                                   const core::TypePolicy& policy);
boost::json::object DeletedObject(const core::ResourceRecord& record,
                                  const core::TypePolicy& policy);
boost::json::object GroupObject(const core::ResourceRecord& record);
boost::json::object SubscriptionObject(const core::ResourceRecord& record);
// The tenant of a subscription record, as its body says ("" if it says none).
std::string SubscriptionTenant(const core::ResourceRecord& subscription);
// The deleted-resource id of a soft-deleted record.
std::string DeletedId(const core::ResourceRecord& record, const core::TypePolicy& policy);

// {"value":[...],"nextLink":...}; nextLink (absolute, with api-version) only when
// page.next_after is set.
HttpResponse ListResponse(const RequestContext& ctx, boost::json::array items,
                          const core::Page& page);
// The page size ($top, default 100, 1..1000) and cursor ($skipToken) of a list request.
Result<int> PageSize(const RequestContext& ctx);
Result<std::string> PageCursor(const RequestContext& ctx);
// 400 InvalidQueryParameterValue: a $skipToken this server did not issue.
Status BadSkipToken();

HttpResponse JsonResponse(int status, const boost::json::value& body);
// The same for a body already serialized.
HttpResponse JsonTextResponse(int status, std::string body);
HttpResponse EmptyResponse(int status);

// Absolute URL on the request's host for `path` + "?api-version=" + the request's version.
std::string AbsoluteUrl(const RequestContext& ctx, const std::string& path);

// api-version checks, in ARM's order: MissingApiVersionParameter, then
// InvalidApiVersionParameter listing the versions the type supports.
Status RequireApiVersion(const RequestContext& ctx, const core::TypePolicy& policy);
// For operation-status URLs, which accept any version (they echo the one they were given).
Status RequireAnyApiVersion(const RequestContext& ctx);
// kInvalidArgument (InvalidApiVersionParameter) unless the request's api-version is one of
// `versions` (case-insensitive).
Status RequireApiVersionIn(const RequestContext& ctx, std::span<const char* const> versions);
// 405 MethodNotAllowed naming the methods the route supports.
Status MethodNotAllowed(const RequestContext& ctx, std::string_view allowed);

}  // namespace reprieve::http::internal
