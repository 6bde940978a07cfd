"""The code keeps its shape (issue 11, rules 1-3 and 10): tests/shape.py reads the AST of every module of
app/, events/ and badges/ and finds no import circle, no project import inside a function, no other module's
``_private`` name, no file over 400 lines and no function over 60."""
from __future__ import annotations

from tests import shape

FOLDERS = ["app", "events", "badges"]


def test_the_whole_project_meets_the_shape_rules():
    problems = shape.check(FOLDERS)
    assert not problems, "\n".join(map(str, problems))


def test_the_check_sees_what_it_should(tmp_path, monkeypatch):
    """An import inside a function, a private name and a circle are found; sibling imports in a package are not
    a circle with the package."""
    package = tmp_path / "app"
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "inner" / "__init__.py").write_text("from .a import f\nfrom .b import g\n")
    (package / "inner" / "a.py").write_text("from .b import g\n\n\ndef f():\n    return g()\n")
    (package / "inner" / "b.py").write_text("def g():\n    from app.inner.c import _h\n    return _h()\n")
    (package / "inner" / "c.py").write_text("from app.inner.d import x\n\n\ndef _h():\n    return x\n")
    (package / "inner" / "d.py").write_text("from app.inner.c import _h\n\nx = 1\n")
    monkeypatch.setattr(shape, "ROOT", tmp_path)
    monkeypatch.setattr(shape, "PACKAGES", ("app",))
    found = {(p.rule, p.where.split(":")[0], p.what) for p in shape.check()}
    assert found == {
        (2, "app/inner/b.py", "imports app.inner.c inside a function"),
        (3, "app/inner/b.py", "imports app.inner.c._h"),
        (3, "app/inner/d.py", "imports app.inner.c._h"),
        (1, "app.inner.c", "import circle: app.inner.c -> app.inner.d"),
    }
