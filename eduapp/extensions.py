"""Extensions are created here, unbound, and bound to the app in create_app()."""

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from eduapp.models.base import Base
from eduapp.request_limiter import Limiter
from eduapp.security_headers import StaticTalisman

# Models derive from our own typed Base; Flask-SQLAlchemy shares its metadata for sessions and migrations.
db = SQLAlchemy(metadata=Base.metadata)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
talisman = StaticTalisman()
bootstrap = Bootstrap5()
