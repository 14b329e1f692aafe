"""eduapp.cookie_sessions: the session cookie's signing serializer is built once per set of keys, and a
changed SECRET_KEY or SECRET_KEY_FALLBACKS still takes effect on the next request."""

import pytest

from eduapp.domain.roles import Role
from eduapp.extensions import db
from tests import factories
from tests.conftest import AuthActions

HOME = "/"


@pytest.fixture
def signed_in(ctx, own_app):
    factories.user("staff-a", factories.enterprise("甲企业", 1), Role.ENTERPRISE_STAFF)
    db.session.commit()
    application = own_app()

    def sign_in():
        client = application.test_client()
        assert AuthActions(client).login("staff-a").status_code == 302
        assert client.get(HOME).status_code == 200
        return client

    return application, sign_in


def test_a_new_secret_key_ends_sessions_unless_the_old_one_is_a_fallback(signed_in):
    application, sign_in = signed_in
    client = sign_in()
    first_key = application.secret_key
    application.config["SECRET_KEY"] = "a-rotated-session-key-" + "r" * 32
    application.config["SECRET_KEY_FALLBACKS"] = [first_key]
    assert client.get(HOME).status_code == 200  # the old cookie is still good under the fallback
    other = sign_in()  # signed under the rotated key
    application.config["SECRET_KEY"] = "a-second-rotation-" + "s" * 32
    application.config["SECRET_KEY_FALLBACKS"] = []
    refused = other.get(HOME)
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]  # signed out at once


def test_one_serializer_serves_every_request_with_the_same_keys(signed_in):
    application, sign_in = signed_in
    client = sign_in()
    interface = application.session_interface
    first = interface.get_signing_serializer(application)
    assert client.get(HOME).status_code == 200
    assert interface.get_signing_serializer(application) is first
