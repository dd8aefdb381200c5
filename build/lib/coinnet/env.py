"""Process defaults for a machine that reaches no model hub: set once, before the heavy libraries import."""

from __future__ import annotations

import os

#: Set unless the user set them: timm would retry the hub for ~46 s, albumentations asks a registry for
#: updates at import, and MLflow's async logging would leave metrics unflushed when a run is killed.
OFFLINE_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",
    "NO_ALBUMENTATIONS_UPDATE": "1",
    "MLFLOW_ENABLE_ASYNC_LOGGING": "false",
}


def apply_offline_defaults(environ: dict | None = None) -> dict:
    """Set :data:`OFFLINE_DEFAULTS` in ``environ`` (default ``os.environ``) where unset; returns it."""
    environ = os.environ if environ is None else environ
    for key, value in OFFLINE_DEFAULTS.items():
        environ.setdefault(key, value)
    return environ
