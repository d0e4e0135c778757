"""Campaign files: the 2027 draft is the default, 2026 still loads, `campaign check` judges."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from config.campaign import CAMPAIGNS_DIR, load_campaign, newest_campaign_file


def test_the_2027_draft_is_the_default_and_2026_still_loads() -> None:
    assert newest_campaign_file() == CAMPAIGNS_DIR / "2027.toml"
    draft = load_campaign()
    assert (draft.year, draft.draft) == (2027, True)
    assert draft.registration_opens.month == 2 and draft.registration_closes.month == 4
    assert not load_campaign(CAMPAIGNS_DIR / "2026.toml").draft
    assert not load_campaign(CAMPAIGNS_DIR / "demo.toml").draft


def test_check_prints_the_summary_of_a_good_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["campaign", "check", str(CAMPAIGNS_DIR / "2027.toml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "ОРТ-2027 / ЖРТ-2027 (year 2027): DRAFT, dates and fees not confirmed"
    assert out[1].startswith("window: 2027-02-17 .. 2027-04-01 (Asia/Bishkek)")
    assert out[2] == "mandatory tests (сом): main 470, state_language 470"
    assert out[-1].endswith("2027.toml: valid")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            ("registration_closes = 2027-04-01", "registration_closes = 2027-01-01"),
            "registration_closes is before registration_opens",
        ),
        (
            ("registration_closes", "registration_close"),
            "registration_closes: Field required (and 1 more)",
        ),
        (("\ndraft = true", "\ndraft = maybe"), "Invalid value"),
        (('code = "physics"', 'code = "math"'), "duplicate code in subjects"),
        (("fee = 470", 'fee = "free"'), "mandatory_tests.0.fee: Input should be a valid integer"),
    ],
)
def test_check_refuses_a_bad_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str], error: str
) -> None:
    text = (CAMPAIGNS_DIR / "2027.toml").read_text(encoding="utf-8")
    assert change[0] in text
    bad = tmp_path / "2027.toml"
    bad.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    assert main(["campaign", "check", str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("ortbot campaign: campaign file 2027.toml is not valid: ")
    assert error in captured.err and captured.err.count("\n") == 1


def test_check_of_a_missing_file_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["campaign", "check", "campaigns/2031.toml"]) == 1
    assert (
        capsys.readouterr().err == "ortbot campaign: campaign file not found: campaigns/2031.toml\n"
    )
