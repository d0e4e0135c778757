"""What every layer above storage shares: validation results, people's names and phones, texts.

Both the applicant's conversation (`flows`) and the officers' accounts (`access`) stand on it;
it imports nothing of theirs.
"""
