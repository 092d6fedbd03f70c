import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Logos, signatures and photos written by these tests stay out of data/media.
    settings.MEDIA_ROOT = tmp_path / "media"
