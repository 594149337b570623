"""Names checked with a regex are anchored at the very end (``\\Z``): ``$`` would also
accept a trailing newline, e.g. an agent id ``"bot\\n"`` written into the bootstrap."""

from __future__ import annotations

import pytest

from amplitude_ai_mcp.codemods.add_bootstrap_module import agent_spec
from amplitude_ai_mcp.verify.render import check_dotted
from amplitude_ai_mcp.workspace import WorkspaceError


@pytest.mark.parametrize("agent_id", ["bot\n", "bot\r\n", "\nbot"])
def test_agent_ids_with_a_line_break_are_refused(agent_id):
    with pytest.raises(WorkspaceError, match="not accepted"):
        agent_spec(agent_id, None)


def test_a_plain_agent_id_is_accepted():
    assert agent_spec("support-bot", None)


def test_dotted_names_with_a_line_break_are_refused():
    assert check_dotted("app.main") == "app.main"
    with pytest.raises(ValueError, match="importable"):
        check_dotted("app.main\n")


def test_traceparent_with_a_trailing_newline_inside_is_not_a_trace():
    from amplitude_ai import extract_context

    trace = "0af7651916cd43dd8448eb211c80319c"
    valid = f"00-{trace}-b7ad6b7169203331-01"
    assert extract_context({"traceparent": valid})["trace_id"] == trace
    assert extract_context({"traceparent": valid + "\n"})["trace_id"] == trace  # stripped
    assert extract_context({"traceparent": valid + "\nx"})["trace_id"] is None
