"""Superset settings for the project's local instance (bi/superset/run.sh): metadata in SQLite under
the state folder, a secret key kept there, no example data. Bound to 127.0.0.1 by run.sh."""

import os
import secrets
from pathlib import Path

STATE = Path(os.environ["OGI_SUPERSET_STATE"])
STATE.mkdir(parents=True, exist_ok=True)
_key = STATE / "secret_key"
if not _key.is_file():
    _key.write_text(secrets.token_urlsafe(48))
SECRET_KEY = _key.read_text().strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{STATE / 'superset.db'}"
# One local user, no mail, no telemetry, no example data.
SUPERSET_WEBSERVER_TIMEOUT = 300
SQLLAB_CTAS_NO_LIMIT = True
FEATURE_FLAGS = {}
