"""Server-rendered pages, one subpackage per area."""

from flask import Flask


def register_template_context(app: Flask) -> None:
    from flask_babel import get_locale

    from eduapp.domain.questions import blank_count
    from eduapp.domain.roles import Permission
    from eduapp.i18n import html_lang
    from eduapp.web.labels import KIND_LABELS, role_label
    from eduapp.web.reminders.routes import unread_badge

    @app.context_processor
    def inject():
        return {
            "P": Permission,
            "role_label": role_label,
            "kind_label": lambda kind: KIND_LABELS.get(kind, kind),
            "html_lang": html_lang,
            "blank_count": blank_count,
            "current_locale": lambda: str(get_locale()),
            "inbox_unread": unread_badge,
        }

    from flask_babel import format_datetime

    from eduapp.web.rendering import render_markdown

    app.jinja_env.filters["datetimeformat"] = format_datetime
    from eduapp.domain.masking import mask_email, mask_phone

    # Lists show contact data masked (个人信息保护法 §6); only an edit form shows it in full.
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["mask_email"] = mask_email
    app.jinja_env.filters["markdown"] = render_markdown
    from eduapp.domain.grading import points_text

    # Scores and marks are kept in centipoints; shown as points without a trailing ".0" (85, 85.5).
    app.jinja_env.filters["score"] = points_text
