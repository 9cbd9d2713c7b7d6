from django.urls import path

from .views import board, export, organisation, workshop

app_name = "mapping"

mapping_prefix = "o/<slug:org>/m/<int:mapping_id>/"

urlpatterns = [
    path("", organisation.home, name="home"),
    path("invite/<str:token>/", organisation.invitation_accept, name="invitation-accept"),
    path("o/<slug:org>/", organisation.organisation_detail, name="organisation-detail"),
    path("o/<slug:org>/mappings/new/", organisation.mapping_create, name="mapping-create"),
    path("o/<slug:org>/mappings/import/", organisation.mapping_import, name="mapping-import"),
    path("o/<slug:org>/members/add/", organisation.member_add, name="member-add"),
    path("o/<slug:org>/members/<int:membership_id>/role/", organisation.member_role, name="member-role"),
    path("o/<slug:org>/invitations/new/", organisation.invitation_create, name="invitation-create"),
    path(mapping_prefix, board.board, name="board"),
    path(mapping_prefix + "poll/", board.board_poll, name="board-poll"),
    path(mapping_prefix + "export.json", export.mapping_export_json, name="mapping-export-json"),
    path(mapping_prefix + "initiatives/new/", board.initiative_create, name="initiative-create"),
    path(mapping_prefix + "i/<int:initiative_id>/", board.initiative_detail, name="initiative-detail"),
    path(mapping_prefix + "i/<int:initiative_id>/edit/", board.initiative_update, name="initiative-update"),
    path(mapping_prefix + "i/<int:initiative_id>/move/", board.initiative_move, name="initiative-move"),
    path(mapping_prefix + "i/<int:initiative_id>/delete/", board.initiative_delete, name="initiative-delete"),
    path(mapping_prefix + "i/<int:initiative_id>/restore/", board.initiative_restore, name="initiative-restore"),
    path(mapping_prefix + "i/<int:initiative_id>/links/new/", board.link_create, name="link-create"),
    path(mapping_prefix + "links/<int:link_id>/delete/", board.link_delete, name="link-delete"),
    path(mapping_prefix + "purposes/new/", board.purpose_create, name="purpose-create"),
    path(mapping_prefix + "purposes/<int:purpose_id>/", board.purpose_update, name="purpose-update"),
    path(mapping_prefix + "purposes/<int:purpose_id>/delete/", board.purpose_delete, name="purpose-delete"),
    path(mapping_prefix + "workshop/", workshop.workshop, name="workshop"),
    path(mapping_prefix + "workshop/poll/", workshop.workshop_poll, name="workshop-poll"),
    path(mapping_prefix + "workshop/start/", workshop.workshop_start, name="workshop-start"),
    path(mapping_prefix + "workshop/close/", workshop.workshop_close, name="workshop-close"),
    path(mapping_prefix + "workshop/step/", workshop.workshop_step, name="workshop-step"),
    path(mapping_prefix + "workshop/qr.svg", workshop.workshop_qr, name="workshop-qr"),
    path(
        mapping_prefix + "workshop/input/<int:input_id>/",
        workshop.workshop_input_moderate,
        name="workshop-input-moderate",
    ),
    path(
        mapping_prefix + "workshop/<int:workshop_id>/delete-input/",
        workshop.workshop_input_delete_all,
        name="workshop-input-delete-all",
    ),
    # Participants: no account, the join code is the key.
    path("j/", workshop.join_enter, name="join-enter"),
    path("j/<str:code>/", workshop.join, name="join"),
    path("j/<str:code>/poll/", workshop.join_poll, name="join-poll"),
    path("j/<str:code>/suggest/", workshop.join_suggest, name="join-suggest"),
    path("j/<str:code>/i/<int:initiative_id>/", workshop.join_initiative, name="join-initiative"),
    path("j/<str:code>/i/<int:initiative_id>/rate/", workshop.join_rate, name="join-rate"),
    path("j/<str:code>/i/<int:initiative_id>/comment/", workshop.join_comment, name="join-comment"),
    path("j/<str:code>/i/<int:initiative_id>/vote/", workshop.join_vote, name="join-vote"),
]
