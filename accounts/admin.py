"""Django's admin shows accounts but changes none of them.

Accounts change through the app's services only: audited, roles that reach case files given
by two people, a new email address confirmed from that address, two-factor devices changed
with the password again and the owner told. An admin form that edited the email, the roles,
the organisation, the superuser flag, the password or the devices would skip all of that
(an email changed here, then a password reset, is an account taken over), so the admin is
read-only for them, and never shows a TOTP key or a backup code."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEntry, RoleGrant, User, UserRole


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0
    can_delete = False
    readonly_fields = ("role",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "organisation", "is_active")
    list_filter = ("is_active", "is_superuser", "organisation")
    list_select_related = ("organisation",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("traffick_cm", {"fields": ("organisation", "job_title", "is_demo")}),
    )
    readonly_fields = ("is_demo",)
    inlines = [UserRoleInline]

    # Without the change permission Django also refuses the admin's password form.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "status", "requested_by", "requested_at", "decided_by")
    list_filter = ("status", "role")
    list_select_related = ("user", "requested_by", "decided_by")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: nothing in the app edits or deletes audit entries."""

    list_display = ("at", "action", "actor", "target_type", "target_id")
    list_filter = ("action",)
    list_select_related = ("actor",)


# django-otp's own admins show TOTP keys (as text and QR code) and backup codes, and let a
# superuser add a device to anyone's account: replaced by a list of who has which device.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnlyAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    list_select_related = ("user",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")


@admin.register(StaticDevice)
class StaticDeviceAdmin(ReadOnlyAdmin):
    list_display = ("user", "name", "confirmed")
    list_select_related = ("user",)
    fields = ("user", "name", "confirmed")
