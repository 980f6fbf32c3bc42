"""vLLM serving on AMD Instinct MI300X: launch checks, metrics, a benchmark."""
