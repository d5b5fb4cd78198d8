"""Command line: ``python -m minitorch {lessons, progress, own, build-lessons, grade, release, execute}``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _build_lessons(args: argparse.Namespace) -> int:
    from .course.lessons import build_lessons

    stale = build_lessons(Path(args.solutions), Path(args.lessons), check=args.check, only=args.notebooks)
    if args.check:
        if stale:
            print("lessons/ is out of date for: " + ", ".join(stale))
            print("run `python -m minitorch build-lessons` and commit the result")
            return 1
        print("lessons/ is in sync with solutions/")
        return 0
    print(f"wrote {len(stale)} lesson(s)" + (": " + ", ".join(stale) if stale else " (all up to date)"))
    return 0


def _grade(args: argparse.Namespace) -> int:
    from .course.grader import changed_files, fingerprint, format_table, grade_paths, report, write_atomically

    before = fingerprint()
    grades = grade_paths(args.paths, jobs=args.jobs, timeout=args.timeout, cell_timeout=args.cell_timeout,
                         test_timeout=args.test_timeout, memory_limit_mb=args.memory_limit)
    if not grades:
        print("no notebooks found in: " + " ".join(args.paths))
        return 1
    print(format_table(grades))
    changed = changed_files(before, fingerprint())
    if changed:
        print("WARNING: the course's own files changed while grading (restore them with git): " + ", ".join(changed))
    if args.json:
        data = {**report(grades), **({"repository_changed": changed} if changed else {})}
        try:
            write_atomically(Path(args.json), json.dumps(data, indent=2) + "\n")
        except OSError as e:
            print(f"cannot write {args.json}: {e}")
            return 1
        print(f"wrote {args.json}")
    return 3 if changed else 0


def _release(args: argparse.Namespace) -> int:
    from .course.release import release

    return release(Path(args.out))


def _execute(args: argparse.Namespace) -> int:
    from .course.run import execute_notebooks

    return execute_notebooks([Path(p) for p in args.notebooks], timeout=args.timeout)


def _own(args: argparse.Namespace) -> int:
    from .course import own

    folder = Path(args.folder) if args.folder else (Path("lessons") if Path("lessons").is_dir() else Path.cwd())
    print(own.status(folder) if args.switch == "status" else own.set_enabled(args.switch == "on", folder))
    return 0


def _progress(args: argparse.Namespace) -> int:
    from .course.progress import report

    folder = Path(args.folder) if args.folder else (Path("lessons") if Path("lessons").is_dir() else Path.cwd())
    print(report(folder))
    return 0


def _lessons(args: argparse.Namespace) -> int:
    from .course.materials import copy_lessons

    try:
        copied, kept = copy_lessons(Path(args.dir), force=args.force)
    except OSError as e:  # FileNotFoundError (a broken install) or an unwritable folder
        print(f"cannot copy the lessons: {e}")
        return 1
    print(f"copied {len(copied)} lesson(s) to {args.dir}" + (": " + ", ".join(copied) if copied else ""))
    if kept:
        print(f"kept your own {len(kept)} notebook(s) already there (--force overwrites them): " + ", ".join(kept))
    print(f"open them with:  jupyter lab {args.dir}   (Jupyter comes with: pip install 'minitorch[course]')")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m minitorch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("lessons", help="copy the student notebooks into a folder, to take the course anywhere")
    p.add_argument("dir", help="where to put them (created if missing)")
    p.add_argument("--force", action="store_true", help="overwrite notebooks already there (your work!)")
    p.set_defaults(func=_lessons)

    p = sub.add_parser("build-lessons", help="regenerate lessons/ from solutions/")
    p.add_argument("--solutions", default="solutions")
    p.add_argument("--lessons", default="lessons")
    p.add_argument("notebooks", nargs="*", help="only these solution notebooks (default: all)")
    p.add_argument("--check", action="store_true", help="only check; exit 1 if lessons/ is stale")
    p.set_defaults(func=_build_lessons)

    p = sub.add_parser("grade", help="grade notebooks (files or folders)")
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", help="also write a JSON report to this file")
    p.add_argument("--jobs", type=int, default=1, help="notebooks graded in parallel")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per notebook (default 300)")
    p.add_argument("--cell-timeout", type=float, default=60.0, help="seconds per cell (default 60)")
    p.add_argument("--test-timeout", type=float, default=None,
                   help="seconds per graded test (default: each exercise's own, 10)")
    p.add_argument("--memory-limit", type=int, default=8192,
                   help="MiB of address space per notebook (default 8192; 0 for no limit)")
    p.set_defaults(func=_grade)

    p = sub.add_parser("release", help="write the student bundle (lessons, library, graded tests; no solutions/)")
    p.add_argument("out", help="a new or empty folder")
    p.set_defaults(func=_release)

    p = sub.add_parser("execute", help="run solution notebooks and store their outputs (for authors)")
    p.add_argument("notebooks", nargs="+")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per cell")
    p.set_defaults(func=_execute)

    p = sub.add_parser("progress", help="what your check() cells recorded, lesson by lesson")
    p.add_argument("folder", nargs="?", help="the folder of your notebooks (default: lessons/ if here, else .)")
    p.set_defaults(func=_progress)

    p = sub.add_parser("own", help="run later lessons on your own engine (your code whose checks passed)")
    p.add_argument("switch", choices=["on", "off", "status"])
    p.add_argument("folder", nargs="?", help="the folder of your notebooks (default: lessons/ if here, else .)")
    p.set_defaults(func=_own)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `python -m minitorch progress | head`: the reader stopped early, which is fine
        sys.stdout = None  # nothing more to flush into the closed pipe at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
