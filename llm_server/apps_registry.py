"""The resource apps this server runs: adding an app is one line here.

Each name is a top-level package with `models.py`, `admin.py` and a `urls.py` whose `router` is
mounted under `/api/projects/<id>/` and `/api/environments/<id>/`, in this order; an optional
`urls.root_urlpatterns` list is mounted at the top level, for routes outside any project. From this list
the settings install the apps and the URLconf mounts their routers; packaging (pyproject's package
discovery) and the Docker image (the whole build context, see .dockerignore) need no per-app edit.
"""

RESOURCE_APPS: list[str] = [
    "prompts",
    "skills",
    "datasets",
    "events",
    "spend",
    "scores",
    "review",
    "logs",
    "assist",
]
