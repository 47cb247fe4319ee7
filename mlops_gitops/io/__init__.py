"""Neutral input/output used by every feature: tables, storage URIs and (later) YAML and HTTP.

Nothing here imports a feature package (specs, ml, serving, monitoring, reconcile, ...); the
features import from here. Errors raised here derive from :class:`mlops_gitops.errors.MlopsError`
and say what the caller's user should do next.
"""
