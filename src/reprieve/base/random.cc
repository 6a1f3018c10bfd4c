#include "reprieve/base/random.h"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <random>

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

std::mt19937_64& ThreadEngine() {
  thread_local std::mt19937_64 engine([] {
    std::random_device device;
    return (uint64_t{device()} << 32) ^ device();
  }());
  return engine;
}

void Fill(uint8_t* data, int count) {
  auto& engine = ThreadEngine();
  for (int i = 0; i < count; i += 8) {
    uint64_t word = engine();
    for (int j = i; j < count && j < i + 8; ++j, word >>= 8) data[j] = static_cast<uint8_t>(word);
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
