"""API schemas of the ecosystem routes: ``XCreate`` bodies, ``XUpdate`` patches, ``XRead`` answers.

Create and read models are the spec's own entities (one definition of a field, its type and its
limits). Update models are derived from them with every field optional and ``id`` left out (an id
never changes). List queries are models too, so that each collection documents exactly the filters
it has and refuses unknown query parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from podium.ecosystem import spec

T = TypeVar("T")

ImportFormat = Literal["yaml", "json", "xlsx", "scml"]
"""Formats an uploaded file may have (a CSV ecosystem is a folder: use the CLI)."""
ExportFormat = Literal["yaml", "json", "xlsx", "graphml"]
"""Formats an ecosystem downloads as."""


class Page(BaseModel, Generic[T]):
    """One page of a listing; pass ``next_cursor`` as ``cursor`` for the next (null at the end)."""

    items: list[T]
    next_cursor: str | None = None


# --- ecosystems -----------------------------------------------------------------------------------


class EcosystemCreate(spec.EcosystemSpec):
    """A whole ecosystem in the YAML/JSON layout."""


class EcosystemRead(BaseModel):
    """A stored ecosystem and the number of entities per section the caller may see."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    title: str | None = None
    description: str | None = None
    currency: str
    schema_version: str
    created_at: datetime
    updated_at: datetime
    counts: dict[str, int] = Field(default_factory=dict)

    @field_validator("created_at", "updated_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        """Stored times are UTC; SQLite returns them without a zone."""
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EcosystemUpdate(BaseModel):
    """Changes to an ecosystem's title, description or currency."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    description: str | None = None
    currency: str | None = Field(default=None, min_length=3, max_length=3)


# --- entities -------------------------------------------------------------------------------------


def partial_model(model: type[BaseModel], name: str) -> type[BaseModel]:
    """Return a model with ``model``'s fields but ``id``, each optional with default None."""
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        if field_name == "id":
            continue
        annotation: Any = info.annotation
        optional = info.merge_field_infos(info, default=None, default_factory=None)
        fields[field_name] = (annotation | None, optional)
    return create_model(
        name,
        __config__=ConfigDict(extra="forbid"),
        __doc__=f"Changes to one {model.__name__.lower()}: only the fields sent change.",
        __module__=__name__,
        **fields,
    )


class ActorCreate(spec.Actor):
    """An actor to add."""


class ActorRead(spec.Actor):
    """An actor as stored."""


class SiteCreate(spec.Site):
    """A site to add; its actor must exist."""


class SiteRead(spec.Site):
    """A site as stored."""


class ItemCreate(spec.Item):
    """An item to add."""


class ItemRead(spec.Item):
    """An item as stored."""


class LinkCreate(spec.Link):
    """A link to add; its source, target, item and alternates must exist."""


class LinkRead(spec.Link):
    """A link as stored."""


ActorUpdate = partial_model(spec.Actor, "ActorUpdate")
SiteUpdate = partial_model(spec.Site, "SiteUpdate")
ItemUpdate = partial_model(spec.Item, "ItemUpdate")
LinkUpdate = partial_model(spec.Link, "LinkUpdate")


class ListQuery(BaseModel):
    """Paging of a listing: ``limit`` rows after ``cursor``."""

    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(default=None, description="next_cursor of the previous page")
    limit: int | None = Field(default=None, ge=1, description="rows per page (server default)")


class ActorQuery(ListQuery):
    """Actors filtered by kind, region and supply tier."""

    kind: spec.ActorKind | None = None
    region: str | None = None
    tier: int | None = Field(default=None, ge=0, description="supply tier (0 = orchestrator)")


class SiteQuery(ActorQuery):
    """Sites filtered by kind, region, supply tier and actor."""

    kind: spec.SiteKind | None = None  # type: ignore[assignment]
    actor: str | None = Field(default=None, description="sites of this actor")


class ItemQuery(ListQuery):
    """Items filtered by kind."""

    kind: spec.ItemKind | None = None


class LinkQuery(ListQuery):
    """Links filtered by kind and by a node they touch."""

    kind: spec.LinkKind | None = None
    node: str | None = Field(default=None, description="links from or to this actor or site")


@dataclass(frozen=True)
class Collection:
    """The schemas of one entity collection (``section`` is its name in the spec and URL)."""

    section: str
    singular: str
    create: type[BaseModel]
    update: type[BaseModel]
    read: type[BaseModel]
    page: type[BaseModel]
    query: type[ListQuery]


COLLECTIONS = (
    Collection("actors", "actor", ActorCreate, ActorUpdate, ActorRead, Page[ActorRead], ActorQuery),
    Collection("sites", "site", SiteCreate, SiteUpdate, SiteRead, Page[SiteRead], SiteQuery),
    Collection("items", "item", ItemCreate, ItemUpdate, ItemRead, Page[ItemRead], ItemQuery),
    Collection("links", "link", LinkCreate, LinkUpdate, LinkRead, Page[LinkRead], LinkQuery),
)
