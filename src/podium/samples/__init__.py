"""Sample ecosystems (YAML) for ``podium demo``, the documentation and the tests.

- ``manufacturer``: an e-axle maker with long qualification cycles, two or three supplier tiers,
  alternates for some parts and not others, and a hidden sub-tier concentration.
- ``retailer``: a retailer whose regional carriers and 3PL warehouses join a visibility platform.
- ``industrial_park``: tenants, data centres and a utility sharing one constrained substation.

Each is an authored file with a comment header describing its case; load one with
``podium.load(sample_path("retailer"))``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["SAMPLES", "sample_path"]

_NAMES = ("manufacturer", "retailer", "industrial_park")


def sample_path(name: str) -> Path:
    """Return the path of the sample called ``name``; raise ``KeyError`` for an unknown one."""
    if name not in _NAMES:
        raise KeyError(f"unknown sample {name!r}; the samples are {', '.join(_NAMES)}")
    return Path(str(files(__name__).joinpath(f"{name}.yaml")))


SAMPLES: dict[str, Path] = {name: sample_path(name) for name in _NAMES}
"""Sample name -> path of its YAML file."""
