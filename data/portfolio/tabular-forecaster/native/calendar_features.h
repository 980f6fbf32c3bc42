#pragma once
// Plain C++17 helper for calendar features. CPU only: no cudaMalloc, no
// device code; it is loaded from Python with ctypes.
#include <cstddef>
#include <cstdint>

extern "C" void days_to_next_holiday(const std::int64_t* days, std::size_t n, std::int32_t* out);
