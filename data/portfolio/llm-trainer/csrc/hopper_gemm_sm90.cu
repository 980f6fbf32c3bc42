// Hopper (sm_90a) GEMM main loop: TMA loads into shared memory, warpgroup
// MMA (wgmma) on tensor cores, and a 2-CTA thread-block cluster that shares
// partial sums through distributed shared memory. Only built for sm_90a;
// the A100 pool takes the WMMA path in wmma_gemm.cu.

#include <cuda.h>
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cooperative_groups.h>
#include <cstdint>

namespace cg = cooperative_groups;

namespace llm_trainer {

constexpr int kTileM = 128, kTileN = 128, kTileK = 64;

__global__ void __cluster_dims__(2, 1, 1) __launch_bounds__(384)
    gemm_sm90_kernel(const __grid_constant__ CUtensorMap tmap_a, const __grid_constant__ CUtensorMap tmap_b,
                     float* __restrict__ c, int m, int n, int k) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  __shared__ alignas(128) half smem_a[kTileM * kTileK];
  __shared__ alignas(128) half smem_b[kTileN * kTileK];
  __shared__ float partial[kTileM];
  __shared__ alignas(8) uint64_t full_barrier;

  cg::cluster_group cluster = cg::this_cluster();
  const unsigned rank = cluster.block_rank();
  const uint32_t bar_addr = static_cast<uint32_t>(__cvta_generic_to_shared(&full_barrier));

  if (threadIdx.x == 0) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;\n" ::"r"(bar_addr));
  }
  __syncthreads();

  float acc[64] = {0.f};
  for (int kk = 0; kk < k; kk += kTileK) {
    if (threadIdx.x == 0) {
      asm volatile(
          "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes"
          " [%0], [%1, {%2, %3}], [%4];\n" ::"r"(static_cast<uint32_t>(__cvta_generic_to_shared(smem_a))),
          "l"(&tmap_a), "r"(kk), "r"(static_cast<int>(blockIdx.x * kTileM)), "r"(bar_addr)
          : "memory");
    }
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
    asm volatile(
        "{\n wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 "
        "{%0, %1, %2, %3}, %4, %5, 1, 1, 1, 0, 0;\n}\n"
        : "+f"(acc[0]), "+f"(acc[1]), "+f"(acc[2]), "+f"(acc[3])
        : "l"(reinterpret_cast<uint64_t>(smem_a)), "l"(reinterpret_cast<uint64_t>(smem_b)));
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
    asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
  }

  // Reduce the split-K halves across the cluster through DSMEM.
  if (threadIdx.x < kTileM) partial[threadIdx.x] = acc[0];
  cluster.sync();
  float* peer = cluster.map_shared_rank(partial, rank ^ 1);
  if (rank == 0 && threadIdx.x < kTileM) {
    c[blockIdx.y * kTileN * m + blockIdx.x * kTileM + threadIdx.x] = partial[threadIdx.x] + peer[threadIdx.x];
  }
  cluster.sync();
#else
  // Compiled for an older architecture: the host never launches this kernel there.
  __trap();
#endif
}

CUtensorMap make_tensor_map(const half* base, uint64_t rows, uint64_t cols, uint32_t box_rows, uint32_t box_cols) {
  CUtensorMap map{};
  const cuuint64_t dims[2] = {cols, rows};
  const cuuint64_t strides[1] = {cols * sizeof(half)};
  const cuuint32_t box[2] = {box_cols, box_rows};
  const cuuint32_t elem_strides[2] = {1, 1};
  const CUresult res = cuTensorMapEncodeTiled(
      &map, CU_TENSOR_MAP_DATA_TYPE_FLOAT16, 2, const_cast<half*>(base), dims, strides, box, elem_strides,
      CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B, CU_TENSOR_MAP_L2_PROMOTION_L2_128B,
      CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (res != CUDA_SUCCESS) {
    const char* msg = nullptr;
    cuGetErrorString(res, &msg);
    throw std::runtime_error(msg ? msg : "cuTensorMapEncodeTiled failed");
  }
  return map;
}

void gemm_sm90(const half* a, const half* b, float* c, int m, int n, int k, cudaStream_t stream) {
  const CUtensorMap tmap_a = make_tensor_map(a, m, k, kTileM, kTileK);
  const CUtensorMap tmap_b = make_tensor_map(b, n, k, kTileN, kTileK);

  cudaLaunchConfig_t config = {};
  config.gridDim = dim3((m + kTileM - 1) / kTileM, (n + kTileN - 1) / kTileN);
  config.blockDim = dim3(384);
  config.stream = stream;
  cudaLaunchAttribute attr[1];
  attr[0].id = cudaLaunchAttributeClusterDimension;
  attr[0].val.clusterDim.x = 2;
  attr[0].val.clusterDim.y = 1;
  attr[0].val.clusterDim.z = 1;
  config.attrs = attr;
  config.numAttrs = 1;
  cudaLaunchKernelEx(&config, gemm_sm90_kernel, tmap_a, tmap_b, c, m, n, k);
}

}  // namespace llm_trainer
