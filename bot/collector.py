"""The garbage collector's settings for a long-running server (`ortbot serve`).

Python's defaults suit short scripts. Under load they cost a server about a seventh of its CPU
(bench/load.py, closed loop: 0.6-0.7 s of collections in a 5-6 s run of 1,400 updates):
- every full collection walks everything startup loaded (modules, models, templates, the
  campaign: about 300,000 objects), 0.2-0.3 s a pass during which no turn runs;
- a young collection runs every 700 net new container objects (about every third update) and
  promotes the objects of every turn then in flight, which makes full collections frequent.

Refcounting frees almost everything a turn leaves behind; the collector is only needed for
reference cycles, which are few and small, so collecting less often costs little memory.
"""

from __future__ import annotations

import gc

# Net new container objects between young collections (default 700): tens of updates' worth,
# so a collection finds most of a turn's objects already freed instead of promoting them.
YOUNG_THRESHOLD = 20_000
# Young collections per middle one, middle ones per full one (defaults 10 and 10).
OLDER_THRESHOLDS = (20, 20)


def tune_for_serving() -> None:
    """Freeze what startup loaded out of the collector's passes and collect less often.

    Called once the server has started: what exists then lives as long as the process.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
