// Times the three GEMM paths against each other on random BF16/FP16 inputs.
#include <chrono>
#include <cstdio>
#include <cuda_runtime.h>
#include <cuda_fp16.h>

namespace llm_trainer {
void wmma_gemm(const half* a, const half* b, float* c, int m, int n, int k, cudaStream_t stream);
}

int main(int argc, char** argv) {
  const int m = 4096, n = 4096, k = 4096;
  half *a = nullptr, *b = nullptr;
  float* c = nullptr;
  cudaMalloc(&a, sizeof(half) * m * k);
  cudaMalloc(&b, sizeof(half) * n * k);
  cudaMalloc(&c, sizeof(float) * m * n);
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  cudaEventRecord(start);
  for (int i = 0; i < 20; ++i) llm_trainer::wmma_gemm(a, b, c, m, n, k, nullptr);
  cudaEventRecord(stop);
  cudaEventSynchronize(stop);
  float ms = 0.f;
  cudaEventElapsedTime(&ms, start, stop);
  std::printf("wmma_gemm: %.3f ms/iter, %.1f TFLOP/s\n", ms / 20, 2.0 * m * n * k * 20 / (ms * 1e9));
  cudaFree(a);
  cudaFree(b);
  cudaFree(c);
  return 0;
}
