// A small NCCL communicator used by the custom tensor-parallel layers,
// outside torch.distributed so that it can overlap with the default group.
// The unique id travels through the torch.distributed TCP store.

#include <cuda_runtime.h>
#include <nccl.h>
#include <nvtx3/nvToolsExt.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace llm_trainer {

static void check_nccl(ncclResult_t res, const char* what) {
  if (res != ncclSuccess) {
    throw std::runtime_error(std::string(what) + ": " + ncclGetErrorString(res));
  }
}

std::vector<char> nccl_unique_id() {
  ncclUniqueId id;
  check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
  return std::vector<char>(id.internal, id.internal + sizeof(id.internal));
}

class TensorParallelComm {
 public:
  TensorParallelComm(const std::vector<char>& id_bytes, int world, int rank) {
    ncclUniqueId id;
    std::copy(id_bytes.begin(), id_bytes.end(), id.internal);
    check_nccl(ncclCommInitRank(&comm_, world, id, rank), "ncclCommInitRank");
    cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking);
  }

  ~TensorParallelComm() {
    ncclCommDestroy(comm_);
    cudaStreamDestroy(stream_);
  }

  void all_reduce_bf16(void* buf, size_t count) {
    nvtxRangePushA("tp_all_reduce");
    check_nccl(ncclAllReduce(buf, buf, count, ncclBfloat16, ncclSum, comm_, stream_), "ncclAllReduce");
    nvtxRangePop();
  }

  void reduce_scatter_then_gather(void* send, void* scratch, size_t count_per_rank) {
    nvtxRangePushA("tp_rs_ag");
    check_nccl(ncclGroupStart(), "ncclGroupStart");
    check_nccl(ncclReduceScatter(send, scratch, count_per_rank, ncclBfloat16, ncclSum, comm_, stream_),
               "ncclReduceScatter");
    check_nccl(ncclAllGather(scratch, send, count_per_rank, ncclBfloat16, comm_, stream_), "ncclAllGather");
    check_nccl(ncclGroupEnd(), "ncclGroupEnd");
    nvtxRangePop();
  }

  void synchronize() { cudaStreamSynchronize(stream_); }

 private:
  ncclComm_t comm_ = nullptr;
  cudaStream_t stream_ = nullptr;
};

}  // namespace llm_trainer
