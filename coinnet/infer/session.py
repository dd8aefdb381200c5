"""One way to open an ONNX graph for inference on the CPU, shared by the reader and the localiser."""

from __future__ import annotations

from pathlib import Path

import onnxruntime as ort


def open_session(path: Path, threads: int) -> ort.InferenceSession:
    """An onnxruntime CPU session with ``threads`` intra-op threads.

    Raises:
        ValueError: one line naming ``path``, for a corrupt or invalid graph.
    """
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: no warnings on the user's terminal
    # Busy-waiting workers burn the CPU that decoding (and other programs) need; measured faster off.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own pybind types for corrupt/invalid graphs
        raise ValueError(
            f"{path}: not a loadable ONNX model ({str(exc).strip() or type(exc).__name__})".splitlines()[0]
        ) from None
