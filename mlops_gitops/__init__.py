"""mlops-gitops: declarative, GitOps-style MLOps.

YAML specs in git describe a Problem, its Dataset, the Experiments that model it and the
Deployments that serve them. ``mlops plan`` compares them with what is rendered and running,
``mlops apply`` converges, ``dvc repro`` trains, and drift comes back as a pull request.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
