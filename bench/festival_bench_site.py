"""Settings of the festival benchmark (bench/festival_board.py), never of the platform:
the platform's own settings with a URLconf that adds one trivial view to compare against."""

from santaanita.settings import *  # noqa: F403

ROOT_URLCONF = "festival_bench_urls"
