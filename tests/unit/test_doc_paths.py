"""Every file, folder and module the README and the design document cite in backticks exists."""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ("README.md", "design_docs/DESIGN.md", "design_docs/README.md")
SERVICES = ("OrderService", "PaymentService", "DistanceService")
PACKAGES = (*SERVICES, "servicekit", "devstack", "simulator", "ops", "bench")
# Made by `make install` / `make up` or by the tests, not part of the repository.
NOT_IN_THE_REPOSITORY = (".state/", ".venv/", ".tools/", "mocks/node_modules/", "/")
EXTENSIONS = ("py", "md", "yaml", "yml", "puml", "json", "toml", "txt", "sh", "png")

CODE_SPAN = re.compile(r"`([^`\n]+)`")
PATH = re.compile(r"^[\w.-]+(/[\w.-]+)*/?$")
MODULE = re.compile(rf"^({'|'.join(PACKAGES)})(\.\w+)+$")
TEST_ID = re.compile(r"^(tests/[\w/]+\.py)::(\w+)$")
TEST_NAME = re.compile(r"^test_\w+$")
QUEUE = re.compile(r"^\w+\.(dead|retry)\b")  # `OrderService.dead` is a queue, not a module


def cited(document: str) -> set[str]:
    return set(CODE_SPAN.findall((ROOT / document).read_text()))


def is_path(span: str) -> bool:
    if not PATH.match(span) or span.startswith(NOT_IN_THE_REPOSITORY):
        return False
    stem, _, extension = span.rpartition(".")
    return "/" in span or (bool(stem) and extension in EXTENSIONS)


def path_exists(span: str, document: str = "README.md") -> bool:
    """At the root, next to the document, inside a service for a service's own layer
    (`business/messages.py`), or, for a bare file name written beside its folder (`cancel.py`),
    in one of our packages."""
    bases = (ROOT, (ROOT / document).parent, *(ROOT / service for service in SERVICES))
    if any((base / span).exists() for base in bases):
        return True
    return "/" not in span and any(any((ROOT / p).rglob(span)) for p in (*PACKAGES, "tests"))


def module_exists(span: str) -> bool:
    """`servicekit.broker.subscriber` or a name in a module (`servicekit.metrics.labelled`)."""
    parts = span.split(".")
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        if (
            not (ROOT / f"{name.replace('.', '/')}.py").exists()
            and not (ROOT / name.replace(".", "/") / "__init__.py").exists()
        ):
            continue
        target: object = importlib.import_module(name)
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def names_a_test(span: str) -> bool:
    """`tests/x.py::test_name`: the file defines that test."""
    match = TEST_ID.match(span)
    assert match is not None
    file = ROOT / match[1]
    return file.exists() and re.search(rf"def {match[2]}\(", file.read_text()) is not None


def defines_test(name: str) -> bool:
    """A bare `test_name` (written after its file): some test file defines it."""
    pattern = re.compile(rf"def {name}\(")
    return any(pattern.search(f.read_text()) for f in (ROOT / "tests").rglob("test_*.py"))


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_path_the_document_cites_exists(document: str) -> None:
    paths = sorted(span for span in cited(document) if is_path(span))
    assert paths, f"no paths found in {document}: is the extraction broken?"
    assert [span for span in paths if not path_exists(span, document)] == []


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_module_the_document_cites_exists(document: str) -> None:
    modules = sorted(
        span for span in cited(document) if MODULE.match(span) and not QUEUE.match(span)
    )
    assert [span for span in modules if not module_exists(span)] == []


def test_every_test_the_design_document_names_exists() -> None:
    spans = cited("design_docs/DESIGN.md")
    tests = sorted(span for span in spans if TEST_ID.match(span))
    names = sorted(span for span in spans if TEST_NAME.match(span))
    assert tests, "the design document names no test: is the extraction broken?"
    assert [span for span in tests if not names_a_test(span)] == []
    assert [name for name in names if not defines_test(name)] == []


def test_a_missing_path_module_or_test_is_caught() -> None:
    assert not path_exists("servicekit/outbox/no_such_module.py")
    assert not module_exists("servicekit.outbox.no_such_module")
    assert not module_exists("servicekit.metrics.no_such_name")
    assert not path_exists("no_such_module.py")
    assert not names_a_test("tests/unit/test_doc_paths.py::test_that_does_not_exist")
    assert not defines_test("test_that_does_not_exist")
