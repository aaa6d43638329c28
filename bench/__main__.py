"""`python -m bench [name ...]`: run the benchmarks (all by default); figures go to results.json.
`python -m bench name --option ...`: one benchmark with its own options (`--help` lists them)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path


def split(argv: list[str]) -> tuple[list[str], list[str]]:
    """The benchmarks named first, then the options from the first one starting with `-`."""
    first = next((i for i, arg in enumerate(argv) if arg.startswith("-")), len(argv))
    return argv[:first], argv[first:]


def main(argv: list[str]) -> None:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    asked, options = split(argv)
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in asked] or names
    unknown = [n for n in wanted if n not in names]
    if unknown:
        sys.exit(f"python -m bench: no benchmark {', '.join(unknown)} (there are: "
                 f"{', '.join(n.removeprefix('bench_') for n in names)})")
    if options and len(wanted) != 1:
        sys.exit("python -m bench: options go to one benchmark: python -m bench NAME --option ...")
    for name in wanted:
        print(f"== {name}", flush=True)
        run = importlib.import_module(f"bench.{name}").main
        if not options:
            run()
        elif inspect.signature(run).parameters:
            run(options)
        else:
            sys.exit(f"python -m bench: {name.removeprefix('bench_')} takes no options")


if __name__ == "__main__":
    main(sys.argv[1:])
