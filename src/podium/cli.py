"""The ``podium`` command: the platform's commands here, each discipline's from its own cli.py."""

from __future__ import annotations

import secrets
import threading
import webbrowser
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from platformdirs import user_data_dir
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.align import cli as align_cli
from podium.align import demo as align_demo
from podium.core.auth import Role, add_user, issue_token, principal_of
from podium.core.clikit import cli_session, cli_settings, console, use_database
from podium.core.db import make_engine, session_factory, unit_of_work, upgrade_database
from podium.core.settings import Settings
from podium.ecosystem import cli as ecosystem_cli
from podium.ecosystem.models import Actor
from podium.govern import cli as govern_cli
from podium.govern import demo as govern_demo
from podium.integrate import cli as integrate_cli
from podium.integrate import demo as integrate_demo
from podium.learn import cli as learn_cli
from podium.learn import demo as learn_demo
from podium.mapping import cli as mapping_cli

app = typer.Typer(
    help="Podium: orchestrate the ecosystem your operations depend on.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
user_app = typer.Typer(help="Manage users and their API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
ecosystem_cli.register(app)
mapping_cli.register(app)
integrate_cli.register(app)
govern_cli.register(app)
learn_cli.register(app)
align_cli.register(app)


@app.callback()
def main(
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            envvar="PODIUM_DATABASE_URL",
            help="Database URL (default: a SQLite file in your data folder).",
        ),
    ] = None,
) -> None:
    """Podium: map, align, govern, integrate and learn from your ecosystem.

    Example: [bold]podium demo[/bold]
    """
    use_database(database)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the console and the API over the configured database (migrated first).

    Example: PODIUM_DATABASE_URL=postgresql+psycopg://podium@localhost/podium podium serve
    """
    settings = cli_settings()
    upgrade_database(settings.database_url)
    _run_server(settings, host, port)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open a browser.")
    ] = False,
    folder: Annotated[
        Path | None, typer.Option(help="Where to keep the demo database (default: data folder).")
    ] = None,
) -> None:
    """Load the three sample ecosystems into a fresh SQLite database and serve the console.

    Example: podium demo --port 8080 --no-browser
    """
    folder = folder or Path(user_data_dir("podium", appauthor=False)) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("podium-demo.db*"):
        old.unlink()
    settings = Settings(database_url=f"sqlite:///{folder / 'podium-demo.db'}")
    names, logins = _seed_demo(settings.database_url)
    _print_demo(stored_names=names, logins=logins, port=port, database_url=settings.database_url)
    if not no_browser:
        threading.Timer(1.5, webbrowser.open, args=(f"http://127.0.0.1:{port}/",)).start()
    _run_server(settings, "127.0.0.1", port)


@dataclass(frozen=True)
class DemoLogin:
    """A demo user's sign-in and API token, printed once."""

    username: str
    password: str
    role: str
    token: str


def _seed_demo(url: str) -> tuple[list[str], list[DemoLogin]]:
    """Migrate ``url``, load the samples, add an admin and a partner admin with new passwords,
    and the partner data they would have exchanged."""
    from podium.ecosystem.formats import read_path
    from podium.ecosystem.service import import_spec
    from podium.samples import SAMPLES

    upgrade_database(url)
    engine = make_engine(url)
    logins: list[DemoLogin] = []
    with unit_of_work(session_factory(engine)) as session:
        stored = {
            name: import_spec(session=session, spec=read_path(path))
            for name, path in SAMPLES.items()
        }
        partner_eco = stored["manufacturer"].id
        principals = {}
        for username, role in (("admin", Role.ADMIN), ("partner", Role.PARTNER_ADMIN)):
            actor = _demo_partner(session, partner_eco) if role is Role.PARTNER_ADMIN else None
            password = secrets.token_urlsafe(9)
            user = add_user(
                session=session,
                username=username,
                password=password,
                role=role,
                partner_ecosystem_id=partner_eco if actor else None,
                partner_actor=actor,
            )
            described = role.value + (f" of {actor} (manufacturer)" if actor else "")
            token = issue_token(session=session, user=user, name="demo")
            logins.append(DemoLogin(username, password, described, token))
            principals[role] = principal_of(user)
        for seed in (integrate_demo.seed, govern_demo.seed):
            seed(
                session=session,
                ecosystem=stored["manufacturer"],
                orchestrator=principals[Role.ADMIN],
                partner=principals[Role.PARTNER_ADMIN],
                today=date.today(),
            )
        learn_demo.seed(
            session=session,
            ecosystem=stored["manufacturer"],
            orchestrator=principals[Role.ADMIN],
            today=date.today(),
        )
        align_demo.seed(
            session=session,
            ecosystem=stored["manufacturer"],
            orchestrator=principals[Role.ADMIN],
            today=date.today(),
        )
    engine.dispose()
    return list(stored), logins


