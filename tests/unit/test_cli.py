"""The ``railguard`` command: explain, catalog, decode, formats, imports, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import railguard
from railguard.cli import EXIT_MISSING_EXTRA, EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, main
from railguard.cli._render import Heading, Pairs, Table, render
from railguard.families.agents import AgentNotFoundFailure
from railguard.http import encode
from railguard.websocket import close_code, close_reason, encode_frame

SHOP = '''
import attrs
from railguard import Category, Failure


def _positive(instance, attribute, value):
    if not isinstance(value, int) or value <= 0:
        raise ValueError("must be positive")


@attrs.frozen(kw_only=True)
class PickyFailure(Failure, code="SHOP_PICKY"):
    """A required field no placeholder satisfies."""

    quantity: int = attrs.field(validator=_positive)


@attrs.frozen(kw_only=True)
class OutOfStockFailure(Failure, code="SHOP_OUT_OF_STOCK", category=Category.CONFLICT):
    """The item exists but none are left; answers 409."""

    message: str = "The item is out of stock."
    sku: str
    left: int = 0
'''


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command in-process; return (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_catalog: None) -> Iterator[Path]:
    """A project directory with an application module defining SHOP_OUT_OF_STOCK."""
    module = f"shop_failures_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(SHOP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield tmp_path / module
    sys.modules.pop(module, None)


# --- explain ------------------------------------------------------------------------------


def test_explain_shows_everything_about_a_failure(capsys: pytest.CaptureFixture[str]) -> None:
    """Class, exception, family, status, category, recovery, fatal, fields and every wire form."""
    code, out, _ = run(capsys, "explain", "AGENT_NOT_FOUND")
    assert code == EXIT_OK
    for expected in (
        "railguard.families.agents.AgentNotFoundFailure",
        "railguard.families.agents.AgentNotFoundException",
        "family:       agents",
        "404 NOT_FOUND",
        "not_found",
        "dont_retry",
        "fatal:",
        "retry_after",
        "HTTP, agents envelope",
        "HTTP, problem envelope",
        "HTTP, bridge envelope",
        "WebSocket error frame",
        f"code:   {close_code(AgentNotFoundFailure())}",
        "raise railguard.families.agents.AgentNotFoundException(",
        "NOT_FOUND",
    ):
        assert expected in out, expected


def test_explain_is_case_insensitive(capsys: pytest.CaptureFixture[str]) -> None:
    """A code in any case (and with dashes) finds its class."""
    _, exact, _ = run(capsys, "explain", "AGENT_NOT_FOUND")
    assert run(capsys, "explain", "agent-not-found")[1] == exact


def test_explain_unknown_code_suggests_close_matches(capsys: pytest.CaptureFixture[str]) -> None:
    """A typo exits 1 and names the nearest codes on stderr."""
    code, out, err = run(capsys, "explain", "agent_not_fond")
    assert code == EXIT_NOT_FOUND
    assert out == ""
    assert "Did you mean: AGENT_NOT_FOUND" in err


def test_explain_json_is_the_exact_wire(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json carries the envelopes, frame and close code encode() would produce."""
    code, out, _ = run(capsys, "explain", "AGENT_NOT_FOUND", "--format", "json")
    assert code == EXIT_OK
    data = json.loads(out)
    failure = AgentNotFoundFailure()
    for style in ("agents", "problem", "bridge"):
        error = encode(failure, style)
        assert data["http"][style]["status"] == error.status
        assert data["http"][style]["headers"] == dict(error.headers)
        assert data["http"][style]["body"] == json.loads(error.body)
    assert data["frame"] == json.loads(encode_frame(failure))
    assert data["close"] == {"code": close_code(failure), "reason": close_reason(failure)}
    assert data["fatal"] is failure.fatal
    assert {f["name"] for f in data["fields"]} >= {"message", "details", "cause", "retry_after"}


def test_explain_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    """--format markdown gives headings, a fields table and fenced envelopes."""
    _, out, _ = run(capsys, "explain", "KNEO_RATE_LIMITED", "--format", "markdown")
    assert "## Fields" in out
    assert "| field | type | default |" in out
    assert "```http\nHTTP/1.1 429" in out
    assert "retry-after" not in out.split("## Fields")[0]


