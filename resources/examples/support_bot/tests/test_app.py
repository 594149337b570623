from unittest.mock import MagicMock


def test_escalation_uses_a_mock():
    client = MagicMock()
    client.messages.create(model="x", max_tokens=1, messages=[])
    assert client.messages.create.called
