"""Neutral input/output used by every feature: tables, storage URIs, outbound HTTP fetches,
YAML (the fast loader and round-trip files people also edit) and the external commands we run.

Nothing here imports a feature package (specs, ml, serving, monitoring, reconcile, ...); the
features import from here. Errors raised here derive from :class:`mlops_gitops.errors.MlopsError`
and say what the caller's user should do next.
"""
