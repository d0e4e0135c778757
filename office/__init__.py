"""The officers' business: decisions on entries and payments, the review queue, statistics.

Also bank statements, the officer-filled form, and the review prompts sent to officers' chats.

It stands on both the applicant's conversation (`flows`) and the officers' accounts (`access`);
the web and the bot are built on it.
"""
