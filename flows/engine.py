"""The channel-neutral registration conversation (issue 3)."""

from collections.abc import Callable
from datetime import datetime

from flows.events import ChatKey, Event
from flows.replies import Reply


class RegistrationFlow:
    """Runs the registration conversation for every channel."""

    def __init__(
        self,
        *,
        database,
        state,
        filestore,
        campaign,
        translator,
        secret_box,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._database = database
        self._state = state
        self._filestore = filestore
        self._campaign = campaign
        self._translator = translator
        self._secret_box = secret_box
        self._clock = clock

    async def handle(self, key: ChatKey, event: Event) -> list[Reply]:
        """Process one event for one chat and return the replies to send, in order.

        Serializes events of one chat with state.lock(f"chat:{key.channel}:{key.chat_id}");
        never raises for user input (an unexpected internal error is logged without private
        data and answered with a polite localized 'something went wrong, please repeat').
        """
        raise NotImplementedError
