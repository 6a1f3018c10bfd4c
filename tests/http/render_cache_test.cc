// The rendered-resource cache: a rendering is reused only for an equal record, so a write
// is never answered with an older rendering, and the cache stays within its slots.
#include "reprieve/http/internal/render_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace reprieve::http::internal {
namespace {

core::ResourceRecord Record(const std::string& key, int64_t version) {
  core::ResourceRecord record;
  record.key = key;
  record.id = key;
  record.version = version;
  record.etag = "\"e" + std::to_string(version) + "\"";
  record.body = R"({"tags":{}})";
  return record;
}

class RenderCacheTest : public ::testing::Test {
 protected:
  // Renders `record` through the cache, counting the renderings that actually ran.
  std::string Render(RenderCache& cache, const core::ResourceRecord& record) {
    return cache.Get(record, [&] {
      ++renders_;
      return record.key + "@" + std::to_string(record.version) + "#" + record.body;
    });
  }
  int renders_ = 0;
};

TEST_F(RenderCacheTest, ReusesTheRenderingOfAnUnchangedRecord) {
  RenderCache cache;
  const auto record = Record("/a", 1);
  EXPECT_EQ(Render(cache, record), "/a@1#{\"tags\":{}}");
  EXPECT_EQ(Render(cache, record), "/a@1#{\"tags\":{}}");
  EXPECT_EQ(renders_, 1);
}

TEST_F(RenderCacheTest, RendersAgainWhenAnyFieldChanged) {
  RenderCache cache;
  auto record = Record("/a", 1);
  Render(cache, record);
  record.version = 2;
  EXPECT_EQ(Render(cache, record), "/a@2#{\"tags\":{}}");
  // A field the rendering does not show here still counts: the cache never guesses.
  record.changed_by = "someone else";
  Render(cache, record);
  // Purged and re-created with the same version and body: a different record all the same.
  auto recreated = Record("/a", 2);
  recreated.created_at = record.created_at + std::chrono::seconds(1);
  Render(cache, recreated);
  EXPECT_EQ(renders_, 4);
}

TEST_F(RenderCacheTest, KeysSharingASlotEvictEachOther) {
  RenderCache cache(1);
  const auto a = Record("/a", 1);
  const auto b = Record("/b", 1);
  EXPECT_EQ(Render(cache, a), "/a@1#{\"tags\":{}}");
  EXPECT_EQ(Render(cache, b), "/b@1#{\"tags\":{}}");
  EXPECT_EQ(Render(cache, a), "/a@1#{\"tags\":{}}");
  EXPECT_EQ(renders_, 3);
}

}  // namespace
}  // namespace reprieve::http::internal
