// RandomSource: where Reprieve gets unpredictable values (request and operation ids, access
// keys, etags). Injected so that core stays deterministic under test.
#pragma once

#include <memory>
#include <string>

namespace reprieve {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // A random (version 4) UUID in lower-case canonical form. Safe to call concurrently.
  virtual std::string NewUuid() = 0;
  // `bytes` random bytes as lower-case hex. Safe to call concurrently.
  virtual std::string NewHex(int bytes) = 0;
};

// Backed by the kernel's CSPRNG (getrandom), buffered per thread.
std::unique_ptr<RandomSource> NewSystemRandom();

// Deterministic: a counter formatted as UUIDs / hex, for tests and reproducible demos.
std::unique_ptr<RandomSource> NewSequentialRandom();

}  // namespace reprieve
