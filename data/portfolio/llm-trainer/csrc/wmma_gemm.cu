// Tensor-core GEMM through the WMMA API, used for the small projection
// matmuls where cuBLAS launch overhead dominates.

#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <mma.h>
#include "mma_ptx.cuh"

using namespace nvcuda;

namespace llm_trainer {

constexpr int kWarpSize = 32;
constexpr int WM = 16, WN = 16, WK = 16;

// Each warp computes one 16x16 tile of C = A * B (A row-major, B col-major).
__global__ void wmma_gemm_kernel(const half* __restrict__ a, const half* __restrict__ b,
                                 float* __restrict__ c, int m, int n, int k) {
  const int warp_m = (blockIdx.x * blockDim.x + threadIdx.x) / kWarpSize;
  const int warp_n = blockIdx.y * blockDim.y + threadIdx.y;
  if (warp_m * WM >= m || warp_n * WN >= n) return;

  wmma::fragment<wmma::matrix_a, WM, WN, WK, half, wmma::row_major> a_frag;
  wmma::fragment<wmma::matrix_b, WM, WN, WK, half, wmma::col_major> b_frag;
  wmma::fragment<wmma::accumulator, WM, WN, WK, float> acc;
  wmma::fill_fragment(acc, 0.0f);

  for (int kk = 0; kk < k; kk += WK) {
    wmma::load_matrix_sync(a_frag, a + warp_m * WM * k + kk, k);
    wmma::load_matrix_sync(b_frag, b + warp_n * WN * k + kk, k);
    wmma::mma_sync(acc, a_frag, b_frag, acc);
  }
  wmma::store_matrix_sync(c + warp_m * WM * n + warp_n * WN, acc, n, wmma::mem_row_major);
}

void wmma_gemm(const half* a, const half* b, float* c, int m, int n, int k, cudaStream_t stream) {
  const dim3 block(128, 4);
  const int tiles_per_block_m = WM * block.x / kWarpSize;
  const dim3 grid((m + tiles_per_block_m - 1) / tiles_per_block_m, (n + WN * block.y - 1) / (WN * block.y));
  wmma_gemm_kernel<<<grid, block, 0, stream>>>(a, b, c, m, n, k);
}

}  // namespace llm_trainer
