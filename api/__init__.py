"""The JSON API (``/api/v1``): every resource a page shows, for other systems, with the pages' access rules.

The top layer but ``devtools``: it calls the services of every package, never a query of its own. The OpenAPI
document is generated from the code (flask-smorest) at ``/api/v1/openapi.json``, with a documentation page at
``/api/v1/docs``. Calls are authenticated by personal API tokens (``accounts.tokens``), never by a page session.
"""

from __future__ import annotations

from flask import Flask

DESCRIPTION = (
    "Everything a Pantau user may see, with the same access rules: send a personal API token (made on the profile "
    "page, API tokens) as `Authorization: Bearer <token>`. Lists answer one page of `items` with `page`, `per_page`, "
    "`total` and `pages`. Errors are problem details (`application/problem+json`)."
)


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
    api = core.PantauApi(app, spec_kwargs={"info": {"description": DESCRIPTION}})
    api.register_field(schemas.DecimalText, "string", "decimal")
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    for bp in (records.bp, permits.bp, figures.bp):
        api.register_blueprint(bp)
        csrf.exempt(bp)  # never authenticated by cookies (api.core.authenticate), so no cross-site request can act
    app.register_blueprint(docs.bp)
    core.install(app)
