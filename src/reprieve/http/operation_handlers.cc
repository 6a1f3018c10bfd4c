// Long-running operations on the wire (see internal/operations.h).
#include <boost/json.hpp>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/model/location.h"
#include "reprieve/http/internal/operations.h"
#include "reprieve/http/internal/wire.h"

namespace reprieve::http::internal {
namespace json = boost::json;

namespace {

// ARM's status document: always a status, an error when it did not succeed, and never
// resourceLocation (both SDKs would follow it).
json::object OperationDocument(const RequestContext& ctx, const core::OperationRecord& op) {
  std::string path;
  for (const std::string& segment : ctx.segments) path += "/" + segment;
  json::object body;
  body["id"] = path;
  body["name"] = op.id;
  body["status"] = std::string(core::OperationStatusName(op.status));
  body["startTime"] = FormatRfc3339(op.created_at);
  if (op.finished_at) {
    body["endTime"] = FormatRfc3339(*op.finished_at);
    body["percentComplete"] = 100.0;
  } else {
    const double total = static_cast<double>((op.ends_at - op.created_at).count());
    const double done = static_cast<double>((ctx.now - op.created_at).count());
    body["percentComplete"] = total > 0 ? std::clamp(100.0 * done / total, 0.0, 99.0) : 0.0;
  }
  if (op.status == core::OperationStatus::kFailed ||
      op.status == core::OperationStatus::kCanceled) {
    body["error"] = json::object{{"code", op.error_code}, {"message", op.error_message}};
  }
  return body;
}

void AddRetryAfter(const ApiState& state, HttpResponse& response) {
  response.SetHeader("Retry-After", std::to_string(std::max(1, state.retry_after_seconds)));
}

// The operation the status URL names, if the caller may read it.
Result<core::OperationRecord> FindOperation(ApiState& state, const RequestContext& ctx) {
  const std::string& id = ctx.segments.back();
  auto op = state.service.GetOperation(id);
  if (op.has_value() && op->subscription == AsciiLower(ctx.segments[1])) {
    // Without the read action at the status URL's scope, only the principal that started
    // the operation may follow it (a role that may purge may wait for its purge).
    if (!ctx.denied.ok() && op->started_by != ctx.caller_object_id) return ctx.denied;
    return op;
  }
  if (!ctx.denied.ok()) return ctx.denied;
  if (!op.has_value() && op.status().code() != StatusCode::kNotFound) return op.status();
  return NotFoundError("The operation '" + id + "' was not found.")
      .WithArmCode("OperationNotFound");
}

// The error a failed or canceled operation answers with on its Location URL.
Status OperationError(const core::OperationRecord& op) {
  const StatusCode code = op.error_code == "InternalServerError" ? StatusCode::kInternal
                                                                 : StatusCode::kFailedPrecondition;
  return Status(code, op.error_message).WithArmCode(op.error_code);
}

}  // namespace

core::Invocation InvocationOf(ApiState& state, const RequestContext& ctx) {
  core::Invocation invocation;
  invocation.id = state.random.NewUuid();
  invocation.started_by = std::string(ctx.caller_object_id);
  invocation.caller = ctx.caller;
  invocation.action = ctx.action;
  invocation.scope = ctx.scope;
  // The addressed resource: the path, without the action of a POST.
  const size_t segments =
      ctx.segments.size() - (ctx.request.method == "POST" && !ctx.segments.empty() ? 1 : 0);
  for (size_t i = 0; i < segments; ++i) invocation.resource_id += "/" + ctx.segments[i];
  invocation.correlation_id = ctx.correlation_id;
  invocation.client_request_id = std::string(ctx.request.Header("x-ms-client-request-id"));
  invocation.http_method = ctx.request.method;
  return invocation;
}

core::Invocation StartOperation(ApiState& state, const RequestContext& ctx,
                                core::OperationKind kind) {
  core::Invocation start = InvocationOf(state, ctx);
  start.plan.kind = kind;
  if (state.operations != nullptr) start.plan = state.operations->Plan(kind, state.random);
  return start;
}

void ReturnUnused(ApiState& state, const core::Invocation& start) {
  if (state.operations != nullptr) state.operations->Unused(start.plan);
}

void AddOperationHeaders(const ApiState& state, const RequestContext& ctx,
                         const std::string& provider_namespace, const core::OperationRecord& op,
                         bool async_operation, bool location, HttpResponse& response) {
  const std::string base = "/subscriptions/" + ctx.segments[1] + "/providers/" +
                           provider_namespace + "/locations/" +
                           std::string(core::NormalizeLocation(op.location));
  if (async_operation) {
    response.SetHeader("Azure-AsyncOperation",
                       AbsoluteUrl(ctx, base + "/operationStatuses/" + op.id));
  }
  if (location) {
    response.SetHeader("Location", AbsoluteUrl(ctx, base + "/operationResults/" + op.id));
  }
  AddRetryAfter(state, response);
}

HandlerResult OperationStatus(ApiState& state, const RequestContext& ctx) {
  if (ctx.request.method != "GET") return MethodNotAllowed(ctx, "GET");
  REPRIEVE_RETURN_IF_ERROR(RequireAnyApiVersion(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const core::OperationRecord op, FindOperation(state, ctx));
  HttpResponse response = JsonResponse(200, OperationDocument(ctx, op));
  AddRetryAfter(state, response);
  return response;
}

HandlerResult OperationResult(ApiState& state, const RequestContext& ctx) {
  if (ctx.request.method != "GET") return MethodNotAllowed(ctx, "GET");
  REPRIEVE_RETURN_IF_ERROR(RequireAnyApiVersion(ctx));
  REPRIEVE_ASSIGN_OR_RETURN(const core::OperationRecord op, FindOperation(state, ctx));
  if (op.running()) {
    HttpResponse response = EmptyResponse(202);
    response.SetHeader("Location", ctx.base_url + ctx.request.target);
    AddRetryAfter(state, response);
    return response;
  }
  if (op.status != core::OperationStatus::kSucceeded) return OperationError(op);
  if (op.kind == core::OperationKind::kCreate || op.kind == core::OperationKind::kRecover) {
    // What the synchronous create would have answered: the resource (Storage's final
    // Location answer is the account).
    const core::TypePolicy* policy = state.service.catalog().Find(op.type);
    auto id = core::ResourceId::Parse(op.target);
    if (policy != nullptr && id.has_value()) {
      auto record = state.service.Get(*id);
      if (record.has_value()) {
        HttpResponse response = JsonResponse(200, ResourceObject(*record, *policy));
        response.SetHeader("ETag", record->etag);
        return response;
      }
    }
  }
  return JsonResponse(200, OperationDocument(ctx, op));
}

Result<int64_t> FinishDueOperations(ApiState& state) {
  constexpr int kBatch = 500;
  int64_t finished = 0;
  while (true) {
    REPRIEVE_ASSIGN_OR_RETURN(const int ended, state.service.RunDueOperations(kBatch));
    finished += ended;
    if (ended < kBatch) return finished;
  }
}

namespace {
Status NoSchedule() {
  return FailedPreconditionError(
             "This server runs every operation within its request: it was started without an "
             "operation schedule.")
      .WithArmCode("OperationScheduleUnavailable");
}
}  // namespace

HandlerResult OperationSchedule(ApiState& state, const RequestContext& ctx) {
  if (ctx.request.method != "GET") return MethodNotAllowed(ctx, "GET");
  if (state.operations == nullptr) return NoSchedule();
  json::object kinds;
  for (int i = 0; i < core::kOperationKinds; ++i) {
    const auto kind = static_cast<core::OperationKind>(i);
    kinds[core::OperationKindName(kind)] =
        json::object{{"duration", FormatIsoDuration(state.operations->DurationOf(kind))},
                     {"failureRate", state.operations->FailureRateOf(kind)},
                     {"queuedFailures", state.operations->QueuedFailures(kind)}};
  }
  return JsonResponse(200, json::object{{"kinds", std::move(kinds)},
                                        {"retryAfterSeconds", state.retry_after_seconds}});
}

HandlerResult FailNextOperation(ApiState& state, const RequestContext& ctx) {
  if (ctx.request.method != "POST") return MethodNotAllowed(ctx, "POST");
  if (state.operations == nullptr) return NoSchedule();
  REPRIEVE_ASSIGN_OR_RETURN(const json::object body, ParseObject(ctx.request.body));
  const json::value* kind_value = Find(body, "kind");
  const auto kind = kind_value != nullptr && kind_value->is_string()
                        ? core::ParseOperationKind(AsciiLower(kind_value->as_string()))
                        : std::nullopt;
  if (!kind) {
    return InvalidArgumentError(
               "'kind' must be one of \"create\", \"delete\", \"recover\" or \"purge\".")
        .WithArmCode("InvalidRequestContent")
        .WithTarget("kind");
  }
  std::string code = "InternalServerError";
  std::string message;
  for (const auto& [name, target] :
       {std::pair<const char*, std::string*>{"code", &code}, {"message", &message}}) {
    const json::value* value = Find(body, name);
    if (value == nullptr) continue;
    if (!value->is_string() || value->as_string().empty()) {
      return InvalidArgumentError("'" + std::string(name) + "' must be a non-empty string.")
          .WithArmCode("InvalidRequestContent")
          .WithTarget(name);
    }
    *target = std::string(value->as_string());
  }
  if (message.empty()) {
    message = "The " + std::string(core::OperationKindName(*kind)) +
              " operation failed: a failure set through /reprieve/admin/operations/failNext.";
  }
  state.operations->FailNext(*kind, code, message);
  return JsonResponse(200,
                      json::object{{"kind", core::OperationKindName(*kind)},
                                   {"code", code},
                                   {"message", message},
                                   {"queuedFailures", state.operations->QueuedFailures(*kind)}});
}

}  // namespace reprieve::http::internal
