"""Learners and trainings (学法培训): the trainings still to come, with whether I am registered, and
registering or cancelling. Both are refused once the training has started (409 ``started``); a
training whose capacity is taken refuses new registrations (409 ``full``). Registering twice, or
cancelling a registration there is not, changes nothing (200, ``changed`` false). Times are ISO 8601
in UTC. The rules are those of the web page (services/training_registrations.py).
"""

from __future__ import annotations

from flask_babel import gettext
from flask_login import current_user
from marshmallow import Schema, fields

from eduapp.api.arguments import Blueprint
from eduapp.api.common import ID
from eduapp.api.errors import ApiError, responds
from eduapp.domain.roles import Permission
from eduapp.domain.trainings import KIND_LABELS, REFUSALS
from eduapp.models import utcnow
from eduapp.security import require
from eduapp.services import training_registrations
from eduapp.services.training_registrations import RegistrationRefused, Upcoming

blp = Blueprint("api_trainings", __name__, url_prefix="/api/v1",
                description="Trainings: upcoming ones, registering and cancelling")


class TrainingOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "collective_study (集中学法) | lecture (法律培训讲座) "
                                                                 "| head_lecture (一把手讲法) | other"})
    kind_label = fields.String(required=True, metadata={"description": "the kind, in the account's language"})
    starts_at = fields.DateTime(required=True, metadata={"description": "registering and cancelling close then"})
    place = fields.String(allow_none=True, required=True)
    points = fields.Integer(required=True, metadata={"description": "study points for attending"})
    capacity = fields.Integer(allow_none=True, required=True, metadata={"description": "null: no limit"})
    registered_count = fields.Integer(required=True)
    places_left = fields.Integer(allow_none=True, required=True, metadata={"description": "null: no limit"})
    registered = fields.Boolean(required=True, metadata={"description": "I am registered"})


class TrainingsOut(Schema):
    upcoming = fields.List(fields.Nested(TrainingOut), required=True,
                           metadata={"description": "every training still to come, the soonest first"})
    registered = fields.List(fields.Nested(TrainingOut), required=True,
                             metadata={"description": "of those, the ones I am registered for"})


class RegistrationOut(Schema):
    training = fields.Nested(TrainingOut, required=True)
    changed = fields.Boolean(required=True, metadata={"description": "false: it already was so"})


def training_out(u: Upcoming) -> dict:
    t = u.training
    return {"id": t.id, "title": t.title, "kind": t.kind, "kind_label": gettext(KIND_LABELS[t.kind]),
            "starts_at": t.held_at, "place": t.place, "points": t.points, "capacity": t.capacity,
            "registered_count": u.taken, "places_left": u.places_left, "registered": u.registered}


def _refused(error: RegistrationRefused) -> ApiError:
    return ApiError(409, error.code, gettext(REFUSALS[error.code], title=error.training.title,
                                             capacity=error.training.capacity))


def _one(training_id: int, now) -> dict:
    found = next((u for u in training_registrations.upcoming(current_user, now) if u.training.id == training_id),
                 None)
    return training_out(found)


def _change(change, training_id: int) -> dict:
    now = utcnow()
    try:
        result = change(current_user._get_current_object(), training_id, now)
    except RegistrationRefused as error:
        raise _refused(error)
    if result is None:
        raise ApiError(404, "not_found", gettext("There is no such training."))
    return {"training": _one(training_id, now), "changed": result[1]}


@blp.route("/trainings")
@require(Permission.STUDY)
@blp.response(200, TrainingsOut)
@responds(blp, 401, 403)
def trainings():
    """The trainings still to come (the soonest first), each with its kind, start, place, capacity and
    whether I am registered; ``registered`` lists those I am registered for."""
    upcoming = [training_out(u) for u in training_registrations.upcoming(current_user, utcnow())]
    return {"upcoming": upcoming, "registered": [t for t in upcoming if t["registered"]]}


@blp.route(f"/trainings/<{ID}:training_id>/registration", methods=["POST"])
@require(Permission.STUDY)
@blp.response(200, RegistrationOut)
@responds(blp, 401, 403, 404, 409)
def register(training_id: int):
    """Register for a training. 409 ``started``: it has begun or is over; 409 ``full``: every place is
    taken; 404 ``not_found``: there is no such training. Registering again changes nothing."""
    return _change(training_registrations.register, training_id)


@blp.route(f"/trainings/<{ID}:training_id>/registration", methods=["DELETE"])
@require(Permission.STUDY)
@blp.response(200, RegistrationOut)
@responds(blp, 401, 403, 404, 409)
def cancel(training_id: int):
    """Cancel my registration. 409 ``started``: the training has begun or is over (the attendance
    record says who came); 404 ``not_found``: there is no such training. Cancelling a registration
    there is not changes nothing."""
    return _change(training_registrations.unregister, training_id)
