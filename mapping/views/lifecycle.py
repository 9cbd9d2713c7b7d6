"""Leaving no data behind: an organisation's zip export, deleting an organisation or one's account,
and how long a workshop's input is kept (``manage.py purge_expired`` deletes it then)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..access import Access, HtmxHttpRequest, Need, SignedInRequest, gate
from ..accounts import account_deletion, delete_account
from ..archive import organisation_zip
from ..forms import AccountDeleteForm, OrganisationDeleteForm, WorkshopRetentionForm
from ..models import Workshop

ORGANISATION_DELETE = "mapping/organisation_delete.html"
ACCOUNT = "mapping/account.html"


@login_required
@require_GET
def organisation_export_zip(request: HtmxHttpRequest, org: str) -> HttpResponse:
    """Every mapping's JSON export in one zip: a facilitator's backup, or the way to move."""
    access = gate(request, org, need=Need.MANAGE)
    response = HttpResponse(organisation_zip(access.organisation), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{access.organisation.slug}-kortlaegninger.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


def organisation_delete_page(
    request: HtmxHttpRequest, access: Access, form: OrganisationDeleteForm, status: int = 200
) -> HttpResponse:
    organisation = access.organisation
    context = {
        "organisation": organisation,
        "form": form,
        "mapping_count": organisation.mappings.count(),
        "member_count": organisation.memberships.count(),
        "workshop_count": Workshop.objects.filter(mapping__organisation=organisation).count(),
    }
    return render(request, ORGANISATION_DELETE, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_delete(request: HtmxHttpRequest, org: str) -> HttpResponse:
    """Delete the organisation and everything in it: mappings, workshops and their input, members, invitations."""
    access = gate(request, org, need=Need.MANAGE)
    name = access.organisation.name
    if request.method == "GET":
        return organisation_delete_page(request, access, OrganisationDeleteForm(organisation_name=name))
    form = OrganisationDeleteForm(request.POST, organisation_name=name)
    if not form.is_valid():
        return organisation_delete_page(request, access, form, status=400)
    access.organisation.delete()
    messages.success(request, _("Organisationen %(name)s og alt i den er slettet.") % {"name": name})
    return redirect("mapping:home")


def account_page(request: SignedInRequest, form: AccountDeleteForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "plan": account_deletion(request.user)}
    return render(request, ACCOUNT, context, status=status)


@login_required
@require_GET
def account(request: SignedInRequest) -> HttpResponse:
    """Your account: what deleting it would do, and the form that does it."""
    return account_page(request, AccountDeleteForm(user=request.user))


@login_required
@require_POST
def account_delete(request: SignedInRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST, user=request.user)
    if not form.is_valid():
        return account_page(request, form, status=400)
    plan = delete_account(request.user)
    if not plan.is_possible:  # someone else's change in the meantime left this user the last facilitator
        return account_page(request, form, status=409)
    logout(request)
    messages.success(request, _("Din konto er slettet."))
    return redirect("login")


@login_required
@require_POST
def workshop_retention(request: HtmxHttpRequest, org: str, mapping_id: int, workshop_id: int) -> HttpResponse:
    """How long the workshop's input is kept after the workshop ends."""
    access = gate(request, org, mapping_id, Need.EDIT)
    workshop = get_object_or_404(access.mapping.workshops, pk=workshop_id)
    form = WorkshopRetentionForm(request.POST)
    if form.is_valid():
        days = form.cleaned_data["input_kept_days"]
        Workshop.objects.filter(pk=workshop.pk).update(input_kept_days=days)
        messages.success(request, _("Det er gemt, hvor længe input gemmes."))
    else:
        messages.error(request, _("Vælg en af mulighederne."))
    return redirect(reverse("mapping:workshop", args=[access.organisation.slug, access.mapping.pk]))
