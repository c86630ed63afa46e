"""One build step on top of pyproject.toml: the top-level `resources/` goes into the package.

The design card keeps `resources/` (pinyin table, translation catalogs, icons, licences) beside
`qoffice/`, and the frozen build (build.spec) bundles it from there. A wheel must carry it inside
the package, so `build_py` copies it to `qoffice/resources/` in the build folder and compiles the
gettext catalogs there (.po -> .mo; the .mo files are git-ignored, so a fresh clone or the sdist
has only the .po parts, and Babel is a build requirement). The wheel ships the compiled .mo only.
At run time qoffice.paths.resources_dir() finds the copy with importlib.resources.

An editable install (`pip install -e`, what `make bootstrap` does) keeps reading the checkout's
`resources/`; its catalogs are compiled in place.
"""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
RESOURCES = HERE / "resources"
PACKAGED = Path("qoffice") / "resources"


def _compile_all(locale_root: Path) -> int:
    """qoffice.i18n_build.compile_all, loaded from its file: the package is not importable here
    (and must not be: its dependencies are not build requirements)."""
    spec = importlib.util.spec_from_file_location("_qoffice_i18n_build", HERE / "qoffice" / "i18n_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compile_all(locale_root)


class build_py_with_resources(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            _compile_all(RESOURCES / "locale")
            return
        if not RESOURCES.is_dir():
            raise SystemExit(f"qoffice: {RESOURCES} is missing; build from a checkout or the sdist")
        target = Path(self.build_lib) / PACKAGED
        if target.exists():
            shutil.rmtree(target)
        # Leftover .mo files of the checkout may be stale: compile afresh from the .po parts.
        shutil.copytree(RESOURCES, target, ignore=shutil.ignore_patterns("*.mo", "__pycache__", "*.pyc"))
        locale = target / "locale"
        parts = sorted(locale.glob("*/LC_MESSAGES/*.po"))
        _compile_all(locale)
        for po in parts:
            if not po.with_suffix(".mo").is_file():
                raise SystemExit(f"qoffice: {po.name} did not compile")
            po.unlink()

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        target = Path(self.build_lib) / PACKAGED
        if not getattr(self, "editable_mode", False) and target.is_dir():
            outputs += [str(p) for p in sorted(target.rglob("*")) if p.is_file()]
        return outputs


setup(cmdclass={"build_py": build_py_with_resources})
