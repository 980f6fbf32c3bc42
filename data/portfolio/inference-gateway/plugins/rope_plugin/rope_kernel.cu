// Rotary embedding over [tokens, heads, head_dim] half tensors, in place.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace gateway {

__global__ void rope_kernel(half* __restrict__ qk, int heads, int head_dim, float theta) {
  const int token = blockIdx.x;
  const int head = blockIdx.y;
  const int half_dim = head_dim / 2;
  half* v = qk + (static_cast<size_t>(token) * heads + head) * head_dim;
  for (int i = threadIdx.x; i < half_dim; i += blockDim.x) {
    const float freq = __powf(theta, -2.0f * i / head_dim);
    float s, c;
    __sincosf(token * freq, &s, &c);
    const float x0 = __half2float(v[i]);
    const float x1 = __half2float(v[i + half_dim]);
    v[i] = __float2half(x0 * c - x1 * s);
    v[i + half_dim] = __float2half(x0 * s + x1 * c);
  }
}

cudaError_t launch_rope(half* qk, int tokens, int heads, int head_dim, float theta, cudaStream_t stream) {
  const dim3 grid(tokens, heads);
  rope_kernel<<<grid, 64, 0, stream>>>(qk, heads, head_dim, theta);
  return cudaGetLastError();
}

}  // namespace gateway
