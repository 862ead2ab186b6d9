"""The Telegram adapter's update processing: chats at once, each chat in order."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from handlers.telegram import PerChatOrder


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, "private")
    user = User(chat_id, "王", False)
    return Update(update_id, message=Message(update_id, None, chat, from_user=user, text="x"))


def test_chats_are_handled_at_once_and_each_chat_in_the_order_its_updates_came():
    log: list[str] = []

    async def handle(name: str, seconds: float) -> None:
        log.append(f"{name} start")
        await asyncio.sleep(seconds)
        log.append(f"{name} end")

    async def main() -> float:
        p = PerChatOrder(8)
        t0 = asyncio.get_running_loop().time()
        await asyncio.gather(
            p.process_update(_update(1, 100), handle("a1", 0.2)),
            p.process_update(_update(2, 100), handle("a2", 0.0)),
            p.process_update(_update(3, 200), handle("b1", 0.2)),
        )
        took = asyncio.get_running_loop().time() - t0
        assert not p._locks and not p._waiting  # nothing kept once a chat is idle
        return took

    took = asyncio.run(main())
    # chat 100: the second update waits for the first although it is quicker
    assert log.index("a1 end") < log.index("a2 start")
    # chat 200 did not wait for chat 100
    assert log.index("b1 start") < log.index("a1 end")
    assert took < 0.35
