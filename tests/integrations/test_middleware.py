"""AmplitudeAIMiddleware (Starlette/FastAPI) and AmplitudeAIWSGIMiddleware (Flask): the
events of provider calls made while handling a request carry that request's session,
user and trace. Real web frameworks, real openai clients against the local fake server."""

from __future__ import annotations

import flask
import openai
import pytest
from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

import amplitude_ai
from amplitude_ai.middleware import AmplitudeAIMiddleware, AmplitudeAIWSGIMiddleware

from ._events import kinds, tracked

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def _openai(server) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-test", base_url=server.openai_url, max_retries=0)


def _fastapi_app(ai, server, **options) -> FastAPI:
    app = FastAPI()
    app.add_middleware(
        AmplitudeAIMiddleware,
        amplitude_ai=ai,
        user_id_resolver=lambda request: request.headers.get("x-user-id"),
        agent_id="chat-api",
        **options,
    )
    client = _openai(server)
    aclient = openai.AsyncOpenAI(api_key="sk-test", base_url=server.openai_url, max_retries=0)

    @app.post("/chat")
    async def chat(request: Request) -> dict:
        body = await request.json()
        reply = await aclient.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": body["q"]}]
        )
        return {"answer": reply.choices[0].message.content}

    @app.post("/sync-chat")
    def sync_chat(body: dict) -> dict:  # runs in the threadpool
        reply = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": body["q"]}]
        )
        return {"answer": reply.choices[0].message.content}

    @app.get("/stream")
    def stream() -> StreamingResponse:
        def body():
            chunks = client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": "stream please"}],
                stream=True,
            )
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content

        return StreamingResponse(body(), media_type="text/plain")

    return app


@pytest.fixture
def patched(ai):
    amplitude_ai.patch_openai(ai)
    yield
    amplitude_ai.unpatch()


def test_each_request_gets_its_own_session_user_and_trace(ai, server, llm, patched):
    llm.reply("Hello from the fake")
    with TestClient(_fastapi_app(ai, server)) as http:
        first = http.post("/chat", json={"q": "hi"}, headers={"x-user-id": "u-1"})
        second = http.post("/sync-chat", json={"q": "again"}, headers={"x-user-id": "u-2"})
    assert first.json() == {"answer": "Hello from the fake"}
    assert second.status_code == 200
    responses = tracked(ai, "ai_response")
    assert [r["user_id"] for r in responses] == ["u-1", "u-2"]
    assert all(r["agent_id"] == "chat-api" for r in responses)
    assert responses[0]["session_id"] != responses[1]["session_id"]
    assert responses[0]["trace_id"] != responses[1]["trace_id"]
    # A per-request session ends with the request; the user turn is tracked once.
    ends = tracked(ai, "session_end")
    assert {e["session_id"] for e in ends} == {r["session_id"] for r in responses}
    assert kinds(ai) == ["user_message", "ai_response", "session_end"] * 2


def test_upstream_session_and_traceparent_are_joined_not_ended(ai, server, llm, patched):
    headers = {
        "x-user-id": "u-9",
        "x-amplitude-session-id": "conv-42",
        "traceparent": TRACEPARENT,
        "x-amplitude-agent-id": "orchestrator",
    }
    with TestClient(_fastapi_app(ai, server)) as http:
        assert http.post("/chat", json={"q": "hi"}, headers=headers).status_code == 200
    (response,) = tracked(ai, "ai_response")
    assert response["session_id"] == "conv-42"
    assert response["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert response["parent_agent_id"] == "orchestrator"
    assert response["agent_id"] == "chat-api"
    assert tracked(ai, "session_end") == []  # the upstream service owns the conversation


def test_streamed_body_is_tracked_inside_the_request_session(ai, server, llm, patched):
    llm.reply("one two three")
    with TestClient(_fastapi_app(ai, server)) as http:
        body = http.get("/stream", headers={"x-user-id": "u-s"}).text
    assert body == "one two three"
    (response,) = tracked(ai, "ai_response")
    assert response["is_streaming"] is True
    assert response["user_id"] == "u-s"
    assert tracked(ai, "session_end")[0]["session_id"] == response["session_id"]


def test_async_resolvers_and_a_failing_resolver(ai, server, llm, patched):
    async def user(request):
        return request.headers["x-user-id"]  # KeyError when missing

    app = FastAPI()
    app.add_middleware(
        AmplitudeAIMiddleware,
        amplitude_ai=ai,
        user_id_resolver=user,
        session_id_resolver=lambda request: request.query_params.get("conversation"),
    )
    client = _openai(server)

    @app.get("/ask")
    def ask() -> str:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "q"}])
        return "ok"

    with TestClient(app) as http:
        assert http.get("/ask?conversation=c-1", headers={"x-user-id": "u-a"}).status_code == 200
        assert http.get("/ask").status_code == 200  # resolver raises: still served
    first, second = tracked(ai, "ai_response")
    assert (first["user_id"], first["session_id"]) == ("u-a", "c-1")
    # No user: the provider layer falls back to the anonymous device; the session holds.
    assert second["user_id"] is None and second["device_id"]
    assert second["session_id"] not in (None, "c-1")
    # The resolver-named conversation is not ended; an anonymous session cannot be.
    assert tracked(ai, "session_end") == []


