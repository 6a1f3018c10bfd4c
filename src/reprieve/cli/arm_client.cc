#include "reprieve/cli/arm_client.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <thread>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"

namespace reprieve::cli {
namespace json = boost::json;
namespace {

constexpr size_t kMaxAnswer = 64 * 1024 * 1024;

// The server's refusal of a request, from its ARM (or OAuth) error body.
Status Refusal(const Reply& reply) {
  std::string code = "HttpStatus" + std::to_string(reply.status);
  std::string message = reply.raw.body;
  if (reply.body.is_object()) {
    const json::object& body = reply.body.as_object();
    if (const json::value* error = body.if_contains("error")) {
      if (error->is_object()) {
        const json::object& e = error->as_object();
        if (const auto* c = e.if_contains("code"); c && c->is_string()) code = c->as_string();
        if (const auto* m = e.if_contains("message"); m && m->is_string()) message = m->as_string();
      } else if (error->is_string()) {  // OAuth: {"error", "error_description"}
        code = error->as_string();
        if (const auto* d = body.if_contains("error_description"); d && d->is_string()) {
          message = d->as_string();
        }
      }
    }
  }
  return FailedPreconditionError(message).WithArmCode(code);
}

std::string Text(const json::object& object, std::string_view name) {
  const json::value* v = object.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::string UrlEncode(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

std::string ErrorText(const Status& status) {
  if (status.arm_code().empty()) return status.message();
  return status.arm_code() + ": " + status.message();
}

ArmClient::ArmClient(ServerOptions options)
    : options_(std::move(options)),
      http_(std::filesystem::exists(options_.ca) ? options_.ca : std::string()) {
  while (!options_.server.empty() && options_.server.back() == '/') options_.server.pop_back();
}

std::string ArmClient::Absolute(const std::string& target) const {
  if (target.rfind("https://", 0) == 0 || target.rfind("http://", 0) == 0) return target;
  return options_.server + target;
}

Result<Reply> ArmClient::Exchange(http::OutboundRequest request) {
  request.max_body = kMaxAnswer;
  request.user_agent = "reprieve-cli/1.0";
  request.timeout = std::chrono::seconds(60);
  Reply reply;
  reply.raw = http_.Send(request);
  reply.status = reply.raw.status;
  if (reply.status == 0) {
    return UnavailableError("cannot reach " + options_.server + ": " + reply.raw.error);
  }
  if (!reply.raw.body.empty()) {
    boost::system::error_code ec;
    reply.body = json::parse(reply.raw.body, ec);
    if (ec) {
      if (reply.status < 400) {
        return UnavailableError(options_.server + " answered " + std::to_string(reply.status) +
                                " with a body that is not JSON; is it a Reprieve server?");
      }
      reply.body = nullptr;
    }
  }
  return reply;
}

Result<std::string> ArmClient::Token() {
  if (token_) return *token_;
  if (options_.client_id.empty() && options_.client_secret.empty()) {
    // Dev mode: a token Reprieve did not sign is its developer principal. A strict server
    // answers 401, which says to sign in.
    token_ = "reprieve-cli-dev";
    return *token_;
  }
  if (options_.client_id.empty() || options_.client_secret.empty() || options_.tenant.empty()) {
    return InvalidArgumentError(
        "signing in needs --client-id, --client-secret and --tenant (or REPRIEVE_CLIENT_ID, "
        "REPRIEVE_CLIENT_SECRET, REPRIEVE_TENANT)");
  }
  http::OutboundRequest request;
  request.method = "POST";
  request.url = options_.server + "/" + UrlEncode(options_.tenant) + "/oauth2/v2.0/token";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = "grant_type=client_credentials&client_id=" + UrlEncode(options_.client_id) +
                 "&client_secret=" + UrlEncode(options_.client_secret) +
                 "&scope=" + UrlEncode(options_.server + "/.default");
  REPRIEVE_ASSIGN_OR_RETURN(const Reply reply, Exchange(std::move(request)));
  if (reply.status != 200) return Refusal(reply);
  const std::string token =
      reply.body.is_object() ? Text(reply.body.as_object(), "access_token") : std::string();
  if (token.empty()) return UnavailableError("the token endpoint answered no access_token");
  token_ = token;
  return *token_;
}

Result<Reply> ArmClient::Send(const std::string& method, const std::string& target,
                              const std::optional<json::value>& body) {
  REPRIEVE_ASSIGN_OR_RETURN(const std::string token, Token());
  http::OutboundRequest request;
  request.method = method;
  request.url = Absolute(target);
  request.headers = {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}};
  if (body && !body->is_null()) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = json::serialize(*body);
  }
  REPRIEVE_ASSIGN_OR_RETURN(Reply reply, Exchange(std::move(request)));
  if (reply.status >= 400) return Refusal(reply);
  return reply;
}

Result<json::value> ArmClient::Run(const std::string& method, const std::string& target,
                                   const std::optional<json::value>& body) {
  REPRIEVE_ASSIGN_OR_RETURN(Reply reply, Send(method, target, body));
  const std::string async = reply.raw.Header("Azure-AsyncOperation");
  const std::string location = reply.raw.Header("Location");
  if ((reply.status != 201 && reply.status != 202) || (async.empty() && location.empty())) {
    return reply.body;
  }
  const auto deadline = std::chrono::steady_clock::now() + options_.wait;
  std::string retry_after = reply.raw.Header("Retry-After");
  const auto pause = [&] {
    int seconds = 1;
    if (!retry_after.empty() && std::isdigit(static_cast<unsigned char>(retry_after[0]))) {
      seconds = std::clamp(std::stoi(retry_after), 0, 10);
    }
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
  };
  while (true) {
    if (std::chrono::steady_clock::now() > deadline) {
      return AbortedError("the operation is still running after " +
                                   std::to_string(options_.wait.count()) +
                                   " s; check again later")
          .WithArmCode("OperationStillRunning");
    }
    if (!async.empty()) {
      REPRIEVE_ASSIGN_OR_RETURN(const Reply poll, Send("GET", async));
      retry_after = poll.raw.Header("Retry-After");
      const std::string status =
          poll.body.is_object() ? Text(poll.body.as_object(), "status") : std::string();
      if (EqualsIgnoreCase(status, "Succeeded")) {
        // The resource, where the operation made one (a delete or purge leaves none).
        if (method == "DELETE" || location.empty()) return json::value(nullptr);
        REPRIEVE_ASSIGN_OR_RETURN(const Reply final_reply, Send("GET", location));
        return final_reply.body;
      }
      if (EqualsIgnoreCase(status, "Failed") || EqualsIgnoreCase(status, "Canceled")) {
        Reply failed = poll;
        failed.status = 400;
        return Refusal(failed);
      }
    } else {
      REPRIEVE_ASSIGN_OR_RETURN(const Reply poll, Send("GET", location));
      retry_after = poll.raw.Header("Retry-After");
      if (poll.status != 202) return poll.body;
    }
    pause();
  }
}

}  // namespace reprieve::cli
