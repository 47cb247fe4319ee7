"""Kubernetes manifests: valid against the Kubernetes schemas, deterministic, HPA and KServe
only when asked."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from mlops_gitops.render.kubernetes import render_manifests
from mlops_gitops.runtimes.kubernetes import KubernetesRuntime
from mlops_gitops.specs.models import Resources
from tests.runtimes.models import deployment, train_model

IMAGE = "registry.example.com/iris-api:0123456789abcdef"
K8S_VERSION = "1.30.0"


def validate(text: str) -> dict[str, object]:
    document: dict[str, object] = yaml.safe_load(text)
    kubernetes_validate.validate(document, K8S_VERSION, strict=True)
    return document


def test_manifests_validate_and_carry_spec_values() -> None:
    spec = deployment(replicas=3, port=9000, resources=Resources(cpu="250m", memory="256Mi"))
    files = render_manifests(spec, IMAGE)
    assert sorted(files) == ["deployment.yaml", "kustomization.yaml", "service.yaml"]
    apps = validate(files["deployment.yaml"])
    service = validate(files["service.yaml"])
    pod = apps["spec"]["template"]["spec"]  # type: ignore[index]
    container = pod["containers"][0]
    assert apps["spec"]["replicas"] == 3  # type: ignore[index]
    assert container["image"] == IMAGE
    assert container["resources"]["requests"] == {"cpu": "250m", "memory": "256Mi"}
    assert container["readinessProbe"]["httpGet"]["path"] == "/v2/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/v2/health/live"
    assert container["securityContext"]["runAsNonRoot"] is True
    assert {"name": "PORT", "value": "9000"} in container["env"]
    assert service["spec"]["ports"][0]["port"] == 9000  # type: ignore[index]
    labels = apps["metadata"]["labels"]  # type: ignore[index]
    assert labels["app.kubernetes.io/name"] == "iris-api"
    assert labels["app.kubernetes.io/managed-by"] == "mlops-gitops"
    kustomization = yaml.safe_load(files["kustomization.yaml"])
    assert kustomization["resources"] == ["deployment.yaml", "service.yaml"]


def test_rendering_is_deterministic_with_sorted_keys() -> None:
    spec = deployment(autoscaling_max_replicas=4)
    assert render_manifests(spec, IMAGE) == render_manifests(spec, IMAGE)
    for text in render_manifests(spec, IMAGE).values():
        document = yaml.safe_load(text)
        assert yaml.safe_dump(document, sort_keys=True) in text


def test_hpa_only_when_max_replicas_exceeds_replicas() -> None:
    assert "hpa.yaml" not in render_manifests(deployment(replicas=2), IMAGE)
    assert "hpa.yaml" not in render_manifests(
        deployment(replicas=2, autoscaling_max_replicas=2), IMAGE
    )
    files = render_manifests(deployment(replicas=2, autoscaling_max_replicas=5), IMAGE)
    hpa = validate(files["hpa.yaml"])
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 5)  # type: ignore[index]
    assert "replicas" not in validate(files["deployment.yaml"])["spec"]  # type: ignore[operator]
    assert "hpa.yaml" in yaml.safe_load(files["kustomization.yaml"])["resources"]


def test_kserve_renders_an_inference_service_instead() -> None:
    files = render_manifests(deployment(kserve=True, autoscaling_max_replicas=3), IMAGE)
    assert sorted(files) == ["inferenceservice.yaml", "kustomization.yaml"]
    isvc = yaml.safe_load(files["inferenceservice.yaml"])
    assert (isvc["apiVersion"], isvc["kind"]) == ("serving.kserve.io/v1beta1", "InferenceService")
    predictor = isvc["spec"]["predictor"]
    assert predictor["containers"][0]["image"] == IMAGE
    assert (predictor["minReplicas"], predictor["maxReplicas"]) == (1, 3)
    # KServe is a CRD, unknown to the Kubernetes schemas; its container is a core Container.
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "x"},
        "spec": {"containers": predictor["containers"], "volumes": predictor["volumes"]},
    }
    kubernetes_validate.validate(pod, K8S_VERSION, strict=True)


def test_an_invalid_manifest_is_caught_by_the_validator() -> None:
    apps = yaml.safe_load(render_manifests(deployment(), IMAGE)["deployment.yaml"])
    apps["spec"]["replicas"] = "three"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(apps, K8S_VERSION, strict=True)


def test_runtime_writes_then_reports_sync(tmp_path: Path) -> None:
    train_model(tmp_path)
    runtime = KubernetesRuntime(tmp_path)
    spec = deployment(replicas=2, autoscaling_max_replicas=4)
    assert runtime.compare(spec, IMAGE).health == "Missing"
    assert runtime.write(spec, IMAGE).changed
    assert sorted(p.name for p in (tmp_path / "deploy/iris-api").iterdir()) == [
        "deployment.yaml",
        "hpa.yaml",
        "kustomization.yaml",
        "monitoring",
        "service.yaml",
    ]
    assert sorted(p.name for p in (tmp_path / "deploy/iris-api/monitoring").iterdir()) == [
        "dashboard.yaml",
        "kustomization.yaml",
        "prometheusrule.yaml",
        "servicemonitor.yaml",
    ]
    assert runtime.compare(spec, IMAGE).sync == "Synced"
    assert not runtime.write(spec, IMAGE).changed  # a second apply changes nothing

    newer = IMAGE.replace("0123456789abcdef", "fedcba9876543210")
    status = runtime.compare(spec, newer)
    assert status.sync == "OutOfSync" and "deployment.yaml" in status.detail

    hand_edit = tmp_path / "deploy/iris-api/service.yaml"
    hand_edit.write_text(hand_edit.read_text().replace("ClusterIP", "NodePort"))
    assert runtime.compare(spec, IMAGE).sync == "OutOfSync"

    no_hpa = dataclasses.replace(spec, autoscaling_max_replicas=None)
    result = runtime.write(no_hpa, IMAGE)
    assert "removed hpa.yaml" in result.detail and "wrote service.yaml" in result.detail
    assert not (tmp_path / "deploy/iris-api/hpa.yaml").exists()
    assert runtime.undeploy(no_hpa)
    assert not (tmp_path / "deploy/iris-api").exists()


def test_the_serving_token_comes_from_a_secret_never_inline() -> None:
    spec = dataclasses.replace(deployment(), auth_token_env="MLOPS_SERVING_TOKEN")
    apps = validate(render_manifests(spec, IMAGE)["deployment.yaml"])
    container = apps["spec"]["template"]["spec"]["containers"][0]  # type: ignore[index]
    assert {
        "name": "MLOPS_SERVING_TOKEN",
        "valueFrom": {"secretKeyRef": {"name": f"{spec.name}-auth", "key": "token"}},
    } in container["env"]
