"""Photo checks against a plain Pillow decode of the same 12-megapixel JPEG.

    .venv/bin/python bench/photos.py [-n 15]

Makes a 4000x3000 JPEG (the test portrait enlarged, with sensor-like noise) in a temporary
directory, then measures:

- time: the median wall time (and process CPU time, which a busy machine disturbs less) of N
  runs of `analyse_upload(kind="face")` end to end (decode, re-encode,
  face checks, in its worker thread) and of ``Image.open(f).load()`` (a full decode), the two
  interleaved so that a busy machine slows both alike;
- memory: each measured once in a fresh subprocess, as the growth of the peak RSS (VmHWM, the
  figure ru_maxrss reports, read from /proc because ru_maxrss of a child also counts the parent
  it was forked from; everything, Pillow's and OpenCV's C allocations included) and as
  tracemalloc's peak (Python and NumPy allocations only: Pillow's image memory is not traced).

Target: the check costs no more than the full decode, and peak memory stays < 200 MB.

Then, in fresh subprocesses, six uploads at once through `analyse_upload(kind="passport")`, as
six applicants sending scans at the same moment would: six 36-megapixel PNGs (6000x6000, a few
hundred KB each: a memory attack, refused from their headers), then six 20-megapixel
PNGs (the largest PNG accepted, decoded in full). Each reports the process's peak RSS (VmHWM)
and its growth over the idle process; decodes wait for one of `DECODES_AT_ONCE` slots.
Target: peak under 300 MB. `--concurrent-only` runs just this part.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.photos import analyse_upload  # noqa: E402
from flows.photos.upload import DECODES_AT_ONCE  # noqa: E402

CONCURRENT_UPLOADS = 6

PORTRAIT = ROOT / "tests" / "data" / "astronaut.jpg"


def make_photo(path: Path) -> None:
    with Image.open(PORTRAIT) as im:
        big = im.convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC)
    pixels = np.asarray(big).astype(np.int16)
    pixels += np.random.default_rng(6).integers(-10, 11, pixels.shape, dtype=np.int16)
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, "JPEG", quality=92)


# One event loop for every run, as in the server: its worker threads, and the cascades each
# thread loads once, are kept between uploads.
LOOP = asyncio.new_event_loop()


def ours(data: bytes) -> None:
    analysis = LOOP.run_until_complete(analyse_upload(data, kind="face"))
    assert analysis.image is not None


def baseline(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as im:
        im.load()


def measure_memory(which: str, path: Path) -> dict[str, float]:
    """In this (fresh) process: the peak growth of running `which` once on the file."""
    data = path.read_bytes()
    run = ours if which == "ours" else baseline
    if which == "ours":  # load the cascades and other one-off state before the measurement
        run(ROOT.joinpath(PORTRAIT).read_bytes())
    before = peak_rss_kb()
    tracemalloc.start()
    run(data)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = peak_rss_kb()
    return {"rss_growth_mb": (after - before) / 1024, "traced_peak_mb": traced_peak / 2**20}


def peak_rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def big_png(seed: int, width: int, height: int) -> bytes:
    """An RGB PNG of smooth bands: tiny on the wire, 3 bytes a pixel once decoded."""
    band = np.linspace(0, 255, width, dtype=np.uint8)
    with Image.new("RGB", (width, height), (seed * 40, 200, 230)) as im:
        im.paste(Image.fromarray(np.tile(band, (64, 1))).convert("RGB"), (0, seed * 64))
        out = io.BytesIO()
        im.save(out, "PNG", compress_level=9)
    return out.getvalue()


def measure_concurrent(folder: Path) -> dict[str, float]:
    """In this (fresh) process: peak RSS while the PNGs of `folder` are analysed at once."""
    files = [path.read_bytes() for path in sorted(folder.glob("*.png"))]
    ours(ROOT.joinpath(PORTRAIT).read_bytes())  # cascades and worker threads, as in a server
    idle = current_rss_kb()

    async def together() -> list:
        return await asyncio.gather(*(analyse_upload(f, kind="passport") for f in files))

    Path("/proc/self/clear_refs").write_text("5")  # the peak mark counts the uploads only
    start = time.perf_counter()
    analyses = LOOP.run_until_complete(together())
    seconds = time.perf_counter() - start
    peak = peak_rss_kb()
    return {
        "file_kb": sum(len(f) for f in files) / len(files) / 1024,
        "accepted": sum(a.image is not None for a in analyses),
        "idle_mb": idle / 1024,
        "peak_mb": peak / 1024,
        "growth_mb": (peak - idle) / 1024,
        "seconds": seconds,
    }


def current_rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def memory_in_subprocess(which: str, path: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--memory", which, "--file", str(path)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def cpu_model() -> str:
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=15, help="runs of each, for the median time")
    parser.add_argument("--memory", choices=["ours", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--concurrent", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--concurrent-only", action="store_true", help="only the six concurrent uploads"
    )
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory:
        print(json.dumps(measure_memory(args.memory, args.file)))
        return
    if args.concurrent:
        print(json.dumps(measure_concurrent(args.file)))
        return
    if args.concurrent_only:
        print_concurrent()
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "12mp.jpg"
        make_photo(path)
        data = path.read_bytes()
        ours(data)  # warm-up: cascades loaded, code paths paged in
        baseline(data)
        times: dict[str, list[float]] = {"ours": [], "baseline": []}
        cpu: dict[str, list[float]] = {"ours": [], "baseline": []}
        for _ in range(args.n):
            for name, run in (("ours", ours), ("baseline", baseline)):
                start, start_cpu = time.perf_counter(), time.process_time()
                run(data)
                times[name].append(time.perf_counter() - start)
                cpu[name].append(time.process_time() - start_cpu)
        memory = {name: memory_in_subprocess(name, path) for name in ("ours", "baseline")}

    median = {name: statistics.median(values) * 1000 for name, values in times.items()}
    median_cpu = {name: statistics.median(values) * 1000 for name, values in cpu.items()}
    print(f"machine: {cpu_model()}, {len(__import__('os').sched_getaffinity(0))} cores")
    print(f"file: 4000x3000 JPEG, {len(data) / 2**20:.1f} MB; runs: {args.n} of each")
    print(f"{'':32} {'median ms':>10} {'CPU ms':>8} {'peak RSS +MB':>13} {'tracemalloc MB':>15}")
    labels = {"ours": "analyse_upload(kind='face')", "baseline": "Image.open().load()"}
    for name in ("ours", "baseline"):
        print(
            f"{labels[name]:32} {median[name]:10.1f} {median_cpu[name]:8.1f}"
            f" {memory[name]['rss_growth_mb']:13.1f}"
            f" {memory[name]['traced_peak_mb']:15.1f}"
        )
    print(
        f"ratio ours/baseline: time {median['ours'] / median['baseline']:.2f},"
        f" CPU {median_cpu['ours'] / median_cpu['baseline']:.2f}"
    )
    print_concurrent()


def print_concurrent() -> None:
    # (width, height): the attack of the issue (36 MP), and the largest PNG still accepted.
    for width, height in ((6000, 6000), (4600, 3450)):
        with tempfile.TemporaryDirectory() as tmp:
            for n in range(CONCURRENT_UPLOADS):
                Path(tmp, f"{n}.png").write_bytes(big_png(n, width, height))
            command = [sys.executable, __file__, "--concurrent", "--file", tmp]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        f = json.loads(output)
        print(
            f"{CONCURRENT_UPLOADS} concurrent {width * height / 1e6:.0f}-MP PNG uploads"
            f" ({f['file_kb']:.0f} KB each, {f['accepted']} accepted,"
            f" {DECODES_AT_ONCE} decodes at once): peak RSS {f['peak_mb']:.0f} MB"
            f" (idle {f['idle_mb']:.0f} MB, +{f['growth_mb']:.0f} MB), {f['seconds']:.1f} s"
        )
    print("goal: peak under 300 MB")


if __name__ == "__main__":
    main()
