"""Proof that a learner reads the mail of an address, before anything is filed, shown or erased
under it: a one-time code sent to the address (`codes`), in a mail that says what it is for (`mail`).

An email address someone types is only a claim. Slack's profile email counts as proven (Slack
verified it); every other address is proven here, once per conversation and purpose.
"""
