"""The `motherline` command: Django's management commands plus Motherline's own.

`motherline demo`, `motherline serve`, `motherline load-pack kh`, `motherline generate ...`;
any other Django command works too (`motherline migrate`, `motherline check --deploy`).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motherline.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        # Users type `load-pack`; Django names the command `load_pack`.
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["motherline", *args])


if __name__ == "__main__":
    main()
