"""Where a py-spy profile's samples went: the top functions by own and by inclusive samples.

    .venv/bin/python bench/profile_summary.py FILE     (py-spy record -f raw -o FILE ...)

py-spy's raw format is one line per distinct stack, ``frame;frame;...;frame COUNT``, root first;
a frame is ``function (file:line)``. Lines are grouped by function and file, not by line.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

LINE = re.compile(r":\d+\)$")


def frame_name(frame: str) -> str:
    name = LINE.sub(")", frame.strip())
    return name.replace(str(Path(sys.prefix)), "<venv>")


def summarise(text: str, title: str = "", top: int = 15) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [frame_name(f) for f in stack.split(";")]
        frames = [f for f in frames if not f.startswith(("process ", "thread "))] or ["?"]
        total += n
        own[frames[-1]] += n
        for f in set(frames):
            inclusive[f] += n
    if not total:
        return f"py-spy {title}: no samples"
    out = [f"py-spy {title}: {total} active samples; own time:"]
    out += [f"  {100 * n / total:5.1f} %  {f}" for f, n in own.most_common(top)]
    out.append("inclusive time:")
    out += [f"  {100 * n / total:5.1f} %  {f}" for f, n in inclusive.most_common(top)]
    return "\n".join(out)


if __name__ == "__main__":
    print(summarise(Path(sys.argv[1]).read_text(), sys.argv[1]))
