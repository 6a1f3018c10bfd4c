// Invocation: one mutation as the request that made it.
#pragma once

#include <string>

#include "reprieve/core/model/principal.h"
#include "reprieve/core/operations/operation_schedule.h"

namespace reprieve::core {

// A mutation as its request made it: who made it, which action at which scope, the ids the
// activity log joins its entries by, and, when the transition is a long-running operation,
// the operation's id (its status URLs, which live at the target's location) and how it runs
// (OperationSchedule::Plan). Every transition given one records its activity-log entries in
// its own batch.
//
// With a zero duration the transition commits with the request and its operation is
// finished at once. Otherwise create and recover take effect at once and the resource shows
// the in-progress phase until the operation ends; delete and purge mark the resource and take
// effect when the operation ends. An operation planned to fail changes nothing: it ends
// Failed with its error (a delete or purge unmarks the resource). A resource with an
// operation in progress refuses other changes with 409 Conflict.
struct Invocation {
  std::string id;          // the operation id (the activity log's operationId)
  std::string started_by;  // object id of the caller
  Principal caller;
  OperationPlan plan;
  std::string action;  // the authorization action
  std::string scope;        // where it was authorized
  std::string resource_id;  // the resource the request addressed (a POST: without its action)
  std::string correlation_id;
  std::string client_request_id;
  std::string http_method;

  // Whether the operation outlives its request (it runs for a while, or is set to fail).
  bool deferred() const { return plan.duration > Duration::zero() || plan.fails(); }
};

}  // namespace reprieve::core
