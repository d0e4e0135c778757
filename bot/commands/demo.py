"""`ortbot seed-demo`: a working demo on an empty development database (never in production).

Loads `samples/codifier.csv`, creates a demo admin, a district coordinator, a school
coordinator and two applicants' grants (one МЖБ, one current), then prints how to log in and
how to try the bot. Running it again changes nothing and prints the same.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from access import grants, officers
from access.codifier import find_school, import_codifier, parse_codifier
from bot.commands.accounts import fail, run_in_session
from bot.commands.errors import CommandError
from config.campaign import Campaign, load_campaign
from config.settings import PROJECT_ROOT, Settings, get_settings
from core.people import format_phone
from core.validation import Accepted, Rejected
from storage.credentials import SecretBox
from storage.enums import GrantKind, MzhbCheck, Role
from storage.models import AccessGrant, Officer

SAMPLE_CODIFIER = PROJECT_ROOT / "samples" / "codifier.csv"
ADMIN = ("+996700000001", "Демо Администратор Ббоубович")
DISTRICT = ("+996700000002", "Демо Координатор Районович", "11001")  # a school of the district
SCHOOL = ("+996700000003", "Демо Мугалим Мектепович", "11002")
MZHB_APPLICANT = ("+996700000010", "Демо Мурдагы Бүтүрүүчү", "9999")
CURRENT_APPLICANT = ("+996700000011", "Демо Быйылкы Бүтүрүүчү")


async def _officer(session: AsyncSession, phone: str) -> Officer | None:
    return await session.scalar(select(Officer).where(Officer.phone == phone))


def _accepted(result: Accepted | Rejected):  # noqa: ANN202 - Accepted's value, whatever it is
    if isinstance(result, Rejected):
        raise fail(result)
    return result.value


async def _seed(session: AsyncSession, secret_box: SecretBox, campaign: Campaign) -> list[str]:
    summary = await import_codifier(
        session, actor=None, report=parse_codifier(SAMPLE_CODIFIER.read_bytes(), "codifier.csv")
    )
    admin = (
        await _officer(session, ADMIN[0])
        or _accepted(
            await officers.create_admin(
                session, phone=ADMIN[0], full_name=ADMIN[1], secret_box=secret_box
            )
        ).officer
    )
    district_school = await find_school(session, DISTRICT[2])
    if district_school is None:
        raise CommandError(f"school {DISTRICT[2]} is missing from {SAMPLE_CODIFIER.name}")
    coordinator = (
        await _officer(session, DISTRICT[0])
        or _accepted(
            await officers.create_officer(
                session,
                actor=admin,
                role=Role.DISTRICT,
                phone=DISTRICT[0],
                full_name=DISTRICT[1],
                secret_box=secret_box,
                district_id=district_school.district_id,
            )
        ).officer
    )
    school = await find_school(session, SCHOOL[2])
    teacher = (
        await _officer(session, SCHOOL[0])
        or _accepted(
            await officers.create_officer(
                session,
                actor=coordinator,
                role=Role.SCHOOL,
                phone=SCHOOL[0],
                full_name=SCHOOL[1],
                secret_box=secret_box,
                school_id=school.id if school else None,
            )
        ).officer
    )
    applicants = [
        (coordinator, GrantKind.MZHB, MZHB_APPLICANT),
        (teacher, GrantKind.CURRENT, (*CURRENT_APPLICANT, None)),
    ]
    for actor, kind, (phone, name, code) in applicants:
        if await _grant(session, campaign, phone) is None:
            _accepted(
                await grants.create_grant(
                    session,
                    actor=actor,
                    kind=kind,
                    phone=phone,
                    full_name=name,
                    school_code=code,
                    checks=[c.value for c in MzhbCheck],
                    campaign=campaign,
                    secret_box=secret_box,
                )
            )
    lines = [
        f"Sample codifier: {summary.created} schools created, "
        f"{summary.updated + summary.unchanged} already there.",
        "Officers (login = phone):",
    ]
    for role, officer in (("admin", admin), ("district", coordinator), ("school", teacher)):
        password = officers.initial_password(officer, secret_box) or "(changed by its owner)"
        lines.append(f"  {role:<9}{format_phone(officer.phone):<18} password: {password}")
    lines.append(f"Applicants ({campaign.year}):")
    for phone, name, *_ in (MZHB_APPLICANT, CURRENT_APPLICANT):
        grant = await _grant(session, campaign, phone)
        code = grants.access_code(grant, secret_box) if grant else None
        lines.append(f"  {format_phone(phone):<18} {name:<30} access code: {code or '(used)'}")
    return lines


async def _grant(session: AsyncSession, campaign: Campaign, phone: str) -> AccessGrant | None:
    return await session.scalar(
        select(AccessGrant).where(
            AccessGrant.campaign_year == campaign.year, AccessGrant.phone == phone
        )
    )


def _channels(settings: Settings) -> list[str]:
    def state(enabled: bool, needs: str) -> str:
        return "on" if enabled else f"off (set {needs})"

    return [
        f"Telegram: {state(settings.telegram_enabled, 'TELEGRAM_BOT_TOKEN')}; "
        f"WhatsApp: {state(settings.whatsapp_enabled, 'TWILIO_* variables')}.",
        f"Try the bot in the terminal: {_campaign_prefix(settings)}"
        f"ortbot shell --phone {CURRENT_APPLICANT[0]}",
    ]


def _campaign_prefix(settings: Settings) -> str:
    """Name the seeded campaign for the shell: without CAMPAIGN it would open the newest year's."""
    if settings.campaign is None:
        return ""
    path = settings.campaign.resolve()
    shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
    return f"CAMPAIGN={shown} "


def _seed_demo(args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.is_production:
        raise CommandError("demo data is for development only; ORTBOT_ENV is production")
    campaign = load_campaign(settings.campaign)

    async def work(session: AsyncSession, secret_box: SecretBox, _: Settings) -> list[str]:
        return await _seed(session, secret_box, campaign)

    lines = run_in_session(work)
    web = settings.public_base_url or f"http://{settings.web_host}:{settings.web_port}"
    print(f"Officers' web: {web.rstrip('/')}/")
    print("\n".join(lines + _channels(settings)))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    sub.add_parser(
        "seed-demo", help="load sample schools, demo accounts and grants (development only)"
    ).set_defaults(handler=_seed_demo)
