"""Write the served schema's SDL to schema/schema.graphql: `python -m schema.export`."""

from __future__ import annotations

import sys
from pathlib import Path

from app.settings import Settings

SDL_PATH = Path(__file__).with_name("schema.graphql")


def served_sdl() -> str:
    from schema import build_schema

    return build_schema(Settings()).as_str() + "\n"


def main() -> int:
    SDL_PATH.write_text(served_sdl())
    print(f"wrote {SDL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
