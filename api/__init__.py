"""The JSON API (``/api/v1``): every resource a page shows, for other systems, with the pages' access rules.

The top layer but ``devtools``: it calls the services of every package, never a query of its own. The OpenAPI
document is generated from the code (flask-smorest) at ``/api/v1/openapi.json``, with a documentation page at
``/api/v1/docs``. Calls are authenticated by personal API tokens (``accounts.tokens``), never by a page session.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from api import core, docs, figures, permits, records, schemas
    from app.extensions import csrf

    app.config.update(
        API_TITLE="Pantau",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=core.PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
    )
    core.api.init_app(app, spec_kwargs={"servers": [{"url": "/"}]})
    core.api.register_field(schemas.DecimalText, "string", "decimal")
    core.api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    core.api.spec.options["security"] = [{"bearer": []}]
    for bp in (records.bp, permits.bp, figures.bp):
        core.api.register_blueprint(bp)
        csrf.exempt(bp)  # never authenticated by cookies (api.core.authenticate), so no cross-site request can act
    app.register_blueprint(docs.bp)
    core.install(app)
