"""KeyedLock runs work of one key one at a time in arrival order, other keys in parallel."""

import asyncio

from servicekit.keyed_lock import KeyedLock


async def test_same_key_runs_in_arrival_order_and_other_keys_in_parallel() -> None:
    locks = KeyedLock()
    log: list[str] = []
    release = asyncio.Event()

    async def work(key: str, name: str, wait: bool = False) -> None:
        async with locks.hold(key):
            log.append(f"start {name}")
            if wait:
                await release.wait()
            log.append(f"end {name}")

    first = asyncio.create_task(work("order-1", "a", wait=True))
    second = asyncio.create_task(work("order-1", "b"))
    other = asyncio.create_task(work("order-2", "c"))
    await other
    assert log == ["start a", "start c", "end c"]  # c did not wait for order-1
    release.set()
    await asyncio.gather(first, second)
    assert log[3:] == ["end a", "start b", "end b"]
    assert len(locks) == 0  # nothing kept once done
