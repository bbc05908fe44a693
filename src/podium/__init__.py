"""Podium: orchestrate the ecosystem a firm's operations depend on.

The Python API for analysts::

    import podium
    eco = podium.load("network.yaml")      # an EcosystemSpec (YAML, JSON, CSV folder, XLSX, SCML)
    graph = eco.to_networkx()
"""

from __future__ import annotations

from pathlib import Path

from podium.ecosystem.spec import EcosystemSpec

__version__ = "0.1.0"
__all__ = ["EcosystemSpec", "__version__", "load"]


def load(path: str | Path, *, format: str | None = None) -> EcosystemSpec:
    """Read and validate an ecosystem file or folder (format from the extension or contents)."""
    from podium.ecosystem.formats import read_path

    return read_path(Path(path), format=format)
