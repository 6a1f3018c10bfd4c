// REPRIEVE_CHECK: always-on assertion for broken invariants (programmer errors only, never
// request input). On failure it prints the condition, location and streamed context, then
// aborts.
#pragma once

#include <sstream>

namespace reprieve::internal {

class CheckFailure {
 public:
  CheckFailure(const char* condition, const char* file, int line);
  [[noreturn]] ~CheckFailure();
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

// Makes `cond ? (void)0 : Voidify() & stream` well-formed.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace reprieve::internal

#define REPRIEVE_CHECK(cond)          \
  (cond) ? (void)0                    \
         : ::reprieve::internal::Voidify() & \
               ::reprieve::internal::CheckFailure(#cond, __FILE__, __LINE__).stream()

#ifdef NDEBUG
#define REPRIEVE_DCHECK(cond) \
  while (false) REPRIEVE_CHECK(cond)
#else
#define REPRIEVE_DCHECK(cond) REPRIEVE_CHECK(cond)
#endif
