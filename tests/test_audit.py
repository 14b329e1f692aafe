import pytest
from sqlalchemy import select, text

from eduapp.domain.audit_chain import GENESIS
from eduapp.extensions import db
from eduapp.models import AuditRecord
from eduapp.models.audit import AppendOnlyViolation
from eduapp.services import audit
from tests import factories


def _make_records(n=5):
    org = factories.enterprise("甲企业", 1)
    for i in range(n):
        audit.record("test.event", actor=None, obj_type="organisation", obj_id=org.id, summary={"i": i, "名": "值"})
    db.session.commit()
    return db.session.execute(select(AuditRecord).order_by(AuditRecord.id)).scalars().all()


def test_records_form_a_chain(ctx):
    records = _make_records()
    assert records[0].prev_hash == GENESIS
    for before, after in zip(records, records[1:], strict=False):
        assert after.prev_hash == before.hash
    checked, broken = audit.verify()
    assert broken is None and checked == len(records)


def test_edited_record_is_detected_and_named(ctx, runner):
    records = _make_records()
    victim = records[3]
    db.session.execute(
        text("UPDATE audit_records SET summary = :s WHERE id = :id"), {"s": '{"i":999}', "id": victim.id}
    )
    db.session.commit()
    _, broken = audit.verify()
    assert broken is not None and broken.record_id == victim.id
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"#{victim.id}" in result.output


def test_deleted_record_is_detected(ctx, runner):
    records = _make_records()
    db.session.execute(text("DELETE FROM audit_records WHERE id = :id"), {"id": records[2].id})
    db.session.commit()
    _, broken = audit.verify()
    assert broken is not None and broken.record_id == records[3].id
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1


def test_rehashed_record_still_breaks_the_next_link(ctx):
    """Someone who edits a row and recomputes its hash still breaks the link of the next row."""
    from eduapp.domain.audit_chain import record_hash

    records = _make_records()
    victim = records[1]
    new_hash = record_hash(
        victim.prev_hash,
        victim.at,
        victim.actor_id,
        victim.actor,
        victim.action,
        victim.object_type,
        victim.object_id,
        '{"i":42}',
        victim.ip,
    )
    db.session.execute(
        text("UPDATE audit_records SET summary = :s, hash = :h WHERE id = :id"),
        {"s": '{"i":42}', "h": new_hash, "id": victim.id},
    )
    db.session.commit()
    _, broken = audit.verify()
    assert broken is not None and broken.record_id == records[2].id


def test_intact_chain_cli(ctx, runner):
    _make_records(3)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "intact" in result.output


def test_orm_refuses_to_update_or_delete_records(ctx):
    records = _make_records(1)
    records[0].summary = "{}"
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditRecord, records[0].id))
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()


def test_account_changes_are_audited_with_who_and_what(client, auth, ctx):
    from eduapp.domain.roles import Role

    org = factories.enterprise("甲企业", 1)
    factories.user("contact-a", org, Role.ENTERPRISE_CONTACT)
    auth.login("contact-a")
    auth.post(
        "/roster/new", {"username": "new01", "full_name": "新员工", "role": "enterprise_staff"}, form_page="/roster/new"
    )
    record = (
        db.session.execute(
            select(AuditRecord).where(AuditRecord.action == "user.create").order_by(AuditRecord.id.desc())
        )
        .scalars()
        .first()
    )
    assert record.actor == "contact-a"
    assert '"username":"new01"' in record.summary
    assert record.ip == "127.0.0.1"


@pytest.mark.postgres
def test_concurrent_writers_keep_one_chain(app, ctx):
    """Writers in parallel transactions never chain onto the same predecessor (PostgreSQL lock)."""
    import threading

    errors = []

    def writer(n):
        try:
            with app.app_context():
                for i in range(15):
                    audit.record("test.concurrent", actor=None, summary={"writer": n, "i": i})
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    checked, broken = audit.verify()
    assert broken is None and checked == 60
