// Rotary embedding fused with the KV-cache write (bf16), for vLLM's custom op path.
#include <hip/hip_runtime.h>
#include <hip/hip_bf16.h>

__global__ void rope_cache_write(const __hip_bfloat16* __restrict__ k, __hip_bfloat16* __restrict__ cache,
                                 const int* __restrict__ slots, int heads, int head_dim, float theta) {
  const int token = blockIdx.x;
  const int head = blockIdx.y;
  const int half_dim = head_dim / 2;
  const int slot = slots[token];
  const __hip_bfloat16* src = k + (static_cast<size_t>(token) * heads + head) * head_dim;
  __hip_bfloat16* dst = cache + (static_cast<size_t>(slot) * heads + head) * head_dim;
  for (int i = threadIdx.x; i < half_dim; i += blockDim.x) {
    const float freq = __powf(theta, -2.0f * i / head_dim);
    float s, c;
    __sincosf(token * freq, &s, &c);
    const float x0 = __bfloat162float(src[i]);
    const float x1 = __bfloat162float(src[i + half_dim]);
    dst[i] = __float2bfloat16(x0 * c - x1 * s);
    dst[i + half_dim] = __float2bfloat16(x0 * s + x1 * c);
  }
}

extern "C" hipError_t launch_rope_cache_write(const void* k, void* cache, const int* slots, int tokens, int heads,
                                              int head_dim, float theta, hipStream_t stream) {
  hipLaunchKernelGGL(rope_cache_write, dim3(tokens, heads), dim3(64), 0, stream,
                     static_cast<const __hip_bfloat16*>(k), static_cast<__hip_bfloat16*>(cache), slots, heads,
                     head_dim, theta);
  return hipGetLastError();
}
