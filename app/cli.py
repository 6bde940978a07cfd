"""Command-line tools of the floor: ``user create``, ``user reset-password``, ``outbox send``. Each feature adds its
own (``demo``, ``expire``, ``purge``, ``match``, ``badges``) in its ``init_app``."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from app.accounts.services import AccountError, create_user, set_new_password, user_by_email
from app.mail import send_pending


def register_commands(app: Flask) -> None:
    app.cli.add_command(user)
    app.cli.add_command(outbox)


@click.group()
def user() -> None:
    """Manage staff accounts."""


@user.command("create")
@click.argument("email")
@click.option("--name", default="")
@click.option("--admin", is_flag=True, help="Make an administrator.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def user_create(email: str, name: str, admin: bool, password: str) -> None:
    """Create a user (the first administrator: --admin)."""
    try:
        created = create_user(email, password, name=name, is_admin=admin)
    except AccountError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"created {'administrator' if created.is_admin else 'user'} {created.email}")


@user.command("reset-password")
@click.argument("email")
@click.option("--password", help="The new password (asked twice when not given).")
@with_appcontext
def user_reset_password(email: str, password: str | None) -> None:
    """Set a new password for an account; every signed-in session of it ends."""
    account = user_by_email(email)
    if account is None:  # before asking for a password that would go nowhere
        raise click.ClickException(f"There is no account with the e-mail address {email.strip()}.")
    if password is None:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        set_new_password(account, password, how="command line")
    except AccountError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"new password set for {account.email}; its sessions have ended")


@click.group()
def outbox() -> None:
    """The e-mail outbox."""


@outbox.command("send")
@with_appcontext
def outbox_send() -> None:
    """Send the e-mails that are due (retries included)."""
    total_sent = total_failed = 0
    while True:
        sent, failed = send_pending()
        total_sent, total_failed = total_sent + sent, total_failed + failed
        if sent + failed == 0:
            break
    click.echo(f"sent {total_sent}, failed {total_failed}")
