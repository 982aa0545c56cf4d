"""Gunicorn settings; see service/web/gunicorn_conf.py."""

from service.web.gunicorn_conf import *  # noqa: F401,F403