def test_wrong_client_type_is_a_clear_error():
    with pytest.raises(TypeError, match="amplitude_ai= must be"):
        AmplitudeAIMiddleware(lambda *a: None, amplitude_ai=object())


def _flask_app(ai, server) -> flask.Flask:
    app = flask.Flask("wsgi-test")
    client = _openai(server)

    @app.post("/chat")
    def chat():
        reply = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": flask.request.json["q"]}]
        )
        return {"answer": reply.choices[0].message.content}

    @app.get("/stream")
    def stream():
        def body():
            for chunk in client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "s"}], stream=True
            ):
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content

        return flask.Response(body(), mimetype="text/plain")

    app.wsgi_app = AmplitudeAIWSGIMiddleware(  # type: ignore[method-assign]
        app.wsgi_app,
        amplitude_ai=ai,
        user_id_resolver=lambda environ: environ.get("HTTP_X_USER_ID"),
        agent_id="flask-bot",
    )
    return app


def test_wsgi_requests_get_sessions_also_while_streaming(ai, server, llm, patched):
    llm.reply("alpha beta")
    http = _flask_app(ai, server).test_client()
    answered = http.post("/chat", json={"q": "hi"}, headers={"x-user-id": "w-1"})
    assert answered.json == {"answer": "alpha beta"}
    answered.close()  # as a WSGI server does once the body is sent
    streamed = http.get(
        "/stream",
        headers={
            "x-user-id": "w-2",
            "x-amplitude-session-id": "conv-7",
            "traceparent": TRACEPARENT,
        },
    )
    assert streamed.get_data(as_text=True) == "alpha beta"
    streamed.close()
    first, second = tracked(ai, "ai_response")
    assert (first["user_id"], first["agent_id"]) == ("w-1", "flask-bot")
    assert (second["user_id"], second["session_id"]) == ("w-2", "conv-7")
    assert second["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert second["is_streaming"] is True
    assert [e["session_id"] for e in tracked(ai, "session_end")] == [first["session_id"]]


def test_a_websocket_connection_is_one_session(ai, server, llm, patched):
    app = FastAPI()
    app.add_middleware(
        AmplitudeAIMiddleware,
        amplitude_ai=ai,
        user_id_resolver=lambda conn: conn.query_params.get("user"),
    )
    client = _openai(server)

    @app.websocket("/ws")
    async def chat(ws: WebSocket) -> None:
        await ws.accept()
        for _ in range(2):
            question = await ws.receive_text()
            reply = client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
            )
            await ws.send_text(reply.choices[0].message.content)
        await ws.close()

    with TestClient(app) as http, http.websocket_connect("/ws?user=ws-1") as ws:
        for question in ("one", "two"):
            ws.send_text(question)
            assert ws.receive_text()
    responses = tracked(ai, "ai_response")
    assert [r["user_id"] for r in responses] == ["ws-1", "ws-1"]
    assert responses[0]["session_id"] == responses[1]["session_id"]
    assert [e["session_id"] for e in tracked(ai, "session_end")] == [responses[0]["session_id"]]
