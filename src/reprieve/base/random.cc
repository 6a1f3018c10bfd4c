#include "reprieve/base/random.h"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cerrno>

#include <sys/random.h>

#include "reprieve/base/check.h"

namespace reprieve {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

std::string Hex(const uint8_t* data, int count) {
  std::string out;
  out.reserve(static_cast<size_t>(count) * 2);
  for (int i = 0; i < count; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xf]);
  }
  return out;
}

std::string FormatUuid(uint8_t bytes[16]) {
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
  // Written in place: every request gets an id.
  std::string out(36, '-');
  size_t at = 0;
  for (int i = 0; i < 16; ++i) {
    if (at == 8 || at == 13 || at == 18 || at == 23) ++at;
    out[at++] = kDigits[bytes[i] >> 4];
    out[at++] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

// Bytes from the kernel's CSPRNG (getrandom(2)), drawn a page at a time per thread so
// that a request id costs no system call. Keys, secrets and etags all come from here.
void Fill(uint8_t* data, int count) {
  struct Pool {
    uint8_t bytes[4096];
    size_t used = sizeof(bytes);
  };
  thread_local Pool pool;
  for (int i = 0; i < count; ++i) {
    if (pool.used == sizeof(pool.bytes)) {
      size_t filled = 0;
      while (filled < sizeof(pool.bytes)) {
        const ssize_t got = getrandom(pool.bytes + filled, sizeof(pool.bytes) - filled, 0);
        if (got < 0 && errno == EINTR) continue;
        REPRIEVE_CHECK(got > 0) << "getrandom failed: errno " << errno;
        filled += static_cast<size_t>(got);
      }
      pool.used = 0;
    }
    data[i] = pool.bytes[pool.used];
    pool.bytes[pool.used++] = 0;  // a byte handed out is not kept
  }
}

class SystemRandom final : public RandomSource {
 public:
  std::string NewUuid() override {
    uint8_t bytes[16];
    Fill(bytes, 16);
    return FormatUuid(bytes);
  }
  std::string NewHex(int count) override {
    std::string out;
    uint8_t chunk[32];
    while (count > 0) {
      const int n = count < 32 ? count : 32;
      Fill(chunk, n);
      out += Hex(chunk, n);
      count -= n;
    }
    return out;
  }
};

class SequentialRandom final : public RandomSource {
 public:
  std::string NewUuid() override {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "00000000-0000-4000-8000-%012llx",
                  static_cast<unsigned long long>(++counter_));
    return buf;
  }
  std::string NewHex(int count) override {
    char buf[24];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(++counter_));
    std::string out;
    while (static_cast<int>(out.size()) < count * 2) out += buf;
    out.resize(static_cast<size_t>(count) * 2);
    return out;
  }

 private:
  std::atomic<uint64_t> counter_{0};
};

}  // namespace

std::unique_ptr<RandomSource> NewSystemRandom() { return std::make_unique<SystemRandom>(); }
std::unique_ptr<RandomSource> NewSequentialRandom() {
  return std::make_unique<SequentialRandom>();
}

}  // namespace reprieve
