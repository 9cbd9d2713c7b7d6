"""Organisations: their mappings, their members, and invitations."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..access import Access, HtmxHttpRequest, Need, SignedInRequest, gate
from ..example import create_example
from ..exchange import ImportRefused, create_mapping, parse_upload, validate
from ..forms import ImportForm, InvitationForm, MappingForm, RoleForm
from ..models import Invitation, Organisation, Role
from ..models.rounds import rounds_overview

ORGANISATION = "mapping/organisation.html"
MAX_IMPORT_BYTES = 5 * 1024 * 1024


@login_required
@require_GET
def home(request: SignedInRequest) -> HttpResponse:
    memberships = list(request.user.memberships.select_related("organisation").order_by("organisation__name"))
    if len(memberships) == 1:
        return redirect(memberships[0].organisation)
    return render(request, "mapping/home.html", {"memberships": memberships})


def organisation_context(request: HtmxHttpRequest, access: Access, **extra) -> dict:
    organisation = access.organisation
    context = {
        "organisation": organisation,
        "access": access,
        "can_manage": access.can_manage,
        "mappings": organisation.mappings.all(),
        "mapping_form": MappingForm(),
        "import_form": ImportForm(),
        "invitation_form": InvitationForm(),
        "roles": Role.choices,
        **rounds_overview(organisation, timezone.localdate()),
    }
    if access.can_manage:
        context["members"] = organisation.memberships.select_related("user").order_by("user__username")
        context["invitations"] = organisation.invitations.filter(used_at__isnull=True).order_by("-created")
    context.update(extra)
    return context


def render_organisation(request: HtmxHttpRequest, access: Access, status: int = 200, **extra) -> HttpResponse:
    return render(request, ORGANISATION, organisation_context(request, access, **extra), status=status)


@login_required
@require_GET
def organisation_detail(request: HtmxHttpRequest, org: str) -> HttpResponse:
    access = gate(request, org)
    return render_organisation(request, access)


@login_required
@require_POST
def mapping_create(request: HtmxHttpRequest, org: str) -> HttpResponse:
    access = gate(request, org, need=Need.MANAGE)
    form = MappingForm(request.POST)
    if not form.is_valid():
        return render_organisation(request, access, status=400, mapping_form=form)
    if form.cleaned_data["template"] == MappingForm.EXAMPLE:
        mapping = create_example(access.organisation, title=form.cleaned_data["title"])
    else:
        mapping = access.organisation.mappings.create(title=form.cleaned_data["title"])
    return redirect(mapping)


@login_required
@require_POST
def mapping_import(request: HtmxHttpRequest, org: str) -> HttpResponse:
    access = gate(request, org, need=Need.MANAGE)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_IMPORT_BYTES:
                raise ImportRefused(_("Filen er for stor (højst 5 MB)."))
            clean = validate(parse_upload(upload.read()))
        except ImportRefused as refused:
            form.add_error("file", str(refused))
        else:
            mapping = create_mapping(access.organisation, clean)
            messages.success(request, _("Kortlægningen er importeret."))
            return redirect(mapping)
    return render_organisation(request, access, status=400, import_form=form)


@login_required
@require_POST
def membership_leave(request: SignedInRequest, org: str) -> HttpResponse:
    """A member leaves the organisation; the last facilitator cannot (someone must manage it)."""
    access = gate(request, org)
    if not access.membership.leave():
        messages.error(request, _("Du er den sidste facilitator. Giv en anden rollen, før du forlader organisationen."))
        return redirect(access.organisation)
    messages.success(request, _("Du har forladt %(name)s.") % {"name": access.organisation.name})
    return redirect("mapping:home")


@login_required
@require_POST
def member_role(request: HtmxHttpRequest, org: str, membership_id: int) -> HttpResponse:
    access = gate(request, org, need=Need.MANAGE)
    membership = get_object_or_404(access.organisation.memberships, pk=membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ukendt rolle."))
        return redirect(access.organisation)
    if not membership.set_role(form.cleaned_data["role"]):
        messages.error(request, _("Organisationen skal have mindst én facilitator."))
        return redirect(access.organisation)
    messages.success(request, _("Rollen er ændret."))
    return redirect(access.organisation)


@login_required
@require_POST
def invitation_create(request: SignedInRequest, org: str) -> HttpResponse:
    access = gate(request, org, need=Need.MANAGE)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return render_organisation(request, access, status=400, invitation_form=form)
    Invitation.objects.create(
        organisation=access.organisation,
        token=secrets.token_urlsafe(24),
        role=form.cleaned_data["role"],
        created_by=request.user,
    )
    messages.success(request, _("Invitationen er oprettet. Send linket til personen."))
    return redirect(access.organisation)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: SignedInRequest, token: str) -> HttpResponse:
    """Anyone signed in with the link joins; the link works once."""
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), token=token, used_at__isnull=True)
    organisation: Organisation = invitation.organisation
    if request.method == "GET":
        return render(request, "mapping/invitation.html", {"invitation": invitation, "organisation": organisation})
    invitation.accept(request.user)
    return redirect(organisation)
