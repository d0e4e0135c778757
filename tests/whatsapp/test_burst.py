"""A burst on one chat: 400 WhatsApp messages posted at once to one applicant. Each is either
applied (once, in the order the replies go out) or refused at the edge, and the sender is told
once to slow down; none is lost after it was accepted, none gives up on the chat's lock.
"""

from __future__ import annotations

import asyncio

from bot.whatsapp import INBOUND_PATH

from .conftest import PUBLIC_BASE_URL, message_sid, sign
from .scripted_flow import ScriptedFlow

PHONE = "+996555100009"
BURST = 400


async def test_a_burst_on_one_chat_is_applied_in_order_or_refused_politely(
    start_whatsapp,
) -> None:
    flow = ScriptedFlow()
    wa = await start_whatsapp(flow)

    async def post(n: int) -> int:
        params = {"MessageSid": message_sid(), "From": f"whatsapp:{PHONE}", "Body": f"m{n}"}
        headers = {"X-Twilio-Signature": sign(PUBLIC_BASE_URL + INBOUND_PATH, params)}
        response = await wa.client.post(INBOUND_PATH, data=params, headers=headers)
        await response.read()
        return response.status

    statuses = await asyncio.gather(*(post(n) for n in range(BURST)))
    await wa.channel.drain()

    assert set(statuses) == {200}
    applied = [e.text for e in flow.of(PHONE)]
    assert len(applied) == len(set(applied))  # none twice
    assert applied, "nothing of the burst was applied"
    inbox = wa.twilio.bodies_to(f"whatsapp:{PHONE}")
    answers = [body.removeprefix("Жооп: ") for body in inbox if body.startswith("Жооп: ")]
    assert answers == applied  # every applied message answered, in the order applied
    slow_down = [wa.whatsapp.texts.gettext(lang, "error.too_fast") for lang in ("ky", "ru")]
    refusals = [body for body in inbox if not body.startswith("Жооп: ")]
    if len(applied) < BURST:  # the rest was refused at the edge, the sender told once
        assert len(refusals) == 1
        assert all(text in refusals[0] for text in slow_down)
    else:
        assert refusals == []
