"""Build step of the wheel: the repository's top-level templates, static files, translations and migrations go
into the package as ``app/bundled/`` (see app/paths.py), with the catalogues compiled (.mo). Everything else is
in setup.cfg."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

FOLDERS = ("templates", "static", "translations", "migrations")  # app.paths.FOLDERS (not imported: no deps here)
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", ".*")


class BuildPyWithAssets(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the checkout's folders
            return
        here = Path(__file__).resolve().parent
        bundled = Path(self.build_lib) / "app" / "bundled"
        shutil.rmtree(bundled, ignore_errors=True)
        for name in FOLDERS:
            shutil.copytree(here / name, bundled / name, ignore=SKIP)
        compile_catalogues(bundled / "translations")


def compile_catalogues(directory: Path) -> None:
    """Every messages.po under ``directory`` to messages.mo (Babel, as `pybabel compile` does); a catalogue
    with errors stops the build."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        errors = [(message.id, error) for message, found in catalog.check() for error in found]
        if errors:
            raise SystemExit(f"{po_path}: {errors[:3]}")
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)


setup(cmdclass={"build_py": BuildPyWithAssets})
