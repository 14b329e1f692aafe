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


def test_record_edited_and_chain_recomputed_without_the_key_is_detected(ctx, runner):
    """Someone who edits a row and recomputes every hash from there on (plain SHA-256, as the chain was
    before it was keyed) still fails verify at the edited row: the chain is an HMAC under EDUAPP_AUDIT_KEY."""
    from eduapp.domain.audit_chain import ChainEntry, entry_hash

    records = _make_records()
    prev = records[0].hash
    for row in records[1:]:
        summary = '{"i":42}' if row.id == records[1].id else row.summary
        entry = ChainEntry(row.id, row.at, row.actor_id, row.actor, row.action, row.object_type, row.object_id,
                           summary, row.ip, prev, "")
        new_hash = entry_hash(None, entry)  # the unkeyed SHA-256
        db.session.execute(text("UPDATE audit_records SET summary = :s, prev_hash = :p, hash = :h WHERE id = :id"),
                           {"s": summary, "p": prev, "h": new_hash, "id": row.id})
        prev = new_hash
    db.session.commit()
    _, broken = audit.verify()
    assert broken is not None and broken.record_id == records[1].id and broken.kind == "altered"
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at record #{records[1].id}" in result.output


def test_deleting_the_newest_records_after_an_anchor_is_detected_as_truncation(ctx, runner):
    records = _make_records(5)
    ids = [r.id for r in records]
    anchored = runner.invoke(args=["audit", "anchor"])
    assert anchored.exit_code == 0, anchored.output
    assert f"{len(records)} records" in anchored.output
    db.session.execute(text("DELETE FROM audit_records WHERE id >= :id"), {"id": ids[-2]})
    db.session.commit()
    checked, broken = audit.verify()
    assert checked == len(ids) - 2 and broken.kind == "missing" and "2 record(s) missing" in broken.reason
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "TRUNCATED" in result.output and f"#{ids[-1]}" in result.output


def test_truncation_then_new_records_up_to_the_count_is_detected_as_rewriting(ctx, runner):
    """Deleting the newest records and writing as many new ones restores the count, not the anchored head."""
    records = _make_records(4)
    audit.write_anchor()
    db.session.execute(text("DELETE FROM audit_records WHERE id = :id"), {"id": records[-1].id})
    db.session.commit()
    audit.record("test.replacement", actor=None)
    db.session.commit()
    _, broken = audit.verify()
    assert broken is not None and broken.kind == "altered" and "anchored" in broken.reason
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1


def test_anchor_command_appends_one_json_line_each_time(ctx, runner, app):
    import json
    from pathlib import Path

    records = _make_records(2)
    assert runner.invoke(args=["audit", "anchor"]).exit_code == 0
    audit.record("test.more", actor=None)
    db.session.commit()
    assert runner.invoke(args=["audit", "anchor"]).exit_code == 0
    lines = Path(app.config["AUDIT_ANCHOR_FILE"]).read_text(encoding="utf-8").splitlines()
    first, second = (json.loads(line) for line in lines)
    assert (first["count"], first["head_id"], first["head_hash"]) == (len(records), records[-1].id, records[-1].hash)
    assert second["count"] == len(records) + 1
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "2 anchors" in result.output


def test_the_beat_writes_an_anchor_every_hour(ctx, app):
    import json
    from pathlib import Path

    from eduapp.celery_app import BEAT_SCHEDULE
    from eduapp.tasks.audit import write_audit_anchor

    entry = next(e for e in BEAT_SCHEDULE.values() if e["task"] == "eduapp.audit.write_anchor")
    assert entry["schedule"].minute == {0} and len(entry["schedule"].hour) == 24
    records = _make_records(3)
    # The registered task the beat entry names, run here (no worker in the test): as a worker runs it.
    result = app.extensions["celery"].tasks["eduapp.audit.write_anchor"].apply().get()
    assert result["count"] == len(records) and result["head_hash"] == records[-1].hash
    assert write_audit_anchor.name == "eduapp.audit.write_anchor"
    line = json.loads(Path(app.config["AUDIT_ANCHOR_FILE"]).read_text(encoding="utf-8").splitlines()[-1])
    assert line["head_id"] == records[-1].id


def test_a_damaged_anchor_file_fails_verify_naming_the_line(ctx, runner, app):
    from pathlib import Path

    _make_records(1)
    audit.write_anchor()
    with open(app.config["AUDIT_ANCHOR_FILE"], "a", encoding="utf-8") as f:
        f.write("not json\n")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "line 2" in result.output
    assert Path(app.config["AUDIT_ANCHOR_FILE"]).exists()


def test_sm3_chain_verifies_and_differs_from_sha256(tmp_path):
    """国密: EDUAPP_AUDIT_ALGORITHM=hmac-sm3 chains with HMAC-SM3 (GB/T 32905 via gmssl)."""
    from flask_migrate import upgrade

    from eduapp.domain.audit_chain import ChainKey, record_hash
    from tests.conftest import make_test_app

    sm3_app = make_test_app(f"sqlite:///{tmp_path / 'sm3.db'}", EDUAPP_AUDIT_ALGORITHM="hmac-sm3",
                            EDUAPP_AUDIT_KEY="k" * 32)
    with sm3_app.app_context():
        upgrade()
        written = audit.record("test.sm3", actor=None)
        db.session.commit()
        row = db.session.execute(select(AuditRecord)).scalar_one()
        fields = (row.prev_hash, row.at, None, "system", "test.sm3", None, None, "{}", None)
        assert written == record_hash(ChainKey(b"k" * 32, "hmac-sm3"), *fields)
        assert written != record_hash(ChainKey(b"k" * 32, "hmac-sha256"), *fields)
        assert audit.verify() == (1, None)
        db.session.remove()
        db.engine.dispose()


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


def test_the_audit_page_button_names_a_truncation(client, auth, ctx):
    from eduapp.domain.roles import Role

    factories.user("admin", factories.unit("生态环境局"), Role.SYSADMIN)
    records = _make_records(3)
    audit.write_anchor()
    db.session.execute(text("DELETE FROM audit_records WHERE id >= :id"), {"id": records[-3].id})
    db.session.commit()
    auth.login("admin")  # writes one record of its own: still fewer than anchored
    page = auth.post("/admin/audit/verify", form_page="/admin/audit", follow_redirects=True).get_data(as_text=True)
    assert "缺少 2 条记录" in page and "record(s) missing" not in page and "#None" not in page
