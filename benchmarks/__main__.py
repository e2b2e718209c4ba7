"""``python -m benchmarks [--quick] [--json PATH]``: run the benchmarks, print the table."""

import os
import sys

# One BLAS thread, set before numpy loads, for this process and every kernel and
# interpreter it starts; threadpoolctl pins it again (and reports it) in run().
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
from pathlib import Path  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure calcwidgets against baselines run in the same process; print a "
        "table and write a JSON file.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer sizes, moves and repeats: under a minute, every section",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        metavar="PATH",
        help="where to write the results (default: benchmarks/results/latest.json)",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="also print the table as Markdown, for the README"
    )
    arguments = parser.parse_args(argv)

    from .core_speed import MismatchError
    from .run import DEFAULT_JSON, FULL, QUICK, run

    command = "python -m benchmarks" + (" --quick" if arguments.quick else "")
    json_path = arguments.json or DEFAULT_JSON
    try:
        payload = run(QUICK if arguments.quick else FULL, json_path, command=command)
    except MismatchError as error:
        print(f"\nBENCHMARK ABORTED — {error}", file=sys.stderr)
        return 2
    print("\n".join(payload["table"]))
    if arguments.markdown:
        print()
        print(payload["markdown"])
    print(f"\nJSON written to {json_path}")
    return 1 if payload["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
