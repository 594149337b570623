"""The helper functions every generated verify test carries (as source text).

They open the app with the fake LLM and the capture on, run scripts, and check the
captured events; ``render`` writes them after the test's imports and constants, whose
names (``PROJECT_ROOT``, ``FAKE_ENV``, ``VERIFY_USER``, the catalog names ...) they use.
"""

HELPERS = '''
def _import_bootstrap(target: dict[str, Any]) -> Any:
    name = target["bootstrap"]
    missing = False
    try:
        bootstrap = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if not (exc.name == name or name.startswith(f"{exc.name}.")):
            raise
        missing = True
    if missing:
        pytest.fail(
            f"{name} does not exist: {target['file']} is not instrumented yet "
            "(run the instrument_file tool on it)",
            pytrace=False,
        )
    if not isinstance(getattr(bootstrap, "ai", None), AmplitudeAI):
        pytest.fail(f"{name} defines no AmplitudeAI instance named `ai`", pytrace=False)
    return bootstrap


def _import_by_location(target: dict[str, Any]) -> Any:
    """The module from its file (any directory name works), its import root on sys.path."""
    name = target["module"]
    if "." in name:  # inside a package: relative imports need the package imported first
        return importlib.import_module(name)
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / target["file"])
    assert spec is not None and spec.loader is not None, target["file"]
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def open_app(
    monkeypatch: pytest.MonkeyPatch, target: dict[str, Any], *, script: bool = False
) -> Iterator[SimpleNamespace]:
    """The instrumented module, imported fresh, with the fake LLM and the capture on
    (``script``: not imported; :func:`run_script` runs it as ``__main__``)."""
    monkeypatch.syspath_prepend(str(PROJECT_ROOT / target["import_root"]))
    for name, value in FAKE_ENV.items():
        monkeypatch.setenv(name, value)
    for name in target["env"]:
        if name not in os.environ:
            monkeypatch.setenv(name, placeholder(name))
    for constructor, replacement in target["stubs"].items():
        monkeypatch.setattr(constructor, replacement)
    before = set(sys.modules)
    registers = target["integrations"]
    try:
        with fake_llm() as llm:
            module = bootstrap = None
            if registers and script:
                # Nothing is imported first: the script itself must load the bootstrap that
                # registers its integrations (run_script checks it did); every AmplitudeAI
                # in the process is captured meanwhile.
                _bootstrap_file(target)
                capture = MockAmplitudeAI.capture()
            elif registers:  # the app must load the bootstrap that registers its integrations
                module = _import_by_location(target)
                bootstrap = _registered_bootstrap(target, "importing it")
                capture = MockAmplitudeAI.capture(bootstrap.ai)
            else:
                bootstrap = _import_bootstrap(target)
                capture = MockAmplitudeAI.capture(bootstrap.ai)
            with capture as mock:
                if module is None and not script:
                    module = _import_by_location(target)
                yield SimpleNamespace(
                    module=module, bootstrap=bootstrap, mock=mock, llm=llm, target=target
                )
    finally:
        for name in set(sys.modules) - before:  # the next test imports the app afresh
            # ... but not the bootstrap of registered integrations: registering them again
            # would add a second LangChain hook / Agents processor to the process.
            if registers and name == target["bootstrap"]:
                continue
            if name.split(".")[0] in target["packages"]:
                del sys.modules[name]


def _registered_bootstrap(target: dict[str, Any], how: str) -> Any:
    """The bootstrap the app module loaded (``how``: importing or running it): framework
    integrations are registered by importing it, so an app that does not sends no event."""
    name = target["bootstrap"]
    if name not in sys.modules:
        try:
            exists = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            exists = False
        if not exists:
            _import_bootstrap(target)  # fails: the bootstrap does not exist
        pytest.fail(
            f"{target['file']} is not instrumented: {how} does not load {name}, which "
            "registers the framework integrations, so no event would be sent (run the "
            "instrument_file tool on it)",
            pytrace=False,
        )
    return _import_bootstrap(target)


def _bootstrap_file(target: dict[str, Any]) -> None:
    """Fail before running anything when the bootstrap module does not exist (looked up
    as a file: importing its package could run the app's own code)."""
    base = PROJECT_ROOT / target["import_root"] / Path(*target["bootstrap"].split("."))
    if not (base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()):
        _import_bootstrap(target)  # fails with the reason


def placeholder(name: str) -> str:
    """An offline stand-in for a setting the app reads at import."""
    upper = name.upper()
    if any(w in upper for w in ("URL", "ENDPOINT", "HOST", "URI")):
        return "https://verify-offline.invalid"
    if any(w in upper for w in ("PORT", "TIMEOUT", "MAX", "LIMIT", "COUNT", "SIZE", "TOKENS")):
        return "1"
    if "TEMPERATURE" in upper:
        return "0.5"
    return "verify-offline"


def finish(result: Any) -> Any:
    """Finish what an entry point started: await it, read generators and streams to the end."""

    async def drain(value: Any) -> Any:
        if inspect.isawaitable(value):
            value = await value
        if hasattr(value, "__aiter__"):
            value = [item async for item in value]
        else:
            value = _drain_sync(value)
        # Work the call left on the loop (LiteLLM reports async calls from a task) runs
        # to its end, as it would in a long-running app, before asyncio.run cancels it.
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if others:
            await asyncio.wait(others, timeout=5)
        return value

    if inspect.isawaitable(result) or hasattr(result, "__aiter__"):
        return asyncio.run(drain(result))
    return _drain_sync(result)


def _drain_sync(value: Any) -> Any:
    if inspect.isgenerator(value) or (
        hasattr(value, "__next__") and not isinstance(value, (str, bytes))
    ):
        return list(value)
    return value


class _TimeUp(Exception):
    pass


def run_script(app: SimpleNamespace, argv: list[str], answers: list[str]) -> None:
    """Run the module as ``__main__`` with argv and input()/stdin answers, bounded in time;
    leaving at the end of the answers (EOFError) or with exit status 0 is a normal end."""
    target = app.target
    path = str(PROJECT_ROOT / target["file"])
    pending = list(answers)

    def answer(prompt: object = "") -> str:
        if not pending:
            raise EOFError
        return pending.pop(0)

    def time_up(signum: int, frame: Any) -> None:
        raise _TimeUp

    old_argv, old_stdin = sys.argv, sys.stdin
    sys.argv = [path, *argv]
    sys.stdin = io.StringIO("".join(f"{a}\\n" for a in answers))
    # the alarm bounds the run where it can (POSIX, main thread)
    bounded = hasattr(signal, "setitimer")
    bounded = bounded and threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGALRM, time_up) if bounded else None
    if bounded:
        signal.setitimer(signal.ITIMER_REAL, SCRIPT_SECONDS)
    try:
        with mock.patch("builtins.input", answer):
            if "." in target["module"]:
                runpy.run_module(target["module"], run_name="__main__", alter_sys=True)
            else:
                runpy.run_path(path, run_name="__main__")
    except (EOFError, _TimeUp):
        pass
    except SystemExit as exc:
        assert exc.code in (0, None), f"{target['file']} exited with status {exc.code}"
    finally:
        if bounded:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        sys.argv, sys.stdin = old_argv, old_stdin
    if target["integrations"]:  # the script, not the test, must have loaded the bootstrap
        app.bootstrap = _registered_bootstrap(target, "running it")


def openapi_body(web: Any, path: str, method: str) -> Any:
    """A request body built from the app's own OpenAPI schema for ``method path``."""
    schema = web.openapi()
    operation = schema["paths"][path][method]
    content = operation.get("requestBody", {}).get("content", {})
    body = next(iter(content.values()), {}).get("schema", {})
    return sample_from_schema(body, schema.get("components", {}).get("schemas", {}))


def check_response(response: Any, where: str) -> None:
    """The request succeeded; its body (a stream too) is read to the end."""
    text = response.get_data(as_text=True) if hasattr(response, "get_data") else response.text
    assert response.status_code < 400, f"{where} answered {response.status_code}: {text[:500]}"


@contextmanager
def verify_session(app: SimpleNamespace) -> Iterator[Any]:
    """A session for code paths where the app opens none (gives the calls a user)."""
    # A script with framework integrations loads its bootstrap itself, later: until then a
    # recording stand-in (no client, nothing sent) opens the session; the session context is
    # process-wide, so the app's events carry it all the same.
    ai = app.bootstrap.ai if app.bootstrap is not None else MockAmplitudeAI()
    agent = ai.agent("amplitude-verify-test")
    with agent.session(user_id=VERIFY_USER) as session:
        yield session


def _asks_user(body: dict[str, Any]) -> bool:
    """The request carries a user turn (a request with only a system prompt has none)."""
    turns = body.get("messages") or body.get("input") or []
    if isinstance(turns, str):
        return True
    return any(isinstance(t, dict) and t.get("role") == "user" for t in turns)


def _check_identity(
    turn: list[dict[str, Any]], session_id: str | None, user_id: str | None, any_user: bool = False
) -> None:
    sessions = {e["event_properties"].get(SESSION_ID) for e in turn}
    assert None not in sessions, "events without a session id (no agent session around them)"
    assert len(sessions) == 1, f"one conversation expected, got sessions {sessions}"
    if any_user:  # a per-request session of the web middleware: the user is the request's
        return
    if session_id is not None:
        assert sessions == {session_id}, f"events in session {sessions}, not {session_id}"
    users = {e.get("user_id") for e in turn}
    assert None not in users and len(users) == 1, f"user ids: {users}"
    if user_id is not None:
        assert users == {user_id}, f"events carry user {users}, expected {user_id!r}"


def _same_providers(seen: list[str], expected: list[str]) -> bool:
    """Each provider seen is one an expected client can report, and each expected client
    reported: an OpenAI client whose base_url is another host reports that host's id."""
    allowed = [reported_ids(p) for p in expected]
    return all(any(s in ids for ids in allowed) for s in seen) and all(
        any(s in ids for s in seen) for ids in allowed
    )


def _settle() -> None:
    """Some providers report calls to their callbacks after they returned, from worker
    threads (LiteLLM): wait for those reports before counting events."""
    for module_name, attribute in PENDING_REPORTS:
        module = sys.modules.get(module_name)
        for callback in list(getattr(module, attribute, None) or ()):
            wait = getattr(callback, "wait_for_pending", None)
            if callable(wait):
                wait(timeout=10)


def _check_moderations(app: SimpleNamespace) -> int:
    """Each moderation call tracked once as a Span named ``moderation`` (a guardrail check,
    not a reply); returns how many there were."""
    calls = [c for c in app.llm.calls if c.surface == "moderations"]
    spans = [
        e
        for e in app.mock.events_of_type(SPAN)
        if e["event_properties"].get(SPAN_NAME) == "moderation"
    ]
    assert len(spans) == len(calls), (
        f"{len(calls)} moderation call(s) but {len(spans)} {SPAN!r} events named 'moderation' "
        "(the client that made them is not instrumented, or one was tracked twice)"
    )
    return len(calls)


def check_turns(
    app: SimpleNamespace,
    *,
    providers: list[str] | None,
    models: list[str] | None = None,
    session_id: str | None = None,
    user_id: str | None = None,
    in_session: bool = True,
    any_user: bool = False,
) -> None:
    """Each LLM call tracked once, catalog-exact, with model, provider, user, session.

    ``in_session=False``: the code path opens no agent session, so identity is not checked.
    ``any_user``: one session (the web middleware's per request), whatever its user.
    ``providers=None``: a framework calls a provider the analysis could not name.
    """
    mock, llm = app.mock, app.llm
    _settle()
    if _check_moderations(app) and not [c for c in llm.calls if c.surface != "moderations"]:
        mock.assert_all_valid()  # a moderation check only: its Span is the event
        return
    calls = [c for c in llm.calls if not c.is_embedding and c.surface != "moderations"]
    assert calls, "the entry point made no LLM call, so there is nothing to verify"
    responses = mock.events_of_type(AI_RESPONSE)
    assert responses, (
        f"{len(calls)} LLM call(s) but no {AI_RESPONSE!r} event: the client that made "
        "them is not instrumented (build it with the amplitude_ai drop-in class and "
        "amplitude=ai), or the call ran outside an agent session and had no user id"
    )
    assert len(responses) == len(calls), (
        f"{len(calls)} LLM calls but {len(responses)} {AI_RESPONSE!r} events "
        "(every call must be tracked exactly once)"
    )
    for call in calls:
        mock.assert_event_tracked(AI_RESPONSE, model_name=call.model)
    seen = sorted({e["event_properties"].get(PROVIDER) for e in responses})
    assert providers is None or _same_providers(seen, providers), (
        f"providers tracked: {seen}, not {providers}"
    )
    if models is not None:
        tracked = sorted({e["event_properties"].get(MODEL_NAME) for e in responses})
        assert tracked == models, f"models tracked: {tracked}, expected {models}"
    messages = mock.events_of_type(USER_MESSAGE)
    assert len(messages) <= len(calls), (
        f"{len(messages)} {USER_MESSAGE!r} events for {len(calls)} LLM calls"
    )
    if any(_asks_user(c.body) for c in calls):
        assert messages, f"the requests carry a user turn but no {USER_MESSAGE!r} was tracked"
    ids = [e["insert_id"] for e in mock.events]
    assert len(ids) == len(set(ids)), "an event was delivered twice"
    if in_session:
        _check_identity(responses + messages, session_id, user_id, any_user)
    mock.assert_all_valid()
    for event in mock.events:  # shown with pytest -s (or on failure)
        print(summary_line(event))


def check_embeddings(
    app: SimpleNamespace,
    *,
    providers: list[str] | None,
    models: list[str] | None = None,
    session_id: str | None = None,
    user_id: str | None = None,
    in_session: bool = True,
    any_user: bool = False,
) -> None:
    """Each embedding call tracked once as an [Agent] Embedding event with model and provider."""
    mock, llm = app.mock, app.llm
    _settle()
    calls = [c for c in llm.calls if c.is_embedding]
    assert calls, "the entry point made no embedding call, so there is nothing to verify"
    events = mock.events_of_type(EMBEDDING)
    assert events, (
        f"{len(calls)} embedding call(s) but no {EMBEDDING!r} event: the client that made "
        "them is not instrumented (build it with the amplitude_ai drop-in class and "
        "amplitude=ai)"
    )
    assert len(events) == len(calls), (
        f"{len(calls)} embedding calls but {len(events)} {EMBEDDING!r} events"
    )
    seen = sorted({e["event_properties"].get(PROVIDER) for e in events})
    assert providers is None or _same_providers(seen, providers), (
        f"providers tracked: {seen}, expected {providers}"
    )
    if models is not None:
        tracked = sorted({e["event_properties"].get(MODEL_NAME) for e in events})
        assert tracked == models, f"models tracked: {tracked}, expected {models}"
    dimensions = {e["event_properties"].get(DIMENSIONS) for e in events}
    expected = {len(llm.default.embedding)}  # the fake's vectors
    assert dimensions == expected, f"embedding dimensions tracked: {dimensions}, not {expected}"
    if in_session:
        _check_identity(events, session_id, user_id, any_user)
    mock.assert_all_valid()
'''
