"""Runtimes: where a Deployment runs (``local`` process, ``docker`` containers, ``kubernetes``
manifests for GitOps), behind one interface (:class:`~mlops_gitops.runtimes.base.Runtime`).

Modules (import from them; this package imports nothing heavy)::

    base        Runtime protocol, DeployResult, RuntimeStatus
    lookup      get_runtime(name, project_root): runtimes by name
    local       LocalRuntime            process       detached processes
    docker      DockerRuntime           docker_client the daemon connection
    kubernetes  KubernetesRuntime       health        /v2/health/ready checks
    build       prepare_build, build_image (the image of a deployment)
    wheels      the serving closure's wheels, pinned and cached
    ports       who holds a TCP port, checked before a server starts on it
"""
