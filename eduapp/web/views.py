"""Every page's view modules, imported once so that their routes are on their blueprints before
create_app registers them. A blueprint's package (eduapp/web/<area>/__init__.py) only creates ``bp``;
its view modules import it from there, and nothing imports back, so there is no cycle."""

import eduapp.web.admin.routes  # noqa: F401
import eduapp.web.auth.account_sessions  # noqa: F401
import eduapp.web.auth.routes  # noqa: F401
import eduapp.web.auth.two_factor  # noqa: F401
import eduapp.web.case_studies.routes  # noqa: F401
import eduapp.web.cases.non_penalty  # noqa: F401
import eduapp.web.cases.routes  # noqa: F401
import eduapp.web.certificates.routes  # noqa: F401
import eduapp.web.dashboard.routes  # noqa: F401
import eduapp.web.exam_admin.certificates  # noqa: F401
import eduapp.web.exam_admin.routes  # noqa: F401
import eduapp.web.exam_stats.routes  # noqa: F401
import eduapp.web.exams.history  # noqa: F401
import eduapp.web.exams.routes  # noqa: F401
import eduapp.web.laws.amendments  # noqa: F401
import eduapp.web.laws.routes  # noqa: F401
import eduapp.web.main.routes  # noqa: F401
import eduapp.web.offsets.non_penalty_lists  # noqa: F401
import eduapp.web.offsets.routes  # noqa: F401
import eduapp.web.orgs.routes  # noqa: F401
import eduapp.web.points.routes  # noqa: F401
import eduapp.web.points.trainings  # noqa: F401
import eduapp.web.practice.routes  # noqa: F401
import eduapp.web.questions.coverage  # noqa: F401
import eduapp.web.questions.routes  # noqa: F401
import eduapp.web.reminders.routes  # noqa: F401
import eduapp.web.roster.routes  # noqa: F401
