"""A separate load process: N concurrent conversations over REST, latency per message.

Run as `python -m bench.load --url ... --concurrency 32 --requests 640`; prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid

import aiohttp

from bench.workload import conversation


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


async def run_level(url: str, concurrency: int, requests: int, time_limit: float) -> dict:
    conversations = max(concurrency, requests // 5)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(conversations):
        queue.put_nowait(index)
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + time_limit
    run_id = uuid.uuid4().hex[:8]

    async def worker(session: aiohttp.ClientSession) -> None:
        while time.monotonic() < deadline:
            try:
                index = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            sender = f"bench-{run_id}-{index}"
            for text, expected in conversation(index):
                started = time.perf_counter()
                try:
                    async with session.post(url, json={"sender": sender, "message": text}) as response:
                        body = await response.json(content_type=None) if response.status == 200 else None
                    latencies.append(time.perf_counter() - started)
                    reply = " ".join(m.get("text", "") for m in body or [])
                    if response.status != 200:
                        errors.append(f"HTTP {response.status}")
                    elif expected.lower() not in reply.lower():
                        errors.append(f"wrong answer to {text!r}")
                except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                    errors.append(type(error).__name__)

    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "wall_s": round(wall, 3),
        "msg_per_s": round(len(latencies) / wall, 2) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--time-limit", type=float, default=120.0)
    args = parser.parse_args()
    result = asyncio.run(run_level(args.url, args.concurrency, args.requests, args.time_limit))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
