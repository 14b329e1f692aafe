"""Demo data for training registration: upcoming trainings of each kind (with a time and a place; one
with a capacity that is already full), so that /points/trainings/upcoming and GET /api/v1/trainings
show something. Dates are relative to the day the demo is loaded; each is added once (by title).
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from eduapp.domain import trainings as kinds
from eduapp.extensions import db
from eduapp.models import Training, TrainingRegistration, User, utcnow
from eduapp.services import accounts, trainings

# (title, kind, days from today, start, place, capacity, registered usernames)
UPCOMING = [
    ("集中学法：《生态环境行政处罚办法》解读（示范）", kinds.COLLECTIVE_STUDY, 5, time(14, 30), "局三楼会议室", 30,
     ("demo-civil", "demo-officer")),
    ("“一把手讲法”：新《固体废物污染环境防治法》（示范）", kinds.HEAD_LECTURE, 12, time(9, 0), "局一楼报告厅", None,
     ()),
    ("企业危险废物规范化管理法律培训讲座（示范）", kinds.LECTURE, 20, time(9, 30), "市民中心二楼培训室", 2,
     ("demo-contact", "demo-staff2")),
]


def load(result, today: date) -> None:
    admin = accounts.find_by_username("demo-admin")
    if admin is None:
        return
    for title, kind, days, start, place, capacity, usernames in UPCOMING:
        if db.session.execute(select(Training.id).where(Training.title == title)).first() is not None:
            result.unchanged += 1
            continue
        training = trainings.create_training(admin, title, today + timedelta(days=days), 2, kind=kind, at=start,
                                             place=place, capacity=capacity)
        for username in usernames:
            user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
            if user is not None:
                db.session.add(TrainingRegistration(training_id=training.id, user_id=user.id, registered_at=utcnow()))
        db.session.commit()
        result.created += 1
