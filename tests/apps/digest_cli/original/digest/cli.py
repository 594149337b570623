"""Weekly digest from a list of changes: python -m digest.cli --week 12 "change" ..."""
import argparse

from . import settings
from .pipeline import digest_chain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--week", type=int, required=True)
    parser.add_argument("changes", nargs="+")
    args = parser.parse_args()
    changes = "\n".join(f"- {c}" for c in args.changes)
    digest = digest_chain.invoke({"audience": settings.AUDIENCE, "changes": changes})
    print(f"Week {args.week}\n\n{digest}")


if __name__ == "__main__":
    main()
