"""The ecosystem spec: the validated, storage-free description of one ecosystem.

An ecosystem is authored as YAML/JSON or as sheets, parsed into an :class:`EcosystemSpec`, stored in
the database and exported back without loss. This module is pure: plain pydantic models and checks.

Identifiers are short strings chosen by the author (``acme-plant-1``). Actors and sites share one
namespace (a link may connect either); items have their own.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1"

Identifier = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\s/]+$")]
NonNegative = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, le=1)]


class ActorKind(StrEnum):
    """What an organisation is to the ecosystem."""

    SUPPLIER = "supplier"
    CONTRACT_MANUFACTURER = "contract_manufacturer"
    MANUFACTURER = "manufacturer"
    RETAILER = "retailer"
    LOGISTICS = "logistics"
    PLATFORM = "platform"
    TECHNOLOGY = "technology"
    DATA_INTERMEDIARY = "data_intermediary"
    UTILITY = "utility"
    REGULATOR = "regulator"
    CERTIFICATION_BODY = "certification_body"
    FINANCIER = "financier"
    RESEARCH = "research"
    CUSTOMER = "customer"
    COMPLEMENTOR = "complementor"


class EcosystemRole(StrEnum):
    """The part an actor plays in orchestration."""

    ORCHESTRATOR = "orchestrator"
    PARTNER = "partner"
    PARTICIPANT = "participant"
    COMPLEMENTOR = "complementor"


class SiteKind(StrEnum):
    """The kind of facility."""

    PLANT = "plant"
    WAREHOUSE = "warehouse"
    DISTRIBUTION_CENTRE = "distribution_centre"
    PORT = "port"
    HUB = "hub"
    STORE = "store"
    DATA_CENTRE = "data_centre"
    SUBSTATION = "substation"
    POWER_PLANT = "power_plant"
    OFFICE = "office"
    LAB = "lab"
    MINE = "mine"
    FARM = "farm"


class ItemKind(StrEnum):
    """What flows along a link."""

    PART = "part"
    MATERIAL = "material"
    PRODUCT = "product"
    SERVICE = "service"
    ENERGY = "energy"
    DATA = "data"


class LinkKind(StrEnum):
    """The kind of dependency a link records."""

    SUPPLIES = "supplies"
    SHIPS = "ships"
    HOSTS_DATA = "hosts_data"
    POWERS = "powers"
    REGULATES = "regulates"
    FINANCES = "finances"
    SELLS_TO = "sells_to"


class _Entity(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False, validate_assignment=True)


class Actor(_Entity):
    """An organisation: supplier, platform, utility, regulator, customer, ..."""

    id: Identifier
    name: str = Field(min_length=1)
    kind: ActorKind
    ecosystem_role: EcosystemRole = EcosystemRole.PARTICIPANT
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 code")
    region: str | None = None
    description: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class Site(_Entity):
    """A facility of an actor, with its location."""

    id: Identifier
    actor: Identifier
    name: str = Field(min_length=1)
    kind: SiteKind = SiteKind.PLANT
    country: str | None = None
    region: str | None = None
    city: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    produces: list[Identifier] = Field(default_factory=list, description="item ids made here")
    attributes: dict[str, Any] = Field(default_factory=dict)


class Item(_Entity):
    """A part, product, service, energy or data that flows between sites."""

    id: Identifier
    name: str = Field(min_length=1)
    kind: ItemKind = ItemKind.PART
    unit: str = "unit"
    family: str | None = None
    demand_per_day: NonNegative | None = Field(default=None, description="units/day (products)")
    demand_std_per_day: NonNegative | None = None
    unit_price: NonNegative | None = Field(default=None, description="currency/unit")
    unit_cost: NonNegative | None = Field(default=None, description="currency/unit")
    unit_profit: float | None = Field(default=None, description="currency/unit (products)")
    critical: bool = False
    attributes: dict[str, Any] = Field(default_factory=dict)


class Link(_Entity):
    """A dependency between two actors or sites (``source`` serves ``target``)."""

    id: Identifier
    kind: LinkKind
    source: Identifier
    target: Identifier
    item: Identifier | None = None
    share: Fraction | None = Field(default=None, description="share of target's need, 0..1")
    capacity_per_day: NonNegative | None = Field(default=None, description="item units/day")
    lead_time_days: NonNegative | None = None
    ttr_days: NonNegative | None = Field(default=None, description="time to recover, days")
    qualification_days: NonNegative | None = Field(
        default=None, description="days to qualify a replacement source"
    )
    alternates: list[Identifier] = Field(
        default_factory=list, description="qualified alternate sources (actor or site ids)"
    )
    spend_per_year: NonNegative | None = Field(default=None, description="currency/year")
    attributes: dict[str, Any] = Field(default_factory=dict)


class BomLine(_Entity):
    """``parent`` needs ``quantity`` units of ``child`` per unit (at ``site`` only, if given)."""

    parent: Identifier
    child: Identifier
    quantity: Annotated[float, Field(gt=0)] = 1.0
    site: Identifier | None = None


class InventoryPosition(_Entity):
    """On-hand units of an item at a site."""

    site: Identifier
    item: Identifier
    on_hand: NonNegative
    safety_stock: NonNegative | None = None


class ValueFlow(_Entity):
    """Yearly value an actor (or a link) creates, captures, bears as risk and invests (currency)."""

    actor: Identifier | None = None
    link: Identifier | None = None
    created: float = 0.0
    captured: float = 0.0
    risk_borne: NonNegative = 0.0
    invested: NonNegative = 0.0
    note: str | None = None


ENTITY_SECTIONS: dict[str, type[_Entity]] = {
    "actors": Actor,
    "sites": Site,
    "items": Item,
    "links": Link,
    "bom": BomLine,
    "inventory": InventoryPosition,
    "value_flows": ValueFlow,
}


class EcosystemSpec(_Entity):
    """One ecosystem: an orchestrator's network, a business unit's, or a what-if copy."""

    schema_version: str = SCHEMA_VERSION
    name: Identifier
    title: str | None = None
    description: str | None = None
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    actors: list[Actor] = Field(default_factory=list)
    sites: list[Site] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    bom: list[BomLine] = Field(default_factory=list)
    inventory: list[InventoryPosition] = Field(default_factory=list)
    value_flows: list[ValueFlow] = Field(default_factory=list)

    def to_document(self) -> dict[str, Any]:
        """Return the spec as a plain dict in the YAML/JSON layout, defaults left out."""
        return self.model_dump(mode="json", exclude_defaults=True) | {
            "schema_version": self.schema_version,
            "name": self.name,
        }

    def to_networkx(self) -> Any:
        """Return the ecosystem as a ``networkx.MultiDiGraph`` (see ``ecosystem.graph``)."""
        from podium.ecosystem.graph import to_networkx

        return to_networkx(self)
