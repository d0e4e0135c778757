"""`ortbot shell`: the registration conversation through stdin and stdout."""

from __future__ import annotations

import io

from sqlalchemy import select

from bot.cli import main
from bot.commands.errors import CommandError
from bot.commands.shell import run_shell
from storage.models import Document, Registration
from tests.flows.conftest import APPLICANT_PHONE, add_grant


async def test_shell_answers_by_number_text_and_file_path(settings, database, secret_box, tmp_path):
    await add_grant(database, secret_box, 2026)
    script = "\n".join(
        [
            "2",  # Русский
            "2",  # not a student
            "20509200712345",
            "1",  # the PIN's gender and birth date are right
            "AN1234567",
            "Бишкек",
            "Бишкек",
            "Чуй 1",
            "1",  # skip the extra phone
            "3, 5",  # mandatory tests are 1 and 2: math and chemistry
            "11",  # done
            "/status",
            "/quit",
        ]
    )
    out = io.StringIO()
    code = await run_shell(settings, APPLICANT_PHONE, stdin=io.StringIO(script), stdout=out)
    assert code == 0
    text = out.getvalue()
    assert "1) Кыргызча" in text and "[x] Основной тест" in text
    assert "[x] Математика" in text and "[x] Химия" in text
    assert "Шаг 3" in text and "Шаг 4: Документы — не заполнен" in text
    async with database.session() as s:
        registration = await s.scalar(select(Registration))
    assert registration.answers["subjects"] == ["math", "chemistry"]


async def test_shell_sends_a_photo_given_by_path(settings, database, secret_box, tmp_path):
    from PIL import Image

    await add_grant(database, secret_box, 2026)
    async with database.session() as s:
        registration = Registration(grant_id=1, campaign_year=2026, language="ru")
        registration.answers = {
            "is_student": False, "pin": "20509200712345", "pin_gender": "male",
            "pin_birth_date": "2007-09-05", "personal_confirm": True, "gender": "male",
            "birth_date": "2007-09-05", "passport": "AN1234567", "city": "Бишкек",
            "village": "Бишкек", "street": "Чуй 1", "extra_phone": None, "subjects": [],
            "test_language": "ru",
        }  # fmt: skip
        s.add(registration)
    path = tmp_path / "passport.png"
    Image.new("RGB", (1000, 700), (200, 180, 150)).save(path)
    script = f"2\n{path}\n/quit\n"  # Русский, then the passport
    out = io.StringIO()
    await run_shell(settings, APPLICANT_PHONE, stdin=io.StringIO(script), stdout=out)
    assert "обратной стороны" in out.getvalue(), out.getvalue()[-1500:]
    async with database.session() as s:
        document = await s.scalar(select(Document))
    assert (document.width, document.height) == (1000, 700)


async def test_shell_refuses_a_phone_without_grant(settings, database):
    out = io.StringIO()
    try:
        await run_shell(settings, "+996555999999", stdin=io.StringIO(""), stdout=out)
    except CommandError as exc:
        assert "no access grant" in str(exc)
    else:
        raise AssertionError("a phone without a grant was let in")


def test_bad_phone_is_a_one_line_error(capsys):
    assert main(["shell", "--phone", "12"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("ortbot shell:") and "\n" not in err
