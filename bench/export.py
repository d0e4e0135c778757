"""Export 60,000 grants through `access.exports.export_grants`; compare with bare openpyxl.

Builds a temporary SQLite database with one district, 50 schools and N grants (core bulk
inserts), then measures, each in its own pass so tracemalloc does not skew the timing:

- rows/s of the real export (database stream + decrypting codes + links + xlsx),
- rows/s of a bare openpyxl write-only workbook writing the same cell values,
- the peak Python memory (tracemalloc) of each, and the ratios.

Usage: .venv/bin/python bench/export.py [--rows 60000]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
import time
import tracemalloc
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import insert

from access.exports import export_grants
from config.campaign import load_campaign
from config.settings import PROJECT_ROOT
from storage.credentials import SecretBox, new_access_code
from storage.database import Database
from storage.enums import GrantKind, Role
from storage.migrate import upgrade_head_async
from storage.models import AccessGrant, District, Oblast, Officer, School

SCHOOLS = 50


async def build(database: Database, rows: int, secret_box: SecretBox, year: int) -> Officer:
    async with database.session() as s:
        await s.execute(insert(Oblast).values(id=1, name="Чүй облусу"))
        await s.execute(insert(District).values(id=1, oblast_id=1, name="Сокулук району"))
        await s.execute(
            insert(School),
            [
                {"id": i, "code": f"{31000 + i}", "name": f"№{i} орто мектеп", "district_id": 1}
                for i in range(1, SCHOOLS + 1)
            ],
        )
        admin = Officer(
            role=Role.CENTRAL, phone="+996700000001", full_name="Бенч Админ", password_hash="x"
        )
        s.add(admin)
        await s.flush()
        batch = []
        for n in range(rows):
            code = new_access_code()
            batch.append(
                {
                    "campaign_year": year,
                    "kind": GrantKind.CURRENT,
                    "phone": f"+996555{n:06d}",
                    "full_name": f"Асанов Бакыт Уулу{n}",
                    "school_id": 1 + n % SCHOOLS,
                    "district_id": 1,
                    "checks": [],
                    "granted_by_id": admin.id,
                    "access_code_hash": secret_box.keyed_hash(code),
                    "access_code_encrypted": secret_box.encrypt(code),
                }
            )
            if len(batch) == 5_000:
                await s.execute(insert(AccessGrant), batch)
                batch = []
        if batch:
            await s.execute(insert(AccessGrant), batch)
    return admin


async def real_export(database, admin, campaign, secret_box) -> tuple[int, str]:
    out = io.BytesIO()
    async with database.session() as s:
        await export_grants(
            s,
            actor=admin,
            kind=GrantKind.CURRENT,
            campaign=campaign,
            secret_box=secret_box,
            out=out,
            language="ru",
            bot_username="ortkg_bot",
            whatsapp_number="whatsapp:+996700000999",
        )
    return len(out.getvalue()), "export_grants"


def baseline(rows: int) -> int:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Выпускники")
    sheet.append(["ФИО", "Телефон", "Код школы", "Код доступа", "Telegram", "WhatsApp"])
    for n in range(rows):
        code = "ABCD2345"
        sheet.append(
            [
                f"Асанов Бакыт Уулу{n}",
                f"+996 555 {n:06d}",
                f"{31001 + n % SCHOOLS}",
                code,
                f"https://t.me/ortkg_bot?start={code}",
                f"https://wa.me/996700000999?text={code}",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return len(out.getvalue())


async def measure(label: str, rows: int, run) -> tuple[float, float]:
    start = time.perf_counter()
    await run()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    await run()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{label:<22} {rows / seconds:>10,.0f} rows/s  {seconds:6.2f} s  peak {peak:7.1f} MiB")
    return seconds, peak


async def main(rows: int) -> None:
    secret_box = SecretBox("bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    campaign = load_campaign(PROJECT_ROOT / "campaigns" / "2026.toml")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await upgrade_head_async(url)
        database = Database.from_url(url)
        try:
            started = time.perf_counter()
            admin = await build(database, rows, secret_box, campaign.year)
            print(f"built {rows:,} grants in {time.perf_counter() - started:.1f} s")
            ours = await measure(
                "export_grants", rows, lambda: real_export(database, admin, campaign, secret_box)
            )

            async def bare() -> None:
                await asyncio.to_thread(baseline, rows)

            base = await measure("bare openpyxl", rows, bare)
        finally:
            await database.dispose()
    print(
        f"ratio (export / baseline): time {ours[0] / base[0]:.2f}x, peak memory "
        f"{ours[1] / base[1]:.2f}x"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60_000)
    asyncio.run(main(parser.parse_args().rows))
