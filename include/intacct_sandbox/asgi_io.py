"""Raw ASGI input and output both of the sandbox's front doors use: the body, answers, the time an
answer waits for, a dropped connection."""

from __future__ import annotations

import asyncio


def loop_time() -> float:
    return asyncio.get_running_loop().time()


async def wait_until(deadline: float) -> None:
    remaining = deadline - loop_time()
    if remaining > 0:
        await asyncio.sleep(remaining)


async def read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def respond(send, status: int, content_type: bytes, body, extra_headers=()) -> None:
    data = body.encode() if isinstance(body, str) else body
    headers = [(b"content-type", content_type), (b"content-length", str(len(data)).encode()), *extra_headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


def drop(receive) -> None:
    """Close the connection without an answer (uvicorn's transport)."""
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise RuntimeError("dropping a connection needs uvicorn's transport")
    transport.close()
