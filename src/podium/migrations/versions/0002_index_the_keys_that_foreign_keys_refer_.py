"""index the keys that foreign keys refer by

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 08:59:48.695779

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("bom_lines", schema=None) as batch_op:
        batch_op.create_index("ix_bom_lines_child", ["ecosystem_id", "child"], unique=False)
        batch_op.create_index("ix_bom_lines_parent", ["ecosystem_id", "parent"], unique=False)
        batch_op.create_index("ix_bom_lines_site", ["ecosystem_id", "site"], unique=False)

    with op.batch_alter_table("inventory_positions", schema=None) as batch_op:
        batch_op.create_index("ix_inventory_positions_item", ["ecosystem_id", "item"], unique=False)
        batch_op.create_index("ix_inventory_positions_site", ["ecosystem_id", "site"], unique=False)

    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index("ix_links_item", ["ecosystem_id", "item"], unique=False)

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_index("ix_sites_actor", ["ecosystem_id", "actor"], unique=False)

    with op.batch_alter_table("value_flows", schema=None) as batch_op:
        batch_op.create_index("ix_value_flows_actor", ["ecosystem_id", "actor"], unique=False)
        batch_op.create_index("ix_value_flows_link", ["ecosystem_id", "link"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("value_flows", schema=None) as batch_op:
        batch_op.drop_index("ix_value_flows_link")
        batch_op.drop_index("ix_value_flows_actor")

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_index("ix_sites_actor")

    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index("ix_links_item")

    with op.batch_alter_table("inventory_positions", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_positions_site")
        batch_op.drop_index("ix_inventory_positions_item")

    with op.batch_alter_table("bom_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_bom_lines_site")
        batch_op.drop_index("ix_bom_lines_parent")
        batch_op.drop_index("ix_bom_lines_child")
