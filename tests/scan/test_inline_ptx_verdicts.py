"""The scan pipeline judges each inline-PTX statement by its instructions.

One file holds the patterns judged on flash-attention and nccl-tests: PTX a
HIP intrinsic replaces (a 32x32->64 multiply, a global reduction) is
replaceable, PTX with no AMD counterpart (the Ampere async copy) stays
rewrite, and every finding keeps the name ``inline-ptx``.
"""

from __future__ import annotations

from lockin.scan import ScanOptions, scan

KERNEL = """\
__device__ unsigned long long wide(unsigned a, unsigned b) {
  unsigned long long t;
  asm ("mul.wide.u32 %0, %1, %2;\\n\\t" : "=l"(t) : "r"(a), "r"(b));
  return t;
}
__device__ void count(unsigned long long* n, unsigned long long bad) {
  asm volatile("red.global.add.u64 [%0],%1;" :: "l"(n), "l"(bad) : "memory");
}
template <int N> __device__ void wait() {
  asm volatile("cp.async.wait_group %0;\\n" :: "n"(N));
}
"""


def test_each_inline_ptx_finding_takes_the_verdict_of_its_instructions(tmp_path):
    (tmp_path / "kernels.cu").write_text(KERNEL)
    result = scan([tmp_path], ScanOptions(project_name="ptx", jobs=1, progress=False))
    rows = result.findings[result.findings["kind"] == "construct"]
    seen = sorted(zip(rows["line"].astype(int), rows["name"], rows["portability"]))
    assert seen == [(3, "inline-ptx", "replaceable"), (7, "inline-ptx", "replaceable"), (10, "inline-ptx", "rewrite")]
