#include "reprieve/core/model/operation.h"

#include <array>

namespace reprieve::core {
namespace {
constexpr std::array<std::string_view, kOperationKinds> kKindNames = {"create", "delete", "recover",
                                                                      "purge"};
}  // namespace

std::string_view OperationKindName(OperationKind kind) {
  return kKindNames[static_cast<size_t>(kind)];
}

std::optional<OperationKind> ParseOperationKind(std::string_view name) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<OperationKind>(i);
  }
  return std::nullopt;
}

std::string_view OperationStatusName(OperationStatus status) {
  switch (status) {
    case OperationStatus::kInProgress:
      return "InProgress";
    case OperationStatus::kSucceeded:
      return "Succeeded";
    case OperationStatus::kFailed:
      return "Failed";
    case OperationStatus::kCanceled:
      return "Canceled";
  }
  return "InProgress";
}

}  // namespace reprieve::core
