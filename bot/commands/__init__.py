"""Staff's command lines: `python -m bot.commands.review` (decide and issue) and
`python -m bot.commands.notices` (notices given up on)."""
