from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from platform_app.models import Delivery, District, Organization, Sector, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "district", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "groups", "district")
    search_fields = ("email", "first_name", "last_name")
    list_select_related = ("district",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language", "district")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class SectorInline(admin.TabularInline):
    model = Sector
    extra = 0
    fields = ("number", "name", "area_m2")
    readonly_fields = ("area_m2",)


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "ubigeo", "slug", "area_m2")
    search_fields = ("name", "ubigeo")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (SectorInline,)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("name", "number", "district", "area_m2")
    list_filter = ("district",)
    list_select_related = ("district",)
    search_fields = ("name", "district__name")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("kind", "recipient", "status", "scheduled_for", "sent_at", "attempts")
    list_filter = ("status", "kind")
    search_fields = ("recipient", "object_key", "subject")
    date_hierarchy = "scheduled_for"
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):  # deliveries are written by services only
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "typology", "sector", "status", "created_at")
    list_filter = ("status", "typology", "district", "sector")
    list_select_related = ("sector",)
    search_fields = ("name",)
