#include "reprieve/core/service/access_keys.h"

#include "reprieve/base/strings.h"

namespace reprieve::core {

std::string NewAccessKeys(const TypePolicy& policy, RandomSource& random) {
  AccessKeys keys;
  for (const std::string& name : policy.access_keys) keys.emplace_back(name, random.NewHex(16));
  return AccessKeysText(keys);
}

AccessKeys KeysOf(const ResourceRecord& record) {
  AccessKeys keys;
  for (std::string_view line : Split(record.secrets, '\n')) {
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    keys.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return keys;
}

std::string AccessKeysText(const AccessKeys& keys) {
  std::string out;
  for (const auto& [name, value] : keys) out += name + "=" + value + "\n";
  return out;
}

Result<AccessKeys> Regenerated(const TypePolicy& policy, AccessKeys keys,
                               const std::string& key_name, RandomSource& random) {
  std::string canonical;
  for (const std::string& name : policy.access_keys) {
    if (EqualsIgnoreCase(name, key_name)) canonical = name;
  }
  if (canonical.empty()) {
    std::string names;
    for (const std::string& name : policy.access_keys) names += (names.empty() ? "" : ", ") + name;
    return InvalidArgumentError("The key name '" + key_name + "' is invalid; expected one of: " +
                                names + ".")
        .WithArmCode("InvalidKeyName")
        .WithTarget("keyName");
  }
  for (auto& [name, value] : keys) {
    if (name == canonical) value = random.NewHex(16);
  }
  return keys;
}

}  // namespace reprieve::core
