"""``podium share``: share the cost or benefit of a joint investment among its players."""

from __future__ import annotations
