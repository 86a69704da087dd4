"""Time one benchmark step of two git revisions in the same run, alternating, and print the ratio.

Each revision is checked out into a temporary worktree that uses this
checkout's virtualenv; the step is each revision's own
`bench/import_export.py --steps a` (our import) unless told otherwise.
Runs alternate (A, B, A, B, ...) so that load on the machine falls on both.

    .venv/bin/python bench/compare_revisions.py 5251c39 HEAD --rows 20000 --runs 3
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(
    r"^\((?P<step>[a-f])\)\s.*?(?P<seconds>[\d.]+) s\s+(?P<rate>\d+) rows/s\s+peak\s+(?P<mb>\d+) MB"
)


def checkout(revision: str, folder: Path) -> Path:
    """Check `revision` out into `folder` as a detached worktree with this checkout's venv."""
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(folder), revision],
        check=True,
    )
    (folder / ".venv").symlink_to(ROOT / ".venv")
    return folder


def run_step(tree: Path, *, rows: int, step: str) -> tuple[float, float]:
    """Run the benchmark step in `tree`; return (seconds, peak MB)."""
    output = subprocess.run(
        [
            str(ROOT / ".venv/bin/python"),
            "bench/import_export.py",
            "--rows",
            str(rows),
            "--steps",
            step,
        ],
        cwd=tree,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for line in output.splitlines():
        match = LINE.match(line.strip())
        if match and match["step"] == step:
            return float(match["seconds"]), float(match["mb"])
    sys.exit(f"no result line for step ({step}) in:\n{output}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("head")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--step", default="a", help="the import_export.py step (a: our import)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crm-compare-") as scratch:
        trees = {
            name: checkout(revision, Path(scratch) / name)
            for name, revision in (("base", args.base), ("head", args.head))
        }
        try:
            times: dict[str, list[float]] = {"base": [], "head": []}
            peaks: dict[str, list[float]] = {"base": [], "head": []}
            for run in range(args.runs):
                order = ("base", "head") if run % 2 == 0 else ("head", "base")
                for name in order:
                    seconds, peak = run_step(trees[name], rows=args.rows, step=args.step)
                    times[name].append(seconds)
                    peaks[name].append(peak)
                    print(
                        f"run {run + 1} {name:<4} {seconds:7.2f} s  peak {peak:5.0f} MB", flush=True
                    )
        finally:
            for tree in trees.values():
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                    check=False,
                )
    base, head = statistics.median(times["base"]), statistics.median(times["head"])
    print(
        f"\nstep ({args.step}), {args.rows} rows, {args.runs} runs each, medians: "
        f"{args.base} {base:.2f} s (spread {min(times['base']):.2f}–{max(times['base']):.2f}), "
        f"{args.head} {head:.2f} s (spread {min(times['head']):.2f}–{max(times['head']):.2f}); "
        f"head / base = {head / base:.2f}; "
        f"peak memory {max(peaks['base']):.0f} vs {max(peaks['head']):.0f} MB"
    )


if __name__ == "__main__":
    main()
