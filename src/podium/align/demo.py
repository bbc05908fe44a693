"""Demo commercial agreements of the manufacturer sample's partners, for ``podium demo``.

Plausible terms with the usual mix: critical single-source suppliers still paid on unit price
under one-year terms (Jiangbei's magnets, Ansgar's gears), a cost-plus winding contract, carriers
measured on shipment cost, a wholesale-price power-module contract whose newsvendor terms show
double marginalisation, next to well-designed ones (Castelli's capacity reservation, Kinsei's
revenue sharing with data access). The misalignment list then has something to say.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from podium.align import service
from podium.align.models import CommercialAgreement
from podium.core.auth import Principal
from podium.ecosystem import models as eco

REQUEST_ID = "demo-align"
AGREEMENTS: tuple[dict[str, Any], ...] = (
    {"partner": "jiangbei", "contract_type": "wholesale", "metrics": ["unit_price"],
     "term_months": 12, "terms": {"wholesale": 38.5}, "note": "annual price round"},
    {"partner": "ansgar", "contract_type": "wholesale", "metrics": ["unit_price", "volume"],
     "term_months": 12, "terms": {"wholesale": 212.0}},
    {"partner": "voss", "contract_type": "cost_plus", "metrics": ["unit_price"],
     "term_months": 24, "terms": {"margin": 0.08}, "note": "open-book winding costs + 8%"},
    {"partner": "castelli", "contract_type": "capacity_reservation",
     "metrics": ["unit_price", "resilience", "otif"], "term_months": 36,
     "volume_commitment": 60000, "data_access": True, "preferred": True,
     "terms": {"wholesale": 64.0, "reservation": 6.5}},
    {"partner": "brzeg", "contract_type": "sales_rebate", "metrics": ["volume", "otif"],
     "term_months": 24, "volume_commitment": 30000, "terms": {"wholesale": 58.0, "rebate": 2.0}},
    {"partner": "velora", "contract_type": "wholesale", "metrics": ["unit_price", "otif"],
     "term_months": 36, "data_access": True,
     "terms": {"price": 420, "cost": 260, "salvage": 90, "wholesale": 350,
               "demand": "normal:30000:9000"},
     "note": "power modules for the season's inverter build"},
    {"partner": "kinsei", "contract_type": "revenue_sharing",
     "metrics": ["otif", "forecast_accuracy"], "term_months": 36, "data_access": True,
     "terms": {"share": 0.45}},
    {"partner": "novatec", "contract_type": "quantity_flexibility",
     "metrics": ["otif", "forecast_accuracy"], "term_months": 24,
     "terms": {"flexibility": 0.2}},
    {"partner": "meridian", "contract_type": "wholesale", "metrics": ["shipment_cost"],
     "term_months": 12},
    {"partner": "blue-anchor", "contract_type": "wholesale", "metrics": ["shipment_cost"],
     "term_months": 12},
)  # fmt: skip
"""The agreements declared (terms in EUR per unit; volume commitments in units per year)."""


def seed(
    *, session: Session, ecosystem: eco.Ecosystem, orchestrator: Principal, today: date
) -> list[CommercialAgreement]:
    """Declare the demo agreements, valid from a year before ``today`` for their term."""
    start = today - timedelta(days=365)
    data = [
        entry | {
            "valid_from": start.isoformat(),
            "valid_to": (start + timedelta(days=round(30.44 * entry["term_months"]))).isoformat(),
        }
        for entry in AGREEMENTS
    ]  # fmt: skip
    return service.save_agreements(
        session=session, ecosystem=ecosystem, principal=orchestrator, request_id=REQUEST_ID,
        data=data,
    )  # fmt: skip
