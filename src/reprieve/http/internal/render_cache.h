// RenderCache: the JSON text of recently rendered resources, so that repeated reads of an
// unchanged resource skip parsing and serializing its document. Internal to reprieve_http.
//
// A resource's rendering is a pure function of its record (the record names its type, and
// the type's policy is fixed for the life of the process), so an entry is used only for a
// record equal to the one it was rendered from: nothing needs invalidating, and a write the
// cache did not see can never be served stale. Direct-mapped and bounded: each slot keeps
// the last record rendered whose key hashes to it.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "reprieve/core/model/resource.h"

namespace reprieve::http::internal {

class RenderCache {
 public:
  static constexpr size_t kDefaultSlots = 4096;

  explicit RenderCache(size_t slots = kDefaultSlots);

  // The rendering of `record`: the cached text when its slot holds an equal record,
  // otherwise `render()`, which then replaces the slot's entry. Thread-safe.
  std::string Get(const core::ResourceRecord& record, const std::function<std::string()>& render);

 private:
  struct Entry {
    core::ResourceRecord record;
    std::string text;
  };
  struct Slot {
    std::mutex mu;
    std::shared_ptr<const Entry> entry;
  };

  Slot& SlotFor(const core::ResourceRecord& record);

  std::vector<Slot> slots_;
};

}  // namespace reprieve::http::internal
