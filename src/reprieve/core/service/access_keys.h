// Access keys: the secrets a resource type hands out (Cognitive Services' key1/key2, ...),
// kept in the record's secrets as "name=value" lines, drawn from the RandomSource (the
// system's CSPRNG in the server) and never rendered by a GET.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "reprieve/base/random.h"
#include "reprieve/base/result.h"
#include "reprieve/core/model/resource.h"
#include "reprieve/core/policy/type_policy.h"

namespace reprieve::core {

using AccessKeys = std::vector<std::pair<std::string, std::string>>;  // (name, value)

// A new value for each of the type's keys, as the record keeps them.
std::string NewAccessKeys(const TypePolicy& policy, RandomSource& random);
// The keys `record` keeps, in the type's order.
AccessKeys KeysOf(const ResourceRecord& record);
// `keys` in the form a record keeps them.
std::string AccessKeysText(const AccessKeys& keys);
// `keys` with the one named `key_name` (case-insensitive) given a new value.
// kInvalidArgument (InvalidKeyName) if the type has no key of that name.
Result<AccessKeys> Regenerated(const TypePolicy& policy, AccessKeys keys,
                               const std::string& key_name, RandomSource& random);

}  // namespace reprieve::core
