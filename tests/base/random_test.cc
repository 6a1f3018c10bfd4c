// Request ids and etags: the shapes clients parse (RFC 4122 version-4 UUIDs, hex), and no
// repeats.
#include "reprieve/base/random.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace reprieve {
namespace {

TEST(RandomTest, UuidsAreVersion4InCanonicalForm) {
  auto random = NewSystemRandom();
  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string uuid = random->NewUuid();
    EXPECT_TRUE(std::regex_match(uuid, shape)) << uuid;
    seen.insert(uuid);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RandomTest, HexHasTheAskedLength) {
  auto random = NewSystemRandom();
  for (int count : {1, 8, 32, 33, 64}) {
    const std::string hex = random->NewHex(count);
    EXPECT_EQ(hex.size(), static_cast<size_t>(count) * 2);
    EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << hex;
  }
}

}  // namespace
}  // namespace reprieve
