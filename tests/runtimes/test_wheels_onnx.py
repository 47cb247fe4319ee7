"""A serving image carries ONNX Runtime only when its model serves a verified graph."""

from __future__ import annotations

from packaging.utils import canonicalize_name

from mlops_gitops.runtimes.wheels import ONNX_RUNTIME, serving_closure


def _names(onnx: bool) -> set[str]:
    return {canonicalize_name(pin.name) for pin in serving_closure(onnx=onnx)}


def test_onnx_runtime_and_what_only_it_needs_stay_out_without_a_graph() -> None:
    with_graph, without = _names(onnx=True), _names(onnx=False)

    assert ONNX_RUNTIME in with_graph
    assert ONNX_RUNTIME not in without
    # what ONNX Runtime alone pulls in goes too; what the rest shares (numpy) stays
    assert {"flatbuffers", "protobuf"} <= with_graph - without
    assert "numpy" in without
    assert without < with_graph
