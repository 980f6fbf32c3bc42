"""Accelerator names: from what sources write to the spec table's models.

The same part is spelled "AMD Instinct MI300X 192GB HBM3",
"MI300X-NPS1-SPX-192GB-750W" or plain "MI300X"; a different part can differ
by one word ("H200-NVL-141GB" is not the "H200 SXM"). Names are compared as
sets of tokens after the words that never distinguish parts are dropped
(vendor and brand words, memory sizes, power limits, partition modes), so
the rule is predictable and a name that fits no model, or more than one, is
reported instead of guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lockin.errors import UsageError, quote

__all__ = ["AcceleratorMatcher", "Match", "name_tokens"]

#: Words that say nothing about which part it is.
NOISE_WORDS = frozenset(
    "nvidia amd intel google habana instinct gpu gpus accelerator tensor core cores "
    "blackwell hopper ampere cdna cdna2 cdna3 cdna4 cloud hbm hbm2 hbm2e hbm3 hbm3e "
    "spx cpx dpx tpx qpx nps1 nps2 nps4 per chip the and with".split()
)

#: Tokens that name a form factor; two names that give different ones are
#: different parts (an H100 PCIe is not an H100 SXM).
FORM_FACTORS = frozenset({"sxm", "nvl", "pcie", "oam", "hgx", "dgx", "mezz"})

_TOKEN = re.compile(r"[a-z0-9]+")
_MEMORY = re.compile(r"^\d+(?:gb|g|gib|tb)$")
_POWER = re.compile(r"^\d+w$")
_COUNT = re.compile(r"^x\d+$|^\d+x$")


def name_tokens(name: str) -> frozenset[str]:
    """The distinguishing tokens of an accelerator name.

    Lower-cased alphanumeric runs, without :data:`NOISE_WORDS`, memory sizes
    (``192gb``), power limits (``750w``) and counts (``x8``). ``sxm5`` counts
    as ``sxm``, and a lone digit after ``gaudi`` or ``tpu`` joins it
    (``gaudi 3`` → ``gaudi3``).
    """
    words = _TOKEN.findall(name.lower())
    tokens: list[str] = []
    for word in words:
        if word.isdigit() and tokens and tokens[-1] in {"gaudi", "tpu"}:
            tokens[-1] += word
            continue
        if re.fullmatch(r"sxm\d", word):
            word = "sxm"
        if word in NOISE_WORDS or _MEMORY.match(word) or _POWER.match(word) or _COUNT.match(word):
            continue
        tokens.append(word)
    return frozenset(tokens)


@dataclass(frozen=True)
class Match:
    """The outcome of matching one name: ``model`` is None when none fits."""

    name: str
    model: str | None
    reason: str = ""
    assumed_form_factor: bool = False


class AcceleratorMatcher:
    """Matches free-form accelerator names to the models of a spec table.

    Parameters
    ----------
    spellings : iterable of (model, spelling)
        Each model's canonical name and its aliases.

    Notes
    -----
    A spelling fits a name when the spelling's tokens, form factors aside,
    are all in the name, and the name's form factors are all in the
    spelling. A name without a form factor ("H100") therefore fits the only
    H100 the table knows, and the match says the form factor was assumed;
    if the table knew two H100s, the name would be ambiguous and rejected.
    Among fitting models the one whose spelling has the most tokens wins
    ("GB200" rather than "B200"); in a tie, a spelling the table gives as it
    is (an alias "H100" on the SXM row) beats fits that assume a form
    factor, and any other tie is ambiguous.
    """

    def __init__(self, spellings: Iterable[tuple[str, str]]):
        self._keys: list[tuple[str, frozenset[str], frozenset[str]]] = []
        for model, spelling in spellings:
            tokens = name_tokens(spelling)
            if tokens:
                self._keys.append((model, tokens - FORM_FACTORS, tokens & FORM_FACTORS))
        self._cache: dict[str, Match] = {}

    @property
    def models(self) -> list[str]:
        return list(dict.fromkeys(model for model, _, _ in self._keys))

    def match(self, name: str) -> Match:
        """Match one name; never raises."""
        try:
            return self._cache[name]
        except KeyError:
            result = self._cache[name] = self._match(name)
            return result

    def _match(self, name: str) -> Match:
        if not name or not name.strip():
            return Match(name, None, "empty accelerator name")
        if _looks_mixed(name):
            return Match(name, None, "several accelerator types in one system; results cannot be attributed to one")
        tokens = name_tokens(name)
        core, forms = tokens - FORM_FACTORS, tokens & FORM_FACTORS
        fits: dict[str, tuple[int, bool]] = {}
        for model, key_core, key_forms in self._keys:
            if not key_core or not key_core <= core or not forms <= key_forms | _FORM_SYNONYMS.get(frozenset(key_forms), frozenset()):
                continue
            assumed = bool(key_forms) and not forms
            size = len(key_core) + len(key_forms & forms)
            best = fits.get(model)
            if best is None or (size, not assumed) > (best[0], not best[1]):
                fits[model] = (size, assumed)
        if not fits:
            return Match(name, None, f"matches no accelerator of the spec table ({', '.join(self.models)})")
        top = max(size for size, _ in fits.values())
        winners = sorted(model for model, (size, _) in fits.items() if size == top)
        spelled = [model for model in winners if not fits[model][1]]
        if len(winners) > 1 and len(spelled) == 1:
            # An alias written in the table ("H100" for the SXM part) beats
            # a form factor that would have to be assumed.
            winners = spelled
        if len(winners) > 1:
            return Match(name, None, f"ambiguous: fits {', '.join(winners)}; write the form factor (SXM, NVL, PCIe)")
        model = winners[0]
        return Match(name, model, assumed_form_factor=fits[model][1])

    def resolve(self, name: str) -> str:
        """The model for ``name``, or :class:`~lockin.errors.UsageError` (a ValueError) with the reason."""
        found = self.match(name)
        if found.model is None:
            raise UsageError(f"accelerator {quote(name)}: {found.reason}")
        return found.model


#: HGX and DGX boards carry SXM modules.
_FORM_SYNONYMS = {frozenset({"sxm"}): frozenset({"hgx", "dgx"})}


def _looks_mixed(name: str) -> bool:
    # MLPerf writes heterogeneous systems as "A (x32), B (x16)".
    return len(re.findall(r"\(x\d+\)", name)) > 1 or bool(re.search(r"\(x\d+\)\s*,", name))
