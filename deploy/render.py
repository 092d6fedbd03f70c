"""Fill one of deploy/'s templates: ``python deploy/render.py TEMPLATE > FILE``.

Every ``@NAME@`` is replaced by the environment variable ``NAME``. A placeholder without a
value stops the rendering, so a half-configured site fails here and not later inside nginx or
systemd. The same templates serve production (docs/deployment.md) and CI's production stage
(.ci/production-stage): there is no second copy to drift.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

PLACEHOLDER = re.compile(r"@([A-Z][A-Z0-9_]*)@")


def render(text: str, values: dict[str, str]) -> str:
    missing = sorted({name for name in PLACEHOLDER.findall(text) if not values.get(name)})
    if missing:
        raise SystemExit(f"Set these variables to render the template: {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match[1]], text)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python deploy/render.py TEMPLATE > FILE")
    sys.stdout.write(render(Path(sys.argv[1]).read_text(encoding="utf-8"), dict(os.environ)))
