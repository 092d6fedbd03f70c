"""Settings of the phone benchmark (bench/mobile.py), never of the platform: the mapping
benchmark's, with the static files collected (STATIC_ROOT) and precompressed as a
deployment's collectstatic leaves them, so a phone is sent them compressed as in production
rather than as the embedded mode reads them from the apps' folders."""

from mapping_bench_site import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
