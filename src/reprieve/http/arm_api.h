// ArmApi: the Azure Resource Manager REST surface of Reprieve. Turns an HttpRequest into
// core calls and core results into an HttpResponse, following the ARM conventions in
// shared/reference/arm-contract.md §5: case-insensitive paths and query names, api-version
// validation per resource type, request/correlation ids, the ARM error envelope, absolute
// nextLinks and long-running-operation headers.
//
// Handle() is safe to call concurrently; it blocks while the store commits a change.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "reprieve/base/clock.h"
#include "reprieve/base/random.h"
#include "reprieve/base/result.h"
#include "reprieve/core/ports/telemetry.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/http/http_message.h"

namespace reprieve::http {
namespace internal {
struct RequestContext;
}  // namespace internal

// How bearer tokens are judged. kDev: a token Reprieve did not sign is the built-in
// developer principal, Owner of everything (SDK code with a fake credential works); kStrict:
// only tokens Reprieve signed, valid now, for the route's audience. In both, a token
// Reprieve signed is its own principal, checked by RBAC.
enum class AuthMode { kDev, kStrict };

struct ArmApiOptions {
  // Set under `--clock manual`: enables POST /reprieve/admin/clock. Not owned.
  ManualClock* manual_clock = nullptr;
  // Runs the purge sweeper at once and returns how many resources it purged; called after
  // the admin clock API moves the clock, so the answer reflects the sweep. May be empty.
  std::function<int64_t()> sweep_now;
  // The tenant named in tokens issued by the managed-identity endpoint
  // (/reprieve/msi/token), which lets `az login --identity` work against Reprieve.
  std::string default_tenant;
  AuthMode auth = AuthMode::kDev;
  // Whether /reprieve/msi/token issues the managed identity's tokens (to loopback callers).
  bool managed_identity = true;
  // PEM private keys that sign tokens, current first; empty: a new key is generated.
  std::string signing_keys;
  // Called with the keys' PEM text whenever they change (generated, rotated). May be empty.
  std::function<Status(const std::string&)> persist_signing_keys;
  // How long each kind of long-running operation runs and which fail (also changed through
  // POST /reprieve/admin/operations/failNext). Not owned; null: every operation finishes
  // within its request.
  core::OperationSchedule* operations = nullptr;
  // The Retry-After (seconds, at least 1) of operation answers and of every poll.
  int retry_after_seconds = 1;
  // Whether every answered request writes its log line (base/log, at info).
  bool log_requests = false;
  // Hears of every request, sign-in failure, denial and refusal. Not owned; null: none.
  core::Telemetry* telemetry = nullptr;
  // The Prometheus exposition GET /metrics answers; empty: /metrics answers 404.
  std::function<std::string()> metrics;
  // Whether this instance takes traffic (GET /readyz): ok, or kUnavailable saying why
  // (draining, the store failing). Empty: always ready.
  std::function<Status()> readiness;
};

class ArmApi {
 public:
  // `service`, `clock` and `random` must outlive the ArmApi. Creates the managed identity
  // and its Owner assignment at root scope if they are missing. kInvalidArgument if the
  // signing keys cannot be read; the store's errors.
  static Result<std::unique_ptr<ArmApi>> Create(core::ResourceService& service,
                                                const Clock& clock, RandomSource& random,
                                                ArmApiOptions options);
  ~ArmApi();

  // The request paths Reprieve serves, as patterns ("/subscriptions/{subscriptionId}/..."),
  // each with its methods and their Azure actions, in route-table order: what the docs and
  // the authorization tests are checked against.
  struct RouteInfo {
    std::string pattern;
    std::string access;  // "public", "signed-in", "action", "root-owner", "graph-read", "graph-write"
    std::vector<std::pair<std::string, std::string>> actions;  // method, action
  };
  std::vector<RouteInfo> Routes() const;

  HttpResponse Handle(const HttpRequest& request);

  // The ARM error response for a request refused before it could be parsed (too large,
  // malformed), with the standard headers.
  HttpResponse Reject(const Status& status);

  // The answer of an instance still starting (before the store is open): /healthz 200,
  // /readyz 503, anything else 503 ServiceUnavailable with Retry-After. Safe to call
  // concurrently.
  static HttpResponse AnswerStarting(const HttpRequest& request, RandomSource& random);

  // True if the request only reads (it may run on an I/O thread without blocking on a
  // durable commit).
  static bool IsReadOnly(const HttpRequest& request);

 private:
  struct State;
  explicit ArmApi(std::unique_ptr<State> state);
  HttpResponse Finish(const internal::RequestContext& ctx, Result<HttpResponse> result);
  // Reports the answered request to telemetry and writes its log line.
  void Record(const internal::RequestContext& ctx, int status, const std::string& error_code);

  std::unique_ptr<State> state_;
};

}  // namespace reprieve::http
