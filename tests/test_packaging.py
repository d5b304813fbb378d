"""An installed wheel must work, not only the checkout: the data folders ship inside the package."""

import subprocess
import sys
import zipfile

from tests.conftest import REPO_ROOT


def test_wheel_carries_data_folders_and_works_installed(tmp_path):
    wheel_dir, target = tmp_path / "wheel", tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheel_dir), str(REPO_ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_dir.glob("ctcurate-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for required in (
        "curation/_resources/schemas/tables/findings.yaml",
        "curation/_resources/warehouse/staging/findings.sql",
        "curation/_resources/warehouse/raw/schema.sql",
        "flows/cli.py",
    ):
        assert required in names
    assert any(n.startswith("curation/_resources/lexicons/") for n in names)
    assert not any("/local/" in n for n in names), "warehouse data must not ship"

    zipfile.ZipFile(wheel).extractall(target)
    probe = (
        "import curation.resources as r, curation.table_schemas as t;"
        "assert '_resources' in str(r.schemas_dir()), r.schemas_dir();"
        "assert '_resources' in str(r.lexicons_dir());"
        "print(len(t.table_names()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env={"PYTHONPATH": str(target)}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 15
