"""The officers' review in chat: linking an officer's chat, prompts, approve and reject."""

from flows.review.flow import ReviewFlow
from flows.review.outbound import NoticeComposer, Outbound, Photo
from flows.review.router import ChatRouter

__all__ = ["ChatRouter", "NoticeComposer", "Outbound", "Photo", "ReviewFlow"]
