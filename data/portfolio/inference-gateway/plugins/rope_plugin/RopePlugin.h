#pragma once
// TensorRT plugin applying rotary position embeddings in place, so the
// engine does not need the unfused sin/cos subgraph.

#include <NvInfer.h>
#include <cuda_runtime_api.h>
#include <string>

namespace gateway {

class RopePlugin : public nvinfer1::IPluginV2DynamicExt {
 public:
  RopePlugin(int head_dim, float theta) : head_dim_(head_dim), theta_(theta) {}
  RopePlugin(const void* data, size_t length);

  nvinfer1::IPluginV2DynamicExt* clone() const noexcept override;
  nvinfer1::DimsExprs getOutputDimensions(int32_t index, const nvinfer1::DimsExprs* inputs, int32_t nb_inputs,
                                          nvinfer1::IExprBuilder& builder) noexcept override;
  bool supportsFormatCombination(int32_t pos, const nvinfer1::PluginTensorDesc* in_out, int32_t nb_inputs,
                                 int32_t nb_outputs) noexcept override;
  int32_t enqueue(const nvinfer1::PluginTensorDesc* input_desc, const nvinfer1::PluginTensorDesc* output_desc,
                  const void* const* inputs, void* const* outputs, void* workspace,
                  cudaStream_t stream) noexcept override;
  const char* getPluginType() const noexcept override { return "RopePlugin"; }
  const char* getPluginVersion() const noexcept override { return "1"; }
  size_t getSerializationSize() const noexcept override { return sizeof(int) + sizeof(float); }
  void serialize(void* buffer) const noexcept override;

 private:
  int head_dim_;
  float theta_;
  std::string namespace_;
};

class RopePluginCreator : public nvinfer1::IPluginCreator {
 public:
  const char* getPluginName() const noexcept override { return "RopePlugin"; }
  const char* getPluginVersion() const noexcept override { return "1"; }
  nvinfer1::IPluginV2* createPlugin(const char* name, const nvinfer1::PluginFieldCollection* fc) noexcept override;
  nvinfer1::IPluginV2* deserializePlugin(const char* name, const void* data, size_t length) noexcept override;
};

}  // namespace gateway
