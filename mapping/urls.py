from django.urls import path

from .views import actions, analysis, board, export, organisation

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
    path(mapping_prefix + "export/", export.mapping_export, name="mapping-export"),
    path(mapping_prefix + "export.pdf", export.mapping_export_pdf, name="mapping-export-pdf"),
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
    path(mapping_prefix + "gaps/", analysis.gaps_dashboard, name="gaps"),
    path(mapping_prefix + "gaps/poll/", analysis.gaps_poll, name="gaps-poll"),
    path(mapping_prefix + "gaps.json", analysis.gaps_json, name="gaps-json"),
    path(mapping_prefix + "gaps/dismiss/", analysis.finding_dismiss, name="finding-dismiss"),
    path(mapping_prefix + "gaps/restore/", analysis.finding_restore, name="finding-restore"),
    path(mapping_prefix + "gaps/ideas/add/", analysis.idea_add, name="idea-add"),
    path(mapping_prefix + "actions/", actions.action_list, name="actions"),
    path(mapping_prefix + "actions/new/", actions.action_create, name="action-create"),
    path(mapping_prefix + "actions/limit/", actions.action_wip_limit, name="action-wip-limit"),
    path(mapping_prefix + "actions/<int:action_id>/", actions.action_update, name="action-update"),
    path(mapping_prefix + "actions/<int:action_id>/status/", actions.action_status, name="action-status"),
    path(mapping_prefix + "actions/<int:action_id>/delete/", actions.action_delete, name="action-delete"),
]
