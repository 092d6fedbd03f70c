"""Settings of the mapping benchmark (bench/mapping_map.py), never of the platform: the
platform's own settings with a URLconf that adds one trivial view to compare against."""

from santaanita.settings import *  # noqa: F403

ROOT_URLCONF = "mapping_bench_urls"
