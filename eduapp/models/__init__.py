"""SQLAlchemy models. Import them from here so that metadata always knows every table."""

from eduapp.models.audit import AuditRecord
from eduapp.models.base import Base, UTCDateTime, utcnow
from eduapp.models.case_deadlines import CaseDeadlineExtension
from eduapp.models.case_studies import CaseStudy
from eduapp.models.cases import OffsetApplication, OffsetDecision, PenaltyCase, RuleSet, ViolationType
from eduapp.models.certificates import Certificate
from eduapp.models.exam import (
    ApiToken,
    Attempt,
    AttemptItem,
    Exam,
    ExamAudience,
    ExamOverride,
    PracticeAnswer,
    PreparedPaper,
)
from eduapp.models.law import Law, LawAmendment, LawArticle
from eduapp.models.non_penalty import NonPenaltyDecision, NonPenaltyList
from eduapp.models.offset_discussions import OffsetDiscussion
from eduapp.models.org import ENTERPRISE, GOVERNMENT, Organisation
from eduapp.models.points import (
    EarningRule,
    PointsAccount,
    PointsEntry,
    PointsLot,
    PointsReservation,
    StudyDay,
    Training,
    TrainingAttendance,
)
from eduapp.models.question import Category, Question, QuestionVersion, VersionTag
from eduapp.models.reminders import Delivery, Reminder, ReminderPreference, TrainingRegistration
from eduapp.models.sessions import UserSession
from eduapp.models.two_factor import RecoveryCode, TwoFactor
from eduapp.models.user import User, UserRole

__all__ = [
    "Certificate",
    "CaseDeadlineExtension",
    "CaseStudy",
    "Delivery",
    "Reminder",
    "ReminderPreference",
    "TrainingRegistration",
    "EarningRule",
    "NonPenaltyDecision",
    "NonPenaltyList",
    "OffsetApplication",
    "OffsetDecision",
    "OffsetDiscussion",
    "PenaltyCase",
    "PointsAccount",
    "PointsEntry",
    "PointsLot",
    "PointsReservation",
    "RuleSet",
    "StudyDay",
    "Training",
    "TrainingAttendance",
    "ViolationType",
    "ENTERPRISE",
    "ApiToken",
    "Attempt",
    "AttemptItem",
    "Exam",
    "ExamAudience",
    "ExamOverride",
    "PracticeAnswer",
    "PreparedPaper",
    "GOVERNMENT",
    "AuditRecord",
    "Base",
    "Category",
    "Law",
    "LawAmendment",
    "LawArticle",
    "Organisation",
    "Question",
    "QuestionVersion",
    "UTCDateTime",
    "User",
    "UserRole",
    "UserSession",
    "TwoFactor",
    "RecoveryCode",
    "VersionTag",
    "utcnow",
]
