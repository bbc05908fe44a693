"""Podium: orchestrate the ecosystem a firm's operations depend on.

The Python API for analysts::

    import podium
    eco = podium.load("network.yaml")      # an EcosystemSpec (YAML, JSON, CSV folder, XLSX, SCML)
    graph = eco.to_networkx()
    report = podium.stress_test(eco, by="actor")   # TTR/TTS stress test, worst first
    findings = podium.analyze_structure(eco)       # SPOFs, concentration, hidden sub-tiers ...
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from podium.ecosystem.spec import EcosystemSpec

__version__ = "0.1.0"
__all__ = ["EcosystemSpec", "__version__", "analyze_structure", "load", "stress_test"]


def load(path: str | Path, *, format: str | None = None) -> EcosystemSpec:
    """Read and validate an ecosystem file or folder (format from the extension or contents)."""
    from podium.ecosystem.formats import read_path

    return read_path(Path(path), format=format)


def __getattr__(name: str) -> Any:
    """Import the analyses on first use, so ``import podium`` stays light."""
    if name == "stress_test":
        from podium.mapping.resilience import stress_test

        return stress_test
    if name == "analyze_structure":
        from podium.mapping.structure import analyze_structure

        return analyze_structure
    raise AttributeError(f"module 'podium' has no attribute {name!r}")
