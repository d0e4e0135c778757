"""The officers' web after a week of use: confirmations, deactivation, readable history, texts."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from access.i18n import access_texts
from admin_web.i18n import WebTexts
from core.people import validate_full_name
from core.texts import conversation_texts
from office.outbound import responsible_officers
from storage.database import Database
from storage.models import AccessGrant, AuditEntry, Officer, Registration
from tests.factories import make_school
from tests.web.conftest import WebWorld, csrf_token, login


async def _code_hash(database: Database, grant_id: int) -> bytes | str:
    async with database.session() as s:
        return (await s.get(AccessGrant, grant_id)).access_code_hash


async def test_a_new_access_code_is_issued_only_once_confirmed(
    client: TestClient, web_world: WebWorld, database: Database
) -> None:
    await login(client, web_world.coordinator_a)
    grant = web_world.mzhb_a
    before = await _code_hash(database, grant.id)
    page = await (await client.get(f"/grants/{grant.id}/code")).text()
    assert "Эски код мындан ары иштебей калат" in page and grant.full_name in page
    token = await csrf_token(client, "/mzhb")
    # The old one-click POST only asks.
    asked = await client.post(f"/grants/{grant.id}/code", data={"csrf_token": token})
    assert asked.status == 200 and 'name="confirm"' in await asked.text()
    assert await _code_hash(database, grant.id) == before
    done = await client.post(
        f"/grants/{grant.id}/code", data={"csrf_token": token, "confirm": "yes"}
    )
    assert done.status == 200 and 'data-testid="access-code"' in await done.text()
    assert await _code_hash(database, grant.id) != before


async def test_the_level_above_deactivates_and_reactivates_an_officer(
    make_client, web_world: WebWorld, database: Database
) -> None:
    teacher = web_world.teacher_a
    teacher_client = await make_client()
    assert (await login(teacher_client, teacher)).status == 302
    assert (await teacher_client.get("/graduates", allow_redirects=False)).status == 200

    # Another district cannot touch the account.
    other = await make_client()
    await login(other, web_world.coordinator_b)
    token = await csrf_token(other, "/schools")
    refused = await other.post(
        f"/schools/{teacher.id}/active", data={"csrf_token": token, "active": "no"}
    )
    assert refused.status == 404

    coordinator = await make_client()
    await login(coordinator, web_world.coordinator_a)
    token = await csrf_token(coordinator, "/schools")
    page = await coordinator.post(
        f"/schools/{teacher.id}/active", data={"csrf_token": token, "active": "no"}
    )
    body = await page.text()
    assert page.status == 200 and "өчүрүлдү" in body and 'data-testid="inactive"' in body
    # The open session ended at once, and the password no longer opens the web.
    assert (await teacher_client.get("/graduates", allow_redirects=False)).status == 302
    assert (await login(await make_client(), teacher)).status != 302
    async with database.session() as s:
        officer = await s.get(Officer, teacher.id)
        assert officer.is_active is False
        entry = (
            await s.scalars(select(AuditEntry).where(AuditEntry.action == "officer.deactivate"))
        ).one()
        assert entry.actor_id == web_world.coordinator_a.id and entry.object_id == str(teacher.id)
        # Chat prompts about the school's entries go to active officers only.
        grant = await s.get(AccessGrant, web_world.graduate_a.id)
        registration = Registration(
            grant_id=grant.id, campaign_year=grant.campaign_year, answers={}, language="ky"
        )
        s.add(registration)
        await s.flush()
        await s.refresh(registration, ["grant"])
        assert teacher.id not in {o.id for o in await responsible_officers(s, registration)}

    await coordinator.post(
        f"/schools/{teacher.id}/active", data={"csrf_token": token, "active": "yes"}
    )
    assert (await login(await make_client(), teacher)).status == 302


async def test_the_admin_deactivates_a_district_coordinator(
    make_client, web_world: WebWorld, database: Database
) -> None:
    admin = await make_client()
    await login(admin, web_world.admin)
    token = await csrf_token(admin, "/coordinators")
    target = web_world.coordinator_b
    page = await admin.post(
        f"/coordinators/{target.id}/active", data={"csrf_token": token, "active": "no"}
    )
    assert page.status == 200
    assert (await login(await make_client(), target)).status != 302
    # A district coordinator cannot deactivate another district coordinator (403 by role).
    district = await make_client()
    await login(district, web_world.coordinator_a)
    district_token = await csrf_token(district, "/schools")
    denied = await district.post(
        f"/coordinators/{web_world.spare_coordinator.id}/active",
        data={"csrf_token": district_token, "active": "no"},
    )
    assert denied.status == 403


def test_a_name_refused_for_its_characters_says_so_not_too_long() -> None:
    assert validate_full_name("Иванов Иван Иванович 2 3").message_id == "error.name.letters"
    assert validate_full_name("Иванов Иван Иванович Петр Сидор").message_id == (
        "error.name.too_long"
    )


def test_the_password_state_has_one_wording_on_the_page_and_in_the_export() -> None:
    web = WebTexts.load(conversation_texts())
    for lang in ("ky", "ru"):
        page = web.text(lang, "officers.state.changed")
        export = access_texts().gettext(lang, "access.export.password_changed")
        assert page.casefold() == export.casefold()


async def test_sums_are_written_as_in_the_bot(
    client: TestClient, web_world: WebWorld, database: Database, filestore, campaign
) -> None:
    from tests.review.conftest import add_entry

    entry = await add_entry(database, filestore, web_world.mzhb_a, receipt="AB-1", amount=1410)
    assert campaign.money(1410, "ky") == "1 410 сом"
    await login(client, web_world.coordinator_a)
    page = await (await client.get(f"/review/{entry.id}")).text()
    assert "1 410 сом" in page and " 1410 " not in page
    payments = await (await client.get("/payments")).text()
    assert "1 410 сом" in payments


async def test_mzhb_is_explained_on_first_use_in_russian(
    client: TestClient, web_world: WebWorld
) -> None:
    await login(client, web_world.coordinator_a)
    token = await csrf_token(client, "/")
    await client.post("/language", data={"csrf_token": token, "lang": "ru", "next": "/"})
    home = await (await client.get("/")).text()
    assert "выпускников прошлых лет (МЖБ)" in home
    page = await (await client.get("/mzhb")).text()
    assert "<h1>Доступ для выпускников прошлых лет (МЖБ)</h1>" in page


async def test_the_audit_log_reads_as_sentences_with_names_and_filters(
    client: TestClient,
    web_world: WebWorld,
    database: Database,
    campaign,
    secret_box,
) -> None:
    from access.grant_lists import create_grants_bulk, parse_grant_list
    from access.officers import reset_password
    from storage.enums import GrantKind

    text = "phone,full name\n0555300001,Асанова Айпери\n0555300002,Мамытов Эрмек\n"
    report = parse_grant_list(text.encode(), "list.csv", kind=GrantKind.CURRENT)
    async with database.session() as s:
        teacher = await s.get(Officer, web_world.teacher_a.id)
        await create_grants_bulk(
            s,
            actor=teacher,
            kind=GrantKind.CURRENT,
            report=report,
            campaign=campaign,
            secret_box=secret_box,
        )
    # Two resets: the second one's "before" is what the first left (not assumed False).
    async with database.session() as s:
        coordinator = await s.get(Officer, web_world.coordinator_a.id)
        for _ in range(2):
            await reset_password(
                s, actor=coordinator, officer_id=web_world.teacher_a2.id, secret_box=secret_box
            )
    async with database.session() as s:
        resets = (
            await s.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "officer.reset_password")
                .order_by(AuditEntry.id)
            )
        ).all()
        assert [e.changes[0]["before"] for e in resets] == [False, True]

    async with database.session() as s:
        await make_school(s, "10103", web_world.district_a, "Кызыл-Суу орто мектеби")
    await login(client, web_world.coordinator_a)
    token = await csrf_token(client, "/schools")
    await client.post(
        "/schools",
        data={
            "csrf_token": token,
            "school": "10103",
            "phone": "0700 400 500",
            "full_name": "Алиева Салтанат Бакытовна",
        },
    )
    page = await (await client.get("/audit")).text()
    # One entry for the list, with its row count and a link to its rows.
    assert page.count('data-action="grant.create_list"') == 1
    assert "2 сап — тизмесин көрүү" in page
    # Sentences with names: the school by its code and name, not "school_id: — → 2".
    assert "Осмонов Талант Бекович колдонуучу түздү: Алиева Салтанат Бакытовна" in page
    assert "Мектеби: 10103 Кызыл-Суу орто мектеби" in page
    assert "must_change_password" not in page and "school_id" not in page
    assert "Кийинки киргенде паролду алмаштырышы керек: ооба → ооба" in page

    async with database.session() as s:
        listed = await s.scalar(select(AuditEntry).where(AuditEntry.action == "grant.create_list"))
    rows = await (await client.get(f"/audit/{listed.id}/rows")).text()
    assert "Асанова Айпери" in rows and "Мамытов Эрмек" in rows

    # Filters: by officer, action, date; search by a phone typed with its 0, or by a name.
    only_resets = await (
        await client.get("/audit", params={"action": "officer.reset_password"})
    ).text()
    assert only_resets.count('data-testid="audit-entry"') == 2
    by_teacher = await (
        await client.get("/audit", params={"officer": str(web_world.teacher_a.id)})
    ).text()
    assert by_teacher.count('data-testid="audit-entry"') == 1
    by_phone = await (await client.get("/audit", params={"q": "0700 400 500"})).text()
    assert by_phone.count('data-testid="audit-entry"') == 1 and "Алиева" in by_phone
    by_name = await (await client.get("/audit", params={"q": "алиева"})).text()
    assert by_name.count('data-testid="audit-entry"') == 1
    future = await (await client.get("/audit", params={"from": "2099-01-01"})).text()
    assert 'data-testid="audit-entry"' not in future
