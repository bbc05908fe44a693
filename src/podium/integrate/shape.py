"""The shape of a partner dataset: which fields are time, item, place, other dimensions, measures.

Agreements share a dataset at a granularity (raw, or aggregated to week or month, to item family,
to region); knowing each dataset's shape lets one aggregation serve every dataset.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """Roles of a dataset's fields for sharing and aggregation.

    ``time_field`` holds a date (the period start or the day of the record); ``item_field`` an
    item key (coarsened to its family); ``place_field`` a site key (coarsened to its region);
    ``dimensions`` are the other fields rows are grouped by when aggregated; ``measures`` are
    summed. Fields in none of these (free text, ids) cannot be aggregated and are dropped from
    aggregated reads.
    """

    time_field: str | None
    item_field: str | None
    place_field: str | None
    dimensions: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()

    @property
    def grouping(self) -> tuple[str, ...]:
        """Every field rows are grouped by when aggregated."""
        named = (self.time_field, self.item_field, self.place_field)
        return tuple(f for f in named if f is not None) + self.dimensions
