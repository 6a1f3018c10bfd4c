#include "reprieve/core/policy/type_policy.h"

#include "reprieve/base/strings.h"

namespace reprieve::core {
namespace {
void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
}
}  // namespace

Status ErrorTemplate::Render(std::string_view id, std::string_view name,
                             std::string_view type) const {
  std::string text = message;
  ReplaceAll(text, "{id}", id);
  ReplaceAll(text, "{name}", name);
  ReplaceAll(text, "{type}", type);
  return Status(code, std::move(text)).WithArmCode(arm_code);
}

std::string TypePolicy::Namespace() const { return type.substr(0, type.find('/')); }

std::string TypePolicy::ResourceType() const { return type.substr(type.find('/') + 1); }

std::string TypePolicy::ChildSegment() const { return type.substr(type.rfind('/') + 1); }

bool TypePolicy::SupportsApiVersion(std::string_view version) const {
  for (const std::string& supported : api_versions) {
    if (EqualsIgnoreCase(supported, version)) return true;
  }
  return false;
}

std::string TypePolicy::ApiVersionList() const {
  std::string out;
  for (const std::string& version : api_versions) {
    if (!out.empty()) out += ",";
    out += version;
  }
  return out;
}

bool TypePolicy::SoftDeletesAt(std::string_view api_version) const {
  if (soft_delete_min_api_version.empty()) return true;
  // "YYYY-MM-DD[-suffix]": by date; on the same date a preview comes before the release.
  const auto date = [](std::string_view v) { return v.substr(0, 10); };
  const std::string_view min = soft_delete_min_api_version;
  if (date(api_version) != date(min)) return date(api_version) > date(min);
  const bool min_is_preview = min.size() > 10;
  const bool is_preview = api_version.size() > 10;
  return min_is_preview || !is_preview;
}

std::string TypePolicy::PurgeAction() const {
  const std::string prefix = Namespace() + "/locations/";
  switch (deleted_scope) {
    case DeletedRouteScope::kLocationResourceGroup:
      return prefix + "resourceGroups/" + deleted_collection + "/delete";
    case DeletedRouteScope::kLocation:
      return purge_action.empty() ? prefix + deleted_collection + "/delete"
                                  : prefix + deleted_collection + "/" + purge_action + "/action";
    case DeletedRouteScope::kResourceGroup:
      return Namespace() + "/" + deleted_collection + "/delete";
    case DeletedRouteScope::kNone:
      break;
  }
  return type + "/delete";  // only a permanent delete of the resource itself
}

}  // namespace reprieve::core
