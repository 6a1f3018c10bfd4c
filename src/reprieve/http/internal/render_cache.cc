#include "reprieve/http/internal/render_cache.h"

#include <utility>

namespace reprieve::http::internal {

RenderCache::RenderCache(size_t slots) : slots_(slots == 0 ? 1 : slots) {}

RenderCache::Slot& RenderCache::SlotFor(const core::ResourceRecord& record) {
  return slots_[std::hash<std::string>{}(record.key) % slots_.size()];
}

std::string RenderCache::Get(const core::ResourceRecord& record,
                             const std::function<std::string()>& render) {
  Slot& slot = SlotFor(record);
  std::shared_ptr<const Entry> cached;
  {
    std::lock_guard lock(slot.mu);
    cached = slot.entry;
  }
  if (cached != nullptr && cached->record == record) return cached->text;
  auto fresh = std::make_shared<const Entry>(Entry{record, render()});
  std::string text = fresh->text;
  {
    std::lock_guard lock(slot.mu);
    slot.entry = std::move(fresh);
  }
  return text;
}

}  // namespace reprieve::http::internal
