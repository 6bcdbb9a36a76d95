"""The database models; importing this module registers every table with the metadata."""

from cml.auth.capabilities import ROLES
from cml.models.accounts import User, region_memberships
from cml.models.actions import ACTION_STATES, DUTY_BEARER_KINDS, MEETING_KINDS, Action, Meeting, MeetingAction
from cml.models.api_tokens import ApiToken
from cml.models.audit import AuditEvent
from cml.models.cases import CASE_STATES, REFERRAL_KINDS, STEP_KINDS, STEP_OUTCOMES, WARNING_STATES, Case, CaseStep, Warning
from cml.models.data_version import DataVersion
from cml.models.devices import DeviceToken
from cml.models.places import FACILITY_KINDS, Facility, Region
from cml.models.questionnaires import Questionnaire, QuestionnaireDraft, QuestionnaireVersion
from cml.models.responses import DELETED_REASONS, Draft, IndicatorFact, IndicatorSum, PurgedSubmission, Response, ResponseRevision
from cml.models.sessions import UserSession

__all__ = [
    "ACTION_STATES",
    "DUTY_BEARER_KINDS",
    "MEETING_KINDS",
    "Action",
    "Meeting",
    "MeetingAction",
    "DELETED_REASONS",
    "FACILITY_KINDS",
    "ROLES",
    "ApiToken",
    "AuditEvent",
    "CASE_STATES",
    "Case",
    "CaseStep",
    "REFERRAL_KINDS",
    "STEP_KINDS",
    "STEP_OUTCOMES",
    "WARNING_STATES",
    "Warning",
    "DataVersion",
    "DeviceToken",
    "Draft",
    "Facility",
    "IndicatorFact",
    "IndicatorSum",
    "Questionnaire",
    "QuestionnaireDraft",
    "QuestionnaireVersion",
    "Region",
    "PurgedSubmission",
    "Response",
    "ResponseRevision",
    "User",
    "UserSession",
    "region_memberships",
]
