// The activity log on the wire: Azure Monitor's "Activity Logs - List" (api-version
// 2015-04-01) with the $filter grammar az and the SDKs send, and EventData documents
// (operations-events.md §4). Internal to reprieve_http.
#pragma once

#include <string_view>
#include <vector>

#include "reprieve/base/result.h"
#include "reprieve/core/ports/resource_store.h"
#include "reprieve/http/internal/context.h"

namespace reprieve::http::internal {

// Parses a $filter: `and`-joined clauses `eventTimestamp ge|gt|le|lt TIME` (quoted or not;
// "Z", "+hh:mm" or no zone, which is UTC; up to 7 fractional digits) and
// `resourceGroupName|resourceUri|resourceId|resourceProvider|correlationId|caller|status eq
// 'VALUE'`. The start time is required; the end defaults to `now`. Fills every field of the
// query but the subscription, cursor and limit. kInvalidArgument (InvalidFilter) otherwise.
Result<core::ActivityQuery> ParseActivityFilter(std::string_view filter, Timestamp now);

// Parses a $select: names separated by commas, with optional spaces ("a , b" from az).
// kInvalidArgument (InvalidSelect) for a name EventData does not have.
Result<std::vector<std::string>> ParseActivitySelect(std::string_view select);

// GET /subscriptions/{s}/providers/microsoft.insights/eventtypes/management/values.
HandlerResult ActivityLog(ApiState& state, const RequestContext& ctx);

}  // namespace reprieve::http::internal
