"""What the roles may do with public spaces, surveys and residents' problem reports."""

from __future__ import annotations

from enum import StrEnum

from platform_app.permissions import Role, RolePermissions


class MappingPermission(StrEnum):
    VIEW_PUBLICSPACE = "mapping.view_publicspace"
    ADD_PUBLICSPACE = "mapping.add_publicspace"
    CHANGE_PUBLICSPACE = "mapping.change_publicspace"
    VIEW_COVERAGE = "mapping.view_coverage"
    IMPORT_PUBLICSPACE = "mapping.import_publicspace"
    VIEW_ASSIGNMENT = "mapping.view_assignment"
    ADD_ASSIGNMENT = "mapping.add_assignment"
    CHANGE_ASSIGNMENT = "mapping.change_assignment"
    DELETE_ASSIGNMENT = "mapping.delete_assignment"
    VIEW_SURVEY = "mapping.view_survey"
    ADD_SURVEY = "mapping.add_survey"
    CHANGE_SURVEY = "mapping.change_survey"
    ADD_SURVEYPHOTO = "mapping.add_surveyphoto"
    REVIEW_SURVEY = "mapping.review_survey"
    SURVEY_ANY_SPACE = "mapping.survey_any_space"
    VIEW_REPORT = "mapping.view_report"
    MODERATE_REPORT = "mapping.moderate_report"
    VIEW_REPORT_CONTACT = "mapping.view_report_contact"


P = MappingPermission

ROLE_PERMISSIONS: RolePermissions = {
    Role.COORDINATOR: [
        # Coordinators keep the spaces, plan the survey by assignment and review surveys.
        P.VIEW_PUBLICSPACE,
        P.ADD_PUBLICSPACE,
        P.CHANGE_PUBLICSPACE,
        P.VIEW_COVERAGE,
        P.IMPORT_PUBLICSPACE,
        P.VIEW_ASSIGNMENT,
        P.ADD_ASSIGNMENT,
        P.CHANGE_ASSIGNMENT,
        P.DELETE_ASSIGNMENT,
        P.VIEW_SURVEY,
        P.REVIEW_SURVEY,
        P.SURVEY_ANY_SPACE,
        # problem reports: coordinators moderate, route and close them, and see contacts.
        P.VIEW_REPORT,
        P.MODERATE_REPORT,
        P.VIEW_REPORT_CONTACT,
    ],
    Role.SURVEYOR: [
        # Surveyors write surveys of the spaces assigned to them.
        P.ADD_SURVEY,
        P.CHANGE_SURVEY,
        P.ADD_SURVEYPHOTO,
    ],
    Role.REVIEWER: [
        # The methodology reviewer of San Martín de Porres University approves or returns
        # the district's surveys. Reviewing stays apart from producing the data under
        # review: no assignments, coverage, space editing or surveying.
        P.VIEW_PUBLICSPACE,
        P.VIEW_SURVEY,
        P.REVIEW_SURVEY,
    ],
}
