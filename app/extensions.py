"""Extension objects, created unbound and initialised by ``create_app``."""

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from app.models import db

migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()

__all__ = ["babel", "bootstrap", "csrf", "db", "migrate"]
