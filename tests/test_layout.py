"""The package layout's promises: the runtime stays torch-free, no module imports back up, files stay short."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys

import coinnet
from tests.helpers.paths import REPO

HEAVY = {"torch", "lightning", "pytorch_lightning", "hydra", "timm", "torchvision", "torchmetrics", "albumentations"}
#: What the torch-free tiers are made of: every module of these packages, and these modules.
TORCH_FREE_PACKAGES = ("coinnet.infer", "coinnet.evaluate")
TORCH_FREE_MODULES = (
    "coinnet",
    "coinnet.predict",
    "coinnet.labels",
    "coinnet.catalog",
    "coinnet.files",
    "coinnet.label_folder",
    "coinnet.env",
    "coinnet.train",
    "coinnet.train.progress",
    "coinnet.train.mine",
)
MAX_LINES = 300


def _modules(package: str) -> list[str]:
    pkg = __import__(package, fromlist=["_"])
    return [package] + [f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__) if m.name != "__main__"]


def test_runtime_and_evaluation_import_no_torch_lightning_or_hydra():
    names = [m for p in TORCH_FREE_PACKAGES for m in _modules(p)] + list(TORCH_FREE_MODULES)
    assert "coinnet.infer.predictor" in names and "coinnet.infer.results" in names
    code = (
        f"import importlib, sys\nfor name in {names!r}:\n    importlib.import_module(name)\n"
        f"print(','.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(HEAVY)!r}))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"the torch-free tiers pulled in {out.stdout.strip()}"


def _module_imports() -> dict[str, set[str]]:
    """coinnet module -> the coinnet modules it imports at module level (not inside functions)."""
    root = REPO / "coinnet"
    names = {
        ".".join(("coinnet", *p.relative_to(root).with_suffix("").parts)).removesuffix(".__init__"): p
        for p in root.rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        deps = set()
        for node in ast.parse(path.read_text()).body:  # top-level statements only
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("coinnet"):
                deps |= {
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in names else node.module for a in node.names
                }
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("coinnet")}
        graph[name] = {d for d in deps if d in names and d != name}
    return graph


def test_no_import_cycles_between_modules():
    graph = _module_imports()
    assert "coinnet.train.recipe" in graph and "coinnet.train.fit" in graph["coinnet.train.recipe"]
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            assert state.get(dep) != 1, "import cycle: " + " -> ".join([*path, node, dep])
            if dep not in state:
                visit(dep, [*path, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_the_fit_never_imports_the_recipe_above_it():
    assert "coinnet.train.recipe" not in _module_imports()["coinnet.train.fit"]


def test_python_files_stay_short():
    files = [p for d in ("coinnet", "scripts", "tests") for p in (REPO / d).rglob("*.py")]
    long = {str(p.relative_to(REPO)): n for p in files if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert len(files) > 50 and not long, long


def test_the_package_re_exports_the_runtime():
    from coinnet.infer import Prediction, Predictor, write_results

    assert (coinnet.Predictor, coinnet.Prediction, coinnet.write_results) == (Predictor, Prediction, write_results)
