"""Machine learning: preprocessing, search, metrics, probes, explanations.

Submodules import scikit-learn lazily; importing this package stays cheap.
"""