def _demo_partner(session: Session, ecosystem_id: int) -> str:
    """Pick the first partner supplier of an ecosystem for the demo partner user."""
    key = session.scalar(
        select(Actor.key)
        .where(
            Actor.ecosystem_id == ecosystem_id,
            Actor.ecosystem_role == "partner",
            Actor.kind == "supplier",
        )
        .order_by(Actor.id)
    )
    if key is None:
        raise typer.BadParameter("the sample has no partner supplier")
    return key


def _print_demo(
    *, stored_names: list[str], logins: list[DemoLogin], port: int, database_url: str
) -> None:
    table = Table(title="Sign in with", show_lines=False)
    for column in ("user", "password", "role"):
        table.add_column(column)
    for login in logins:
        table.add_row(login.username, login.password, login.role)
    console.print(f"[green]Loaded ecosystems:[/green] {', '.join(stored_names)}")
    console.print(table)
    for login in logins:
        console.print(f"API token of {login.username}: {login.token}", soft_wrap=True)
    console.print(
        f"Console: [bold]http://127.0.0.1:{port}/[/bold]   API: http://127.0.0.1:{port}/api/v1/"
    )
    console.print(f"CLI on this database: podium --database {database_url} ...", soft_wrap=True)
    console.print("Stop with Ctrl+C.")


def _run_server(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from podium.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[Role, typer.Option(help="Role of the user.")] = Role.ANALYST,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Password.")
    ] = "",
    ecosystem: Annotated[
        str | None, typer.Option(help="Partner roles: the ecosystem of the partner actor.")
    ] = None,
    actor: Annotated[
        str | None, typer.Option(help="Partner roles: the partner actor's id.")
    ] = None,
    token: Annotated[bool, typer.Option(help="Also issue an API token and print it once.")] = False,
) -> None:
    """Add a user (partner roles are bound to one actor of one ecosystem).

    Example: podium user add ana --role partner_user --ecosystem manufacturer --actor castco-pl
    """
    from podium.ecosystem.service import get_ecosystem

    with cli_session() as session:
        eco_id = get_ecosystem(session=session, name=ecosystem).id if ecosystem else None
        user = add_user(
            session=session,
            username=username,
            password=password,
            role=role,
            partner_ecosystem_id=eco_id,
            partner_actor=actor,
        )
        issued = issue_token(session=session, user=user) if token else None
    console.print(f"Added user [bold]{username}[/bold] ({role.value}).")
    if issued:
        console.print(f"API token (shown once): {issued}")


@user_app.command("token")
def user_token(
    username: Annotated[str, typer.Argument(help="Login name.")],
    name: Annotated[str, typer.Option(help="A label for the token.")] = "api",
) -> None:
    """Issue an API token for a user and print it once.

    Example: podium user token ana --name erp-sync
    """
    from podium.core.auth import get_user

    with cli_session() as session:
        issued = issue_token(
            session=session, user=get_user(session=session, username=username), name=name
        )
    console.print(issued)
