"""``podium contract``: evaluate a buyer-supplier contract against the integrated chain."""

from __future__ import annotations
