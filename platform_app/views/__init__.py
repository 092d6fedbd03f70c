"""platform_app's views, one module per area; ``urls.py`` imports them from here."""

from platform_app.views.core import district_detail, district_list, home

__all__ = ["district_detail", "district_list", "home"]
