// Result<T>: a T or the Status saying why there is none.
//
// The API follows std::expected<T, Status> (has_value(), value(), error(), operator->), so the
// type can become an alias of it once the toolchain floor is C++23.
#pragma once

#include <utility>
#include <variant>

#include "reprieve/base/check.h"
#include "reprieve/base/status.h"

namespace reprieve {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Status status) : data_(std::in_place_index<1>, std::move(status)) {  // NOLINT: implicit
    REPRIEVE_CHECK(!std::get<1>(data_).ok()) << "Result constructed from an ok Status";
  }

  bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  bool ok() const { return has_value(); }

  // REQUIRES: has_value().
  T& value() & { return Get(); }
  const T& value() const& { return Get(); }
  T&& value() && { return std::move(Get()); }
  T* operator->() { return &Get(); }
  const T* operator->() const { return &Get(); }
  T& operator*() & { return Get(); }
  const T& operator*() const& { return Get(); }

  // The failure; an ok Status when has_value().
  Status error() const { return has_value() ? Status() : std::get<1>(data_); }
  Status status() const { return error(); }

 private:
  T& Get() {
    REPRIEVE_CHECK(has_value()) << "Result has no value: " << std::get<1>(data_);
    return std::get<0>(data_);
  }
  const T& Get() const {
    REPRIEVE_CHECK(has_value()) << "Result has no value: " << std::get<1>(data_);
    return std::get<0>(data_);
  }

  std::variant<T, Status> data_;
};

}  // namespace reprieve
