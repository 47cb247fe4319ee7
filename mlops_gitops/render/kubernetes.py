"""Kubernetes manifests of a deployment (pure): what the kubernetes runtime writes under
``deploy/<deployment>/`` for Argo CD or Flux to sync.

Files: ``deployment.yaml`` and ``service.yaml``, ``hpa.yaml`` when ``autoscaling_max_replicas``
exceeds ``replicas`` (the Deployment then leaves ``replicas`` to the autoscaler), and
``kustomization.yaml`` listing them; with ``kserve: true`` a single KServe
``inferenceservice.yaml`` replaces the three (KServe makes its own Deployment, Service and
autoscaling). YAML has sorted keys and no empty fields, so the same spec renders the same bytes.
"""

from __future__ import annotations

from typing import Any

import yaml

from mlops_gitops.render.container import IMAGE_USER
from mlops_gitops.specs.models import Deployment

__all__ = ["MANAGED_FILES", "labels", "render_manifests"]

MANAGED_FILES = (
    "deployment.yaml",
    "service.yaml",
    "hpa.yaml",
    "inferenceservice.yaml",
    "kustomization.yaml",
)
CPU_TARGET_PERCENT = 70


def labels(deployment: Deployment) -> dict[str, str]:
    return {
        **dict(deployment.metadata.labels),
        "app.kubernetes.io/name": deployment.name,
        "app.kubernetes.io/component": "model-server",
        "app.kubernetes.io/managed-by": "mlops-gitops",
    }


def _selector(deployment: Deployment) -> dict[str, str]:
    return {"app.kubernetes.io/name": deployment.name}


def _metadata(deployment: Deployment) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": deployment.name, "labels": labels(deployment)}
    if deployment.metadata.annotations:
        meta["annotations"] = dict(deployment.metadata.annotations)
    return meta


def _probe(path: str, delay: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "http"},
        "initialDelaySeconds": delay,
        "periodSeconds": 10,
        "timeoutSeconds": 3,
        "failureThreshold": 3,
    }


def _auth_env(deployment: Deployment) -> list[dict[str, Any]]:
    """The serving token from the Secret ``<deployment>-auth`` (key ``token``), never inline."""
    if deployment.auth_token_env is None:
        return []
    secret = {"name": f"{deployment.name}-auth", "key": "token"}
    return [{"name": deployment.auth_token_env, "valueFrom": {"secretKeyRef": secret}}]


def _object_store_log(deployment: Deployment) -> str | None:
    """The object-store URI of the deployment's request log, if it has one."""
    from mlops_gitops.io.storage import is_remote
    from mlops_gitops.requestlog.layout import request_log_uri

    uri = request_log_uri(deployment)
    return uri if deployment.request_log.enabled and is_remote(uri) else None


def _container(deployment: Deployment, image: str) -> dict[str, Any]:
    from mlops_gitops.serving.options import REQUEST_LOG_ENV

    uid = int(IMAGE_USER.split(":")[0])
    mounts = [{"name": "tmp", "mountPath": "/tmp"}]
    env = [
        {"name": "HOST", "value": "0.0.0.0"},
        {"name": "PORT", "value": str(deployment.port)},
    ]
    store = _object_store_log(deployment)
    extra: dict[str, Any] = {}
    if store is not None:
        # Every pod writes its own files to the store; credentials come from a Secret by
        # reference (or from the pod's cloud identity), never from this manifest.
        env.append({"name": REQUEST_LOG_ENV, "value": store})
        if deployment.request_log.credentials_secret:
            extra["envFrom"] = [{"secretRef": {"name": deployment.request_log.credentials_secret}}]
    return {
        "name": "server",
        "image": image,
        "env": [*env, *_auth_env(deployment)],
        **extra,
        "ports": [{"name": "http", "containerPort": deployment.port, "protocol": "TCP"}],
        "resources": {
            "requests": {"cpu": deployment.resources.cpu, "memory": deployment.resources.memory},
            "limits": {"memory": deployment.resources.memory},
        },
        "livenessProbe": _probe("/v2/health/live", 10),
        "readinessProbe": _probe("/v2/health/ready", 5),
        "startupProbe": {**_probe("/v2/health/live", 0), "failureThreshold": 30},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": uid,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": mounts,
    }


def _volumes(deployment: Deployment) -> list[dict[str, Any]]:
    """Scratch space only. No pod-local request log: `mlops validate` requires a kubernetes
    deployment's ``requestLog.uri`` on an object store (or the log off)."""
    del deployment
    return [{"name": "tmp", "emptyDir": {}}]


def _autoscaled(deployment: Deployment) -> bool:
    top = deployment.autoscaling_max_replicas
    return top is not None and top > deployment.replicas


def _deployment(deployment: Deployment, image: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": _selector(deployment)},
        "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
        },
        "template": {
            "metadata": {"labels": labels(deployment)},
            "spec": {
                "containers": [_container(deployment, image)],
                "securityContext": {"runAsNonRoot": True, "fsGroup": int(IMAGE_USER[-5:])},
                "volumes": _volumes(deployment),
            },
        },
    }
    if not _autoscaled(deployment):
        spec["replicas"] = deployment.replicas
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(deployment),
        "spec": spec,
    }


def _service(deployment: Deployment) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(deployment),
        "spec": {
            "type": "ClusterIP",
            "selector": _selector(deployment),
            "ports": [
                {"name": "http", "port": deployment.port, "targetPort": "http", "protocol": "TCP"}
            ],
        },
    }


def _hpa(deployment: Deployment) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _metadata(deployment),
        "spec": {
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": deployment.name,
            },
            "minReplicas": deployment.replicas,
            "maxReplicas": deployment.autoscaling_max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": CPU_TARGET_PERCENT},
                    },
                }
            ],
        },
    }


def _inference_service(deployment: Deployment, image: str) -> dict[str, Any]:
    container = _container(deployment, image)
    container["name"] = "kserve-container"
    predictor: dict[str, Any] = {
        "minReplicas": deployment.replicas,
        "maxReplicas": deployment.autoscaling_max_replicas or deployment.replicas,
        "containers": [container],
        "volumes": _volumes(deployment),
    }
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": _metadata(deployment),
        "spec": {"predictor": predictor},
    }


def _dump(document: dict[str, Any]) -> str:
    header = "# Rendered by mlops-gitops from the Deployment spec: edit the spec, not this file.\n"
    return header + yaml.safe_dump(document, sort_keys=True, default_flow_style=False)


def render_manifests(deployment: Deployment, image: str) -> dict[str, str]:
    """File name -> YAML text of every manifest of ``deployment`` serving ``image``."""
    documents: dict[str, dict[str, Any]] = {}
    if deployment.kserve:
        documents["inferenceservice.yaml"] = _inference_service(deployment, image)
    else:
        documents["deployment.yaml"] = _deployment(deployment, image)
        documents["service.yaml"] = _service(deployment)
        if _autoscaled(deployment):
            documents["hpa.yaml"] = _hpa(deployment)
    documents["kustomization.yaml"] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(name for name in documents),
    }
    return {name: _dump(doc) for name, doc in sorted(documents.items())}
