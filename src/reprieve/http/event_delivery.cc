#include "reprieve/http/event_delivery.h"

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "reprieve/base/strings.h"
#include "reprieve/base/time.h"
#include "reprieve/http/internal/wire.h"

namespace reprieve::http {
namespace json = boost::json;
namespace {

// The origin CloudEvents' abuse protection names (WebHook-Request-Origin).
constexpr const char* kOrigin = "eventgrid.azure.net";

// `data` from its flat form: "a.b" is member b of object a.
json::object DataObject(const core::LifecycleEvent& event, const std::string& tenant) {
  json::object data;
  for (const auto& [path, value] : event.data) {
    const size_t dot = path.find('.');
    if (dot == std::string::npos) {
      data[path] = value;
      continue;
    }
    json::value& nested = data[path.substr(0, dot)];
    if (!nested.is_object()) nested = json::object();
    nested.as_object()[path.substr(dot + 1)] = value;
  }
  if (event.data_version == "2") {
    data["tenantId"] = tenant;
    if (json::value* authorization = data.if_contains("authorization");
        authorization != nullptr && authorization->is_object()) {
      authorization->as_object().emplace("evidence", json::object());
    }
  }
  return data;
}

std::string Topic(const std::string& subscription) { return "/subscriptions/" + subscription; }

std::string UpperAscii(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

std::string Encode(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

core::TransportAnswer AnswerOf(const OutboundResponse& response) {
  core::TransportAnswer answer;
  answer.status = response.status;
  answer.detail = response.error;
  return answer;
}

}  // namespace

std::function<std::string(const std::string&)> TenantLookup(core::ResourceService& service) {
  return [&service](const std::string& subscription) -> std::string {
    auto record = service.tenancy().GetSubscription(subscription);
    return record.has_value() ? internal::SubscriptionTenant(*record) : "";
  };
}

std::string RenderEvents(const std::vector<core::LifecycleEvent>& events,
                         core::EventSchema schema, const std::string& tenant) {
  json::array out;
  for (const core::LifecycleEvent& event : events) {
    if (schema == core::EventSchema::kCloudEvents) {
      out.push_back(json::object{{"id", event.id},
                                 {"source", Topic(event.subscription)},
                                 {"specversion", "1.0"},
                                 {"type", event.event_type},
                                 {"subject", event.subject},
                                 {"time", FormatRfc3339(event.time)},
                                 {"data", DataObject(event, tenant)}});
    } else {
      out.push_back(json::object{{"id", event.id},
                                 {"topic", Topic(event.subscription)},
                                 {"subject", event.subject},
                                 {"eventType", event.event_type},
                                 {"eventTime", FormatRfc3339(event.time)},
                                 {"data", DataObject(event, tenant)},
                                 {"dataVersion", event.data_version},
                                 {"metadataVersion", "1"}});
    }
  }
  return json::serialize(out);
}

WebhookTransport::WebhookTransport(OutboundSender send, const Clock& clock, RandomSource& random,
                                   WebhookOptions options)
    : send_(std::move(send)), clock_(clock), random_(random), options_(std::move(options)) {}

core::TransportAnswer WebhookTransport::Validate(const core::EventSubscription& sub) {
  OutboundRequest request;
  request.url = sub.endpoint_url;
  request.timeout = options_.timeout;
  if (sub.schema == core::EventSchema::kCloudEvents) {
    request.method = "OPTIONS";
    request.headers = {{"WebHook-Request-Origin", kOrigin}};
    const OutboundResponse response = send_(request);
    core::TransportAnswer answer = AnswerOf(response);
    const std::string allowed = response.Header("WebHook-Allowed-Origin");
    answer.validated = response.status == 200 && (allowed == "*" || EqualsIgnoreCase(allowed, kOrigin));
    return answer;
  }
  // The scope is "/subscriptions/{id}[/resourcegroups/{group}]".
  const std::vector<std::string_view> scope = Split(sub.scope, '/');
  const std::string subscription_id = scope.size() > 2 ? std::string(scope[2]) : "";
  const std::string validation_url =
      options_.public_url + "/reprieve/eventgrid/validate?subscription=" +
      Encode(core::EventSubscriptionKey(sub.scope, sub.name)) + "&code=" +
      Encode(sub.validation_code);
  const json::array body{json::object{
      {"id", random_.NewUuid()},
      {"topic", Topic(subscription_id)},
      {"subject", ""},
      {"data", json::object{{"validationCode", sub.validation_code},
                            {"validationUrl", validation_url}}},
      {"eventType", "Microsoft.EventGrid.SubscriptionValidationEvent"},
      {"eventTime", FormatRfc3339(clock_.Now())},
      {"metadataVersion", "1"},
      {"dataVersion", "1"}}};
  request.headers = {{"Content-Type", "application/json; charset=utf-8"},
                     {"aeg-event-type", "SubscriptionValidation"},
                     {"aeg-subscription-name", UpperAscii(sub.name)},
                     {"aeg-delivery-count", "0"},
                     {"aeg-metadata-version", "1"},
                     {"aeg-data-version", "1"}};
  request.body = json::serialize(body);
  const OutboundResponse response = send_(request);
  core::TransportAnswer answer = AnswerOf(response);
  if (response.status == 200) {
    std::error_code ec;
    const json::value parsed = json::parse(response.body, ec);
    if (!ec && parsed.is_object()) {
      for (const auto& [key, value] : parsed.as_object()) {
        if (EqualsIgnoreCase(key, "validationResponse") && value.is_string() &&
            value.as_string() == sub.validation_code) {
          answer.validated = true;
        }
      }
    }
  }
  return answer;
}

core::TransportAnswer WebhookTransport::Deliver(const core::EventSubscription& sub,
                                                const std::vector<core::LifecycleEvent>& events,
                                                int delivery_count) {
  const std::string subscription = events.empty() ? "" : events.front().subscription;
  const std::string tenant = options_.tenant_of ? options_.tenant_of(subscription) : "";
  OutboundRequest request;
  request.url = sub.endpoint_url;
  request.timeout = options_.timeout;
  const bool cloud = sub.schema == core::EventSchema::kCloudEvents;
  request.headers = {
      {"Content-Type", cloud ? "application/cloudevents+json; charset=utf-8"
                             : "application/json; charset=utf-8"},
      {"aeg-event-type", "Notification"},
      {"aeg-subscription-name", UpperAscii(sub.name)},
      {"aeg-delivery-count", std::to_string(delivery_count)},
      {"aeg-metadata-version", cloud ? "1.0" : "1"},
      {"aeg-output-event-id", events.empty() ? "" : events.front().id}};
  if (!cloud && !events.empty()) {
    request.headers.emplace_back("aeg-data-version", events.front().data_version);
  }
  request.body = RenderEvents(events, sub.schema, tenant);
  return AnswerOf(send_(request));
}

}  // namespace reprieve::http
