"""The wheel carries the model and seeds: install it into a fresh virtual environment and classify there."""

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_classifies(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(REPO)],
        check=True,
    )
    wheel = next(wheels.glob("techdomain-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # The dependencies come from this test environment's site-packages (a .pth line, so the editable
    # install of the checkout is not seen); techdomain itself only from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)], check=True)
    code = (
        "import techdomain, pathlib; m = techdomain.load(); "
        "print(pathlib.Path(techdomain.__file__).parent.parent); "
        "print(m.predict(['超伝導量子ビットを用いた誤り訂正符号の実証']).tolist(), m.classes_.tolist() == list(range(1, 17)))"
    )
    r = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    where, result = r.stdout.strip().splitlines()
    assert Path(where) == site
    assert result == "[12] True"
