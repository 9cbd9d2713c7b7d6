from django.contrib import admin

from .models import (
    Action,
    Discussion,
    FindingDismissal,
    Goal,
    Initiative,
    Input,
    Invitation,
    Link,
    Mapping,
    Membership,
    Organisation,
    Purpose,
    Release,
    Workshop,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "role", "created", "used_at"]


@admin.register(Mapping)
class MappingAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "version", "created"]
    list_filter = ["organisation"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["title", "mapping", "level", "dimension", "position", "effect", "deleted_at"]
    list_filter = ["level", "dimension", "effect", "status"]
    search_fields = ["title", "description"]


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    list_display = ["title", "mapping"]


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ["source", "kind", "target", "mapping"]
    list_filter = ["kind"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "mapping", "status", "burden", "due", "owner"]
    list_filter = ["status", "effort"]
    search_fields = ["title", "description"]
    raw_id_fields = ["initiatives"]


@admin.register(FindingDismissal)
class FindingDismissalAdmin(admin.ModelAdmin):
    list_display = ["key", "code", "mapping", "created"]
    list_filter = ["code"]


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["mapping", "code", "status", "created", "closed_at"]
    list_filter = ["status"]


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    """Aggregates as shown: sums and counts, nobody's answer."""

    list_display = ["workshop", "kind", "initiative", "action", "finding", "count"]
    list_filter = ["kind"]


@admin.register(Input)
class InputAdmin(admin.ModelAdmin):
    """Participants' input carries no identity; the admin shows no display names either."""

    list_display = ["workshop", "kind", "status"]
    list_filter = ["kind", "status"]
    exclude = ["participant", "author_name", "idempotency_key"]


@admin.register(Discussion)
class DiscussionAdmin(admin.ModelAdmin):
    """Rounds: the annual discussion's record."""

    list_display = ["mapping", "held_on", "updated"]
    search_fields = ["mapping__title", "participants"]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["title", "mapping", "is_carried", "evaluation"]
    list_filter = ["is_carried", "evaluation"]
    search_fields = ["title"]
    raw_id_fields = ["actions", "initiatives"]
