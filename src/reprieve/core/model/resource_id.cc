#include "reprieve/core/model/resource_id.h"

#include "reprieve/base/strings.h"

namespace reprieve::core {
namespace {
Status BadId(std::string_view text, std::string_view why) {
  return InvalidArgumentError("The resource id '" + std::string(text) + "' is invalid: " +
                              std::string(why) + ".")
      .WithArmCode("LinkedInvalidPropertyId");
}
}  // namespace

ResourceId ResourceId::Subscription(std::string subscription) {
  ResourceId id;
  id.subscription_ = std::move(subscription);
  return id;
}

ResourceId ResourceId::ResourceGroup(std::string subscription, std::string resource_group) {
  ResourceId id;
  id.subscription_ = std::move(subscription);
  id.resource_group_ = std::move(resource_group);
  return id;
}

ResourceId ResourceId::Resource(std::string subscription, std::string resource_group,
                                std::string provider_namespace, std::string type,
                                std::string name) {
  ResourceId id = ResourceGroup(std::move(subscription), std::move(resource_group));
  id.namespace_ = std::move(provider_namespace);
  id.types_.emplace_back(std::move(type), std::move(name));
  return id;
}

Result<ResourceId> ResourceId::Parse(std::string_view text) {
  if (text.empty() || text.front() != '/') return BadId(text, "it must start with '/'");
  std::vector<std::string_view> parts = Split(text.substr(1), '/');
  if (!parts.empty() && parts.back().empty()) parts.pop_back();
  for (std::string_view part : parts) {
    if (part.empty()) return BadId(text, "it has an empty segment");
  }
  if (parts.size() < 2 || !EqualsIgnoreCase(parts[0], "subscriptions")) {
    return BadId(text, "it must start with /subscriptions/{subscriptionId}");
  }
  ResourceId id = Subscription(std::string(parts[1]));
  if (parts.size() == 2) return id;
  if (parts.size() < 4 || !EqualsIgnoreCase(parts[2], "resourceGroups")) {
    return BadId(text, "expected /resourceGroups/{name} after the subscription");
  }
  id.resource_group_ = std::string(parts[3]);
  if (parts.size() == 4) return id;
  if (parts.size() < 8 || !EqualsIgnoreCase(parts[4], "providers") || parts.size() % 2 != 0) {
    return BadId(text, "expected /providers/{namespace}/{type}/{name}");
  }
  id.namespace_ = std::string(parts[5]);
  for (size_t i = 6; i + 1 < parts.size(); i += 2) {
    id.types_.emplace_back(std::string(parts[i]), std::string(parts[i + 1]));
  }
  return id;
}

ResourceId ResourceId::Child(std::string type, std::string name) const {
  ResourceId child = *this;
  child.types_.emplace_back(std::move(type), std::move(name));
  return child;
}

ResourceId ResourceId::Parent() const {
  ResourceId parent = *this;
  parent.types_.pop_back();
  return parent;
}

const std::string& ResourceId::name() const {
  if (!types_.empty()) return types_.back().second;
  if (!resource_group_.empty()) return resource_group_;
  return subscription_;
}

std::string ResourceId::FullType() const {
  if (IsSubscription()) return "Microsoft.Resources/subscriptions";
  if (IsResourceGroup()) return "Microsoft.Resources/resourceGroups";
  std::string out = namespace_;
  for (const auto& [type, name] : types_) out += "/" + type;
  return out;
}

std::string ResourceId::ToString() const {
  std::string out = "/subscriptions/" + subscription_;
  if (resource_group_.empty()) return out;
  out += "/resourceGroups/" + resource_group_;
  if (namespace_.empty()) return out;
  out += "/providers/" + namespace_;
  for (const auto& [type, name] : types_) out += "/" + type + "/" + name;
  return out;
}

std::string ResourceId::Key() const { return AsciiLower(ToString()); }

std::string ResourceId::GroupKey() const {
  if (resource_group_.empty()) return "";
  return AsciiLower("/subscriptions/" + subscription_ + "/resourceGroups/" + resource_group_);
}

}  // namespace reprieve::core
