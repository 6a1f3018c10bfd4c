// Long-running operations on the wire: starting one for a request, the headers of a
// 201/202 that points at it, and its two status URLs (operations-events.md §1, §5.1).
// Internal to reprieve_http.
#pragma once

#include <string>

#include "reprieve/core/model/operation.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/http/internal/context.h"

namespace reprieve::http::internal {

// The mutation a request makes: a new operation id, the caller, the route's action and
// scope and the request's correlation ids (for the activity log), and no plan: it finishes
// within the request.
core::Invocation InvocationOf(ApiState& state, const RequestContext& ctx);
// The same for a request that starts an operation of `kind`, with the schedule's plan (a
// queued failure is taken now; ReturnUnused gives it back).
core::Invocation StartOperation(ApiState& state, const RequestContext& ctx,
                                core::OperationKind kind);
// The request started no operation after all (refused, or an update): a failure it took
// from the schedule's queue goes back.
void ReturnUnused(ApiState& state, const core::Invocation& start);

// The status URLs of `op` under `provider_namespace` (".../operationStatuses/{id}" for
// Azure-AsyncOperation, ".../operationResults/{id}" for Location), and Retry-After.
void AddOperationHeaders(const ApiState& state, const RequestContext& ctx,
                         const std::string& provider_namespace, const core::OperationRecord& op,
                         bool async_operation, bool location, HttpResponse& response);

// GET .../operationStatuses/{id} (Azure-AsyncOperation): 200 and the status document, while
// running too. GET .../operationResults/{id} (Location): 202 while running, then the answer
// the synchronous call would have given (the resource for a create or recover, the status
// document otherwise, the ARM error for a failed operation). Both carry Retry-After;
// 404 OperationNotFound for an unknown id or another subscription's.
HandlerResult OperationStatus(ApiState& state, const RequestContext& ctx);
HandlerResult OperationResult(ApiState& state, const RequestContext& ctx);

// Ends every operation whose end has come; returns how many it ended.
Result<int64_t> FinishDueOperations(ApiState& state);

// GET /reprieve/admin/operations: each kind's duration, failure rate and queued failures.
HandlerResult OperationSchedule(ApiState& state, const RequestContext& ctx);
// POST /reprieve/admin/operations/failNext {"kind", "code"?, "message"?}: the next operation
// of that kind to start fails with this error.
HandlerResult FailNextOperation(ApiState& state, const RequestContext& ctx);

}  // namespace reprieve::http::internal