def test_explain_fills_required_fields_with_placeholders(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A class with required fields still shows its wire forms, with <name> placeholders."""
    code, out, _ = run(capsys, "explain", "BRIDGE_INVALID_TOOL_NAME")
    assert code == EXIT_OK
    assert "tool_name    str              required" in out
    assert '"tool_name": "<tool_name>"' in out


def test_every_registered_failure_can_be_explained() -> None:
    """Each class in the catalog has a sample and every wire form (no class is skipped)."""
    from railguard import catalog
    from railguard.cli._describe import describe

    for cls in catalog():
        description = describe(cls)
        assert description.code == cls.default_code
        assert set(description.http) == {"agents", "problem", "bridge"}


# --- catalog ------------------------------------------------------------------------------


def test_catalog_prints_public_paths(capsys: pytest.CaptureFixture[str]) -> None:
    """Every class is shown by an importable public path, never a private module."""
    code, out, _ = run(capsys, "catalog", "--format", "json")
    assert code == EXIT_OK
    records = json.loads(out)
    assert {"code": "NOT_FOUND", "failure": "railguard.NotFoundFailure", "status": 404}.items() <= (
        next(r for r in records if r["code"] == "NOT_FOUND").items()
    )
    for record in records:
        assert "._" not in record["failure"], record
        assert "._" not in record["exception"], record


def test_catalog_table_has_column_headers(capsys: pytest.CaptureFixture[str]) -> None:
    """The plain table starts with its column headers and has no escape codes when piped."""
    _, out, _ = run(capsys, "catalog")
    assert out.split()[:6] == ["code", "failure", "exception", "status", "category", "recovery"]
    assert "\x1b[" not in out
    assert "railguard.families.agents.AgentNotFoundFailure" in out


# --- an application's own failures --------------------------------------------------------


def test_import_option_brings_application_failures(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--import MODULE makes its failures known to catalog and explain."""
    code, out, _ = run(capsys, "explain", "shop_out_of_stock", "--import", shop.name)
    assert code == EXIT_OK
    assert f"{shop.name}.OutOfStockFailure" in out
    assert "sku          str             required" in out
    _, listing, _ = run(capsys, "catalog", "--import", shop.name)
    assert "SHOP_OUT_OF_STOCK" in listing


def test_a_class_without_a_sample_is_listed_and_explained_as_such(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A class whose validator rejects placeholders is still in the catalog; explain says why."""
    _, listing, _ = run(capsys, "catalog", "--import", shop.name, "--format", "json")
    picky = next(r for r in json.loads(listing) if r["code"] == "SHOP_PICKY")
    assert (picky["failure"], picky["status"]) == (f"{shop.name}.PickyFailure", None)
    code, out, err = run(capsys, "explain", "shop_picky", "--import", shop.name)
    assert (code, out) == (EXIT_NOT_FOUND, "")
    assert "cannot build a sample PickyFailure" in err


def test_pyproject_config_brings_application_failures(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """[tool.railguard] import = [...] in the project's pyproject.toml works like --import."""
    (shop.parent / "pyproject.toml").write_text(
        f'[tool.railguard]\nimport = ["{shop.name}"]\n', encoding="utf-8"
    )
    code, out, _ = run(capsys, "explain", "SHOP_OUT_OF_STOCK")
    assert code == EXIT_OK
    assert "409 CONFLICT" in out


def test_unimportable_module_is_a_usage_error(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A module that cannot be imported exits 2 and says which."""
    code, _, err = run(capsys, "catalog", "--import", "no_such_module_here")
    assert code == EXIT_USAGE
    assert "no_such_module_here" in err


def test_invalid_pyproject_entry_is_a_usage_error(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`import` must be a list of module names."""
    (shop.parent / "pyproject.toml").write_text('[tool.railguard]\nimport = "x"\n')
    assert run(capsys, "catalog")[0] == EXIT_USAGE


# --- decode -------------------------------------------------------------------------------

_BODY = encode(AgentNotFoundFailure(message="Agent with identifier zz not found.")).body.decode()
CURL = (
    textwrap.dedent(
        """\
        HTTP/1.1 100 Continue

        HTTP/1.1 404 Not Found
        date: Tue, 01 Dec 2026 10:00:00 GMT
        content-type: application/json

        """
    ).replace("\n", "\r\n")
    + _BODY
)


def test_decode_curl_output_from_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`curl -i` output (CRLF, an interim 100 response) decodes to the family failure."""
    captured = tmp_path / "response.txt"
    captured.write_text(CURL, encoding="utf-8")
    code, out, _ = run(capsys, "decode", str(captured), "--format", "json")
    assert code == EXIT_OK
    data = json.loads(out)
    assert data["failure"] == "railguard.families.agents.AgentNotFoundFailure"
    assert data["code"] == "AGENT_NOT_FOUND"
    assert data["message"] == "Agent with identifier zz not found."
    assert data["status"] == 404


def test_decode_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a file, decode reads standard input."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(CURL))
    code, out, _ = run(capsys, "decode")
    assert code == EXIT_OK
    assert "http: AGENT_NOT_FOUND" in out


def test_decode_body_with_status_and_headers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bare body with --status and --header decodes, Retry-After included."""
    body = tmp_path / "body.json"
    body.write_text('{"code": "TOO_MANY_REQUESTS", "message": "slow down", "errors": []}')
    code, out, _ = run(
        capsys,
        "decode", str(body), "--status", "429",
        "--header", "content-type: application/json", "--header", "Retry-After: 7",
        "--format", "json",
    )  # fmt: skip
    assert code == EXIT_OK
    data = json.loads(out)
    assert (data["status"], data["retry_after"], data["category"]) == (429, 7.0, "rate_limit")


def test_decode_websocket_frame(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A WebSocket error frame decodes to its failure, fields included."""
    frame = tmp_path / "frame.json"
    frame.write_text(encode_frame(AgentNotFoundFailure(message="gone")))
    code, out, _ = run(capsys, "decode", str(frame))
    assert code == EXIT_OK
    assert "frame: AGENT_NOT_FOUND" in out
    assert "gone" in out


def test_decode_close_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--close-code decodes a received close (code and reason)."""
    reason = tmp_path / "reason.txt"
    reason.write_text(close_reason(AgentNotFoundFailure()))
    code, out, _ = run(capsys, "decode", str(reason), "--close-code", "4404", "--format", "json")
    assert code == EXIT_OK
    assert json.loads(out)["status"] == 404


def test_decode_success_response_is_not_a_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 2xx response or a non-error frame exits 1: nothing to decode."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("HTTP/1.1 200 OK\n\n{}"))
    assert run(capsys, "decode")[0] == EXIT_NOT_FOUND
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"type": "pong"}'))
    code, out, _ = run(capsys, "decode")
    assert code == EXIT_NOT_FOUND
    assert "not an error" in out


def test_decode_garbage_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Input that is neither a response, a body with --status, nor a frame exits 2."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("hello"))
    code, _, err = run(capsys, "decode")
    assert code == EXIT_USAGE
    assert "curl -i" in err
    assert run(capsys, "decode", "/no/such/file")[0] == EXIT_USAGE


# --- the command itself -------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the package version."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"railguard {railguard.__version__}"


def test_help_is_clean_and_documents_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    """--help has no reST markup, lists the commands and the exit codes."""
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "``" not in out
    for word in ("catalog", "explain", "decode", "demo", "exit codes:", "[tool.railguard]"):
        assert word in out


def test_console_script_runs_as_a_module() -> None:
    """`python -m railguard explain` works (the console script's entry point)."""
    done = subprocess.run(  # our own interpreter and module
        [sys.executable, "-m", "railguard", "explain", "not_found", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["failure"] == "railguard.NotFoundFailure"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_rich_tables_on_a_terminal() -> None:
    """On a terminal with rich installed, tables are drawn with box characters."""
    pytest.importorskip("rich")
    out = _Terminal()
    render([Heading("t"), Pairs((("a", "[b]"),)), Table(("x", "y"), (("1", "2"),))], "table", out)
    text = out.getvalue()
    assert "┃" in text or "│" in text
    assert "[b]" in text  # values are text, never rich markup


def test_decode_in_a_fresh_process_knows_every_family() -> None:
    """A new process decodes a family code to its class (the catalog is loaded first)."""
    done = subprocess.run(
        [sys.executable, "-m", "railguard", "decode", "--format", "json"],
        input=CURL,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["failure"] == "railguard.families.agents.AgentNotFoundFailure"


def test_demo_without_its_extra_exits_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing demo dependency is named, with the extra that installs it."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name, *a)
    )
    code, out, err = run(capsys, "demo")
    assert code == EXIT_MISSING_EXTRA
    assert out == ""
    assert "uvicorn" in err
    assert "railguard[demo]" in err
