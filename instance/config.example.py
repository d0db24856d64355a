# Copy to instance/config.py (never committed) to configure this installation. Every key of app/config.py
# may be set here; environment variables (DATABASE_URL, SECRET_KEY, FLASK_*) override this file.
#
# SECRET_KEY = "a long random string: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://pantau:PASSWORD@127.0.0.1/pantau"
# PAGE_SIZE = 50
