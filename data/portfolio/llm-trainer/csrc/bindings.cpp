// Python bindings for the fused kernels. Plain C++: the only vendor tie here
// is through the functions declared below.
#include <torch/extension.h>

void rmsnorm_forward(torch::Tensor x, torch::Tensor weight, torch::Tensor out, double eps);
void softmax_forward(torch::Tensor in, torch::Tensor out);

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.doc() = "llm_trainer fused kernels";
  m.def("rmsnorm_forward", &rmsnorm_forward, "Fused RMSNorm (bf16)");
  m.def("softmax_forward", &softmax_forward, "Row softmax (fp32)");
}
