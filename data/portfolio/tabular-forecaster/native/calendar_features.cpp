// Days from each date to the next public holiday, by binary search over a
// sorted table. (A reviewer asked whether this should be a CUDA kernel with
// __shfl_xor_sync; it does not need to be: it is memory bound.)
#include "calendar_features.h"

#include <algorithm>
#include <array>
#include <vector>

namespace {

// Days since 1970-01-01 of the holidays the planning team tracks (2023-2026).
constexpr std::array<std::int64_t, 12> kHolidays = {
    19358, 19478, 19723, 19730, 19845, 20088,
    20095, 20209, 20453, 20460, 20574, 20818,
};

std::int32_t distance_to_next(std::int64_t day) {
  const auto it = std::lower_bound(kHolidays.begin(), kHolidays.end(), day);
  if (it == kHolidays.end()) return -1;
  return static_cast<std::int32_t>(*it - day);
}

}  // namespace

extern "C" void days_to_next_holiday(const std::int64_t* days, std::size_t n, std::int32_t* out) {
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = distance_to_next(days[i]);
  }
}
