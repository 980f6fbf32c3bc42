"""Container image references, spelled one way whichever reader found them.

:func:`normalise_image` turns ``docker.io/library/Ubuntu:22.04@sha256:…``
and its variants into the ``name:tag`` form that
``docs/evidence-names.md`` fixes for ``image`` evidence.

It is apart from the Dockerfile reader because the Kubernetes and SBOM
readers name images too, and the catalog matches an image only if
every reader spells it the same way.
"""

from __future__ import annotations

__all__ = ["normalise_image"]

def normalise_image(reference: str) -> tuple[str, str]:
    """Name and tag of an image reference, per docs/evidence-names.md.

    ``docker.io/library/Ubuntu:22.04@sha256:…`` gives
    ``("ubuntu:22.04", "22.04")``; a reference without a tag gets
    ``latest``; a registry port (``host:5000/x``) is not mistaken for a tag.
    Credentials written before the registry (``user:pass@host/x``, which
    some manifests carry though Docker rejects it) are dropped.
    """
    ref = reference.strip().lower()
    userinfo, at, rest = ref.partition("@")
    if at and "/" not in userinfo and "/" in rest:
        ref = rest  # 'user:pass@registry/img', not 'img@sha256:…'
    ref = ref.split("@", 1)[0]
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix) :]
            break
    ref = ref.removeprefix("library/")
    last_slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > last_slash:
        repository, tag = ref[:colon], ref[colon + 1 :]
    else:
        repository, tag = ref, ""
    tag = tag or "latest"
    return f"{repository}:{tag}", tag
