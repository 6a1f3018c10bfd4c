// ResourceId: an ARM resource id, parsed and formatted.
//
// Reprieve models three id shapes:
//   /subscriptions/{s}                                             (subscription)
//   /subscriptions/{s}/resourceGroups/{rg}                         (resource group)
//   /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{childType}/{childName}]...
// Names keep the caller's casing; Key() is the case-insensitive identity used for storage.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reprieve/base/result.h"

namespace reprieve::core {

class ResourceId {
 public:
  static ResourceId Subscription(std::string subscription);
  static ResourceId ResourceGroup(std::string subscription, std::string resource_group);
  static ResourceId Resource(std::string subscription, std::string resource_group,
                             std::string provider_namespace, std::string type, std::string name);

  // Parses an id in any of the shapes above, matching literal segments case-insensitively.
  // kInvalidArgument (ARM code LinkedInvalidPropertyId) naming the problem otherwise.
  static Result<ResourceId> Parse(std::string_view text);

  // Returns a child id: this id + /{type}/{name}. REQUIRES: IsResource().
  ResourceId Child(std::string type, std::string name) const;

  bool IsSubscription() const { return resource_group_.empty(); }
  bool IsResourceGroup() const { return !resource_group_.empty() && namespace_.empty(); }
  bool IsResource() const { return !namespace_.empty(); }
  // A child resource (.../{type}/{name}/{childType}/{childName}).
  bool IsChild() const { return types_.size() > 1; }
  // The enclosing resource. REQUIRES: IsChild().
  ResourceId Parent() const;

  const std::string& subscription() const { return subscription_; }
  const std::string& resource_group() const { return resource_group_; }
  const std::string& provider_namespace() const { return namespace_; }
  // The innermost name; the group name for a group, the subscription for a subscription.
  const std::string& name() const;
  // "Microsoft.CognitiveServices/accounts"; "Microsoft.Resources/resourceGroups";
  // "Microsoft.Resources/subscriptions". Child types chain: "Ns/parent/child".
  std::string FullType() const;

  // The id with the caller's casing of names and canonical casing of literals.
  std::string ToString() const;
  // Lower-case ToString(): equal for ids ARM considers equal.
  std::string Key() const;
  // Key of the enclosing resource group ("" for a subscription id).
  std::string GroupKey() const;

  friend bool operator==(const ResourceId& a, const ResourceId& b) { return a.Key() == b.Key(); }

 private:
  std::string subscription_;
  std::string resource_group_;
  std::string namespace_;
  std::vector<std::pair<std::string, std::string>> types_;  // (type, name), outermost first
};

}  // namespace reprieve::core
