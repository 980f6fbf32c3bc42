"""Vendor-specific programming constructs in blanked C/C++/CUDA/HIP code.

The ``construct`` evidence (``kernel-launch``, ``inline-ptx``,
``warp-size-32``, ``dynamic-parallelism``, ``cooperative-groups`` …, see
``docs/evidence-names.md``) is found here: kernel launches, inline
assembly (the one place where text inside a string literal counts, since
its PTX or GCN instructions are the construct), warp intrinsics and
full-warp masks, index arithmetic and width definitions that assume a
32-lane warp, cooperative-group namespace aliases and launches from
device code.

It is apart from the scanner because these detectors are the part that
grows with each new pattern found in real code, and each needs only the
lexed file. For speed, constructs are found by one regex per first
character, each alternative starting with a literal, and checked around
the match afterwards.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from lockin.source.cxx.lexer import _WORD_CHARS, Lexed
from lockin.source.cxx.structure import Layout, read_layout

# Each alternative starts with a literal character and ends with an empty
# marker group that names its family. The marker goes last because the
# regex engine skips an alternative after one character comparison only
# when it starts with a literal, and factors a literal prefix that all
# alternatives share out of the group (``__`` rather than ``_``), which
# its fast search then looks for. Token boundaries are checked after.
_INDEX_TAIL = r"\s*(?P<op>/|>>|%|&(?!&))\s*(?P<num>0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b"
_WIDTH_TAIL = r"\w*(?P<sep>[ \t]+|\s*=(?!=)\s*)\(?\s*(?P<value>0[xX][0-9a-fA-F]+[uUlL]*|~0[uUlL]*|\d+[uUlL]*)(?![\w.])"
_CONSTRUCT_ALTERNATIVES = {
    "launch": [r"<<<"],
    "asm": [a + r"(?:\s*(?:volatile|__volatile__|goto|inline)\b)*\s*\(" for a in (r"__asm__", r"__asm\b", r"asm\b")],
    "wmma": [r"nvcuda\s*::\s*wmma\s*::", r"wmma\s*::", r"mma_sync\b"],
    "wgmma": [r"wgmma\w*", r"SM90_\w*GMMA\w*", r"SM90_\d+x\d+x\d+_\w+", r"GMMA\s*::", r"warpgroup_(?:arrive|wait|commit_batch|fence_operand)\b"],
    "tma": [r"cuTensorMapEncode\w*", r"CUtensorMap\w*", r"SM90_TMA_\w+", r"cp_async_bulk\w*"],
    "cluster": [
        r"__cluster_dims__", r"cluster_group\b", r"this_cluster\b", r"cudaLaunchAttributeClusterDimension\b",
        r"cudaFuncAttribute(?:NonPortableClusterSizeAllowed|RequiredCluster(?:Width|Height|Depth))\b",
    ],
    "dsmem": [r"map_shared_rank\b"],
    "cg": [r"cooperative_groups\b"],
    "warpfn": [
        r"__(?:shfl(?:_up|_down|_xor)?(?:_sync)?|ballot_sync|any_sync|all_sync|uni_sync"
        r"|match_(?:any|all)_sync|reduce_\w+_sync|syncwarp)\s*\("
    ],
    "index": [
        r"threadIdx\s*\.\s*[xyz]" + _INDEX_TAIL,
        r"blockDim\s*\.\s*[xyz]" + _INDEX_TAIL,
        r"tidx?\b" + _INDEX_TAIL,
        r"thread(?:_?id|Id|_?idx)\b" + _INDEX_TAIL,
        r"lane(?:_?id|Id|_?idx)?\b" + _INDEX_TAIL,
    ],
    "width": [w + _WIDTH_TAIL for w in ("warp", "Warp", "WARP", "wave", "Wave", "WAVE", "mask", "Mask", "MASK")],
}  # fmt: skip


def _compile_constructs() -> list[tuple[re.Pattern, dict[int, tuple[str, str]]]]:
    """One regex per first character (each then runs on the engine's fast
    literal-prefix path), with the (family, marker) of each alternative by
    the index of its marker group.

    The marker group ends its alternative, so it is the last group a match
    closes: a match's ``lastindex`` names the alternative that matched.
    """
    by_first: dict[str, list[tuple[str, str, str]]] = {}
    inner_groups = ("op", "num", "sep", "value")
    for family, alternatives in _CONSTRUCT_ALTERNATIVES.items():
        for i, alternative in enumerate(alternatives):
            marker = f"{family}_{i}"
            body = alternative
            for g in inner_groups:
                body = body.replace(f"(?P<{g}>", f"(?P<{g}_{marker}>")
            assert body[0].isalnum() or body[0] in "_<", "each alternative must start with a literal"
            by_first.setdefault(body[0], []).append((family, marker, body[1:]))
    compiled = []
    for first, entries in by_first.items():
        regex = re.compile(re.escape(first) + "(?:" + "|".join(f"{rest}(?P<{m}>)" for _, m, rest in entries) + ")")
        compiled.append((regex, {regex.groupindex[m]: (family, m) for family, m, _ in entries}))
    return compiled


_CONSTRUCT_REGEXES = _compile_constructs()
#: The name of each inner group (``op``, ``num``, ``sep``, ``value``) per marker.
_INNER_GROUP = {
    (name.split("_", 1)[0], name.split("_", 1)[1]): name
    for regex, _ in _CONSTRUCT_REGEXES
    for name in regex.groupindex
    if name.split("_", 1)[0] in ("op", "num", "sep", "value")
}
#: Alternatives that must begin a token (``asm`` but not ``plasm``).
_WHOLE_TOKEN_GROUPS = frozenset({"asm", "wmma", "wgmma", "tma", "cluster", "dsmem", "cg", "warpfn", "index"})
_LAUNCH_TAIL = re.compile(r"<<<(?!<)[^;{}]*?>>>\s*\(")
#: The families that assume a warp width (not reported in SYCL code).
_WARP_WIDTH_GROUPS = frozenset({"warpfn", "index", "width"})
_CALL_DELIMITERS = re.compile(r"[()\[\]{},;]")
_CG_ALIAS = re.compile(r"\bnamespace\s+(\w+)\s*=\s*(?:::\s*)?cooperative_groups\b")
#: The head of such an alias, ending where ``cooperative_groups`` starts.
_CG_ALIAS_HEAD = re.compile(r"\bnamespace\s+\w+\s*=\s*(?:::\s*)?\Z")
_CG_ALIAS_REACH = 120
#: All 32 lanes: 0xffffffff, ~0u, and -1 cast to a 32-bit unsigned type
#: (``uint32_t(-1)``, ``(unsigned)-1``, ``static_cast<unsigned>(-1)``).
_FULL_MASK = re.compile(
    r"\(?\s*(?:0[xX][fF]{8}[uUlL]*|~0[uUlL]*|~0[xX]0+[uUlL]*"
    r"|(?:std::)?uint32_t\s*\(\s*-1\s*\)|unsigned(?:\s+int)?\s*\(\s*-1\s*\)"
    r"|\(\s*(?:(?:std::)?uint32_t|unsigned(?:\s+int)?)\s*\)\s*-1"
    r"|static_cast\s*<\s*(?:(?:std::)?uint32_t|unsigned(?:\s+int)?)\s*>\s*\(\s*-1\s*\))\s*\)?"
)
_MASK_COMPARISON_AFTER = re.compile(r"\s*[!=]=\s*(?:0[xX][fF]{8}[uUlL]*|~0[uUlL]*)(?![\w])")
_MASK_COMPARISON_BEFORE = re.compile(r"(?:0[xX][fF]{8}[uUlL]*|~0[uUlL]*)\s*[!=]=\s*$")
_WARP_WIDTH_NAME = re.compile(
    r"(?i)\w*(?:warp_?(?:size|width|sz|threads|lanes)|threads_?per_?warp|lanes_?per_?warp"
    r"|wave(?:front)?_?(?:size|width|sz|threads|lanes))\w*"
)
#: NUM_WARPS, WARPS_PER_BLOCK: a number of warps, not the warp width.
_WARP_COUNT_NAME = re.compile(r"(?i)warps(?!ize)")
_FULL_MASK_NAME = re.compile(r"(?i)\w*(?:full|warp|final|lane|all|active)_?mask\w*")
_DEFINE_PREFIX = re.compile(r"[ \t]*#[ \t]*define[ \t]+$")
_PTX_FEATURES = re.compile(
    r"(?P<wgmma>\bwgmma\.)"
    r"|(?P<tma>\bcp\.(?:reduce\.)?async\.bulk)"
    r"|(?P<dsmem>\bmapa\.|\b(?:ld|st|atom|red)\.shared::cluster)"
    r"|(?P<cluster>%cluster|%is_explicit_cluster|\bbarrier\.cluster)"
)
_PTX_CONSTRUCT = {"wgmma": "wgmma", "tma": "tma", "dsmem": "distributed-shared-memory", "cluster": "thread-block-cluster"}
_SIMPLE_CONSTRUCT = {
    "wmma": "wmma",
    "wgmma": "wgmma",
    "tma": "tma",
    "cluster": "thread-block-cluster",
    "dsmem": "distributed-shared-memory",
    "cg": "cooperative-groups",
}
#: How far the argument list of a warp intrinsic is followed before giving up.
_MAX_CALL_SPAN = 4000


def _find_constructs(lexed: Lexed, text: str, hip: bool, found: list, layout: Layout | None = None, sycl: bool = False) -> None:
    """Append ``(offset, "construct", name)`` for each construct in the code.

    Inline assembly is named by its instructions alone (PTX, GCN, or
    neither: then it is a CPU's and not reported). ``layout`` gives the
    function bodies for launches from device code; ``sycl`` says the file
    is SYCL, whose sub-groups are not CUDA warps: no warp-width construct
    is reported there.
    """
    code = lexed.code
    launches: list[int] = []
    for m, group, marker in _construct_matches(code):
        start = m.start()
        if group in _WHOLE_TOKEN_GROUPS and start and code[start - 1] in _WORD_CHARS:
            continue  # the tail of a longer identifier (plasm(, rocwmma::)
        if sycl and group in _WARP_WIDTH_GROUPS:
            continue
        if marker == "wmma_2" and code[max(0, start - 2) : start] == "::":
            continue  # rocwmma::mma_sync and the like: only bare or wmma:: mma_sync is WMMA
        if group == "cg" and _CG_ALIAS_HEAD.search(code, max(0, start - _CG_ALIAS_REACH), start):
            continue  # 'namespace cg = cooperative_groups;' names the library; its uses are the construct
        if group in _SIMPLE_CONSTRUCT:
            found.append((start, "construct", _SIMPLE_CONSTRUCT[group]))
        elif group == "launch":
            if _is_launch(code, start):
                launches.append(start)
                found.append((start, "construct", "kernel-launch"))
        elif group == "asm":
            _inline_assembly(lexed, text, m, found)
        elif group == "warpfn":
            _warp_intrinsic(code, m, hip, found)
        elif group == "index":
            _index_arithmetic(code, m, marker, hip, found)
        elif hip or layout is None or not layout.in_vendor_branch(start, "amd"):
            _width_definition(code, m, marker, hip, found)
        # else: a warp width or mask defined in a HIP branch
        # (``#if USE_HIP #define WARP_SIZE 32 // RDNA``) is the project's
        # value for AMD's wavefronts, not an NVIDIA assumption.
    if launches:
        _dynamic_parallelism(code, launches, found, layout)
    if "cooperative_groups" in code:
        _cooperative_group_aliases(code, found)


def _inner(m: re.Match, marker: str, name: str) -> str | None:
    return m.group(_INNER_GROUP[name, marker])


def _construct_matches(code: str):
    """(match, family, marker) for every construct candidate, regex by regex."""
    for regex, by_index in _CONSTRUCT_REGEXES:
        for m in regex.finditer(code):
            family, marker = by_index[m.lastindex]
            yield m, family, marker


def _is_launch(code: str, at: int) -> bool:
    # The callee must end just before: an identifier or a template-id.
    before = at - 1
    while before >= 0 and code[before] in " \t\r\n":
        before -= 1
    if before < 0 or not (code[before] in _WORD_CHARS or code[before] == ">"):
        return False
    if at > 0 and code[at - 1] == "<":
        return False
    return _LAUNCH_TAIL.match(code, at) is not None


def _dynamic_parallelism(code: str, launches: list[int], found: list, layout: Layout | None) -> None:
    """A launch inside a ``__global__`` function's body: a launch from device code.

    The bodies come from the file's layout, whose brace tracking follows
    one branch of each ``#if``/``#else`` (both branches often open a brace
    that one ``}`` closes), so a kernel's body does not run on into the
    host code after it.
    """
    if layout is None:
        layout = read_layout(code)
    for at in launches:
        function = layout.function_at(at)
        if function is not None and function[3]:
            found.append((at, "construct", "dynamic-parallelism"))


def _inline_assembly(lexed: Lexed, text: str, m: re.Match, found: list) -> None:
    """Inline assembly, named by its instruction set.

    PTX opcodes (``mov.u64``, ``ldmatrix.sync``, ``%%laneid``) make it PTX
    and AMD GCN/CDNA mnemonics (``v_and_b32``, ``s_waitcnt``) make it GCN,
    whatever the file is; anything else (x86, Arm, POWER, RISC-V vector
    code, or text the strings do not show) is not a GPU construct and is
    not reported: the file being GPU code does not make its assembly PTX.
    PTX carries its class (:func:`_ptx_class`) as the evidence spec, which
    picks the catalog row that judges it; the name stays ``inline-ptx``.
    """
    end = _matching_close(lexed.code, m.end() - 1)
    i = bisect_right(lexed.strings, (m.end(), -1))
    strings = []
    while i < len(lexed.strings) and lexed.strings[i][0] < end:
        strings.append(lexed.strings[i])
        i += 1
    body = " ".join(text[start:stop] for start, stop in strings)
    if _PTX_INSTRUCTION.search(body) is None:
        if _GCN_INSTRUCTION.search(body):
            found.append((m.start(), "construct", "inline-gcn-asm"))
        return
    found.append((m.start(), "construct", "inline-ptx", _ptx_class(lexed.code, text, strings, m.end(), end)))
    for start, stop in strings:
        for feature in _PTX_FEATURES.finditer(text, start, stop):
            found.append((feature.start(), "construct", _PTX_CONSTRUCT[feature.lastgroup]))


def _ptx_class(code: str, text: str, strings: list, after: int, end: int) -> str:
    """``simple``, ``hard`` or ``""``: the PTX class of one asm statement's template.

    ``hard`` when one instruction has no AMD counterpart, ``simple`` when
    every instruction is one a HIP intrinsic or builtin replaces, and
    ``""`` (the catalog's ``inline-ptx`` row decides) when an instruction
    is in neither list. Only the template counts: the strings after the
    first operand colon are constraints (``"=r"``, ``"memory"``).
    """
    colon = code.find(":", after, end)
    stop_at = end if colon < 0 else colon
    template = " ".join(text[start:stop] for start, stop in strings if start < stop_at)
    simple = False
    for statement in _PTX_STATEMENT.finditer(template):
        group = statement.lastgroup
        if group == "hard":
            return "hard"
        if group == "other":
            return ""
        simple = True
    return "simple" if simple else ""


#: One PTX statement's opcode, after the template's start, a ``;``, a brace
#: or a label's colon (escapes, quotes and an ``@p`` guard skipped), in one
#: of three classes. ``hard`` has no AMD counterpart: cp.async and
#: cp.reduce.async (Ampere async copies, Hopper TMA bulk copies), multimem
#: (NVLink SHARP), fence.proxy.async (TMA's async proxy), mbarrier
#: (transaction barriers), wgmma / mma / ldmatrix / stmatrix / movmatrix /
#: tcgen05 (tensor-core fragments AMD's MFMA builtins lay out otherwise),
#: setmaxnreg (warpgroup register reallocation), red.async / st.async
#: (cluster shared-memory writes signalling an mbarrier), elect (warp leader
#: election with no HIP builtin), griddepcontrol (programmatic dependent
#: launch), barrier.cluster / mapa / shared::cluster (thread-block
#: clusters). ``simple`` is what a HIP intrinsic or builtin replaces (the
#: HIP C++ language extensions): mul.wide / mul.hi (a 64-bit multiply,
#: __umulhi, __umul64hi), max/min on f16x2 or bf16x2 (__hmax2, __hmin2),
#: cvt.rn to f16x2/bf16x2 (__float22half2_rn, __float22bfloat162_rn; with
#: .relu then __hmax2 with zero), red / atom
#: (atomicAdd and the other atomic functions, __hip_atomic_fetch_add with a
#: memory order for .release/.acquire), bar.sync / bar.arrive /
#: barrier.sync (__syncthreads, __builtin_amdgcn_s_barrier), st/ld .cs
#: streaming accesses (__builtin_nontemporal_store / _load), ld.global.nc
#: (__ldg), ld.acquire / st.release (__hip_atomic_load / __hip_atomic_store
#: with __ATOMIC_ACQUIRE / __ATOMIC_RELEASE), membar and fence.sc /
#: fence.acq_rel (__threadfence, __threadfence_system). ``other`` is any
#: other opcode (mov, setp, lop3 …): the statement keeps no class.
_PTX_STATEMENT = re.compile(
    r"(?:^|[;{}]|(?<!:):(?!:))(?:\s|\\[ntr]|\")*(?:@!?%?\w+(?:\s|\\[ntr])+)?"
    r"(?:(?P<hard>(?:cp\.async|cp\.reduce\.async|multimem|fence\.proxy\.async|mbarrier|wgmma|mma|ldmatrix|stmatrix"
    r"|movmatrix|tcgen05|setmaxnreg|elect|griddepcontrol|barrier\.cluster|mapa|red\.async|st\.async)\b|(?:ld|st|red|atom|cp)\.[\w.]*shared::cluster)"
    r"|(?P<simple>mul\.(?:wide|hi)\.|(?:max|min)\.(?:\w+\.)*b?f16x2\b|cvt\.rn(?:\.relu)?\.b?f16x2\.f32\b|(?:red|atom)\.|bar\.(?:sync|arrive)\b"
    r"|barrier\.(?:sync|arrive)\b|(?:ld|st)\.(?:\w+\.)*cs\.|ld\.global\.nc\.|ld\.(?:\w+\.)*acquire\.|st\.(?:\w+\.)*release\."
    r"|membar\.|fence\.(?:sc|acq_rel)\.)"
    r"|(?P<other>[a-z]\w*))[\w.:]*"
)


#: AMD GCN/CDNA instructions: vector and scalar ALU (v_…, s_…), LDS, buffer,
#: global and flat memory operations.
_GCN_INSTRUCTION = re.compile(r"\b(?:[vs]_[a-z][a-z0-9_]*|ds_[a-z0-9_]+|buffer_(?:load|store|atomic)[a-z0-9_]*|global_(?:load|store|atomic)[a-z0-9_]*|flat_(?:load|store|atomic)[a-z0-9_]*)\b")
#: PTX: an opcode only PTX has (``ldmatrix.sync``, ``setp.ne``), a common
#: opcode with a PTX type or state space (``mov.u64``, ``ld.global.nc``,
#: ``fence.acq_rel`` but not RISC-V's ``fence.i`` or ``add.uw``), a
#: register declaration (``.reg .pred``) or a special register
#: (``%%globaltimer``, ``%laneid``).
_PTX_MODIFIERS = (
    r"(?:[usbf](?:8|16|32|64|128)|f16x2|bf16x2|bf16|tf32|e4m3|e5m2|pred|global|shared|local|const|param|sync|aligned"
    r"|gpu|sys|cta|cluster|acquire|release|relaxed|acq_rel|sc|rn|rz|rm|rp|rni|rzi|wide|hi|lo|lu|cg|ca|cs|cv|nc|v2|v4|v8"
    r"|volatile|approx|ftz|sat|gl|L1|L2|async|bulk|b16|trans|x1|x2|x4|m\d+n\d+k\d+|row|col)"
)
_PTX_INSTRUCTION = re.compile(
    r"\b(?:ldmatrix|stmatrix|movmatrix|wgmma|mbarrier|griddepcontrol|multimem|tcgen05|elect|redux|activemask|setmaxnreg"
    r"|cvta|isspacep|prmt|lop3|shfl|vote|membar|barrier|bar|setp|selp|mma|cp\.async|cp\.reduce)\.\w"
    r"|\b(?:ld|st|mov|add|sub|mul|mad|fma|cvt|atom|red|fence|prefetch|bfe|bfi|brev|popc|clz|and|or|xor|not|min|max|abs|neg"
    r"|div|rem|shl|shr|shf|nanosleep|rcp|sqrt|rsqrt|ex2|lg2|sin|cos|tanh|dp4a|dp2a|testp|copysign|slct|set|sad|vset|vadd|vsub|vmad)(?:\.\w+)*?\." + _PTX_MODIFIERS + r"\b"
    r"|\.reg\s+\.(?:pred|[usbf]\d+)"
    r"|%%?(?:globaltimer|clock64|clock|laneid|warpid|smid|nsmid|tid|ntid|ctaid|nctaid|lanemask_[a-z]+|dynamic_smem_size)\b"
)


def _matching_close(code: str, open_at: int) -> int:
    """Offset of the delimiter closing the bracket at ``open_at`` (or where the search gave up)."""
    depth = 0
    limit = min(len(code), open_at + _MAX_CALL_SPAN)
    for d in _CALL_DELIMITERS.finditer(code, open_at, limit):
        ch = d.group()
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth == 0:
                return d.start()
        elif ch in "{};":
            return d.start()
    return limit


def _call_arguments(code: str, open_at: int) -> tuple[list[tuple[int, str]], int]:
    """Top-level arguments of the call whose ``(`` is at ``open_at``, and the end."""
    args: list[tuple[int, str]] = []
    depth = 0
    arg_start = open_at + 1
    limit = min(len(code), open_at + _MAX_CALL_SPAN)
    for d in _CALL_DELIMITERS.finditer(code, open_at, limit):
        ch = d.group()
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth == 0:
                args.append((arg_start, code[arg_start : d.start()]))
                return args, d.end()
        elif ch == "," and depth == 1:
            args.append((arg_start, code[arg_start : d.start()]))
            arg_start = d.end()
        elif ch in "{};":
            break
    return [], open_at + 1


def _warp_intrinsic(code: str, m: re.Match, hip: bool, found: list) -> None:
    name = code[m.start() : m.end() - 1].rstrip()
    args, end = _call_arguments(code, m.end() - 1)
    if not args:
        return
    synced = name.endswith("_sync") or name == "__syncwarp"
    if synced:
        at, mask = args[0]
        if _FULL_MASK.fullmatch(mask.strip()):
            found.append((at + len(mask) - len(mask.lstrip()), "construct", "full-warp-mask"))
    if name.startswith("__shfl"):
        width_index = 3 if synced else 2
        if len(args) > width_index:
            at, width = args[width_index]
            literal = width.strip().strip("()").strip().rstrip("uUlL")
            offset = at + len(width) - len(width.lstrip())
            # An explicit width of 32 is not an assumption about the warp:
            # HIP honours it on 64-lane wavefronts (two groups of 32). A
            # width of 64 cannot run on NVIDIA's 32-lane warps.
            if literal == "64" and hip:
                found.append((offset, "construct", "warp-size-64"))
    if name == "__ballot_sync":
        if _MASK_COMPARISON_AFTER.match(code, end) or _MASK_COMPARISON_BEFORE.search(code, max(0, m.start() - 40), m.start()):
            found.append((m.start(), "construct", "full-warp-mask"))


#: Digits of a divisor, modulus, mask or shift worth reading: every width
#: and mask this looks for has at most 3 (0x3f, 63, 5).
_MAX_INDEX_DIGITS = 8


def _index_arithmetic(code: str, m: re.Match, marker: str, hip: bool, found: list) -> None:
    """A thread index taken modulo, masked or divided by the warp width.

    ``tid % 32`` and ``tid & 31`` are a lane number, ``blockDim.x / 32``
    the number of warps. ``tid / 32`` and ``tid >> 5`` are a warp number
    only when the statement says so (``int warp_id = threadIdx.x / 32``, a
    row per warp beside ``blockDim.x >> 5``): split by 32 otherwise, a
    block is being tiled (``n = tid / 32`` in a 64-thread layout), which
    the warp width does not change.
    """
    op, raw = _inner(m, marker, "op"), _inner(m, marker, "num")
    hexadecimal = raw[:2] in ("0x", "0X")
    if len((raw[2:] if hexadecimal else raw).lstrip("0")) > _MAX_INDEX_DIGITS:
        return  # no warp width; and int() refuses more than 4,300 digits
    number = int(raw, 16) if hexadecimal else int(raw)
    subject = m.group()
    is_lane = subject.startswith("lane")
    is_block = subject.startswith("blockDim")
    if op in ("%", "&"):
        width = number if op == "%" else number + 1
        if width == 32:
            found.append((m.start(), "construct", "warp-size-32" if is_block else "lane-modulo-32"))
        elif width == 64 and hip:
            found.append((m.start(), "construct", "warp-size-64"))
        return
    if is_lane:
        return
    width = number if op == "/" else (1 << number if number < 16 else 0)
    if width not in (32, 64) or not (is_block or _names_a_warp(code, m.start())):
        return
    if width == 32:
        found.append((m.start(), "construct", "warp-size-32"))
    elif hip:
        found.append((m.start(), "construct", "warp-size-64"))


#: A statement about warps: a warp variable, or the block's warp count
#: beside the thread's (``row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5)``).
_WARP_WORD = re.compile(r"(?i)warp|wave|\bw(?:arp)?_?id\b|\bwid\b|blockDim")


def _names_a_warp(code: str, at: int) -> bool:
    """Whether the statement around ``at`` speaks of warps (its variable, its callee)."""
    start = max(code.rfind(";", 0, at), code.rfind("{", 0, at), code.rfind("}", 0, at), at - 200) + 1
    end = code.find(";", at, at + 200)
    return _WARP_WORD.search(code, start, end if end >= 0 else min(len(code), at + 200)) is not None


def _width_definition(code: str, m: re.Match, marker: str, hip: bool, found: list) -> None:
    start = m.start()
    while start > 0 and code[start - 1] in _WORD_CHARS:
        start -= 1
    separator = _inner(m, marker, "sep")
    name = code[start : m.start(f"sep_{marker}")]
    if "=" not in separator:
        # Without "=", only "#define NAME VALUE" counts.
        line_start = code.rfind("\n", 0, start) + 1
        if not _DEFINE_PREFIX.match(code[line_start:start]):
            return
    written = _inner(m, marker, "value")
    value = written.rstrip("uUlL")
    if _FULL_MASK_NAME.fullmatch(name):
        if _FULL_MASK.fullmatch(written):
            found.append((start, "construct", "full-warp-mask"))
    elif _WARP_WIDTH_NAME.fullmatch(name) and not _WARP_COUNT_NAME.search(name):
        if value == "32":
            found.append((start, "construct", "warp-size-32"))
        elif value == "64" and hip:
            found.append((start, "construct", "warp-size-64"))


def _cooperative_group_aliases(code: str, found: list) -> None:
    aliases = {m.group(1) for m in _CG_ALIAS.finditer(code)}
    if not aliases:
        return
    use = re.compile(r"(?<![\w:])(?:" + "|".join(map(re.escape, sorted(aliases))) + r")\s*::")
    for m in use.finditer(code):
        found.append((m.start(), "construct", "cooperative-groups"))
