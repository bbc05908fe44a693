"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 08:11:16.188488

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "ecosystems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("schema_version", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ecosystems")),
        sa.UniqueConstraint("name", name=op.f("uq_ecosystems_name")),
    )
    op.create_table(
        "actors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("ecosystem_role", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=80), nullable=True),
        sa.Column("region", sa.String(length=120), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ecosystem_id"],
            ["ecosystems.id"],
            name=op.f("fk_actors_ecosystem_id_ecosystems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actors")),
        sa.UniqueConstraint("ecosystem_id", "key", name=op.f("uq_actors_ecosystem_id_key")),
    )
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actors_ecosystem_id"), ["ecosystem_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actors_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_actors_region"), ["region"], unique=False)

    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("family", sa.Text(), nullable=True),
        sa.Column("demand_per_day", sa.Float(), nullable=True),
        sa.Column("demand_std_per_day", sa.Float(), nullable=True),
        sa.Column("unit_price", sa.Float(), nullable=True),
        sa.Column("unit_cost", sa.Float(), nullable=True),
        sa.Column("unit_profit", sa.Float(), nullable=True),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ecosystem_id"],
            ["ecosystems.id"],
            name=op.f("fk_items_ecosystem_id_ecosystems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("ecosystem_id", "key", name=op.f("uq_items_ecosystem_id_key")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_items_ecosystem_id"), ["ecosystem_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_kind"), ["kind"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("partner_ecosystem_id", sa.Integer(), nullable=True),
        sa.Column("partner_actor", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_ecosystem_id"],
            ["ecosystems.id"],
            name=op.f("fk_users_partner_ecosystem_id_ecosystems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_tokens_digest")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=True),
        sa.Column("share", sa.Float(), nullable=True),
        sa.Column("capacity_per_day", sa.Float(), nullable=True),
        sa.Column("lead_time_days", sa.Float(), nullable=True),
        sa.Column("ttr_days", sa.Float(), nullable=True),
        sa.Column("qualification_days", sa.Float(), nullable=True),
        sa.Column("alternates", sa.JSON(), nullable=False),
        sa.Column("spend_per_year", sa.Float(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ecosystem_id", "item"],
            ["items.ecosystem_id", "items.key"],
            name=op.f("fk_links_ecosystem_id_item_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ecosystem_id"],
            ["ecosystems.id"],
            name=op.f("fk_links_ecosystem_id_ecosystems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
        sa.UniqueConstraint("ecosystem_id", "key", name=op.f("uq_links_ecosystem_id_key")),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_links_ecosystem_id"), ["ecosystem_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_links_kind"), ["kind"], unique=False)
        batch_op.create_index("ix_links_source", ["ecosystem_id", "source"], unique=False)
        batch_op.create_index("ix_links_target", ["ecosystem_id", "target"], unique=False)

    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=80), nullable=True),
        sa.Column("region", sa.String(length=120), nullable=True),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("produces", sa.JSON(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ecosystem_id", "actor"],
            ["actors.ecosystem_id", "actors.key"],
            name=op.f("fk_sites_ecosystem_id_actor_actors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ecosystem_id"],
            ["ecosystems.id"],
            name=op.f("fk_sites_ecosystem_id_ecosystems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("ecosystem_id", "key", name=op.f("uq_sites_ecosystem_id_key")),
    )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sites_ecosystem_id"), ["ecosystem_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sites_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_sites_region"), ["region"], unique=False)

    op.create_table(
        "bom_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("parent", sa.String(length=200), nullable=False),
        sa.Column("child", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["ecosystem_id", "child"],
            ["items.ecosystem_id", "items.key"],
            name=op.f("fk_bom_lines_ecosystem_id_child_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ecosystem_id", "parent"],
            ["items.ecosystem_id", "items.key"],
            name=op.f("fk_bom_lines_ecosystem_id_parent_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ecosystem_id", "site"],
            ["sites.ecosystem_id", "sites.key"],
            name=op.f("fk_bom_lines_ecosystem_id_site_sites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ecosystem_id"],
            ["ecosystems.id"],
            name=op.f("fk_bom_lines_ecosystem_id_ecosystems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bom_lines")),
    )
    with op.batch_alter_table("bom_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bom_lines_ecosystem_id"), ["ecosystem_id"], unique=False
        )

    op.create_table(
        "inventory_positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("on_hand", sa.Float(), nullable=False),
        sa.Column("safety_stock", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ecosystem_id", "item"],
            ["items.ecosystem_id", "items.key"],
            name=op.f("fk_inventory_positions_ecosystem_id_item_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ecosystem_id", "site"],
            ["sites.ecosystem_id", "sites.key"],
            name=op.f("fk_inventory_positions_ecosystem_id_site_sites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ecosystem_id"],
            ["ecosystems.id"],
            name=op.f("fk_inventory_positions_ecosystem_id_ecosystems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_positions")),
    )
    with op.batch_alter_table("inventory_positions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_positions_ecosystem_id"), ["ecosystem_id"], unique=False
        )

    op.create_table(
        "value_flows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("link", sa.String(length=200), nullable=True),
        sa.Column("created", sa.Float(), nullable=False),
        sa.Column("captured", sa.Float(), nullable=False),
        sa.Column("risk_borne", sa.Float(), nullable=False),
        sa.Column("invested", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ecosystem_id", "actor"],
            ["actors.ecosystem_id", "actors.key"],
            name=op.f("fk_value_flows_ecosystem_id_actor_actors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ecosystem_id", "link"],
            ["links.ecosystem_id", "links.key"],
            name=op.f("fk_value_flows_ecosystem_id_link_links"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ecosystem_id"],
            ["ecosystems.id"],
            name=op.f("fk_value_flows_ecosystem_id_ecosystems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_value_flows")),
    )
    with op.batch_alter_table("value_flows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_value_flows_ecosystem_id"), ["ecosystem_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("value_flows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_value_flows_ecosystem_id"))

    op.drop_table("value_flows")
    with op.batch_alter_table("inventory_positions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_positions_ecosystem_id"))

    op.drop_table("inventory_positions")
    with op.batch_alter_table("bom_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bom_lines_ecosystem_id"))

    op.drop_table("bom_lines")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sites_region"))
        batch_op.drop_index(batch_op.f("ix_sites_kind"))
        batch_op.drop_index(batch_op.f("ix_sites_ecosystem_id"))

    op.drop_table("sites")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index("ix_links_target")
        batch_op.drop_index("ix_links_source")
        batch_op.drop_index(batch_op.f("ix_links_kind"))
        batch_op.drop_index(batch_op.f("ix_links_ecosystem_id"))

    op.drop_table("links")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    op.drop_table("users")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_items_kind"))
        batch_op.drop_index(batch_op.f("ix_items_ecosystem_id"))

    op.drop_table("items")
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actors_region"))
        batch_op.drop_index(batch_op.f("ix_actors_kind"))
        batch_op.drop_index(batch_op.f("ix_actors_ecosystem_id"))

    op.drop_table("actors")
    op.drop_table("ecosystems")
