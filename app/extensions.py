"""Every extension object of the app, created unbound here and initialised by ``create_app``.

Domain packages import what they need from here (``db``, ``limiter``, ``login_manager``); nothing else
creates an extension object.
"""

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.database import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()

__all__ = ["babel", "bootstrap", "csrf", "db", "limiter", "login_manager", "migrate"]
