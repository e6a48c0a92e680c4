"""``exohunt models [NAME] [--verify]``: the bundled models, one line each, or NAME's card."""

from __future__ import annotations

import argparse
import sys

HELP = "list the bundled models (no training needed), print one's model card, check hashes"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", nargs="?", default=None,
                        help="print this bundled model's MODEL_CARD.md")
    parser.add_argument("--verify", action="store_true",
                        help="check every bundled file (or NAME's) against the SHA-256 and "
                             "feature version its bundle.json records")


def human_size(n_bytes: int) -> str:
    """``1.2 MB``-style size (decimal units, as the 20 MB budget is stated)."""
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes} B"


def _verify(names: list[str]) -> int:
    from exohunt.bundled import verify_bundled
    from exohunt.errors import InputError

    failed = []
    for name in names:
        try:
            model = verify_bundled(name)
        except InputError as error:
            failed.append(name)
            print(f"FAILED {name}: {error}")
            continue
        print(f"ok     {name}: {len(model.record['files'])} files match bundle.json "
              f"({human_size(model.size_bytes)})")
    if failed:
        raise InputError(f"{len(failed)} of {len(names)} bundled models failed their check: "
                         f"{', '.join(failed)} (reinstall exohunt, or rebuild with python "
                         "benchmarks/build_bundled_models.py --only NAME)")
    return 0


def run(args: argparse.Namespace) -> int:
    from exohunt.bundled import CARD_FILE, bundled_run_dir, list_bundled
    from exohunt.errors import InputError

    if args.name is not None:
        directory = bundled_run_dir(args.name)  # an unknown name lists the bundled ones
        if args.verify:
            return _verify([args.name])
        card = directory / CARD_FILE
        if not card.is_file():
            raise InputError(f"bundled model {args.name!r}: {card} is missing; reinstall "
                             "exohunt or rebuild the model")
        sys.stdout.write(card.read_text())
        return 0
    models = list_bundled()
    if not models:
        print("no bundled models are installed; train one with 'exohunt train' (or rebuild "
              "them: python benchmarks/build_bundled_models.py)", file=sys.stderr)
        return 0
    if args.verify:
        return _verify([m.name for m in models])
    width = max(len(m.name) for m in models)
    for model in models:
        print(f"{model.name:<{width}}  {model.kind:<10}  {human_size(model.size_bytes):>8}  "
              f"{model.summary}")
    total = sum(m.size_bytes for m in models)
    print(f"\n{len(models)} bundled models, {human_size(total)} in all. 'exohunt models NAME' "
          "prints a model card; 'exohunt predict FILE' uses 'default', --model NAME another.",
          file=sys.stderr)
    return 0
