"""Command-line tools: ``flask --app wsgi demo``, ``user create``, ``user reset-password``, ``expire``,
``outbox send``."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(expire)
    app.cli.add_command(user)
    app.cli.add_command(outbox)
    from events.meetings.matching.cli import match
    app.cli.add_command(match)
    from badges.cli import badges_command
    app.cli.add_command(badges_command)
    from events.registration.privacy import purge_command
    app.cli.add_command(purge_command)


@click.command()
@click.option("--attendees", default=300, show_default=True, help="How many attendees to create.")
@with_appcontext
def demo(attendees: int) -> None:
    """Load the demo welcome days (idempotent). Development only: the demo accounts have published passwords."""
    from flask import current_app
    if current_app.config["APP_ENV"] != "development":
        raise click.ClickException("The demo creates accounts whose passwords are published in the README; it runs "
                                   "only in development (APP_ENV=development, as `make run` sets it).")
    from events.demo import load_demo
    summary = load_demo(attendees=attendees)
    click.echo(summary)


@click.command()
@with_appcontext
def expire() -> None:
    """Cancel registrations not confirmed in time and give their places to the waiting list."""
    from events.registration.services import expire_unconfirmed
    click.echo(f"expired {expire_unconfirmed()} registrations")


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
    from app.accounts.services import AccountError, create_user
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
    from app.accounts.services import AccountError, set_new_password, user_by_email
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
    from app.mail import send_pending
    total_sent = total_failed = 0
    while True:
        sent, failed = send_pending()
        total_sent, total_failed = total_sent + sent, total_failed + failed
        if sent + failed == 0:
            break
    click.echo(f"sent {total_sent}, failed {total_failed}")
