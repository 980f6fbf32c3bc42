#include "RopePlugin.h"

#include <NvInferPlugin.h>
#include <cuda_fp16.h>
#include <cstring>

namespace gateway {

cudaError_t launch_rope(half* qk, int tokens, int heads, int head_dim, float theta, cudaStream_t stream);

RopePlugin::RopePlugin(const void* data, size_t length) {
  const char* p = static_cast<const char*>(data);
  std::memcpy(&head_dim_, p, sizeof(int));
  std::memcpy(&theta_, p + sizeof(int), sizeof(float));
}

nvinfer1::IPluginV2DynamicExt* RopePlugin::clone() const noexcept { return new RopePlugin(head_dim_, theta_); }

nvinfer1::DimsExprs RopePlugin::getOutputDimensions(int32_t, const nvinfer1::DimsExprs* inputs, int32_t,
                                                    nvinfer1::IExprBuilder&) noexcept {
  return inputs[0];
}

bool RopePlugin::supportsFormatCombination(int32_t pos, const nvinfer1::PluginTensorDesc* in_out, int32_t,
                                           int32_t) noexcept {
  return in_out[pos].type == nvinfer1::DataType::kHALF && in_out[pos].format == nvinfer1::TensorFormat::kLINEAR;
}

int32_t RopePlugin::enqueue(const nvinfer1::PluginTensorDesc* input_desc, const nvinfer1::PluginTensorDesc*,
                            const void* const* inputs, void* const* outputs, void*, cudaStream_t stream) noexcept {
  const auto& d = input_desc[0].dims;
  const int tokens = d.d[0] * d.d[1];
  const int heads = d.d[2];
  if (outputs[0] != inputs[0]) {
    cudaMemcpyAsync(outputs[0], inputs[0], sizeof(half) * tokens * heads * head_dim_, cudaMemcpyDeviceToDevice,
                    stream);
  }
  return launch_rope(static_cast<half*>(outputs[0]), tokens, heads, head_dim_, theta_, stream) == cudaSuccess ? 0 : 1;
}

void RopePlugin::serialize(void* buffer) const noexcept {
  char* p = static_cast<char*>(buffer);
  std::memcpy(p, &head_dim_, sizeof(int));
  std::memcpy(p + sizeof(int), &theta_, sizeof(float));
}

nvinfer1::IPluginV2* RopePluginCreator::createPlugin(const char*, const nvinfer1::PluginFieldCollection* fc) noexcept {
  int head_dim = 128;
  float theta = 500000.f;
  for (int i = 0; i < fc->nbFields; ++i) {
    if (std::strcmp(fc->fields[i].name, "head_dim") == 0) head_dim = *static_cast<const int*>(fc->fields[i].data);
    if (std::strcmp(fc->fields[i].name, "theta") == 0) theta = *static_cast<const float*>(fc->fields[i].data);
  }
  return new RopePlugin(head_dim, theta);
}

nvinfer1::IPluginV2* RopePluginCreator::deserializePlugin(const char*, const void* data, size_t length) noexcept {
  return new RopePlugin(data, length);
}

REGISTER_TENSORRT_PLUGIN(RopePluginCreator);

}  // namespace gateway
