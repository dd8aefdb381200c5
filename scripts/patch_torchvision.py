"""Make the registry's CUDA-linked torchvision 0.28.0 import beside the CPU torch 2.13.0 wheel.

Two ``register_fake`` decorators in ``torchvision/_meta_registrations.py`` are not guarded by
``torchvision.extension._has_ops()`` as the others are, so ``import torchvision`` (and with it timm,
torchmetrics, lightning) dies with ``operator torchvision::nms does not exist``. This guards them.
Idempotent: a patched file is left alone. Pure-Python torchvision then works; its C++ ops do not (unused here).
"""

import importlib.util
import sys
from pathlib import Path

GUARD = "(lambda f: f) if not torchvision.extension._has_ops() else "


def main() -> int:
    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        print("patch_torchvision: torchvision not installed, nothing to do")
        return 0
    path = Path(next(iter(spec.submodule_search_locations))) / "_meta_registrations.py"
    text = path.read_text()
    patched = text
    for op in ("nms", "qnms"):
        plain = f'@torch.library.register_fake("torchvision::{op}")'
        patched = patched.replace(plain, f"@({GUARD}{plain[1:]})")
    if patched == text:
        print(f"patch_torchvision: {path} already guarded")
        return 0
    path.write_text(patched)
    print(f"patch_torchvision: guarded nms/qnms fake registrations in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
