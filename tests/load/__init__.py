"""A bounded loopback load test: a uvicorn subprocess under HTTP and WebSocket floods.

``make load`` (``python -m tests.load``) runs it; docs/performance.md ("Load") has the
figures and the knobs. ``test_load_smoke.py`` runs a few hundred requests of it in the
fast suite so that it cannot rot.
"""
