"""platform_app's models, one module per area; import them from here."""

from platform_app.models.core import Delivery, District, Sector, User, UserManager
from platform_app.models.registry import Organization

__all__ = ["Delivery", "District", "Organization", "Sector", "User", "UserManager"]
